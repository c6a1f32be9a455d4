"""A small Jira site for the emulator's write tests, and the payloads those tests send."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flywheel_sync.sandbox.demo.jira_model import (
    JiraFieldDef,
    JiraIssue,
    JiraIssueType,
    JiraPriority,
    JiraProject,
    JiraSite,
    JiraStatus,
    JiraUser,
    JsonObject,
)
from flywheel_sync.sandbox.jira.issue_edits import IssueEditor
from flywheel_sync.sandbox.jira.store import SPRINT_TYPE, JiraStore

NOW = datetime(2026, 5, 1, 10, 0, 0, 250000, tzinfo=UTC)
STAMP = "2026-05-01T10:00:00.250+0000"
SEEDED = "2026-04-01T09:00:00.000+0000"
STAGE = "customfield_10010"
CSAT = "customfield_10014"
SPRINT = "customfield_10020"
FLAGGED = "customfield_10021"
BOT: JsonObject = {"accountId": "bot-1", "displayName": "PMO Bot"}
_PLUGIN = "com.atlassian.jira.plugin.system.customfieldtypes"


def _system(field_id: str, name: str, schema_type: str, items: str | None = None) -> JiraFieldDef:
    return JiraFieldDef(id=field_id, name=name, custom=False, schema_type=schema_type, items=items)


FIELDS = (
    _system("summary", "Summary", "string"),
    _system("description", "Description", "string"),
    _system("issuetype", "Issue Type", "issuetype"),
    _system("project", "Project", "project"),
    _system("status", "Status", "status"),
    _system("priority", "Priority", "priority"),
    _system("assignee", "Assignee", "user"),
    _system("reporter", "Reporter", "user"),
    _system("labels", "Labels", "array", items="string"),
    _system("duedate", "Due date", "date"),
    _system("created", "Created", "datetime"),
    _system("updated", "Updated", "datetime"),
    _system("parent", "Parent", "issuelink"),
    JiraFieldDef(
        id=STAGE,
        name="Flywheel Stage",
        custom=True,
        schema_type="option",
        custom_type=f"{_PLUGIN}:select",
        options=("Awareness Building", "Needs Assessment"),
        option_ids=("10101", "10102"),
    ),
    JiraFieldDef(
        id=CSAT, name="CSAT", custom=True, schema_type="number", custom_type=f"{_PLUGIN}:float"
    ),
    JiraFieldDef(
        id=SPRINT,
        name="Sprint",
        custom=True,
        schema_type="array",
        items="json",
        custom_type=SPRINT_TYPE,
    ),
    JiraFieldDef(
        id=FLAGGED,
        name="Flagged",
        custom=True,
        schema_type="array",
        items="option",
        custom_type=f"{_PLUGIN}:multicheckboxes",
        options=("Impediment",),
        option_ids=("10019",),
    ),
)
TO_DO = JiraStatus(
    id="10000",
    name="To Do",
    category_id=2,
    category_key="new",
    category_name="To Do",
    category_color="blue-gray",
)
PRIORITIES = (JiraPriority(id="2", name="High"), JiraPriority(id="3", name="Medium"))
EPIC = JiraIssueType(id="10000", name="Epic", subtask=False, hierarchy_level=1, description="")
TASK = JiraIssueType(id="10002", name="Task", subtask=False, hierarchy_level=0, description="")
SUB_TASK = JiraIssueType(
    id="10003", name="Sub-task", subtask=True, hierarchy_level=-1, description=""
)
BUG = JiraIssueType(id="10004", name="Bug", subtask=False, hierarchy_level=0, description="")
ALICE = JiraUser(
    account_id="acc-alice", name="alice", display_name="Alice Adams", email_address="a@x.example"
)
SPRINT_7 = {"id": 7, "name": "PMO Sprint 7", "state": "active", "boardId": 1}


def _project(key: str, project_id: str, types: tuple[JiraIssueType, ...]) -> JiraProject:
    return JiraProject(
        id=project_id,
        key=key,
        name=f"{key} project",
        project_type_key="software",
        lead_account_id=ALICE.account_id,
        description="",
        issue_type_ids=tuple(t.id for t in types),
    )


PMO = _project("PMO", "10000", (EPIC, TASK, SUB_TASK))
OPS = _project("OPS", "10001", (TASK, SUB_TASK, BUG))


def _issue(number: int, key: str, kind: JiraIssueType, project: JiraProject) -> JiraIssue:
    fields: JsonObject = {
        "summary": f"Seeded {key}",
        "description": None,
        "issuetype": kind.ref(),
        "project": project.ref(),
        "status": TO_DO.ref(),
        "priority": PRIORITIES[1].ref(),
        "assignee": None,
        "reporter": None,
        "labels": ["seeded"],
        "duedate": None,
        "created": SEEDED,
        "updated": SEEDED,
        "parent": None,
        STAGE: {"value": "Awareness Building", "id": "10101"},
    }
    if kind is TASK:
        fields[SPRINT] = (SPRINT_7,)
    return JiraIssue(id=str(10000 + number), key=key, fields=fields)


def build_site() -> JiraSite:
    """PMO-1 (epic), PMO-2 (task, in sprint 7) and OPS-1 (task), all created on `SEEDED`."""
    return JiraSite.assemble(
        fields=FIELDS,
        statuses=(TO_DO,),
        priorities=PRIORITIES,
        issue_types=(EPIC, TASK, SUB_TASK, BUG),
        projects=(PMO, OPS),
        users=(ALICE,),
        issues=(
            _issue(1, "PMO-1", EPIC, PMO),
            _issue(2, "PMO-2", TASK, PMO),
            _issue(3, "OPS-1", TASK, OPS),
        ),
    )


def editor(*, cloud: bool = True) -> IssueEditor:
    """An editor over a fresh small site whose clock always reads `NOW`."""
    return IssueEditor(JiraStore(build_site), clock=lambda: NOW, author=BOT, cloud=cloud)


def doc(*lines: str) -> JsonObject:
    """An ADF document with one paragraph per line."""
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": line}] if line else []}
            for line in lines
        ],
    }


def new_issue(**fields: Any) -> JsonObject:
    """A create body for a PMO task, with ``fields`` added or replaced."""
    return {
        "fields": {"project": {"key": "PMO"}, "issuetype": {"id": "10002"}, "summary": "New"}
        | fields
    }
