"""What happens to each delivery issue: its sprint, dates, outcome, blocks and assignee.

Planning runs in passes over compact `WorkPlan` records before any JSON exists, so the planted
shares are exact quotas (chosen with ``random.sample``) rather than coin flips: a symptom is
just as visible at scale 0.5 as at scale 30, and absent projects stay clean.
"""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from flywheel_sync.sandbox.demo.delivery_profiles import DeliveryProfile, Sprint
from flywheel_sync.sandbox.demo.people import DemoPerson
from flywheel_sync.sandbox.demo.timeline import DAY, HOUR, working_time

__all__ = ["Hire", "WorkPlan", "plan_work", "staff_work"]

Hire = Callable[[int], tuple[DemoPerson, ...]]
"""Staffs a team of the given size (see `Directory.staff`)."""

_BACKLOG_SHARE = 0.08
_FUTURE_SHARE = 0.04
_DUE_OFFSETS = (4, 7, 8, 9, 10, 11)  # Friday of week one, Monday-Friday of week two
_MAX_REGULAR_LOAD = 5


@dataclass(slots=True)
class WorkPlan:
    """One delivery issue before it is written.

    ``steps`` are the statuses it moves through after "To Do" (the last is its status now);
    ``end`` is when the last step happened (its resolution when done, else ``now``).
    """

    sprint: Sprint | None
    created: int = 0
    due: int | None = None
    added: bool = False
    late: bool = False
    steps: list[str] = field(default_factory=list)
    end: int = 0
    flagged: bool = False
    assignee: DemoPerson | None = None

    @property
    def status(self) -> str:
        """The status the issue is in now."""
        return self.steps[-1] if self.steps else "To Do"

    @property
    def done(self) -> bool:
        """Whether the issue is resolved."""
        return self.status == "Done"

    def start_of_work(self) -> int:
        """The earliest moment work could start: sprint start or creation, whichever is later."""
        if self.sprint is not None and self.created < self.sprint.start < self.end:
            return self.sprint.start
        return self.created


def _between(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * max(0, high - low))


def _place(rng: random.Random, sprints: tuple[Sprint, ...]) -> Sprint | None:
    draw = rng.random()
    if draw < _BACKLOG_SHARE:
        return None
    if draw < _BACKLOG_SHARE + _FUTURE_SHARE:
        return sprints[-1]
    return sprints[rng.randrange(len(sprints) - 1)]


def _quota(rng: random.Random, candidates: list[WorkPlan], count: int) -> list[WorkPlan]:
    return rng.sample(candidates, min(count, len(candidates)))


def _date(plan: WorkPlan, rng: random.Random, now: int) -> None:
    sprint = plan.sprint
    if sprint is None:
        plan.created = working_time(now - _between(rng, DAY, 365 * DAY), rng)
        return
    if plan.added:
        plan.created = _between(rng, sprint.start + HOUR, min(sprint.start + 3 * DAY, now - HOUR))
    else:
        # Refined in the backlog before the sprint began, and never after now (future sprints).
        latest = min(sprint.start - 2 * DAY, now - HOUR)
        plan.created = working_time(latest - _between(rng, 0, 58 * DAY), rng)
    sprint_day = sprint.start - sprint.start % DAY
    plan.due = sprint_day + rng.choice(_DUE_OFFSETS) * DAY


def _finish(plan: WorkPlan, rng: random.Random, *, at: int, review: float = 0.3) -> None:
    plan.steps = (
        ["In Progress", "In Review", "Done"]
        if rng.random() < review
        else [
            "In Progress",
            "Done",
        ]
    )
    plan.end = at


def _leave_open(plan: WorkPlan, rng: random.Random, now: int, started: float) -> None:
    plan.steps = []
    if rng.random() < started:
        plan.steps = ["In Progress", "In Review"] if rng.random() < 0.2 else ["In Progress"]
    plan.end = now


