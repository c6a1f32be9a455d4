"""Reading records by the names people use: each tool's reader, and JSON values as strings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from flywheel_sync.mapping.reading import (
    ChecklistEntry,
    JiraIssueReader,
    PlannerTaskReader,
    ProjectTaskReader,
    RecordReader,
    TeamsMessageReader,
    parse_time,
    strings,
)
from tests.unit.mapping.microsoft_records import (
    PLANNER_CONTEXT,
    PROJECT_CONTEXT,
    checklist_row,
    directory_user,
    planner_check,
    planner_plan_details,
    planner_task,
    project_task,
    teams_message,
)
from tests.unit.mapping.records import (
    CREATED,
    JIRA_FIELDS,
    PMO_CUSTOMER,
    jira_issue,
    option,
    reader,
    status,
    stored,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ()),
        ("", ()),
        ("Epic", ("Epic",)),
        (True, ("true",)),
        (False, ("false",)),
        (7, ("7",)),
        (3.0, ("3",)),
        (2.5, ("2.5",)),
        (["a", ["b", 1], None], ("a", "b", "1")),
        ({"key": "PMO", "name": "PMO Office", "id": "100"}, ("PMO", "PMO Office")),
        ({"value": "Deployment", "id": "10"}, ("Deployment",)),
        ({"name": "Ada", "displayName": "Ada"}, ("Ada",)),
        ({"id": 42, "self": "https://jira/x"}, ("42",)),
        ({"key": 5, "id": "x"}, ("x",)),
        ({}, ()),
    ],
    ids=[
        "none",
        "empty-text",
        "text",
        "true",
        "false",
        "int",
        "integral-float",
        "float",
        "nested-lists",
        "dict-key-then-name",
        "dict-value",
        "dict-duplicates-once",
        "dict-falls-back-to-id",
        "dict-non-text-members-skipped",
        "empty-dict",
    ],
)
def test_strings(value: Any, expected: tuple[str, ...]) -> None:
    assert strings(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-06T09:00:00.000+0000", datetime(2025, 1, 6, 9, 0, tzinfo=UTC)),
        ("2025-01-06T09:00:00Z", datetime(2025, 1, 6, 9, 0, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_time(text: object, expected: datetime | None) -> None:
    assert parse_time(text) == expected


# -- Jira --------------------------------------------------------------------------------

ASSIGNEE = {"displayName": "Ada Lovelace", "emailAddress": "ada@example.com", "accountId": "a-1"}
ISSUE = jira_issue(
    "PMO-12",
    issue_type="Sub-task",
    summary="Agree the intake criteria",
    fields={
        PMO_CUSTOMER: option("GRID"),
        "status": status("Closed", "Done"),
        "assignee": ASSIGNEE,
        "parent": {"id": "10010", "key": "PMO-10", "fields": {"summary": "Onboarding"}},
        "labels": ["onboarding-intake", "urgent"],
    },
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("key", ("PMO-12",)),
        ("KEY", ("PMO-12",)),
        ("id", ("10012",)),
        ("statusCategory", ("Done", "done")),
        ("status category", ("Done", "done")),
        ("status", ("Closed",)),
        ("type", ("Sub-task",)),
        ("issuetype", ("Sub-task",)),
        ("PMO Customer", ("GRID",)),
        ("cf[10010]", ("GRID",)),
        (PMO_CUSTOMER, ("GRID",)),
        ("assignee", ("Ada Lovelace", "ada@example.com", "a-1")),
        ("project", ("PMO", "PMO Office")),
        ("parent", ("PMO-10",)),
        ("Summary", ("Agree the intake criteria",)),
        ("labels", ("onboarding-intake", "urgent")),
        ("assignee.accountId", ("a-1",)),
        ("self", ("https://jira/rest/api/3/issue/PMO-12",)),
        ("Story Points", ()),
    ],
)
def test_jira_values(name: str, expected: tuple[str, ...]) -> None:
    assert reader(ISSUE, *JIRA_FIELDS).values(name) == expected


def test_jira_custom_field_by_name_needs_the_field_records() -> None:
    assert reader(ISSUE).values("PMO Customer") == ()


def test_jira_title_created_and_selection_values() -> None:
    found = reader(ISSUE)

    assert isinstance(found, JiraIssueReader)
    assert found.title() == "Agree the intake criteria"
    assert found.created() == CREATED
    assert found.selection_values("projects") == ("PMO", "PMO Office")
    assert found.selection_values("issue_types") == ("Sub-task",)
    assert found.bucket() is None


# -- Planner -----------------------------------------------------------------------------

TASK = planner_task(
    "task-1",
    title="Onboarding for Grid Operations [PMO-10]",
    categories={"category1": True, "category2": False, "category3": True},
    checklist=[
        planner_check("c-a", "Second", order="8"),
        planner_check("c-b", "First", done=True, order="1"),
    ],
)
PLANNER_RECORDS = (*PLANNER_CONTEXT, planner_plan_details("plan-governance", {"category1": "eng"}))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("planName", ("Portfolio Governance",)),
        ("plan", ("Portfolio Governance",)),
        ("bucket", ("Service Onboarding",)),
        ("bucketName", ("Service Onboarding",)),
        ("labels", ("eng", "category3")),
        ("categories", ("eng", "category3")),
        ("title", ("Onboarding for Grid Operations [PMO-10]",)),
        ("details.id", ("task-1",)),
    ],
)
def test_planner_values(name: str, expected: tuple[str, ...]) -> None:
    assert reader(TASK, *PLANNER_RECORDS).values(name) == expected


def test_planner_checklist_follows_order_hints() -> None:
    assert reader(TASK).checklist() == (
        ChecklistEntry(item_id="c-b", title="First", done=True),
        ChecklistEntry(item_id="c-a", title="Second", done=False),
    )


def test_planner_task_without_its_plan_records_has_no_names() -> None:
    found = reader(TASK)

    assert isinstance(found, PlannerTaskReader)
    assert found.values("planName") == ()
    assert found.bucket() is None
    assert found.labels() == ("category1", "category3")


def test_planner_selection_values() -> None:
    found = reader(TASK, *PLANNER_RECORDS)

    assert found.selection_values("groups") == ("group-pmo", "group-pmo")
    assert found.selection_values("plans") == ("plan-governance",)
    assert found.created() == datetime(2025, 2, 3, 10, 0, tzinfo=UTC)


# -- Teams -------------------------------------------------------------------------------

MESSAGE = teams_message(
    "m-1", html="<p>Deadlines &amp; budgets</p><p><b>keep</b>&nbsp;slipping</p>"
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("from", ("Grace Hopper",)),
        ("from.department", ("Grid Operations",)),
        ("from.user.id", ("user-1",)),
        ("body", ("Deadlines & budgets keep slipping",)),
        ("text", ("Deadlines & budgets keep slipping",)),
        ("channel", ("19:requests@thread.tacv2",)),
    ],
)
def test_teams_values(name: str, expected: tuple[str, ...]) -> None:
    author = directory_user("user-1", department="Grid Operations")

    assert reader(MESSAGE, author).values(name) == expected


def test_teams_author_department_needs_the_directory_user() -> None:
    assert reader(MESSAGE).values("from.department") == ()


def test_teams_sender_may_be_an_application() -> None:
    payload = dict(MESSAGE.payload) | {"from": {"application": {"displayName": "Workflows"}}}
    message = stored(MESSAGE.source, MESSAGE.record_type, MESSAGE.external_id, payload)

    assert reader(message).values("from") == ("Workflows",)


def test_teams_empty_body_has_no_value() -> None:
    assert reader(teams_message("m-2", html="<p> </p>")).values("body") == ()


def test_teams_ref_is_the_message_id_and_title_the_body() -> None:
    found = reader(MESSAGE)

    assert isinstance(found, TeamsMessageReader)
    assert found.ref == "m-1"
    assert found.title() == "Deadlines & budgets keep slipping"
    assert found.selection_values("channels") == ("team-pmo/19:requests@thread.tacv2",)


def test_teams_title_prefers_the_subject() -> None:
    message = teams_message("m-3", html="body", subject="Budget slip")

    assert reader(message).title() == "Budget slip"


@pytest.mark.parametrize(
    ("length", "expected"), [(80, "x" * 80), (81, "x" * 79 + "…"), (300, "x" * 79 + "…")]
)
def test_teams_title_is_at_most_80_characters(length: int, expected: str) -> None:
    assert reader(teams_message("m-4", html="x" * length)).title() == expected


# -- Project -----------------------------------------------------------------------------

PROJECT_TASK = project_task("t-1", subject="Onboard GRID", msdyn_finish="2025-03-01")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("projectName", ("GRID",)),
        ("project", ("GRID",)),
        ("bucket", ("Service Onboarding",)),
        ("msdyn_finish", ("2025-03-01",)),
    ],
)
def test_project_values(name: str, expected: tuple[str, ...]) -> None:
    assert reader(PROJECT_TASK, *PROJECT_CONTEXT).values(name) == expected


def test_project_task_title_checklist_and_selection_values() -> None:
    rows = (
        checklist_row("r-2", task_id="t-1", name="Later", order=20),
        checklist_row("r-1", task_id="t-1", name="Sooner", order=10, done=True),
    )
    found = reader(PROJECT_TASK, *PROJECT_CONTEXT, *rows)

    assert isinstance(found, ProjectTaskReader)
    assert found.title() == "Onboard GRID"
    assert found.checklist() == (
        ChecklistEntry(item_id="r-1", title="Sooner", done=True),
        ChecklistEntry(item_id="r-2", title="Later", done=False),
    )
    assert found.selection_values("projects") == ("GRID", "proj-grid")


def test_types_no_rule_selects_get_the_generic_reader() -> None:
    found = reader(stored("jira:pmo", "jira_field", "summary", {"id": "summary", "name": "S"}))

    assert type(found) is RecordReader
    assert found.title() == "S"
    assert found.selection_values("projects") == ()
