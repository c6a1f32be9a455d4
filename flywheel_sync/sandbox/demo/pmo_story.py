"""When things happened in the PMO story: stage visits, onboarding progress, experience moves.

Pure timing, no tool shapes: `plan_engagement` turns an `EngagementScript` into dated stage
visits and the onboarding checklist of the latest onboarding visit. The story's own random
stream makes the times look human (weekdays, office hours, uneven dwell) but never depends on
the build's seed, so every seed tells the same story.
"""

import random
from dataclasses import dataclass

from flywheel_sync.domain import FlywheelStage
from flywheel_sync.sandbox.demo.catalogue import OnboardingStep, service
from flywheel_sync.sandbox.demo.engagements import EngagementScript
from flywheel_sync.sandbox.demo.timeline import DAY, HOUR, working_time

__all__ = ["ChecklistPlan", "EngagementPlan", "StageVisit", "plan_engagement"]

_ONBOARDING = FlywheelStage.SERVICE_ONBOARDING


@dataclass(frozen=True, slots=True, kw_only=True)
class StageVisit:
    """An engagement entered ``stage`` of ``cycle`` at ``at`` (epoch seconds)."""

    stage: FlywheelStage
    cycle: int
    at: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ChecklistPlan:
    """One onboarding step of the latest onboarding visit; ``done_at`` is None while open."""

    step: OnboardingStep
    created_at: int
    done_at: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class EngagementPlan:
    """An engagement's dated journey."""

    script: EngagementScript
    visits: tuple[StageVisit, ...]
    checklist: tuple[ChecklistPlan, ...]

    @property
    def current(self) -> StageVisit:
        """The visit the engagement is in now."""
        return self.visits[-1]


def _visits(script: EngagementScript, now: int, rng: random.Random) -> tuple[StageVisit, ...]:
    start = now - script.started_days_ago * DAY
    end = now - script.current_days_ago * DAY
    gaps = [rng.uniform(0.6, 1.4) for _ in script.path[1:]]
    total = sum(gaps) or 1.0
    moments = [start]
    elapsed = 0.0
    for gap in gaps:
        elapsed += gap
        moments.append(start + round((end - start) * elapsed / total))
    visits: list[StageVisit] = []
    cycle = 1
    for number, moment in zip(script.path, moments, strict=True):
        stage = tuple(FlywheelStage)[number - 1]
        if visits and FlywheelStage.starts_new_cycle(visits[-1].stage, stage):
            cycle += 1
        at = working_time(moment, rng)
        if visits and at <= visits[-1].at:
            raise ValueError(f"script {script.customer_id}/{script.service_id}: visits too close")
        visits.append(StageVisit(stage=stage, cycle=cycle, at=at))
    return tuple(visits)


def _checklist(
    script: EngagementScript, visits: tuple[StageVisit, ...], now: int, rng: random.Random
) -> tuple[ChecklistPlan, ...]:
    """Steps of the latest onboarding visit; done ones are finished before the visit ended."""
    entered = [n for n, visit in enumerate(visits) if visit.stage is _ONBOARDING]
    if not entered:
        return ()
    latest = entered[-1]
    start = visits[latest].at
    left = visits[latest + 1].at if latest + 1 < len(visits) else now
    steps = service(script.service_id).onboarding
    done = len(steps) if script.onboarding_done is None else script.onboarding_done
    span = left - start - 2 * HOUR
    plans = []
    for n, step in enumerate(steps):
        created = start + (n + 1) * 10 * 60
        done_at = None
        if n < done:
            # Steps finish in order, spread over the visit, each before the visit ended.
            done_at = start + HOUR + round(span * (n + rng.uniform(0.2, 0.9)) / len(steps))
        plans.append(ChecklistPlan(step=step, created_at=created, done_at=done_at))
    return tuple(plans)


def plan_engagement(script: EngagementScript, *, now: int, rng: random.Random) -> EngagementPlan:
    """Date an engagement's journey relative to ``now``.

    Raises:
        ValueError: The script puts two visits on the same moment (a story defect).
    """
    visits = _visits(script, now, rng)
    return EngagementPlan(
        script=script, visits=visits, checklist=_checklist(script, visits, now, rng)
    )
