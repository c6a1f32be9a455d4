"""What the Jira Cloud contract rows need from the running sandbox, and their request bodies.

Each given returns the ``{placeholders}`` its rows use; the issues and comments it needs are
created through an unrecorded `Setup` session, so the seeded issues stay as they were.
"""

from __future__ import annotations

from collections.abc import Mapping

from tests.contract.calls import Setup

__all__ = [
    "ADF",
    "MARKER",
    "PAGE",
    "PMO",
    "V3",
    "bulk_labels",
    "bulk_task",
    "create_body",
    "issue_with_comment",
    "issue_with_history",
    "issue_with_property",
    "new_issue",
    "pmo_issue",
    "second_page",
    "task_type",
]

V3 = "/jira/rest/api/3"
PMO = "project = PMO ORDER BY key"
PAGE = "5"
MARKER = "flywheel.sync"
ADF = {
    "type": "doc",
    "version": 1,
    "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Body"}]}],
}


def pmo_issue(setup: Setup) -> Mapping[str, str]:
    """``{issue}``: the first PMO issue."""
    page = setup.call("GET", f"{V3}/search/jql", jql=PMO, maxResults="1")
    return {"issue": page["issues"][0]["key"]}


def issue_with_history(setup: Setup) -> Mapping[str, str]:
    """``{issue}``: a PMO issue with at least two changelog entries."""
    page = setup.call("GET", f"{V3}/search/jql", jql=PMO, maxResults="50", expand="changelog")
    busiest = max(page["issues"], key=lambda issue: issue["changelog"]["total"])
    assert busiest["changelog"]["total"] >= 2
    return {"issue": busiest["key"]}


def task_type(setup: Setup) -> Mapping[str, str]:
    """``{type}``: the id of PMO's Task issue type."""
    project = setup.call("GET", f"{V3}/project/PMO")
    return {"type": next(t["id"] for t in project["issueTypes"] if t["name"] == "Task")}


def new_issue(setup: Setup) -> Mapping[str, str]:
    """``{issue}``: a Task just created in PMO (so edits never disturb the seeded ones)."""
    fields = {"project": {"key": "PMO"}, "issuetype": {"id": task_type(setup)["type"]}}
    created = setup.call("POST", f"{V3}/issue", json={"fields": {**fields, "summary": "New"}})
    return {"issue": created["key"]}


def issue_with_comment(setup: Setup) -> Mapping[str, str]:
    """``{issue}`` with one comment, ``{comment}``."""
    given = new_issue(setup)
    comment = setup.call("POST", f"{V3}/issue/{given['issue']}/comment", json={"body": ADF})
    return {**given, "comment": comment["id"]}


def issue_with_property(setup: Setup) -> Mapping[str, str]:
    """``{issue}`` carrying the entity property ``{key}``."""
    given = new_issue(setup)
    setup.call("PUT", f"{V3}/issue/{given['issue']}/properties/{MARKER}", json={"rev": 1})
    return {**given, "key": MARKER}


def bulk_task(setup: Setup) -> Mapping[str, str]:
    """``{task}``: a submitted bulk edit of a new issue's labels."""
    given = new_issue(setup)
    submitted = setup.call("POST", f"{V3}/bulk/issues/fields", json=bulk_labels(given["issue"]))
    return {"task": submitted["taskId"]}


def bulk_labels(issue: str, *, actions: tuple[str, ...] = ("labels",)) -> dict[str, object]:
    """A bulk edit adding the label ``synced`` to ``issue``."""
    labels = {
        "fieldId": "labels",
        "bulkEditMultiSelectFieldOption": "ADD",
        "labels": [{"name": "synced"}],
    }
    return {
        "selectedIssueIdsOrKeys": [issue],
        "selectedActions": list(actions),
        "editedFieldsInput": {"labelsFields": [labels]},
        "sendBulkNotification": False,
    }


def create_body(summary: str, *, issuetype: str = "{type}") -> dict[str, object]:
    """A ``POST /issue`` body for a PMO issue of ``issuetype`` (the Task by default)."""
    fields = {"project": {"key": "PMO"}, "issuetype": {"id": issuetype}, "summary": summary}
    return {"fields": {**fields, "description": ADF}}


def second_page(setup: Setup) -> Mapping[str, str]:
    """``{token}``: the token of the second page of PMO issues, five a page."""
    page = setup.call("GET", f"{V3}/search/jql", jql=PMO, maxResults=PAGE)
    return {"token": page["nextPageToken"]}
