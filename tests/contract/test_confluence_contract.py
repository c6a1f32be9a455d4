"""Confluence emulator exchanges against the Cloud v1 and v2 subsets.

v1 is served under both the Data Center root (``/confluence/rest/api``) and the Cloud root
(``/confluence/wiki/rest/api``); both are judged against the v1 subset's ``/wiki/rest/api``.
Add an operation by adding a row: method, sandbox path, what to send, the expected status.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import count

import pytest

from tests.contract.calls import WRONG_AUTH, Call, ContractClient, Setup, cases

V1 = "/confluence/rest/api"
V1_CLOUD = "/confluence/wiki/rest/api"
V2 = "/confluence/wiki/api/v2"
REPORTS = "PMO Value Reports"
LABEL = "flywheel-sync"
PROPERTY = "flywheel.marker"
_titles = count(1)


def _reports_page_id(setup: Setup) -> str:
    found = setup.call("GET", f"{V1}/content", spaceKey="PMO", title=REPORTS)
    return str(found["results"][0]["id"])


def reports_page(setup: Setup) -> Mapping[str, str]:
    """``{page}``: the seeded reports page (it has a parent)."""
    return {"page": _reports_page_id(setup)}


def fresh_page(setup: Setup) -> Mapping[str, str]:
    """``{page}``: a new page at version 1 under the reports page; ``{parent}`` that page."""
    parent = _reports_page_id(setup)
    created = setup.call(
        "POST",
        f"{V1}/content",
        json={
            "type": "page",
            "title": f"Contract page {next(_titles)}",
            "space": {"key": "PMO"},
            "ancestors": [{"id": parent}],
            "body": {"storage": {"value": "<p>v1</p>", "representation": "storage"}},
        },
    )
    return {"page": str(created["id"]), "parent": parent, "title": created["title"]}


def labelled_page(setup: Setup) -> Mapping[str, str]:
    """``{page}`` carrying the label ``{label}``."""
    given = fresh_page(setup)
    setup.call("POST", f"{V1}/content/{given['page']}/label", json=[{"name": LABEL}])
    return {**given, "label": LABEL}


def page_with_property(setup: Setup) -> Mapping[str, str]:
    """``{page}`` with the v1 property ``{key}`` at version 1 (v2 id ``{property}``)."""
    given = fresh_page(setup)
    entry = setup.call(
        "POST",
        f"{V1}/content/{given['page']}/property",
        json={"key": PROPERTY, "value": {"rev": 1}},
    )
    return {**given, "key": PROPERTY, "property": str(entry["id"])}


def pmo_space(setup: Setup) -> Mapping[str, str]:
    """``{space}``: the PMO space's id; ``{parent}`` the reports page."""
    spaces = setup.call("GET", f"{V2}/spaces", keys="PMO")
    return {"space": str(spaces["results"][0]["id"]), "parent": _reports_page_id(setup)}


def _storage(value: str) -> dict[str, str]:
    return {"value": value, "representation": "storage"}


V1_CALLS = [
    Call(
        name="content-find-by-title",
        method="GET",
        path=f"{V1}/content",
        params={"spaceKey": "PMO", "title": REPORTS, "expand": "version,body.storage"},
    ),
    Call(
        name="content-find-by-title-cloud-root",
        method="GET",
        path=f"{V1_CLOUD}/content",
        params={"spaceKey": "PMO", "title": REPORTS},
    ),
    Call(
        name="content-find-nothing",
        method="GET",
        path=f"{V1}/content",
        params={"spaceKey": "PMO", "title": "No such page"},
    ),
    Call(
        name="content-401-wrong-token",
        method="GET",
        path=f"{V1}/content",
        auth=WRONG_AUTH,
        status=401,
        deviations=("D11",),
    ),
    Call(
        name="content-create",
        method="POST",
        path=f"{V1}/content",
        json={
            "type": "page",
            "title": "Contract created page",
            "space": {"key": "PMO"},
            "ancestors": [{"id": "{page}"}],
            "body": {"storage": _storage("<p>new</p>")},
        },
        given=reports_page,
    ),
    Call(
        name="content-create-400-duplicate-title",
        method="POST",
        path=f"{V1}/content",
        json={"type": "page", "title": REPORTS, "space": {"key": "PMO"}},
        status=400,
        deviations=("D11",),
    ),
    Call(
        name="content-get-expanded",
        method="GET",
        path=f"{V1}/content/{{page}}",
        params={"expand": "body.storage,version,ancestors"},
        given=reports_page,
    ),
    Call(
        name="content-get-404-unknown",
        method="GET",
        path=f"{V1}/content/999999999",
        status=404,
        deviations=("D11",),
    ),
    Call(
        name="content-update",
        method="PUT",
        path=f"{V1}/content/{{page}}",
        json={
            "type": "page",
            "title": "{title}",
            "version": {"number": 2, "message": "contract"},
            "body": {"storage": _storage("<p>v2</p>")},
        },
        given=fresh_page,
    ),
    Call(
        name="content-update-409-stale-version",
        method="PUT",
        path=f"{V1}/content/{{page}}",
        json={
            "type": "page",
            "title": "{title}",
            "version": {"number": 1},
            "body": {"storage": _storage("<p>stale</p>")},
        },
        given=fresh_page,
        status=409,
        deviations=("D11",),
    ),
    Call(
        name="content-history",
        method="GET",
        path=f"{V1}/content/{{page}}/history",
        given=fresh_page,
        deviations=("D10",),
    ),
    Call(
        name="labels-get",
        method="GET",
        path=f"{V1}/content/{{page}}/label",
        given=labelled_page,
    ),
    Call(
        name="labels-add",
        method="POST",
        path=f"{V1}/content/{{page}}/label",
        json=[{"prefix": "global", "name": LABEL}],
        given=fresh_page,
    ),
    Call(
        name="label-delete",
        method="DELETE",
        path=f"{V1}/content/{{page}}/label/{{label}}",
        given=labelled_page,
        status=204,
    ),
    Call(
        name="property-create",
        method="POST",
        path=f"{V1}/content/{{page}}/property",
        json={"key": PROPERTY, "value": {"rev": 1}},
        given=fresh_page,
    ),
    Call(
        name="property-get",
        method="GET",
        path=f"{V1}/content/{{page}}/property/{{key}}",
        given=page_with_property,
    ),
    Call(
        name="property-get-404-unknown-key",
        method="GET",
        path=f"{V1}/content/{{page}}/property/no.such.key",
        given=fresh_page,
        status=404,
        deviations=("D11",),
    ),
    Call(
        name="property-update",
        method="PUT",
        path=f"{V1}/content/{{page}}/property/{{key}}",
        json={"key": PROPERTY, "value": {"rev": 2}, "version": {"number": 2}},
        given=page_with_property,
    ),
    Call(
        name="property-update-409-stale-version",
        method="PUT",
        path=f"{V1}/content/{{page}}/property/{{key}}",
        json={"key": PROPERTY, "value": {"rev": 2}, "version": {"number": 1}},
        given=page_with_property,
        status=409,
        deviations=("D11",),
    ),
]

