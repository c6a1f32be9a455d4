"""The flywheel as it turned: dwell per stage, regressions, skips, stalls and momentum.

Everything is read from an engagement's dated stage history (`Engagement.stage_history`):

- a **visit** is a stay in one stage of one cycle, from entering it to entering the next;
  its dwell is that span in days (fractions kept); the current visit runs until ``now``;
- a **regression** is a backward move within a cycle (Value Recognition → Awareness Building
  starts the next cycle and is not one); a **skip** is a forward move past stages;
- an engagement is **stalled** when its current dwell is above the limit for its stage
  (``flywheel.stall_after_days_by_stage``, else ``flywheel.stall_after_days``);
- a **cycle is complete** when the next cycle's first stage is entered; its length runs from
  its first transition to that moment. A first cycle whose known history starts past
  Awareness Building has no known start and is not measured;
- a service's **momentum** is the median length of its engagements' completed cycles.

An engagement with no history has a stage but unknown dwell (None), and is never stalled.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flywheel_sync.domain import Engagement, FlywheelStage, StageTransition
from flywheel_sync.engine.periods import DAY_SECONDS
from flywheel_sync.settings.thresholds import FlywheelSettingsSection

__all__ = [
    "CompletedCycle",
    "EngagementFlow",
    "Regression",
    "ServiceMomentum",
    "SkippedStage",
    "StageVisit",
    "analyse_engagement",
    "median_cycle_days",
    "service_momentum",
    "stall_limit",
]


@dataclass(frozen=True, kw_only=True, slots=True)
class StageVisit:
    """A stay in one stage of one cycle; ``left_at`` is None for the current stage."""

    stage: FlywheelStage
    cycle: int
    entered_at: datetime
    left_at: datetime | None
    dwell_days: float


@dataclass(frozen=True, kw_only=True, slots=True)
class Regression:
    """A backward move within a cycle."""

    cycle: int
    from_stage: FlywheelStage
    to_stage: FlywheelStage
    at: datetime
    source_ref: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class SkippedStage:
    """A stage a forward move jumped over."""

    cycle: int
    stage: FlywheelStage
    at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class CompletedCycle:
    """A full turn of the flywheel, from its first stage to the next cycle's first."""

    cycle: int
    started_at: datetime
    completed_at: datetime

    @property
    def days(self) -> float:
        """Its length in days."""
        return (self.completed_at - self.started_at).total_seconds() / DAY_SECONDS


@dataclass(frozen=True, kw_only=True, slots=True)
class EngagementFlow:
    """One engagement's way around the flywheel, as of ``now``."""

    engagement_id: str
    customer_id: str
    service_id: str
    stage: FlywheelStage
    cycle: int
    entered_at: datetime | None
    dwell_days: float | None
    stall_limit_days: int
    visits: tuple[StageVisit, ...]
    regressions: tuple[Regression, ...]
    skipped: tuple[SkippedStage, ...]
    completed_cycles: tuple[CompletedCycle, ...]

    @property
    def stalled(self) -> bool:
        """Whether the current stage has lasted longer than its limit (False when unknown)."""
        return self.dwell_days is not None and self.dwell_days > self.stall_limit_days


@dataclass(frozen=True, kw_only=True, slots=True)
class ServiceMomentum:
    """How fast a service's engagements turn the flywheel."""

    service_id: str
    median_cycle_days: float | None
    completed_cycles: int


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / DAY_SECONDS


def _visits(history: tuple[StageTransition, ...], now: datetime) -> tuple[StageVisit, ...]:
    ends: list[datetime | None] = [later.entered_at for later in history[1:]]
    if history:
        ends.append(None)
    return tuple(
        StageVisit(
            stage=step.stage,
            cycle=step.cycle,
            entered_at=step.entered_at,
            left_at=left,
            dwell_days=_days(step.entered_at, left or now),
        )
        for step, left in zip(history, ends, strict=True)
    )


def _regressions(history: tuple[StageTransition, ...]) -> tuple[Regression, ...]:
    return tuple(
        Regression(
            cycle=later.cycle,
            from_stage=earlier.stage,
            to_stage=later.stage,
            at=later.entered_at,
            source_ref=later.source_ref,
        )
        for earlier, later in itertools.pairwise(history)
        if later.cycle == earlier.cycle and later.stage < earlier.stage
    )


def _skipped(history: tuple[StageTransition, ...]) -> tuple[SkippedStage, ...]:
    stages = tuple(FlywheelStage)
    return tuple(
        SkippedStage(cycle=later.cycle, stage=stages[number - 1], at=later.entered_at)
        for earlier, later in itertools.pairwise(history)
        if later.cycle == earlier.cycle
        for number in range(earlier.stage.number + 1, later.stage.number)
    )


def _completed(history: tuple[StageTransition, ...]) -> tuple[CompletedCycle, ...]:
    starts: dict[int, StageTransition] = {}
    for step in history:
        starts.setdefault(step.cycle, step)
    return tuple(
        CompletedCycle(cycle=cycle, started_at=first.entered_at, completed_at=following.entered_at)
        for cycle, first in starts.items()
        if (following := starts.get(cycle + 1)) is not None
        and first.stage is FlywheelStage.AWARENESS_BUILDING
    )


def stall_limit(stage: FlywheelStage, settings: FlywheelSettingsSection) -> int:
    """Days an engagement may stay in ``stage`` before it counts as stalled."""
    return settings.stall_after_days_by_stage.get(stage, settings.stall_after_days)


def analyse_engagement(
    engagement: Engagement, settings: FlywheelSettingsSection, *, now: datetime
) -> EngagementFlow:
    """The flow of one engagement as of ``now`` (aware)."""
    history = engagement.stage_history
    entered = engagement.entered_current_stage_at
    return EngagementFlow(
        engagement_id=engagement.id,
        customer_id=engagement.customer_id,
        service_id=engagement.service_id,
        stage=engagement.current_stage,
        cycle=engagement.cycle,
        entered_at=entered,
        dwell_days=None if entered is None else _days(entered, now),
        stall_limit_days=stall_limit(engagement.current_stage, settings),
        visits=_visits(history, now),
        regressions=_regressions(history),
        skipped=_skipped(history),
        completed_cycles=_completed(history),
    )


def median_cycle_days(flows: Iterable[EngagementFlow]) -> tuple[float | None, int]:
    """The median length of the completed cycles of ``flows`` (None without any), and how many."""
    lengths = [cycle.days for flow in flows for cycle in flow.completed_cycles]
    return (statistics.median(lengths) if lengths else None), len(lengths)


def service_momentum(
    service_ids: Iterable[str], flows: Iterable[EngagementFlow]
) -> Mapping[str, ServiceMomentum]:
    """Each service's momentum, by service id (every id given, measured or not)."""
    by_service: dict[str, list[EngagementFlow]] = {}
    for flow in flows:
        by_service.setdefault(flow.service_id, []).append(flow)
    momentum: dict[str, ServiceMomentum] = {}
    for service_id in service_ids:
        median, count = median_cycle_days(by_service.get(service_id, ()))
        momentum[service_id] = ServiceMomentum(
            service_id=service_id, median_cycle_days=median, completed_cycles=count
        )
    return momentum
