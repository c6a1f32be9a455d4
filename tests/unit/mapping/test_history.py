"""Stage histories: read from Jira's changelog, or observed between pulls for Planner."""

from __future__ import annotations

from datetime import UTC, datetime

from flywheel_sync.domain import FlywheelStage
from flywheel_sync.mapping.history import Move, observed_moves, with_cycles
from flywheel_sync.mapping.outcome import MappingOutcome
from tests.unit.mapping.microsoft_records import (
    PLANNER_CONTEXT,
    planner_task,
)
from tests.unit.mapping.records import (
    CREATED,
    ENGAGEMENTS,
    FETCHED,
    JIRA_FIELDS,
    PLANNER_ENGAGEMENTS,
    change,
    entity,
    epic,
    run,
)

AB, NA, VP = "Awareness Building", "Needs Assessment", "Value Proposition"
SO, VD, VR = "Service Onboarding", "Value Delivery", "Value Recognition"
FEB, MAR, APR = (datetime(2025, month, 1, tzinfo=UTC) for month in (2, 3, 4))
PLANNER_REF = 'planner:northwind:task-1@W/"etag-1"'

History = list[tuple[str, datetime, int, str | None]]


def history(outcome: MappingOutcome, engagement_id: str = "PMO-10") -> History:
    return [
        (c.stage, c.entered_at, c.cycle, c.source_ref)
        for c in outcome.stage_changes
        if c.engagement_id == engagement_id
    ]


def jira_history(*changes: dict[str, object], current: str) -> History:
    outcome = run([ENGAGEMENTS], epic("PMO-10", stage=current, changelog=changes), *JIRA_FIELDS)
    return history(outcome)


def test_changelog_moves_start_with_the_creation_stage() -> None:
    found = jira_history(change("h1", FEB, AB, NA), change("h2", MAR, NA, VP), current=VP)

    assert found == [
        ("awareness_building", CREATED, 1, None),
        ("needs_assessment", FEB, 1, "h1"),
        ("value_proposition", MAR, 1, "h2"),
    ]


def test_the_changelog_is_read_oldest_first() -> None:
    found = jira_history(change("h2", MAR, NA, VP), change("h1", FEB, AB, NA), current=VP)

    assert [ref for *_, ref in found] == [None, "h1", "h2"]


def test_a_stage_that_never_changed_was_entered_at_creation() -> None:
    assert jira_history(current=SO) == [("service_onboarding", CREATED, 1, None)]


def test_entering_awareness_building_after_value_recognition_starts_cycle_two() -> None:
    changes = (change("h1", FEB, VD, VR), change("h2", MAR, VR, AB), change("h3", APR, AB, NA))
    outcome = run([ENGAGEMENTS], epic("PMO-10", stage=NA, changelog=changes), *JIRA_FIELDS)

    assert [(stage, cycle) for stage, _, cycle, _ in history(outcome)] == [
        ("value_delivery", 1),
        ("value_recognition", 1),
        ("awareness_building", 2),
        ("needs_assessment", 2),
    ]
    assert entity(outcome, "engagement", "PMO-10").payload["cycle"] == 2


def test_a_repeated_stage_collapses_into_its_first_entry() -> None:
    found = jira_history(
        change("h1", FEB, AB, NA), change("h2", MAR, NA, "needs assessment"), current=NA
    )

    assert found == [("awareness_building", CREATED, 1, None), ("needs_assessment", FEB, 1, "h1")]


def test_a_field_edited_around_the_changelog_is_trusted_at_the_last_change() -> None:
    found = jira_history(change("h1", FEB, AB, NA), current=SO)

    assert found[-1] == ("service_onboarding", FEB, 1, None)


def test_changes_of_other_fields_are_not_moves() -> None:
    other = change("h1", FEB, "Open", "Closed", field="status")

    assert jira_history(other, current=SO) == [("service_onboarding", CREATED, 1, None)]


def test_an_issue_without_creation_time_is_observed_instead() -> None:
    outcome = run([ENGAGEMENTS], epic("PMO-10", created=None), *JIRA_FIELDS)

    assert history(outcome) == [("service_onboarding", FETCHED, 1, "jira:pmo:PMO-10@observed")]


# -- observed (Planner) ------------------------------------------------------------------

T0 = datetime(2025, 5, 1, tzinfo=UTC)


def planner_history(previous: list[tuple[str, datetime]]) -> History:
    task = planner_task("task-1", title="Onboarding for Grid Operations [PMO-10]")
    outcome = run([PLANNER_ENGAGEMENTS], task, *PLANNER_CONTEXT, previous={"task-1": previous})
    return history(outcome, "task-1")


def test_a_new_bucket_appends_a_move_at_the_fetch() -> None:
    assert planner_history([("awareness_building", T0)]) == [
        ("awareness_building", T0, 1, None),
        ("service_onboarding", FETCHED, 1, PLANNER_REF),
    ]


def test_an_unchanged_bucket_appends_nothing() -> None:
    assert planner_history([("service_onboarding", T0)]) == [("service_onboarding", T0, 1, None)]


def test_a_first_observation_is_dated_at_the_fetch() -> None:
    assert planner_history([]) == [("service_onboarding", FETCHED, 1, PLANNER_REF)]


def test_stored_stages_that_no_longer_parse_are_skipped() -> None:
    moves = observed_moves(
        [("retired_stage", T0), ("needs_assessment", T0)],
        FlywheelStage.NEEDS_ASSESSMENT,
        FETCHED,
        "ref",
        FlywheelStage.parse,
    )

    assert moves == [Move(stage=FlywheelStage.NEEDS_ASSESSMENT, at=T0, source_ref=None)]


def test_a_stored_stage_later_than_the_fetch_does_not_crash_the_mapping() -> None:
    # The Jira epic (the rule listed first) lost its stage, so the Planner task tells it; the
    # stored history has Jira's recent move, later than the Planner task was last fetched.
    task = planner_task("task-1", title="Onboarding for Grid Operations [PMO-10]")
    stored = [("awareness_building", T0), ("service_operation", datetime(2025, 6, 20, tzinfo=UTC))]

    outcome = run(
        [ENGAGEMENTS, PLANNER_ENGAGEMENTS],
        epic("PMO-10", stage=None),
        task,
        *JIRA_FIELDS,
        *PLANNER_CONTEXT,
        previous={"PMO-10": stored},
    )

    assert entity(outcome, "engagement", "PMO-10").flywheel_stage == "service_onboarding"
    assert history(outcome)[-1][0] == "service_onboarding"


def test_with_cycles_orders_moves_in_time() -> None:
    moves = [
        Move(stage=FlywheelStage.NEEDS_ASSESSMENT, at=MAR, source_ref="b"),
        Move(stage=FlywheelStage.AWARENESS_BUILDING, at=FEB, source_ref="a"),
    ]

    assert [(t.stage, t.cycle, t.source_ref) for t in with_cycles(moves)] == [
        (FlywheelStage.AWARENESS_BUILDING, 1, "a"),
        (FlywheelStage.NEEDS_ASSESSMENT, 1, "b"),
    ]


def test_a_backward_move_is_a_regression_in_the_same_cycle() -> None:
    found = jira_history(change("h1", FEB, SO, NA), current=NA)

    assert [(stage, cycle) for stage, _, cycle, _ in found] == [
        ("service_onboarding", 1),
        ("needs_assessment", 1),
    ]