V2_CALLS = [
    Call(name="spaces-by-key", method="GET", path=f"{V2}/spaces", params={"keys": "PMO"}),
    Call(
        name="pages-by-title",
        method="GET",
        path=f"{V2}/pages",
        params={"space-id": "{space}", "title": REPORTS, "body-format": "storage"},
        given=pmo_space,
    ),
    Call(
        name="page-create-under-parent",
        method="POST",
        path=f"{V2}/pages",
        json={
            "spaceId": "{space}",
            "status": "current",
            "title": "Contract v2 child page",
            "parentId": "{parent}",
            "body": {"representation": "storage", "value": "<p>x</p>"},
        },
        given=pmo_space,
        deviations=("D13",),
    ),
    Call(
        name="page-create-at-space-root",
        method="POST",
        path=f"{V2}/pages",
        json={
            "spaceId": "{space}",
            "status": "current",
            "title": "Contract v2 root page",
            "body": {"representation": "storage", "value": "<p>x</p>"},
        },
        given=pmo_space,
        deviations=("D13", "D14"),
    ),
    Call(
        name="page-get-with-body",
        method="GET",
        path=f"{V2}/pages/{{page}}",
        params={"body-format": "storage"},
        given=reports_page,
    ),
    Call(name="page-get", method="GET", path=f"{V2}/pages/{{page}}", given=reports_page),
    Call(
        name="page-get-404-unknown",
        method="GET",
        path=f"{V2}/pages/999999999",
        status=404,
        deviations=("D11",),
    ),
    Call(
        name="page-get-401-wrong-token",
        method="GET",
        path=f"{V2}/pages/{{page}}",
        given=reports_page,
        auth=WRONG_AUTH,
        status=401,
        deviations=("D11",),
    ),
    Call(
        name="page-update",
        method="PUT",
        path=f"{V2}/pages/{{page}}",
        json={
            "id": "{page}",
            "status": "current",
            "title": "{title}",
            "body": {"representation": "storage", "value": "<p>v2</p>"},
            "version": {"number": 2, "message": "contract"},
        },
        given=fresh_page,
        deviations=("D13",),
    ),
    Call(
        name="page-update-409-stale-version",
        method="PUT",
        path=f"{V2}/pages/{{page}}",
        json={
            "id": "{page}",
            "status": "current",
            "title": "{title}",
            "body": {"representation": "storage", "value": "<p>stale</p>"},
            "version": {"number": 5},
        },
        given=fresh_page,
        status=409,
        deviations=("D12", "D13"),
    ),
    Call(
        name="page-labels",
        method="GET",
        path=f"{V2}/pages/{{page}}/labels",
        given=labelled_page,
    ),
    Call(
        name="properties-list",
        method="GET",
        path=f"{V2}/pages/{{page}}/properties",
        given=page_with_property,
    ),
    Call(
        name="property-create",
        method="POST",
        path=f"{V2}/pages/{{page}}/properties",
        json={"key": PROPERTY, "value": {"rev": 1}},
        given=fresh_page,
    ),
    Call(
        name="property-update",
        method="PUT",
        path=f"{V2}/pages/{{page}}/properties/{{property}}",
        json={"key": PROPERTY, "value": {"rev": 2}, "version": {"number": 2}},
        given=page_with_property,
    ),
    Call(
        name="property-delete",
        method="DELETE",
        path=f"{V2}/pages/{{page}}/properties/{{property}}",
        given=page_with_property,
        status=204,
    ),
]


@pytest.mark.parametrize("call", cases(V1_CALLS))
def test_exchange_conforms_to_confluence_v1(call: Call, confluence: ContractClient) -> None:
    verdict = confluence.perform(call)

    assert (verdict.status, verdict.violations, verdict.excused) == (
        call.status,
        (),
        call.deviations,
    )


@pytest.mark.parametrize("call", cases(V2_CALLS))
def test_exchange_conforms_to_confluence_v2(call: Call, confluence: ContractClient) -> None:
    verdict = confluence.perform(call)

    assert (verdict.status, verdict.violations, verdict.excused) == (
        call.status,
        (),
        call.deviations,
    )
