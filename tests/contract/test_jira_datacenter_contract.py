"""Jira Data Center emulator exchanges against the REST v2 subset (jira-dc-v2.subset.json).

Add an operation by adding a row: method, sandbox path, what to send, the expected status.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from tests.contract.calls import WRONG_AUTH, Call, ContractClient, Setup, cases

V2 = "/jira/rest/api/2"
REG = "project = REG ORDER BY key"
MARKER = "flywheel.sync"


def reg_issue(setup: Setup) -> Mapping[str, str]:
    """``{issue}``: the first REG issue."""
    page = setup.call("GET", f"{V2}/search", jql=REG, maxResults="1", fields="summary")
    return {"issue": page["issues"][0]["key"]}


def task_type(setup: Setup) -> Mapping[str, str]:
    """``{type}``: the id of PMO's Task issue type."""
    project = setup.call("GET", f"{V2}/project/PMO")
    return {"type": next(t["id"] for t in project["issueTypes"] if t["name"] == "Task")}


def create_body(summary: str, *, issuetype: str = "{type}") -> dict[str, object]:
    """A ``POST /issue`` body for a PMO issue; v2 descriptions are wiki text."""
    fields = {"project": {"key": "PMO"}, "issuetype": {"id": issuetype}, "summary": summary}
    return {"fields": {**fields, "description": "Body with *wiki* markup"}}


def new_issue(setup: Setup) -> Mapping[str, str]:
    """``{issue}``: a Task just created in PMO (so edits never disturb the seeded ones)."""
    fields = {"project": {"key": "PMO"}, "issuetype": {"id": task_type(setup)["type"]}}
    created = setup.call("POST", f"{V2}/issue", json={"fields": {**fields, "summary": "New"}})
    return {"issue": created["key"]}


def issue_with_comment(setup: Setup) -> Mapping[str, str]:
    """``{issue}`` with one wiki-text comment, ``{comment}``."""
    given = new_issue(setup)
    comment = setup.call("POST", f"{V2}/issue/{given['issue']}/comment", json={"body": "hi"})
    return {**given, "comment": comment["id"]}


def issue_with_property(setup: Setup) -> Mapping[str, str]:
    """``{issue}`` carrying the entity property ``{key}``."""
    given = new_issue(setup)
    setup.call("PUT", f"{V2}/issue/{given['issue']}/properties/{MARKER}", json={"rev": 1})
    return {**given, "key": MARKER}


CALLS = [
    Call(name="serverInfo", method="GET", path=f"{V2}/serverInfo"),
    Call(name="myself", method="GET", path=f"{V2}/myself"),
    Call(
        name="myself-401-wrong-token",
        method="GET",
        path=f"{V2}/myself",
        auth=WRONG_AUTH,
        status=401,
    ),
    Call(name="field", method="GET", path=f"{V2}/field", deviations=("D6",)),
    Call(
        name="search-get-first-page",
        method="GET",
        path=f"{V2}/search",
        params={"jql": REG, "maxResults": "5", "fields": "summary,status"},
        deviations=("D5", "D7"),
    ),
    Call(
        name="search-get-expanded-names",
        method="GET",
        path=f"{V2}/search",
        params={"jql": REG, "maxResults": "5", "fields": "summary", "expand": "names"},
        deviations=("D5", "D7"),
    ),
    Call(
        name="search-get-start-at-page",
        method="GET",
        path=f"{V2}/search",
        params={"jql": REG, "startAt": "10", "maxResults": "5"},
        deviations=("D5",),
    ),
    Call(
        name="search-post-start-at-page",
        method="POST",
        path=f"{V2}/search",
        json={"jql": REG, "startAt": 5, "maxResults": 5, "fields": ["summary", "duedate"]},
        deviations=("D5",),
    ),
    Call(
        name="search-get-400-unknown-project",
        method="GET",
        path=f"{V2}/search",
        params={"jql": "project = NOPE"},
        status=400,
    ),
    Call(
        name="issue",
        method="GET",
        path=f"{V2}/issue/{{issue}}",
        given=reg_issue,
        deviations=("D5",),
    ),
    Call(
        name="issue-selected-fields",
        method="GET",
        path=f"{V2}/issue/{{issue}}",
        params={"fields": "summary,description,duedate"},
        given=reg_issue,
        deviations=("D5",),
    ),
    Call(name="issue-404-unknown", method="GET", path=f"{V2}/issue/REG-99999", status=404),
]

