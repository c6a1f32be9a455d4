"""Builders for JQL tests: a field catalog like the emulator's and Jira REST v3 issue payloads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flywheel_sync.sandbox.jira.jql import FieldRef

NOW = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)  # a Sunday, noon UTC

CUSTOM_FIELDS = (
    FieldRef(id="customfield_10010", name="Flywheel Stage", schema_type="option"),
    FieldRef(id="customfield_10011", name="Services", schema_type="array"),
    FieldRef(id="customfield_10012", name="Story Points", schema_type="number"),
    FieldRef(id="customfield_10013", name="Go-live", schema_type="date"),
    FieldRef(id="customfield_10014", name="Customer Notes", schema_type="string"),
    FieldRef(id="customfield_10015", name="Sponsor", schema_type="user"),
    FieldRef(id="customfield_10016", name="Review Status", schema_type="status"),
    FieldRef(id="customfield_10017", name="Tier", schema_type="any"),
)

STATUSES = {
    "To Do": {"id": "1", "statusCategory": {"key": "new", "name": "To Do"}},
    "In Progress": {"id": "3", "statusCategory": {"key": "indeterminate", "name": "In Progress"}},
    "Done": {"id": "10001", "statusCategory": {"key": "done", "name": "Done"}},
}
PROJECT_IDS = {"PMO": "10000", "OPS": "10001"}
ISSUE_TYPE_IDS = {"Epic": "10001", "Story": "10002", "Task": "10003", "Bug": "10004"}
PRIORITIES = {"Highest": "1", "High": "2", "Medium": "3", "Low": "4", "Lowest": "5"}
USERS = {
    "alice": {"accountId": "5b10-alice", "displayName": "Alice Adams"},
    "bob": {"accountId": "5b10-bob", "displayName": "Bob Brown"},
}
OPTIONS = {
    "Service Onboarding": "10105",
    "Value Realisation": "10106",
    "Health Checks": "10201",
    "Audits": "10202",
}


class Catalog:
    """The emulator's field catalog in miniature: names (any case), ``cf[n]``, field ids."""

    def __init__(self, fields: tuple[FieldRef, ...] = CUSTOM_FIELDS) -> None:
        self._by_name: dict[str, FieldRef] = {}
        for field in fields:
            number = field.id.removeprefix("customfield_")
            for name in (field.name, field.id, f"cf[{number}]"):
                self._by_name[name.casefold()] = field

    def resolve(self, name: str) -> FieldRef | None:
        return self._by_name.get(name.casefold())


def option(value: str) -> dict[str, str]:
    return {"value": value, "id": OPTIONS[value]}


def adf(text: str) -> dict[str, Any]:
    """A one-paragraph Atlassian Document Format body."""
    paragraph = {"type": "paragraph", "content": [{"type": "text", "text": text}]}
    return {"type": "doc", "version": 1, "content": [paragraph]}


def issue(
    key: str,
    issue_id: int,
    *,
    issuetype: str = "Task",
    status: str = "To Do",
    priority: str | None = "Medium",
    assignee: str | None = None,
    labels: tuple[str, ...] = (),
    created: str = "2026-05-01T10:00:00.000+0000",
    updated: str | None = None,
    duedate: str | None = None,
    resolution: str | None = None,
    parent: str | None = None,
    summary: str = "An issue",
    description: str | None = None,
    custom: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A Jira REST v3 issue as ``/search/jql`` returns it with ``fields=*all``."""
    project = key.split("-")[0]
    fields: dict[str, Any] = {
        "project": {"id": PROJECT_IDS[project], "key": project, "name": f"{project} Board"},
        "issuetype": {"id": ISSUE_TYPE_IDS[issuetype], "name": issuetype, "subtask": False},
        "status": {"name": status, **STATUSES[status]},
        "priority": None if priority is None else {"name": priority, "id": PRIORITIES[priority]},
        "assignee": None if assignee is None else USERS[assignee],
        "reporter": USERS["bob"],
        "labels": list(labels),
        "created": created,
        "updated": updated or created,
        "duedate": duedate,
        "resolution": None if resolution is None else {"name": resolution},
        "summary": summary,
        "description": None if description is None else adf(description),
    }
    if parent is not None:
        fields["parent"] = {"id": str(10000 + int(parent.split("-")[1])), "key": parent}
    fields.update(custom or {})
    return {"id": str(issue_id), "key": key, "fields": fields}


# Four issues spanning two projects; NOW is 2026-05-10 12:00 UTC.
ISSUES = (
    issue(
        "PMO-1", 10001, issuetype="Epic", status="Done", priority="High", assignee="alice",
        labels=("onboarding", "vip"), created="2026-04-01T09:00:00.000+0000",
        updated="2026-05-09T10:00:00.000+0000", duedate="2026-05-05", resolution="Done",
        summary="Onboard Northwind to Health Checks", description="Kick-off scheduled",
        custom={
            "customfield_10010": option("Service Onboarding"),
            "customfield_10011": [option("Health Checks"), option("Audits")],
            "customfield_10012": 8,
            "customfield_10013": "2026-06-01",
            "customfield_10015": USERS["bob"],
            "customfield_10016": {"name": "Approved", "id": "20001"},
            "customfield_10017": 1,
        },
    ),
    issue(
        "PMO-2", 10002, issuetype="Story", status="In Progress", priority="Low", assignee="bob",
        created="2026-05-01T10:00:00.000+0000", updated="2026-05-10T08:00:00.000+0000",
        parent="PMO-1", summary="Collect the KPI baseline",
        custom={
            "customfield_10010": option("Value Realisation"),
            "customfield_10012": 3,
            "customfield_10017": [2, {}],
        },
    ),
    issue(
        "PMO-3", 10003, status="To Do", labels=("vip",),
        created="2026-05-10T11:30:00.000+0000", summary="Schedule the quarterly review",
        custom={"customfield_10014": "Customer asked for a weekly review"},
    ),
    issue(
        "OPS-7", 10004, issuetype="Bug", status="In Progress", priority="Highest",
        assignee="alice", created="2026-03-15T00:00:00.000+0000",
        updated="2026-04-20T16:45:00.000+0000", duedate="2026-05-12", summary="Fix the export",
        custom={"customfield_10010": {"value": "Service Onboarding", "id": "10105"}},
    ),
)  # fmt: skip
