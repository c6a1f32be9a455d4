"""Onboarding checklists: Jira sub-tasks, Planner task details and Project checklist rows."""

from __future__ import annotations

from typing import Any

from flywheel_sync.store.rows import StoredRecord
from tests.unit.mapping.microsoft_records import (
    PLANNER_CONTEXT,
    PROJECT_CONTEXT,
    checklist_row,
    planner_check,
    planner_task,
    project_task,
)
from tests.unit.mapping.records import (
    ENGAGEMENTS,
    JIRA_FIELDS,
    PLANNER_ENGAGEMENTS,
    PROJECT,
    entity,
    epic,
    reasons,
    rule,
    run,
    subtask,
)

SUBTASKS = rule(
    "onboarding-subtasks",
    "checklist_item",
    select={"jql": "issuetype = Sub-task"},
    id={"label_prefix": "onboarding-"},
    engagement={"field": "parent"},
    done={"field": "statusCategory"},
)
BY_TITLE = {key: value for key, value in SUBTASKS.items() if key != "id"}
INTAKE = "Agree the intake criteria"

Item = tuple[str, str, bool, str, str]


def items(rules: list[dict[str, Any]], *records: StoredRecord, checklist: str) -> list[Item]:
    outcome = run(rules, epic("PMO-10"), *records, *JIRA_FIELDS, *PLANNER_CONTEXT)
    found = entity(outcome, "checklist", checklist).payload
    return [
        (i["key"], i["title"], i["done"], i["origin"], i["external_id"]) for i in found["items"]
    ]


def test_subtask_label_names_the_template_step_and_its_status_whether_done() -> None:
    task = subtask(
        "PMO-11", parent="PMO-10", summary="Intake meeting", labels=["onboarding-intake"], done=True
    )

    outcome = run([ENGAGEMENTS, SUBTASKS], epic("PMO-10"), task, *JIRA_FIELDS)

    checklist = entity(outcome, "checklist", "PMO-10@jira:pmo")
    assert checklist.name == "Onboarding of PMO-10 in jira:pmo"
    assert checklist.payload["items"] == [
        {
            "key": "intake",
            "title": "Intake meeting",
            "done": True,
            "origin": "template",
            "external_id": "PMO-11",
        }
    ]
    assert (checklist.payload["engagement_id"], checklist.payload["service_id"]) == (
        "PMO-10",
        "portfolio-governance",
    )
    assert (checklist.payload["source"], checklist.payload["progress"]) == ("jira:pmo", 100.0)


def test_subtask_title_matching_a_template_step_is_that_step() -> None:
    task = subtask("PMO-11", parent="PMO-10", summary="agree the INTAKE criteria")

    assert items([ENGAGEMENTS, BY_TITLE], task, checklist="PMO-10@jira:pmo") == [
        ("intake", "agree the INTAKE criteria", False, "template", "PMO-11")
    ]


def test_a_second_item_for_one_step_is_a_humans_own() -> None:
    first = subtask("PMO-11", parent="PMO-10", summary=INTAKE, labels=["onboarding-intake"])
    second = subtask(
        "PMO-12", parent="PMO-10", summary="Intake again", labels=["onboarding-intake"]
    )

    found = items([ENGAGEMENTS, SUBTASKS], first, second, checklist="PMO-10@jira:pmo")

    assert [(key, origin, ref) for key, _, _, origin, ref in found] == [
        ("intake", "template", "PMO-11"),
        ("human-pmo-12", "human", "PMO-12"),
    ]


def test_an_item_matching_no_step_is_a_humans_own() -> None:
    task = subtask("PMO-11", parent="PMO-10", summary="Bake a cake", labels=["onboarding-cake"])

    assert items([ENGAGEMENTS, SUBTASKS], task, checklist="PMO-10@jira:pmo") == [
        ("human-pmo-11", "Bake a cake", False, "human", "PMO-11")
    ]


def test_item_of_an_engagement_no_rule_produced_is_rejected() -> None:
    task = subtask("PMO-11", parent="PMO-99", summary=INTAKE)

    outcome = run([ENGAGEMENTS, SUBTASKS], epic("PMO-10"), task, *JIRA_FIELDS)

    assert reasons(outcome) == {
        "PMO-11": ("it belongs to engagement 'PMO-99', which no engagement rule produced",)
    }
    assert outcome.entities_of(("checklist", "PMO-10@jira:pmo")) is None


def test_item_naming_no_engagement_says_so() -> None:
    task = subtask("PMO-11", parent=None, summary=INTAKE)

    outcome = run([ENGAGEMENTS, SUBTASKS], epic("PMO-10"), task, *JIRA_FIELDS)

    assert reasons(outcome) == {"PMO-11": ("engagement: the record holds no value",)}


def test_items_of_a_rejected_engagement_are_rejected() -> None:
    task = subtask("PMO-11", parent="PMO-10", summary=INTAKE)

    outcome = run([ENGAGEMENTS, SUBTASKS], epic("PMO-10", stage=None), task, *JIRA_FIELDS)

    assert set(reasons(outcome)) == {"PMO-10", "PMO-11"}


PLANNER_CHECKLIST = {**PLANNER_ENGAGEMENTS, "checklist": True}


def test_planner_task_details_are_the_engagements_checklist() -> None:
    task = planner_task(
        "task-1",
        title="Onboarding for Grid Operations [PMO-10]",
        checklist=[
            planner_check("c-1", " agree the intake criteria ", done=True, order="1"),
            planner_check("c-2", "Order pizza", order="2"),
            planner_check("c-3", INTAKE, order="3"),
        ],
    )

    assert items([ENGAGEMENTS, PLANNER_CHECKLIST], task, checklist="PMO-10@planner:northwind") == [
        ("intake", "agree the intake criteria", True, "template", "c-1"),
        ("human-c-2", "Order pizza", False, "human", "c-2"),
        ("human-c-3", INTAKE, False, "human", "c-3"),
    ]


def test_without_checklist_true_the_details_are_not_read() -> None:
    task = planner_task(
        "task-1",
        title="Onboarding for Grid Operations [PMO-10]",
        checklist=[planner_check("c-1", INTAKE)],
    )

    outcome = run(
        [ENGAGEMENTS, PLANNER_ENGAGEMENTS], epic("PMO-10"), task, *JIRA_FIELDS, *PLANNER_CONTEXT
    )

    assert outcome.entities_of(("checklist", "PMO-10@planner:northwind")) is None


def test_project_checklist_rows_are_the_engagements_checklist() -> None:
    engagements = rule(
        "project-engagements",
        "engagement",
        source=PROJECT,
        customer={"field": "projectName"},
        service={"constant": "Portfolio Governance"},
        flywheel_stage={"bucket": True},
        checklist=True,
    )
    rows = (
        checklist_row("r-2", task_id="t-1", name="First portfolio review", order=2),
        checklist_row("r-1", task_id="t-1", name=INTAKE, order=1, done=True),
    )

    outcome = run(
        [engagements], project_task("t-1", subject="Onboard GRID"), *rows, *PROJECT_CONTEXT
    )

    checklist = entity(outcome, "checklist", "t-1@project:northwind").payload
    assert [(i["key"], i["done"], i["external_id"]) for i in checklist["items"]] == [
        ("intake", True, "r-1"),
        ("first-review", False, "r-2"),
    ]
    assert checklist["progress"] == 50.0
    assert outcome.unmatched == []
