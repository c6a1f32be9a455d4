"""Every builtin KPI on a small fixture, its expected number worked out by hand.

The period is May 2025 (``[1 May, 1 June)``); NOW is 11 June 2025 12:00 UTC.
"""

from __future__ import annotations

import pytest

from flywheel_sync.domain import KPIPeriod
from flywheel_sync.engine.kpis import BUILTINS, ScopeData
from flywheel_sync.engine.periods import period_containing
from flywheel_sync.settings.kpis import BuiltinKPI
from tests.unit.engine.builders import (
    MAY,
    at_stage,
    checklist,
    day,
    engagement,
    facts,
    flow,
    item,
    kpi,
    scope,
)

PERIOD = period_containing(MAY, KPIPeriod.MONTH)


def measure(builtin: BuiltinKPI, data: ScopeData, **fields: str) -> float | None:
    entry = kpi(builtin=builtin.value, **fields)
    return BUILTINS[builtin].measure(data, PERIOD, entry)


def test_every_builtin_has_a_measure() -> None:
    assert set(BUILTINS) == set(BuiltinKPI)


def test_throughput_counts_the_items_resolved_in_the_period() -> None:
    data = scope(
        facts(
            item("A-1", resolved="2025-05-01T00:00:00Z"),  # first moment of May: in
            item("A-2", resolved="2025-05-31T23:59:00Z"),  # in
            item("A-3", resolved="2025-06-01T00:00:00Z"),  # June: out
            item("A-4", resolved=None),  # open: out
        )
    )

    assert measure(BuiltinKPI.THROUGHPUT, data) == 2.0


def test_throughput_of_nothing_resolved_is_zero_but_of_no_resolution_data_is_none() -> None:
    quiet = scope(facts(item("A-1", resolved=None)))
    unknown = scope(facts(item("A-1", due="2025-05-02")))

    assert measure(BuiltinKPI.THROUGHPUT, quiet) == 0.0
    assert measure(BuiltinKPI.THROUGHPUT, unknown) is None


LEAD = scope(
    facts(
        # lead times (created -> resolved): 2, 4, 6 and 20 days; cycle times: 1, 1, 3 and 5
        item(
            "A-1", created=day(5, 1), started=day(5, 2).isoformat(), resolved=day(5, 3).isoformat()
        ),
        item(
            "A-2", created=day(5, 1), started=day(5, 4).isoformat(), resolved=day(5, 5).isoformat()
        ),
        item(
            "A-3", created=day(5, 1), started=day(5, 4).isoformat(), resolved=day(5, 7).isoformat()
        ),
        item(
            "A-4",
            created=day(5, 1),
            started=day(5, 16).isoformat(),
            resolved=day(5, 21).isoformat(),
        ),
        # resolved in April: not in May's numbers
        item(
            "A-5", created=day(3, 1), started=day(3, 2).isoformat(), resolved=day(4, 30).isoformat()
        ),
        # no creation time: no lead time, but a cycle time of 1 day
        item("A-6", started=day(5, 9).isoformat(), resolved=day(5, 10).isoformat()),
    )
)


@pytest.mark.parametrize(
    ("builtin", "expected"),
    [
        # lead times 2, 4, 6, 20: median (4+6)/2 = 5; p85 rank 0.85*3 = 2.55 -> 6 + 14*0.55 = 13.7
        (BuiltinKPI.LEAD_TIME_MEDIAN, 5.0),
        (BuiltinKPI.LEAD_TIME_P85, 13.7),
        # cycle times 1, 1, 3, 5, 1 -> sorted 1, 1, 1, 3, 5: median 1;
        # p85 rank 0.85*4 = 3.4 -> 3 + 2*0.4 = 3.8
        (BuiltinKPI.CYCLE_TIME_MEDIAN, 1.0),
        (BuiltinKPI.CYCLE_TIME_P85, 3.8),
    ],
)
def test_lead_and_cycle_times(builtin: BuiltinKPI, expected: float) -> None:
    assert measure(builtin, LEAD) == pytest.approx(expected)


