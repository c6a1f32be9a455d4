"""The flywheel analysis: dwell per visit, regressions, skips, stalls and momentum."""

from __future__ import annotations

from flywheel_sync.domain import FlywheelStage
from flywheel_sync.engine import analyse_engagement, service_momentum
from flywheel_sync.settings.thresholds import FlywheelSettingsSection
from tests.unit.engine.builders import NOW, day, engagement, flow

S = FlywheelStage


def test_dwell_of_every_visit_and_of_the_current_stage() -> None:
    found = flow(engagement("E-1", (1, 1, day(5, 1)), (2, 1, day(5, 11)), (3, 1, day(6, 1))))

    # 1 May -> 11 May = 10 days; 11 May -> 1 June = 21 days; 1 June 12:00 -> NOW (11 June 12:00)
    assert [(v.stage, v.dwell_days) for v in found.visits] == [
        (S.AWARENESS_BUILDING, 10.0),
        (S.NEEDS_ASSESSMENT, 21.0),
        (S.VALUE_PROPOSITION, 10.0),
    ]
    assert found.visits[-1].left_at is None
    assert (found.stage, found.entered_at, found.dwell_days) == (
        S.VALUE_PROPOSITION,
        day(6, 1),
        10.0,
    )


def test_a_backward_move_within_a_cycle_is_a_regression() -> None:
    found = flow(engagement("E-1", (4, 1, day(3, 1)), (5, 1, day(4, 1)), (3, 1, day(5, 1))))

    assert [(r.from_stage, r.to_stage, r.cycle, r.at) for r in found.regressions] == [
        (S.SERVICE_ONBOARDING, S.VALUE_PROPOSITION, 1, day(5, 1))
    ]


def test_value_recognition_to_awareness_building_starts_a_cycle_and_is_no_regression() -> None:
    found = flow(engagement("E-1", (9, 1, day(3, 1)), (10, 1, day(4, 1)), (1, 2, day(5, 1))))

    assert found.regressions == ()
    assert found.skipped == ()
    assert found.cycle == 2


def test_a_forward_jump_skips_the_stages_between() -> None:
    found = flow(engagement("E-1", (2, 1, day(3, 1)), (5, 1, day(4, 1)), (6, 1, day(5, 1))))

    assert [(s.stage, s.cycle) for s in found.skipped] == [
        (S.VALUE_PROPOSITION, 1),
        (S.SERVICE_DEVELOPMENT, 1),
    ]


def test_stalled_when_the_current_dwell_passes_the_stage_limit() -> None:
    settings = FlywheelSettingsSection(
        stall_after_days=45, stall_after_days_by_stage={S.SERVICE_ONBOARDING: 30}
    )
    # Onboarding since 11 May 12:00: 31 days at NOW, over its own 30-day limit.
    onboarding = analyse_engagement(engagement("E-1", (5, 1, day(5, 11))), settings, now=NOW)
    # Operation for the same 31 days is within the general 45.
    operation = analyse_engagement(engagement("E-2", (6, 1, day(5, 11))), settings, now=NOW)
    # Exactly 30 days is not over the limit.
    exactly = analyse_engagement(engagement("E-3", (5, 1, day(5, 12))), settings, now=NOW)

    assert (onboarding.stall_limit_days, onboarding.stalled) == (30, True)
    assert (operation.stall_limit_days, operation.stalled) == (45, False)
    assert (exactly.dwell_days, exactly.stalled) == (30.0, False)


def test_an_engagement_without_history_has_unknown_dwell_and_never_stalls() -> None:
    found = flow(engagement("E-1"))

    assert (found.entered_at, found.dwell_days, found.stalled) == (None, None, False)
    assert found.visits == ()
    assert found.completed_cycles == ()


def test_a_cycle_completes_when_the_next_one_starts() -> None:
    found = flow(
        engagement(
            "E-1",
            (1, 1, day(1, 1)),
            (10, 1, day(2, 1)),
            (1, 2, day(3, 2)),  # cycle 1: 1 Jan -> 2 Mar = 60 days
            (10, 2, day(4, 1)),
            (1, 3, day(5, 1)),  # cycle 2: 2 Mar -> 1 May = 60 days
            (2, 3, day(5, 5)),  # cycle 3 is not complete
        )
    )

    assert [(c.cycle, c.days) for c in found.completed_cycles] == [(1, 60.0), (2, 60.0)]


def test_a_first_cycle_seen_only_from_mid_way_has_no_known_length() -> None:
    found = flow(engagement("E-1", (6, 1, day(1, 1)), (10, 1, day(2, 1)), (1, 2, day(3, 1))))

    assert found.completed_cycles == ()


def test_momentum_is_the_median_completed_cycle_per_service() -> None:
    fast = engagement("E-1", (1, 1, day(1, 1)), (10, 1, day(1, 20)), (1, 2, day(1, 31)))
    slow = engagement("E-2", (1, 1, day(1, 1)), (10, 1, day(3, 1)), (1, 2, day(4, 11)))
    other = engagement("E-3", (1, 1, day(1, 1)), (10, 1, day(1, 2)), (1, 2, day(1, 3)), service="x")
    turning = engagement("E-4", (1, 1, day(1, 1)))

    momentum = service_momentum(
        ["health-checks", "x", "idle"], [flow(e) for e in (fast, slow, other, turning)]
    )

    # health-checks: cycles of 30 days (1-31 Jan) and 100 days (1 Jan - 11 Apr): median 65
    assert momentum["health-checks"].median_cycle_days == 65.0
    assert momentum["health-checks"].completed_cycles == 2
    assert (momentum["x"].median_cycle_days, momentum["x"].completed_cycles) == (2.0, 1)
    assert (momentum["idle"].median_cycle_days, momentum["idle"].completed_cycles) == (None, 0)
