"""ConfluenceSite against the sandbox, Cloud (REST v2) and Data Center (REST v1).

Every page a test writes has a title of its own; pages are read back with
atlassian-python-api's v1 client, which both flavours' pages are visible to.
"""

from __future__ import annotations

from itertools import count
from typing import Any

import httpx
import pytest
from atlassian import ConfluenceServer

from connectors.confluence import ConfluenceFlavour, ConfluenceSite
from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    StaleWriteError,
    WriteRejectedError,
)
from connectors.jira import BasicAuth, BearerAuth
from connectors.retry import RetryPolicy
from flywheel_sync.sandbox.server import SandboxServer

USER, TOKEN = "pmo-bot@northwind.example", "sandbox-confluence-token"
FAST = RetryPolicy(sleep=lambda seconds: None, max_attempts=3)
FLAVOURS = [ConfluenceFlavour.CLOUD, ConfluenceFlavour.DATACENTER]
REPORTS = "PMO Value Reports"
_titles = count(1)


@pytest.fixture(params=FLAVOURS, ids=[f.value for f in FLAVOURS])
def flavour(request: pytest.FixtureRequest) -> ConfluenceFlavour:
    return ConfluenceFlavour(request.param)


def site(
    server: SandboxServer,
    flavour: ConfluenceFlavour,
    *,
    policy: RetryPolicy = FAST,
    token: str = TOKEN,
) -> ConfluenceSite:
    auth = BasicAuth(user=USER, token=token) if flavour is ConfluenceFlavour.CLOUD else None
    return ConfluenceSite(
        source="confluence:pmo",
        url=f"{server.url}/confluence",
        auth=auth or BearerAuth(token=token),
        flavour=flavour,
        policy=policy,
        timeout=10,
    )


def v1(server: SandboxServer) -> Any:
    return ConfluenceServer(  # type: ignore[no-untyped-call]  # the library's __init__
        url=f"{server.url}/confluence", username=USER, password=TOKEN
    )


def title() -> str:
    return f"KPI summary {next(_titles)}"


def set_faults(server: SandboxServer, **knobs: object) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=knobs).raise_for_status()


def requests_to(server: SandboxServer, prefix: str) -> int:
    counted = httpx.get(f"{server.url}/_sandbox/stats").json()["requests"]
    return sum(n for route, n in counted.items() if route.startswith(prefix))


def test_find_page_finds_the_seeded_reports_page(
    cloud: SandboxServer, flavour: ConfluenceFlavour
) -> None:
    found = site(cloud, flavour).find_page("PMO", REPORTS)

    assert found is not None
    assert found.title == REPORTS
    assert found.version >= 1
    assert found.body
    assert found.url is not None
    assert found.url.endswith(f"/pages/{found.id}")
    assert found.parent_id is not None


def test_find_page_is_none_for_a_title_nobody_wrote(
    cloud: SandboxServer, flavour: ConfluenceFlavour
) -> None:
    assert site(cloud, flavour).find_page("PMO", "No such page") is None


def test_a_created_page_sits_under_its_parent_at_version_one(
    cloud: SandboxServer, flavour: ConfluenceFlavour
) -> None:
    confluence = site(cloud, flavour)
    parent = confluence.find_page("PMO", REPORTS)
    assert parent is not None
    name = title()

    created = confluence.create_page(
        space_key="PMO", title=name, body="<p>On track</p>", parent_id=parent.id
    )

    stored = v1(cloud).get_page_by_id(created.id, expand="body.storage,version,ancestors")
    assert (created.title, created.version, created.parent_id) == (name, 1, parent.id)
    assert stored["body"]["storage"]["value"] == created.body == "<p>On track</p>"
    assert stored["ancestors"][-1]["id"] == parent.id
    assert confluence.page(created.id) == created


