"""The Confluence emulator driven by atlassian-python-api, v1 (Data Center) and v2 (Cloud)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import requests
from atlassian import Confluence, ConfluenceV2

from flywheel_sync.sandbox.server import SandboxServer

USER, TOKEN = "pmo-bot@northwind.example", "sandbox-confluence-token"


def v1_client(sandbox: SandboxServer) -> Confluence:
    return Confluence(  # type: ignore[no-untyped-call]  # atlassian's __init__ is unannotated
        url=f"{sandbox.url}/confluence", username=USER, password=TOKEN, cloud=False
    )


def v2_client(sandbox: SandboxServer) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # ConfluenceV2 warns at construction
        # Cloud sites are addressed as https://<site>.atlassian.net/wiki
        return ConfluenceV2(url=f"{sandbox.url}/confluence/wiki", username=USER, password=TOKEN)


def puts(sandbox: SandboxServer) -> int:
    stats = requests.get(f"{sandbox.url}/_sandbox/stats", timeout=5).json()
    return sum(n for route, n in stats["requests"].items() if route.startswith("PUT "))


def test_v1_finds_the_seeded_reports_page_by_title(sandbox: SandboxServer) -> None:
    found = v1_client(sandbox).get_page_by_title("PMO", "PMO Value Reports")

    assert [page["title"] for page in found["results"]] == ["PMO Value Reports"]


def test_v1_create_then_update_bumps_the_version(sandbox: SandboxServer) -> None:
    client = v1_client(sandbox)
    parent = client.get_page_by_title("PMO", "PMO Value Reports")["results"][0]

    created = client.create_page(
        "PMO", "Capacity Planning KPIs", "<p>v1</p>", parent_id=parent["id"]
    )
    client.update_page(created["id"], "Capacity Planning KPIs", "<p>v2</p>")
    page = client.get_page_by_id(created["id"], expand="body.storage,version,ancestors")

    assert created["version"]["number"] == 1
    assert page["version"]["number"] == 2
    assert page["body"]["storage"]["value"] == "<p>v2</p>"
    assert [a["title"] for a in page["ancestors"]] == ["Enterprise PMO", "PMO Value Reports"]


def test_v1_update_with_unchanged_content_writes_nothing(sandbox: SandboxServer) -> None:
    client = v1_client(sandbox)
    created = client.create_page("PMO", "Same", "<p>same</p>")

    client.update_page(created["id"], "Same", "<p>same</p>")

    assert puts(sandbox) == 0
    assert client.get_page_by_id(created["id"])["version"]["number"] == 1


def test_v1_stale_version_is_a_409_with_the_current_version(sandbox: SandboxServer) -> None:
    created = v1_client(sandbox).create_page("PMO", "Stale", "<p>x</p>")

    response = requests.put(
        f"{sandbox.url}/confluence/rest/api/content/{created['id']}",
        json={
            "type": "page",
            "title": "Stale",
            "version": {"number": 1},
            "body": {"storage": {"value": "<p>y</p>", "representation": "storage"}},
        },
        auth=(USER, TOKEN),
        timeout=5,
    )

    assert response.status_code == 409
    assert response.json()["message"] == (
        "Version must be incremented on update. Current version is: 1"
    )


def test_duplicate_title_in_a_space_is_refused(sandbox: SandboxServer) -> None:
    response = requests.post(
        f"{sandbox.url}/confluence/rest/api/content",
        json={
            "type": "page",
            "title": "PMO Value Reports",
            "space": {"key": "PMO"},
            "body": {"storage": {"value": "", "representation": "storage"}},
        },
        auth=(USER, TOKEN),
        timeout=5,
    )

    assert response.status_code == 400
    assert response.json()["statusCode"] == 400


def test_v1_labels_and_content_properties(sandbox: SandboxServer) -> None:
    client = v1_client(sandbox)
    page_id = client.create_page("PMO", "Labelled", "<p/>")["id"]

    client.set_page_label(page_id, "flywheel-sync")
    client.set_page_property(page_id, {"key": "flywheel.owner", "value": {"rev": 1}})
    client.update_page_property(
        page_id, {"key": "flywheel.owner", "value": {"rev": 2}, "version": {"number": 2}}
    )

    assert [label["name"] for label in client.get_page_labels(page_id)["results"]] == [
        "flywheel-sync"
    ]
    assert client.get_page_property(page_id, "flywheel.owner")["value"] == {"rev": 2}


def test_v2_create_update_and_find_by_title(sandbox: SandboxServer) -> None:
    client = v2_client(sandbox)
    space = client.get_spaces(keys=["PMO"])
    space_id = (space["results"] if isinstance(space, dict) else space)[0]["id"]

    created = client.create_page(space_id, "Health Checks KPIs", "<p>v1</p>")
    # The v2 spec requires status on update; the library sends it only when asked to.
    client.update_page(
        created["id"], "Health Checks KPIs", "<p>v2</p>", version=1, status="current"
    )
    found = client.get_page_by_title("PMO", "Health Checks KPIs")["results"][0]

    assert created["version"]["number"] == 1
    assert created["body"]["storage"]["value"] == "<p>v1</p>"
    assert found["version"]["number"] == 2
    assert found["body"]["storage"]["value"] == "<p>v2</p>"


def test_v2_stale_version_is_a_409_in_v2_error_shape(sandbox: SandboxServer) -> None:
    page = v1_client(sandbox).create_page("PMO", "V2 stale", "<p/>")

    response = requests.put(
        f"{sandbox.url}/confluence/wiki/api/v2/pages/{page['id']}",
        json={
            "id": page["id"],
            "status": "current",
            "title": "V2 stale",
            "body": {"representation": "storage", "value": "<p>x</p>"},
            "version": {"number": 5},
        },
        auth=(USER, TOKEN),
        timeout=5,
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "CONFLICT"


def test_reset_restores_the_seeded_pages(sandbox: SandboxServer) -> None:
    client = v1_client(sandbox)
    client.create_page("PMO", "Temporary", "<p/>")

    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5)

    assert client.get_page_by_title("PMO", "Temporary")["results"] == []
    assert client.get_page_by_title("PMO", "PMO Value Reports")["results"] != []


@pytest.mark.parametrize("auth", [(USER, "wrong"), None])
def test_wrong_credentials_get_a_confluence_401(
    sandbox: SandboxServer, auth: tuple[str, str] | None
) -> None:
    response = requests.get(f"{sandbox.url}/confluence/rest/api/content", auth=auth, timeout=5)

    assert response.status_code == 401
    assert response.json()["statusCode"] == 401