def test_times_without_items_resolved_in_the_period_are_none() -> None:
    data = scope(facts(item("A-1", created=day(4, 1), resolved=day(4, 3).isoformat())))

    assert measure(BuiltinKPI.LEAD_TIME_MEDIAN, data) is None
    assert measure(BuiltinKPI.CYCLE_TIME_P85, data) is None


def test_on_time_pct_of_the_items_due_in_the_period() -> None:
    data = scope(
        facts(
            item("A-1", done=True, due="2025-05-10", resolved="2025-05-10T18:00:00Z"),  # on time
            item("A-2", done=True, due="2025-05-10", resolved="2025-05-12T09:00:00Z"),  # late
            item("A-3", done=False, due="2025-05-20"),  # open past due: late
            item("A-4", done=True, due="2025-05-31", resolved="2025-05-02T09:00:00Z"),  # on time
            item("A-5", done=True, due="2025-06-01", resolved="2025-06-01T09:00:00Z"),  # June
            item("A-6", done=True, resolved="2025-05-03T09:00:00Z"),  # no due date
        )
    )

    # due in May: A-1..A-4, on time: A-1, A-4 -> 2 / 4 = 50%
    assert measure(BuiltinKPI.ON_TIME_PCT, data) == 50.0


def test_on_time_pct_without_due_items_is_none() -> None:
    assert measure(BuiltinKPI.ON_TIME_PCT, scope(facts(item("A-1", due="2025-04-01")))) is None


def test_schedule_variance_is_the_mean_slip_of_late_leaf_items() -> None:
    data = scope(
        facts(
            # slips: +4 days, +2 days, -1 day (early: does not offset), 0 (on baseline)
            item("T-1", baseline_finish="2025-05-10", finish="2025-05-14", parent="S-1"),
            item("T-2", baseline_finish="2025-05-10", finish="2025-05-12T00:00:00Z", parent="S-1"),
            item("T-3", baseline_finish="2025-05-10", finish="2025-05-09", parent="S-1"),
            item("T-4", baseline_finish="2025-05-10", finish="2025-05-10", parent="S-1"),
            # the summary task S-1 rolls up T-1..T-4 (+4 days): left out
            item("S-1", baseline_finish="2025-05-10", finish="2025-05-14"),
            item("T-5", finish="2025-05-20"),  # no baseline: left out
        )
    )

    # (4 + 2) / 2 = 3 days
    assert measure(BuiltinKPI.SCHEDULE_VARIANCE_DAYS, data) == 3.0


def test_schedule_variance_is_zero_when_nothing_slips_and_none_without_baselines() -> None:
    on_plan = scope(facts(item("T-1", baseline_finish="2025-05-10", finish="2025-05-08")))

    assert measure(BuiltinKPI.SCHEDULE_VARIANCE_DAYS, on_plan) == 0.0
    assert measure(BuiltinKPI.SCHEDULE_VARIANCE_DAYS, scope(facts(item("T-1")))) is None


def test_wip_per_person_counts_open_assigned_items_per_assignee() -> None:
    data = scope(
        facts(
            item("A-1", done=False, assignee="ada"),
            item("A-2", done=False, assignee="ada"),
            item("A-3", done=False, assignee="ada"),
            item("A-4", done=False, assignee="bob"),
            item("A-5", done=True, assignee="bob"),  # done: not work in progress
            item("A-6", done=False),  # unassigned: nobody's load
        )
    )

    # 4 open assigned items / 2 people = 2
    assert measure(BuiltinKPI.WIP_PER_PERSON, data) == 2.0
    assert measure(BuiltinKPI.WIP_PER_PERSON, scope(facts(item("A-1", done=False)))) is None


def test_blocked_time_pct_of_the_open_items() -> None:
    data = scope(
        facts(
            item("A-1", done=False, status="Blocked"),
            item("A-2", done=False, status="In Progress", flagged="Impediment"),
            item("A-3", done=False, status="In Progress", flagged=None),
            item("A-4", done=False, status="To Do", flagged=None),
            item("A-5", done=True, status="Blocked"),  # done: not counted
            item("A-6", done=False),  # reads no blocking signal: not counted
        )
    )

    # 2 blocked of 4 open items = 50%
    assert measure(BuiltinKPI.BLOCKED_TIME_PCT, data) == 50.0