def test_an_update_sends_the_next_version_even_when_nothing_changed(
    sandbox: SandboxServer, flavour: ConfluenceFlavour
) -> None:
    confluence = site(sandbox, flavour)
    name = title()
    created = confluence.create_page(space_key="PMO", title=name, body="<p>x</p>", parent_id=None)

    updated = confluence.update_page(
        page_id=created.id, title=name, body="<p>x</p>", current_version=1, message="sync run 7"
    )

    stored = v1(sandbox).get_page_by_id(created.id, expand="version")
    assert updated.version == stored["version"]["number"] == 2
    assert stored["version"]["message"] == "sync run 7"
    assert requests_to(sandbox, "PUT ") == 1


def test_an_update_from_a_stale_version_is_stale_and_changes_nothing(
    cloud: SandboxServer, flavour: ConfluenceFlavour
) -> None:
    confluence = site(cloud, flavour)
    name = title()
    created = confluence.create_page(space_key="PMO", title=name, body="<p>1</p>", parent_id=None)
    confluence.update_page(
        page_id=created.id, title=name, body="<p>2</p>", current_version=1, message="first"
    )

    with pytest.raises(StaleWriteError) as stale:
        confluence.update_page(
            page_id=created.id, title=name, body="<p>3</p>", current_version=1, message="late"
        )

    assert stale.value.status == 409
    assert stale.value.record == created.id
    page = confluence.page(created.id)
    assert page is not None
    assert (page.version, page.body) == (2, "<p>2</p>")


def test_a_second_page_with_the_same_title_is_rejected(
    cloud: SandboxServer, flavour: ConfluenceFlavour
) -> None:
    with pytest.raises(WriteRejectedError) as refused:
        site(cloud, flavour).create_page(
            space_key="PMO", title=REPORTS, body="<p>x</p>", parent_id=None
        )

    assert refused.value.status == 400
    assert any("already exists" in reason for reason in refused.value.reasons)


def test_a_page_that_is_gone_is_none_and_updating_it_is_rejected(
    cloud: SandboxServer, flavour: ConfluenceFlavour
) -> None:
    confluence = site(cloud, flavour)

    assert confluence.page("999999999") is None
    with pytest.raises(WriteRejectedError) as refused:
        confluence.update_page(
            page_id="999999999", title="x", body="", current_version=1, message=""
        )
    assert refused.value.status == 404


def test_a_property_is_created_then_updated_with_the_next_version(
    cloud: SandboxServer, flavour: ConfluenceFlavour
) -> None:
    confluence = site(cloud, flavour)
    page = confluence.create_page(space_key="PMO", title=title(), body="<p/>", parent_id=None)
    assert confluence.page_property(page.id, "flywheel.owner") is None

    confluence.set_page_property(page.id, "flywheel.owner", {"service": "grid-ops", "run": 1})
    confluence.set_page_property(page.id, "flywheel.owner", {"service": "grid-ops", "run": 2})

    found = confluence.page_property(page.id, "flywheel.owner")
    stored = v1(cloud).get(f"rest/api/content/{page.id}/property/flywheel.owner")
    assert found is not None
    assert (found.value, found.version) == ({"service": "grid-ops", "run": 2}, 2)
    assert (stored["value"], stored["version"]["number"]) == (found.value, 2)


def test_cloud_names_a_space_that_does_not_exist(cloud: SandboxServer) -> None:
    with pytest.raises(ConnectorConfigError, match="no space with key 'NOPE'"):
        site(cloud, ConfluenceFlavour.CLOUD).find_page("NOPE", REPORTS)


def test_wrong_credentials_are_an_authentication_error(
    cloud: SandboxServer, flavour: ConfluenceFlavour
) -> None:
    with pytest.raises(AuthenticationError) as refused:
        site(cloud, flavour, token="not-the-token").find_page("PMO", REPORTS)

    assert "not-the-token" not in str(refused.value)


def test_a_429_is_waited_out_as_retry_after_says(
    sandbox: SandboxServer, flavour: ConfluenceFlavour
) -> None:
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        set_faults(sandbox, rate_limit=None)  # the wait is over: lift the limit

    confluence = site(sandbox, flavour, policy=RetryPolicy(sleep=sleep, max_total_wait=1000))
    set_faults(sandbox, rate_limit=0.01, burst=1)
    confluence.page("999999999")  # takes the one token

    found = confluence.find_page("PMO", REPORTS)

    assert found is not None
    assert waits == [100.0]
