"""The out-of-the-box KPIs (value-ring.md §5), each defined exactly in its docstring.

A **periodic** KPI is measured over one period ``[start, end)`` (the engine reports the last
complete one, the one before it, and a series); a **snapshot** KPI is measured on the state
at ``now`` and carries the period containing ``now``. Every measure returns None when its
scope has no data to measure (never NaN, never a division by zero). Work item facts are
those of `flywheel_sync.engine.facts`; medians and percentiles are those of
`flywheel_sync.engine.kpis.numbers` (linear interpolation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from flywheel_sync.domain import FlywheelStage
from flywheel_sync.engine.facts import WorkFacts
from flywheel_sync.engine.flywheel import median_cycle_days
from flywheel_sync.engine.kpis.numbers import mean, median, percentile, share
from flywheel_sync.engine.kpis.scopes import ScopeData
from flywheel_sync.engine.periods import DAY_SECONDS, Period
from flywheel_sync.settings.kpis import BuiltinKPI, KPIEntry

__all__ = ["BUILTINS", "BuiltinMeasure"]

Measure = Callable[[ScopeData, Period, KPIEntry], float | None]


@dataclass(frozen=True, kw_only=True, slots=True)
class BuiltinMeasure:
    """How a builtin KPI is computed, and whether it is a snapshot at ``now``."""

    measure: Measure
    snapshot: bool


def _resolved_in(data: ScopeData, period: Period) -> Iterator[WorkFacts]:
    return (f for f in data.work if f.resolved is not None and period.contains(f.resolved))


def throughput(data: ScopeData, period: Period, entry: KPIEntry) -> float | None:
    """Items resolved in the period; None when no item of the scope reads ``resolved``."""
    if not any(f.reads("resolved") for f in data.work):
        return None
    return float(sum(1 for _ in _resolved_in(data, period)))


def _lead_times(data: ScopeData, period: Period) -> list[float]:
    return [t for f in _resolved_in(data, period) if (t := f.lead_time_days) is not None]


def _cycle_times(data: ScopeData, period: Period) -> list[float]:
    return [t for f in _resolved_in(data, period) if (t := f.cycle_time_days) is not None]


def lead_time_median(data: ScopeData, period: Period, entry: KPIEntry) -> float | None:
    """Median days from creation to resolution of the items resolved in the period."""
    return median(_lead_times(data, period))


def lead_time_p85(data: ScopeData, period: Period, entry: KPIEntry) -> float | None:
    """85th percentile of the lead times of the items resolved in the period."""
    return percentile(_lead_times(data, period), 85)


def cycle_time_median(data: ScopeData, period: Period, entry: KPIEntry) -> float | None:
    """Median days from ``started`` to resolution of the items resolved in the period."""
    return median(_cycle_times(data, period))


def cycle_time_p85(data: ScopeData, period: Period, entry: KPIEntry) -> float | None:
    """85th percentile of the cycle times of the items resolved in the period."""
    return percentile(_cycle_times(data, period), 85)


def _due_in(facts: WorkFacts, period: Period) -> bool:
    if facts.due is None:
        return False
    due = datetime(facts.due.year, facts.due.month, facts.due.day, tzinfo=UTC)
    return period.contains(due)


def on_time_pct(data: ScopeData, period: Period, entry: KPIEntry) -> float | None:
    """Of the items due in the period whose deadline is decided, the % resolved on time.

    On time: resolved on or before the due date. Decided: resolved, or past due (an open item
    due before today is late). Items due later than today are not decided yet.
    """
    decided = [f.on_time for f in data.work if _due_in(f, period) and f.on_time is not None]
    return share(sum(decided), len(decided))


def _rolled_up(data: ScopeData) -> set[str]:
    return {f.parent for f in data.work if f.parent is not None}


def schedule_variance_days(data: ScopeData, period: Period, entry: KPIEntry) -> float | None:
    """Snapshot: mean slip, in days, of the items finishing after their baseline finish.

    Read over every item with both ``baseline_finish`` and ``finish`` (the schedule as it
    stands at now: actual finishes and forecast ones alike), leaving out summary tasks (items
    another item names as its ``parent``: their dates only repeat their children's). Items on
    or ahead of their baseline do not offset the slips: 0 when nothing slips. This is the
    demo's ``ScheduleTruth.mean_slip_days``.
    """
    parents = _rolled_up(data)
    slips = [
        (f.finish - f.baseline_finish).total_seconds() / DAY_SECONDS
        for f in data.work
        if f.finish is not None
        and f.baseline_finish is not None
        and f.item.ref not in parents
        and f.item.id not in parents
    ]
    if not slips:
        return None
    late = [slip for slip in slips if slip > 0]
    return mean(late) if late else 0.0


def _open(data: ScopeData) -> list[WorkFacts]:
    return [f for f in data.work if f.open is True]


def wip_per_person(data: ScopeData, period: Period, entry: KPIEntry) -> float | None:
    """Snapshot: open items with an assignee, per distinct assignee."""
    assigned = [f.assignee for f in _open(data) if f.assignee is not None]
    people = len(set(assigned))
    return len(assigned) / people if people else None


def blocked_time_pct(data: ScopeData, period: Period, entry: KPIEntry) -> float | None:
    """Snapshot: % of the open items that are blocked now (status Blocked, flagged, blocked).

    Only items whose rule reads a blocking signal (``status``, ``blocked``, ``flagged``)
    count. (A share of items blocked now: the tools keep no reliable blocked-time history.)
    """
    known = [f.blocked for f in _open(data) if f.blocked is not None]
    return share(sum(known), len(known))


def priority_churn(data: ScopeData, period: Period, entry: KPIEntry) -> float | None:
    """Priority changes per item, over the items created in the period that record them."""
    counts = [
        f.priority_changes
        for f in data.work
        if f.priority_changes is not None and f.created is not None and period.contains(f.created)
    ]
    return sum(counts) / len(counts) if counts else None


def onboarding_completion_pct(data: ScopeData, period: Period, entry: KPIEntry) -> float | None:
    """Snapshot: mean onboarding progress (%) of engagements at or past Service Onboarding.

    An engagement's progress is the mean of its checklists' (one per tool keeping one);
    engagements without a checklist, or with empty ones, are not counted.
    """
    progress = [
        mean([c.progress for c in found if c.items])
        for flow in data.flows
        if flow.stage >= FlywheelStage.SERVICE_ONBOARDING
        and (found := data.checklists.get(flow.engagement_id))
    ]
    return mean([p for p in progress if p is not None])


def service_adoption(data: ScopeData, period: Period, entry: KPIEntry) -> float | None:
    """Snapshot: customer x service pairs in use: at Service Operation or later, or cycle ≥ 2.

    For a service: its adopting customers; for a customer: the services it adopted; for the
    portfolio: every adoption. None when the scope has no engagements.
    """
    if not data.flows:
        return None
    adopted = {
        (flow.customer_id, flow.service_id)
        for flow in data.flows
        if flow.cycle >= 2 or flow.stage >= FlywheelStage.SERVICE_OPERATION
    }
    return float(len(adopted))


def csat(data: ScopeData, period: Period, entry: KPIEntry) -> float | None:
    """Mean of the numeric attribute ``field`` over the items resolved in the period."""
    name = entry.field or ""
    return mean([n for f in _resolved_in(data, period) if (n := f.number(name)) is not None])


def stage_dwell_days(data: ScopeData, period: Period, entry: KPIEntry) -> float | None:
    """Snapshot: median days engagements have spent in their current stage."""
    return median([flow.dwell_days for flow in data.flows if flow.dwell_days is not None])


def flywheel_momentum_days(data: ScopeData, period: Period, entry: KPIEntry) -> float | None:
    """Snapshot: median days of the completed flywheel cycles (see `engine.flywheel`)."""
    return median_cycle_days(data.flows)[0]


BUILTINS: Mapping[BuiltinKPI, BuiltinMeasure] = {
    BuiltinKPI.THROUGHPUT: BuiltinMeasure(measure=throughput, snapshot=False),
    BuiltinKPI.LEAD_TIME_MEDIAN: BuiltinMeasure(measure=lead_time_median, snapshot=False),
    BuiltinKPI.LEAD_TIME_P85: BuiltinMeasure(measure=lead_time_p85, snapshot=False),
    BuiltinKPI.CYCLE_TIME_MEDIAN: BuiltinMeasure(measure=cycle_time_median, snapshot=False),
    BuiltinKPI.CYCLE_TIME_P85: BuiltinMeasure(measure=cycle_time_p85, snapshot=False),
    BuiltinKPI.ON_TIME_PCT: BuiltinMeasure(measure=on_time_pct, snapshot=False),
    BuiltinKPI.SCHEDULE_VARIANCE_DAYS: BuiltinMeasure(
        measure=schedule_variance_days, snapshot=True
    ),
    BuiltinKPI.WIP_PER_PERSON: BuiltinMeasure(measure=wip_per_person, snapshot=True),
    BuiltinKPI.BLOCKED_TIME_PCT: BuiltinMeasure(measure=blocked_time_pct, snapshot=True),
    BuiltinKPI.PRIORITY_CHURN: BuiltinMeasure(measure=priority_churn, snapshot=False),
    BuiltinKPI.ONBOARDING_COMPLETION_PCT: BuiltinMeasure(
        measure=onboarding_completion_pct, snapshot=True
    ),
    BuiltinKPI.SERVICE_ADOPTION: BuiltinMeasure(measure=service_adoption, snapshot=True),
    BuiltinKPI.CSAT: BuiltinMeasure(measure=csat, snapshot=False),
    BuiltinKPI.STAGE_DWELL_DAYS: BuiltinMeasure(measure=stage_dwell_days, snapshot=True),
    BuiltinKPI.FLYWHEEL_MOMENTUM_DAYS: BuiltinMeasure(
        measure=flywheel_momentum_days, snapshot=True
    ),
}
"""Every `BuiltinKPI`'s measure; a test checks none is missing."""