def test_priority_churn_of_the_items_created_in_the_period() -> None:
    data = scope(
        facts(
            item("A-1", created=day(5, 2), priority_changes="3"),
            item("A-2", created=day(5, 20), priority_changes="0"),
            item("A-3", created=day(5, 21), priority_changes=None),  # read, nothing found: 0
            item("A-4", created=day(4, 20), priority_changes="9"),  # April
            item("A-5", created=day(5, 3)),  # the rule does not read changes
        )
    )

    # (3 + 0 + 0) / 3 items = 1
    assert measure(BuiltinKPI.PRIORITY_CHURN, data) == 1.0


def test_onboarding_completion_of_engagements_at_or_past_onboarding() -> None:
    flows = [flow(at_stage("E-1", 5)), flow(at_stage("E-2", 7)), flow(at_stage("E-3", 4))]
    checklists = {
        # E-1: Jira 2 of 4 done (50%), Planner 3 of 4 (75%): 62.5%
        "E-1": (
            checklist("E-1", True, True, False, False),
            checklist("E-1", True, True, True, False),
        ),
        "E-2": (checklist("E-2", True, True),),  # 100%
        "E-3": (checklist("E-3", False, False),),  # before onboarding: not counted
    }

    # (62.5 + 100) / 2 = 81.25
    assert (
        measure(BuiltinKPI.ONBOARDING_COMPLETION_PCT, scope(flows=flows, checklists=checklists))
        == 81.25
    )


def test_onboarding_completion_without_checklists_is_none() -> None:
    assert (
        measure(BuiltinKPI.ONBOARDING_COMPLETION_PCT, scope(flows=[flow(at_stage("E-1", 6))]))
        is None
    )


def test_service_adoption_counts_customer_service_pairs_in_use() -> None:
    flows = [
        flow(at_stage("E-1", 6, customer="a", service="s")),  # operation: adopted
        flow(at_stage("E-2", 10, customer="b", service="s")),  # adopted
        flow(at_stage("E-3", 2, cycle=2, customer="c", service="s")),  # second cycle: adopted
        flow(at_stage("E-4", 5, customer="d", service="s")),  # onboarding: not yet
    ]

    assert measure(BuiltinKPI.SERVICE_ADOPTION, scope(flows=flows)) == 3.0
    assert measure(BuiltinKPI.SERVICE_ADOPTION, scope(flows=flows[3:])) == 0.0
    assert measure(BuiltinKPI.SERVICE_ADOPTION, scope()) is None


def test_csat_is_the_mean_answer_of_items_resolved_in_the_period() -> None:
    data = scope(
        facts(
            item("A-1", resolved="2025-05-02T00:00:00Z", satisfaction="4"),
            item("A-2", resolved="2025-05-03T00:00:00Z", satisfaction="5"),
            item("A-3", resolved="2025-05-04T00:00:00Z", satisfaction="no answer"),  # not a number
            item("A-4", resolved="2025-04-04T00:00:00Z", satisfaction="1"),  # April
        )
    )

    assert measure(BuiltinKPI.CSAT, data, field="satisfaction") == 4.5


def test_stage_dwell_is_the_median_current_dwell() -> None:
    flows = [
        flow(at_stage("E-1", 3, since=day(6, 1))),  # 10 days at NOW
        flow(at_stage("E-2", 4, since=day(5, 22))),  # 20 days
        flow(at_stage("E-3", 5, since=day(4, 12))),  # 60 days
        flow(engagement("E-4")),  # unknown: not counted
    ]

    assert measure(BuiltinKPI.STAGE_DWELL_DAYS, scope(flows=flows)) == 20.0


def test_flywheel_momentum_is_the_median_completed_cycle() -> None:
    flows = [
        flow(engagement("E-1", (1, 1, day(1, 1)), (1, 2, day(1, 11)))),  # 10 days
        flow(engagement("E-2", (1, 1, day(1, 1)), (1, 2, day(1, 31)))),  # 30 days
    ]

    assert measure(BuiltinKPI.FLYWHEEL_MOMENTUM_DAYS, scope(flows=flows)) == 20.0
    assert measure(BuiltinKPI.FLYWHEEL_MOMENTUM_DAYS, scope(flows=flows[:0])) is None
