"""Engagements: moving around the flywheel, and the history invariants."""

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from flywheel_sync.domain import Engagement, ExternalRef, FlywheelStage, StageTransition, Tool

F = FlywheelStage
T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


def at(days: int) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


def step(stage: FlywheelStage, days: int, cycle: int = 1) -> StageTransition:
    return StageTransition(stage=stage, entered_at=at(days), cycle=cycle)


def engagement(**overrides: Any) -> Engagement:
    fields: dict[str, Any] = {
        "id": "ENG-1",
        "customer_id": "cust-finance",
        "service_id": "svc-portfolio-reporting",
        "current_stage": F.AWARENESS_BUILDING,
        "stage_history": (step(F.AWARENESS_BUILDING, 0),),
    }
    return Engagement.model_validate(fields | overrides)


def test_a_new_engagement_starts_in_cycle_one_without_refs() -> None:
    fresh = engagement()
    assert (fresh.cycle, fresh.value_proposition_id, fresh.external_refs) == (1, None, ())


def test_advance_records_the_transition() -> None:
    moved = engagement().advance_to(F.NEEDS_ASSESSMENT, at=at(3), source_ref="changelog-10042")
    assert (moved.current_stage, moved.cycle, moved.stage_history[-1]) == (
        F.NEEDS_ASSESSMENT,
        1,
        StageTransition(
            stage=F.NEEDS_ASSESSMENT, entered_at=at(3), cycle=1, source_ref="changelog-10042"
        ),
    )


def test_advance_returns_a_new_engagement_and_leaves_the_original() -> None:
    original = engagement()
    original.advance_to(F.NEEDS_ASSESSMENT, at=at(3))
    assert (original.current_stage, len(original.stage_history)) == (F.AWARENESS_BUILDING, 1)


def test_advance_from_value_recognition_to_awareness_building_starts_a_new_cycle() -> None:
    finished = engagement(
        current_stage=F.VALUE_RECOGNITION,
        stage_history=(step(F.VALUE_DELIVERY, 0), step(F.VALUE_RECOGNITION, 5)),
    )
    renewed = finished.advance_to(F.AWARENESS_BUILDING, at=at(9))
    assert (renewed.cycle, renewed.stage_history[-1].cycle) == (2, 2)


def test_a_full_turn_through_next_ends_in_cycle_two() -> None:
    current = engagement()
    for days in range(1, 11):
        current = current.advance_to(current.current_stage.next(), at=at(days))
    assert (current.current_stage, current.cycle, len(current.stage_history)) == (
        F.AWARENESS_BUILDING,
        2,
        11,
    )


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (F.SERVICE_OPERATION, F.SERVICE_ONBOARDING),  # regression
        (F.VALUE_DELIVERY, F.AWARENESS_BUILDING),  # regression to the start, not a new turn
        (F.VALUE_RECOGNITION, F.NEEDS_ASSESSMENT),  # back past the wrap point
        (F.AWARENESS_BUILDING, F.SERVICE_ONBOARDING),  # skip
    ],
)
def test_any_other_move_keeps_the_cycle(start: FlywheelStage, target: FlywheelStage) -> None:
    third_cycle = engagement(current_stage=start, cycle=3, stage_history=(step(start, 0, 3),))
    moved = third_cycle.advance_to(target, at=at(1))
    assert (moved.current_stage, moved.cycle) == (target, 3)


def test_advance_rejects_a_time_before_the_last_transition() -> None:
    current = engagement(
        current_stage=F.NEEDS_ASSESSMENT,
        stage_history=(step(F.AWARENESS_BUILDING, 0), step(F.NEEDS_ASSESSMENT, 5)),
    )
    with pytest.raises(ValueError, match="cannot enter Value Proposition at 2025-03-05T09:00:00"):
        current.advance_to(F.VALUE_PROPOSITION, at=at(4))


def test_advance_accepts_the_same_time_as_the_last_transition() -> None:
    moved = engagement().advance_to(F.NEEDS_ASSESSMENT, at=at(0))
    assert moved.entered_current_stage_at == at(0)


def test_advance_to_the_current_stage_changes_nothing() -> None:
    current = engagement()
    assert current.advance_to(F.AWARENESS_BUILDING, at=at(2)) is current


def test_advance_rejects_a_naive_time() -> None:
    with pytest.raises(ValidationError, match="timezone_aware"):
        engagement().advance_to(F.NEEDS_ASSESSMENT, at=dt.datetime(2025, 3, 9))  # noqa: DTZ001


def test_advance_without_history_records_the_first_transition() -> None:
    unknown_past = engagement(current_stage=F.SERVICE_OPERATION, stage_history=())
    moved = unknown_past.advance_to(F.SERVICE_MONITORING, at=at(1))
    assert moved.stage_history == (step(F.SERVICE_MONITORING, 1),)


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (engagement(), (step(F.AWARENESS_BUILDING, 0), at(0))),
        (engagement(stage_history=()), (None, None)),
    ],
)
def test_read_only_views_of_the_history(
    current: Engagement, expected: tuple[StageTransition | None, dt.datetime | None]
) -> None:
    assert (current.last_transition, current.entered_current_stage_at) == expected


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        (
            {
                "current_stage": F.NEEDS_ASSESSMENT,
                "stage_history": (step(F.AWARENESS_BUILDING, 2), step(F.NEEDS_ASSESSMENT, 1)),
            },
            "stage history must be ordered in time: Needs Assessment at 2025-03-02T09:00:00+00:00 "
            "comes after Awareness Building at 2025-03-03T09:00:00+00:00",
        ),
        (
            {
                "current_stage": F.NEEDS_ASSESSMENT,
                "stage_history": (step(F.AWARENESS_BUILDING, 1, 2), step(F.NEEDS_ASSESSMENT, 2)),
            },
            "stage history cycles must never decrease: cycle 1 follows cycle 2",
        ),
        (
            {"current_stage": F.NEEDS_ASSESSMENT},
            "the last stage transition (Awareness Building, cycle 1) must be the current stage "
            "(Needs Assessment, cycle 1)",
        ),
        (
            {"cycle": 2},
            "the last stage transition (Awareness Building, cycle 1) must be the current stage "
            "(Awareness Building, cycle 2)",
        ),
        ({"cycle": 0}, "Input should be greater than or equal to 1"),
        ({"id": "  "}, "String should have at least 1 character"),
    ],
)
def test_invariants_are_enforced(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError) as raised:
        engagement(**overrides)
    assert reason in str(raised.value)


def test_external_refs_locate_the_engagement_in_the_tools() -> None:
    epic = ExternalRef(tool=Tool.JIRA, ref="PMO-12", url="https://jira.example/browse/PMO-12")
    assert engagement(external_refs=({"tool": "jira", "ref": "PMO-12", "url": epic.url},)) == (
        engagement(external_refs=(epic,))
    )


def test_ids_are_stripped_of_surrounding_whitespace() -> None:
    assert engagement(id="  ENG-1 ").id == "ENG-1"