def _outcome(plan: WorkPlan, rng: random.Random, now: int) -> None:
    """Decide whether and when the issue was resolved, honouring its ``late`` flag."""
    due = plan.due
    if due is None or plan.sprint is None or plan.sprint.start > now:
        _leave_open(plan, rng, now, started=0.0)
        return
    due_end = due + DAY - 1
    if plan.late:
        if due_end + DAY < now - HOUR and rng.random() < 0.5:
            _finish(plan, rng, at=_between(rng, due_end + DAY, min(due_end + 20 * DAY, now - HOUR)))
        else:
            _leave_open(plan, rng, now, started=0.7)
    elif due_end < now:
        low = plan.created + HOUR
        _finish(plan, rng, at=_between(rng, low + (due_end - low) // 3, due_end))
    else:
        draw = rng.random()
        if draw < 0.4:
            _finish(plan, rng, at=_between(rng, plan.created + HOUR, now - HOUR))
        else:
            _leave_open(plan, rng, now, started=0.6)


def _block(plan: WorkPlan, rng: random.Random, *, now: int) -> None:
    """Make an open issue blocked: status Blocked, or flagged "Impediment" while in progress."""
    plan.steps = ["In Progress"]
    plan.end = now
    if rng.random() < 0.5:
        plan.steps.append("Blocked")
    else:
        plan.flagged = True


def plan_work(
    profile: DeliveryProfile,
    sprints: tuple[Sprint, ...],
    *,
    count: int,
    now: int,
    rng: random.Random,
) -> list[WorkPlan]:
    """Plan ``count`` issues of a project: placement, dates, late and added quotas, outcomes."""
    plans = [WorkPlan(sprint=_place(rng, sprints)) for _ in range(count)]
    started = [p for p in plans if p.sprint is not None and p.sprint.start < now - 2 * HOUR]
    for plan in _quota(rng, started, round(profile.added_share * len(started))):
        plan.added = True
    for plan in plans:
        _date(plan, rng, now)
    today = now - now % DAY
    with_due = [p for p in plans if p.due is not None]
    past_due = [p for p in with_due if p.due is not None and p.due < today]
    for plan in _quota(rng, past_due, round(profile.late_share * len(with_due))):
        plan.late = True
    for plan in plans:
        _outcome(plan, rng, now)
    open_plans = [p for p in plans if not p.done]
    for plan in _quota(rng, open_plans, round(profile.blocked_share * len(open_plans))):
        _block(plan, rng, now=now)
    for plan in plans:
        if plan.done and rng.random() < profile.blocked_history_share:
            plan.steps[1:1] = ["Blocked", "In Progress"]
    return plans


def _load_order(plan: WorkPlan, now: int) -> int:
    """Overloaded people get in-sprint work first, then backlog, then next sprint's."""
    if plan.sprint is None:
        return 1
    return 2 if plan.sprint.start > now else 0


def staff_work(
    plans: list[WorkPlan],
    overloaded: tuple[tuple[DemoPerson, int], ...],
    hire: Hire,
    *,
    now: int,
    rng: random.Random,
) -> tuple[DemoPerson, ...]:
    """Assign the issues; returns the team hired for them.

    Each overloaded person gets exactly their count of open issues, all in progress; the
    regular team is sized so nobody else carries more than five open issues. Some open To Do
    issues stay unassigned; done issues go to anyone.
    """
    open_plans = [p for p in plans if not p.done]
    rng.shuffle(open_plans)
    open_plans.sort(key=lambda plan: _load_order(plan, now))
    cursor = 0
    for person, count in overloaded:
        for plan in open_plans[cursor : cursor + count]:
            plan.assignee = person
            if not plan.steps:
                plan.steps = ["In Progress"]
        cursor += count
    rest = [p for p in open_plans[cursor:] if p.steps or rng.random() >= 0.15]
    team = hire(max(4, math.ceil(len(rest) / _MAX_REGULAR_LOAD)))
    for n, plan in enumerate(rest):
        plan.assignee = team[n % len(team)]
    everyone = team + tuple(person for person, _ in overloaded)
    for plan in plans:
        if plan.done:
            plan.assignee = rng.choice(everyone)
    return team
