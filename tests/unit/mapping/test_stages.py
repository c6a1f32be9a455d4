"""Stage readings: a select field by name, a status table, a bucket, a pattern, a number."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.unit.mapping.microsoft_records import (
    PLANNER_CONTEXT,
    planner_task,
)
from tests.unit.mapping.records import (
    CREATED,
    ENGAGEMENTS,
    FLYWHEEL_STAGE,
    JIRA_FIELDS,
    PLANNER_ENGAGEMENTS,
    change,
    entity,
    epic,
    run,
    status,
)

STATUS_TABLE = {"To Do": "needs_assessment", "In Progress": "service_operation"}


@pytest.mark.parametrize(
    ("stage_source", "expected"),
    [
        ({"field": "Flywheel Stage"}, "service_onboarding"),
        ({"field": "flywheel stage"}, "service_onboarding"),
        ({"field": "cf[10012]"}, "service_onboarding"),
        ({"field": FLYWHEEL_STAGE}, "service_onboarding"),
        ({"field": "status", "value_map": STATUS_TABLE}, "service_operation"),
        ({"field": "summary", "pattern": r"stage (?P<value>\d+)"}, "service_monitoring"),
        ({"constant": "9 - Value Delivery"}, "value_delivery"),
    ],
    ids=[
        "select-by-name",
        "select-by-name-any-case",
        "select-by-clause-name",
        "select-by-id",
        "status-table",
        "pattern-number",
        "numbered-label",
    ],
)
def test_jira_stage_readings(stage_source: dict[str, Any], expected: str) -> None:
    issue = epic("PMO-10", summary="Grid at stage 7", status=status("In Progress"))

    outcome = run([{**ENGAGEMENTS, "flywheel_stage": stage_source}], issue, *JIRA_FIELDS)

    assert entity(outcome, "engagement", "PMO-10").flywheel_stage == expected


@pytest.mark.parametrize(
    ("bucket_id", "expected"),
    [("bucket-onboarding", "service_onboarding"), ("bucket-operation", "service_operation")],
)
def test_planner_bucket_name_is_the_stage(bucket_id: str, expected: str) -> None:
    task = planner_task("task-1", title="Onboarding for GRID [PMO-10]", bucket_id=bucket_id)

    outcome = run([PLANNER_ENGAGEMENTS], task, *PLANNER_CONTEXT)

    assert entity(outcome, "engagement", "task-1").flywheel_stage == expected


def test_a_bucket_the_stage_parser_refuses_can_be_mapped() -> None:
    mapped = {
        **PLANNER_ENGAGEMENTS,
        "flywheel_stage": {"bucket": True, "value_map": {"backlog": "1"}},
    }
    task = planner_task("task-1", title="Onboarding for GRID [PMO-10]", bucket_id="bucket-backlog")

    outcome = run([mapped], task, *PLANNER_CONTEXT)

    assert entity(outcome, "engagement", "task-1").flywheel_stage == "awareness_building"


def test_a_status_history_goes_through_the_value_map() -> None:
    moved = datetime(2025, 3, 1, tzinfo=UTC)
    history = [change("h1", moved, "To Do", "In Progress", field="status")]
    issue = epic("PMO-10", changelog=history, status=status("In Progress"))
    by_status = {**ENGAGEMENTS, "flywheel_stage": {"field": "status", "value_map": STATUS_TABLE}}

    outcome = run([by_status], issue, *JIRA_FIELDS)

    assert [(c.stage, c.entered_at, c.source_ref) for c in outcome.stage_changes] == [
        ("needs_assessment", CREATED, None),
        ("service_operation", moved, "h1"),
    ]