WRITE_CALLS = [
    Call(name="projects", method="GET", path=f"{V2}/project", deviations=("D6",)),
    Call(name="project", method="GET", path=f"{V2}/project/PMO"),
    Call(name="project-404-unknown", method="GET", path=f"{V2}/project/NOPE", status=404),
    Call(name="issuetypes", method="GET", path=f"{V2}/issuetype", deviations=("D6",)),
    Call(name="issuetype", method="GET", path=f"{V2}/issuetype/{{type}}", given=task_type),
    Call(
        name="createmeta-issuetypes",
        method="GET",
        path=f"{V2}/issue/createmeta/PMO/issuetypes",
    ),
    Call(
        name="createmeta-fields",
        method="GET",
        path=f"{V2}/issue/createmeta/PMO/issuetypes/{{type}}",
        given=task_type,
    ),
    Call(name="editmeta", method="GET", path=f"{V2}/issue/{{issue}}/editmeta", given=reg_issue),
    Call(
        name="issue-create",
        method="POST",
        path=f"{V2}/issue",
        json=create_body("Contract issue"),
        given=task_type,
        status=201,
        deviations=("D5",),
    ),
    Call(
        name="issue-create-400-no-summary",
        method="POST",
        path=f"{V2}/issue",
        json={"fields": {"project": {"key": "PMO"}, "issuetype": {"id": "{type}"}}},
        given=task_type,
        status=400,
    ),
    Call(
        name="issue-bulk-create-partly-refused",
        method="POST",
        path=f"{V2}/issue/bulk",
        json={"issueUpdates": [create_body("Bulk one"), create_body("Bulk two", issuetype="1")]},
        given=task_type,
        status=201,
        deviations=("D5",),
    ),
    Call(
        name="issue-bulk-create-400-all-refused",
        method="POST",
        path=f"{V2}/issue/bulk",
        json={"issueUpdates": [create_body("Bulk refused", issuetype="1")]},
        status=400,
        deviations=("D5",),
    ),
    Call(
        name="issue-edit",
        method="PUT",
        path=f"{V2}/issue/{{issue}}",
        json={"fields": {"summary": "Edited"}, "update": {"labels": [{"add": "synced"}]}},
        given=new_issue,
        status=204,
        deviations=("D5",),
    ),
    Call(
        name="issue-edit-400-unknown-field",
        method="PUT",
        path=f"{V2}/issue/{{issue}}",
        json={"fields": {"customfield_99999": "x"}},
        given=new_issue,
        status=400,
        deviations=("D5",),
    ),
    Call(
        name="issue-edit-404-unknown-issue",
        method="PUT",
        path=f"{V2}/issue/REG-99999",
        json={"fields": {"summary": "x"}},
        status=404,
        deviations=("D5", "D9"),
    ),
    Call(
        name="comments",
        method="GET",
        path=f"{V2}/issue/{{issue}}/comment",
        given=issue_with_comment,
    ),
    Call(
        name="comment-add",
        method="POST",
        path=f"{V2}/issue/{{issue}}/comment",
        json={"body": "A *wiki* comment"},
        given=new_issue,
        status=201,
    ),
    Call(
        name="comment-add-400-empty",
        method="POST",
        path=f"{V2}/issue/{{issue}}/comment",
        json={"body": ""},
        given=new_issue,
        status=400,
    ),
    Call(
        name="comment",
        method="GET",
        path=f"{V2}/issue/{{issue}}/comment/{{comment}}",
        given=issue_with_comment,
    ),
    Call(
        name="comment-404-unknown",
        method="GET",
        path=f"{V2}/issue/{{issue}}/comment/999999",
        given=new_issue,
        status=404,
    ),
    Call(
        name="properties",
        method="GET",
        path=f"{V2}/issue/{{issue}}/properties",
        given=issue_with_property,
    ),
    Call(
        name="property-create",
        method="PUT",
        path=f"{V2}/issue/{{issue}}/properties/{MARKER}",
        json={"rev": 1},
        given=new_issue,
        status=201,
        deviations=("D8",),
    ),
    Call(
        name="property-replace",
        method="PUT",
        path=f"{V2}/issue/{{issue}}/properties/{{key}}",
        json={"rev": 2},
        given=issue_with_property,
        deviations=("D8",),
    ),
    Call(
        name="property",
        method="GET",
        path=f"{V2}/issue/{{issue}}/properties/{{key}}",
        given=issue_with_property,
        deviations=("D8",),
    ),
    Call(
        name="property-404-unknown-key",
        method="GET",
        path=f"{V2}/issue/{{issue}}/properties/no.such.key",
        given=new_issue,
        status=404,
    ),
    Call(
        name="property-delete",
        method="DELETE",
        path=f"{V2}/issue/{{issue}}/properties/{{key}}",
        given=issue_with_property,
        status=204,
    ),
]


@pytest.mark.parametrize("call", cases(CALLS))
def test_exchange_conforms_to_jira_datacenter_v2(
    call: Call, jira_datacenter: ContractClient
) -> None:
    verdict = jira_datacenter.perform(call)

    assert (verdict.status, verdict.violations, verdict.excused) == (
        call.status,
        (),
        call.deviations,
    )


@pytest.mark.parametrize("call", cases(WRITE_CALLS))
def test_write_exchange_conforms_to_jira_datacenter_v2(
    call: Call, jira_datacenter: ContractClient
) -> None:
    verdict = jira_datacenter.perform(call)

    assert (verdict.status, verdict.violations, verdict.excused) == (
        call.status,
        (),
        call.deviations,
    )
