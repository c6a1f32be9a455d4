"""The delivery projects' issues (GRID, DIGI, FIN, HRX, REG, CSV), written from their plans.

Each issue's changelog replays its plan in time order: status moves (To Do → In Progress →
[Blocked → In Progress] → [In Review] → Done), priority changes, an "Impediment" flag. The
volume is ``round(base_issues * scale)`` per project; people are hired so the workload per
person stays realistic at any scale.
"""

import random
from dataclasses import dataclass

from flywheel_sync.sandbox.demo.catalogue import customer
from flywheel_sync.sandbox.demo.delivery_profiles import DeliveryProfile, Sprint, sprint_calendar
from flywheel_sync.sandbox.demo.delivery_work import WorkPlan, plan_work, staff_work
from flywheel_sync.sandbox.demo.engagements import CUSTOMER_CONTACTS
from flywheel_sync.sandbox.demo.jira_changes import Changes, IssueStart, Items
from flywheel_sync.sandbox.demo.jira_model import JiraIssue, JsonObject
from flywheel_sync.sandbox.demo.jira_schema import FLAGGED, SPRINT
from flywheel_sync.sandbox.demo.people import DemoPerson, Directory, TeamSpec
from flywheel_sync.sandbox.demo.timeline import DAY, jira_time, stream

__all__ = ["DeliveryProject", "write_delivery_project"]

_TYPES = ("Story",) * 11 + ("Task",) * 5 + ("Bug",) * 4
_PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")
_FIRST_PRIORITY = ("Medium",) * 10 + ("High",) * 5 + ("Low",) * 3 + ("Highest", "Lowest")
# Churned priorities drift upwards: "everything is priority one".
_NEXT_PRIORITY = {
    current: tuple(p for p in _PRIORITIES if p != current)
    + tuple(p for p in ("Highest", "High") if p != current)
    for current in _PRIORITIES
}
_MISSED = "We missed the regulator's deadline on this one; escalated to Regulatory Affairs."

Event = tuple[int, JsonObject | None, Items]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryProject:
    """A delivery project's issues (creation order not yet applied) and who works on them."""

    profile: DeliveryProfile
    issues: tuple[JiraIssue, ...]
    team: tuple[DemoPerson, ...]
    overloaded: tuple[DemoPerson, ...]
    sprints: tuple[Sprint, ...]


class _Writer:
    def __init__(
        self,
        profile: DeliveryProfile,
        *,
        changes: Changes,
        people: Directory,
        team: tuple[DemoPerson, ...],
        rng: random.Random,
    ) -> None:
        self.profile = profile
        self.changes = changes
        self.people = people
        self.team = team
        self.rng = rng
        sponsor, requester = (people.cast[h] for h in CUSTOMER_CONTACTS[profile.customer_id])
        self.lead = people.jira_ref(requester)
        self.priority_setters = tuple(
            people.jira_ref(person) for person in (sponsor, requester, *team[:3])
        )

    def write(self, plan: WorkPlan) -> JiraIssue:
        rng, profile = self.rng, self.profile
        reporter = self.lead if rng.random() < 0.3 else self.people.jira_ref(rng.choice(self.team))
        assignee = self.people.jira_ref(plan.assignee)
        priority = rng.choice(_FIRST_PRIORITY)
        issue = self.changes.create(
            IssueStart(
                project=profile.project_key,
                issue_type=rng.choice(_TYPES),
                summary=rng.choice(profile.work).format(place=rng.choice(profile.places)),
                created=plan.created,
                priority=priority,
                assignee=assignee,
                reporter=reporter,
                due=plan.due,
            ),
            rng.sample(profile.labels, rng.randrange(3)),
            **{SPRINT: None if plan.sprint is None else plan.sprint.field_value, FLAGGED: None},
        )
        actor = assignee or reporter
        events = self._status_events(plan, actor)
        events += self._priority_events(plan, issue, priority, reporter)
        if plan.flagged:
            events.append((self._after(events, plan.end), actor, self.changes.flagged(raised=True)))
            issue.fields[FLAGGED] = [self.changes.schema.option(FLAGGED, "Impediment")]
        events.sort(key=lambda event: event[0])
        for at, author, items in events:
            self.changes.record(issue, author, at, items)
        issue.fields["status"] = self.changes.schema.status(plan.status)
        if plan.done:
            self.changes.resolve(issue, plan.end)
            self._comment_if_missed(plan, issue, actor)
        return issue

    def _after(self, events: list[Event], end: int) -> int:
        last = max((event[0] for event in events), default=end)
        return last + int(self.rng.random() * max(0, end - last))

    def _status_events(self, plan: WorkPlan, actor: JsonObject | None) -> list[Event]:
        if not plan.steps:
            return []
        rng, low, end = self.rng, plan.start_of_work(), plan.end
        span = max(0, end - low)
        moves = len(plan.steps) - 1 if plan.done else len(plan.steps)
        times = sorted(low + int(rng.random() * span) for _ in range(moves))
        if plan.done:
            times.append(end)
        events: list[Event] = []
        before = "To Do"
        for at, after in zip(times, plan.steps, strict=True):
            events.append((at, actor, self.changes.status(before, after)))
            before = after
        return events

    def _priority_events(
        self, plan: WorkPlan, issue: JiraIssue, priority: str, reporter: JsonObject | None
    ) -> list[Event]:
        rng, profile = self.rng, self.profile
        if profile.churn_counts:
            count = rng.choice(profile.churn_counts)
        else:
            count = 1 if rng.random() < profile.churn_share else 0
        span = max(0, plan.end - plan.created)
        events: list[Event] = []
        for at in sorted(plan.created + int(rng.random() * span) for _ in range(count)):
            after = rng.choice(_NEXT_PRIORITY[priority])
            author = rng.choice(self.priority_setters) if profile.churn_counts else reporter
            events.append((at, author, self.changes.priority(priority, after)))
            priority = after
        issue.fields["priority"] = self.changes.schema.priority(priority)
        return events

    def _comment_if_missed(
        self, plan: WorkPlan, issue: JiraIssue, actor: JsonObject | None
    ) -> None:
        if not plan.late or plan.due is None or self.profile.late_share < 0.2:
            return
        if self.rng.random() >= 0.25:
            return
        at = jira_time(plan.due + DAY + int(self.rng.random() * max(0, plan.end - plan.due - DAY)))
        issue.comments.append(
            {"id": "", "author": actor, "body": _MISSED, "created": at, "updated": at}
        )


def write_delivery_project(
    profile: DeliveryProfile,
    *,
    board_id: int,
    scale: float,
    seed: int,
    now: int,
    changes: Changes,
    people: Directory,
) -> DeliveryProject:
    """Plan, staff and write one delivery project's issues."""
    rng = stream(seed, f"delivery/{profile.project_key}")
    sprints = sprint_calendar(profile.project_key, board_id, now=now)
    plans = plan_work(
        profile, sprints, count=max(1, round(profile.base_issues * scale)), now=now, rng=rng
    )
    department = customer(profile.customer_id).name
    overloaded = tuple((people.cast[handle], count) for handle, count in profile.overloaded)
    team = staff_work(
        plans,
        overloaded,
        lambda size: people.staff(
            TeamSpec(department=department, job_title="Delivery team member", size=size)
        ),
        now=now,
        rng=rng,
    )
    writer = _Writer(profile, changes=changes, people=people, team=team, rng=rng)
    return DeliveryProject(
        profile=profile,
        issues=tuple(writer.write(plan) for plan in plans),
        team=team,
        overloaded=tuple(person for person, _ in overloaded),
        sprints=sprints,
    )
