"""The PMO project in Jira: customer records, engagement epics, needs and onboarding sub-tasks.

Every stage move of an engagement is a "Flywheel Stage" change in its epic's changelog, every
experience move of a customer a "Customer Experience Stage" change on its Customer issue, so the
fields and their histories always agree with the story's truth.
"""

import itertools
import random
from dataclasses import dataclass

from flywheel_sync.domain import CustomerExperienceStage, FlywheelStage
from flywheel_sync.sandbox.demo.catalogue import CUSTOMERS, DemoCustomer, customer, service
from flywheel_sync.sandbox.demo.engagements import (
    CUSTOMER_CONTACTS,
    SERVICE_OWNERS,
    STANDALONE_NEEDS,
)
from flywheel_sync.sandbox.demo.jira_changes import Changes, IssueStart
from flywheel_sync.sandbox.demo.jira_model import JiraIssue, JsonObject
from flywheel_sync.sandbox.demo.jira_schema import (
    CSAT,
    CUSTOMER_EXPERIENCE_STAGE,
    FLYWHEEL_STAGE,
    PMO_CUSTOMER,
    PMO_PROJECT_KEY,
    PMO_SERVICE,
)
from flywheel_sync.sandbox.demo.people import Directory
from flywheel_sync.sandbox.demo.pmo_story import EngagementPlan
from flywheel_sync.sandbox.demo.timeline import DAY, HOUR, jira_time, working_time

__all__ = ["CustomerIssue", "EngagementIssues", "PmoProject", "write_pmo_project"]

_NEED_REPLY = (
    "Thanks for raising this. Before we propose anything we will look at your data with you "
    "and find the need behind it."
)


@dataclass(frozen=True, slots=True, kw_only=True)
class EngagementIssues:
    """An engagement's issues; ``visit_histories[n]`` shows ``plan.visits[n]`` (None: creation)."""

    plan: EngagementPlan
    epic: JiraIssue
    visit_histories: tuple[JsonObject | None, ...]
    subtasks: tuple[JiraIssue, ...]
    needs: tuple[JiraIssue, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerIssue:
    """A customer's record issue; ``histories[n]`` shows ``entered[n]`` (None: creation)."""

    customer: DemoCustomer
    issue: JiraIssue
    entered: tuple[tuple[CustomerExperienceStage, int], ...]
    histories: tuple[JsonObject | None, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PmoProject:
    """Everything in the PMO project, plus the sub-task → epic links to fill once keys exist."""

    customers: tuple[CustomerIssue, ...]
    engagements: tuple[EngagementIssues, ...]
    standalone_needs: tuple[JiraIssue, ...]
    parents: tuple[tuple[JiraIssue, JiraIssue], ...]

    def issues(self) -> list[JiraIssue]:
        """Every PMO issue (in no particular order)."""
        found = [entry.issue for entry in self.customers]
        for entry in self.engagements:
            found += [entry.epic, *entry.subtasks, *entry.needs]
        return found + list(self.standalone_needs)


class _Writer:
    def __init__(self, changes: Changes, people: Directory, now: int, rng: random.Random) -> None:
        self.changes = changes
        self.schema = changes.schema
        self.people = people
        self.now = now
        self.rng = rng
        self.lead = people.jira_ref(people.cast["amara"])

    def customer_issue(self, entry: DemoCustomer) -> CustomerIssue:
        entered = tuple(
            (stage, working_time(self.now - days * DAY, self.rng))
            for stage, days in entry.experience_path
        )
        option = self.schema.option
        issue = self.changes.create(
            IssueStart(
                project=PMO_PROJECT_KEY,
                issue_type="Customer",
                summary=entry.name,
                created=entered[0][1],
                assignee=self.lead,
                reporter=self.lead,
                description=entry.story,
            ),
            ["pmo-customer"],
            **{
                PMO_CUSTOMER: option(PMO_CUSTOMER, entry.name),
                CUSTOMER_EXPERIENCE_STAGE: option(CUSTOMER_EXPERIENCE_STAGE, entered[0][0].label),
            },
        )
        histories: list[JsonObject | None] = [None]
        for (before, _), (after, at) in itertools.pairwise(entered):
            items = self.changes.select(CUSTOMER_EXPERIENCE_STAGE, before.label, after.label)
            if len(histories) == 1:
                items += self.changes.status("To Do", "In Progress")
                issue.fields["status"] = self.schema.status("In Progress")
            self.changes.record(issue, self.lead, at, items)
            histories.append(issue.changelog[-1])
        issue.fields[CUSTOMER_EXPERIENCE_STAGE] = option(
            CUSTOMER_EXPERIENCE_STAGE, entered[-1][0].label
        )
        return CustomerIssue(
            customer=entry, issue=issue, entered=entered, histories=tuple(histories)
        )

    def epic(self, plan: EngagementPlan) -> tuple[JiraIssue, tuple[JsonObject | None, ...]]:
        script = plan.script
        who, what = customer(script.customer_id), service(script.service_id)
        owner = self.people.jira_ref(self.people.cast[SERVICE_OWNERS[what.id]])
        option = self.schema.option
        first = plan.visits[0]
        issue = self.changes.create(
            IssueStart(
                project=PMO_PROJECT_KEY,
                issue_type="Epic",
                summary=f"{what.name} for {who.name}",
                created=first.at,
                assignee=owner,
                reporter=self.lead,
                description=f"{who.name} and the PMO's {what.name} service. {what.description}",
            ),
            ["pmo-engagement"],
            **{
                FLYWHEEL_STAGE: option(FLYWHEEL_STAGE, first.stage.label),
                PMO_CUSTOMER: option(PMO_CUSTOMER, who.name),
                PMO_SERVICE: option(PMO_SERVICE, what.name),
                CSAT: None,
            },
        )
        histories: list[JsonObject | None] = [None]
        for before, visit in itertools.pairwise(plan.visits):
            items = self.changes.select(FLYWHEEL_STAGE, before.stage.label, visit.stage.label)
            if issue.fields["status"]["name"] == "To Do" and (
                visit.stage >= FlywheelStage.SERVICE_DEVELOPMENT
            ):
                items += self.changes.status("To Do", "In Progress")
                issue.fields["status"] = self.schema.status("In Progress")
            if issue.fields[CSAT] is None and visit.stage is FlywheelStage.SERVICE_MONITORING:
                score = round(self.rng.uniform(3.4, 4.7), 1)
                items += self.changes.number(CSAT, None, score)
                issue.fields[CSAT] = score
            self.changes.record(issue, owner, visit.at, items)
            histories.append(issue.changelog[-1])
        issue.fields[FLYWHEEL_STAGE] = option(FLYWHEEL_STAGE, plan.current.stage.label)
        return issue, tuple(histories)

    def needs(self, plan: EngagementPlan) -> tuple[JiraIssue, ...]:
        script = plan.script
        what = service(script.service_id)
        owner = self.people.jira_ref(self.people.cast[SERVICE_OWNERS[what.id]])
        requester = self.people.cast[CUSTOMER_CONTACTS[script.customer_id][1]]
        assessed = [
            n for n, v in enumerate(plan.visits) if v.stage is FlywheelStage.NEEDS_ASSESSMENT
        ]
        issues = []
        for summary, n in zip(script.needs, assessed, strict=True):
            visit = plan.visits[n]
            issue = self.changes.create(
                IssueStart(
                    project=PMO_PROJECT_KEY,
                    issue_type="Need",
                    summary=summary,
                    created=working_time(visit.at - 2 * DAY, self.rng),
                    assignee=owner,
                    reporter=self.people.jira_ref(requester),
                    description=f"Raised by {requester.display_name}.",
                ),
                ["pmo-need"],
                **{
                    PMO_CUSTOMER: self.schema.option(
                        PMO_CUSTOMER, customer(script.customer_id).name
                    )
                },
            )
            replied = jira_time(visit.at - HOUR)
            issue.comments.append(
                {
                    "id": "",
                    "author": owner,
                    "body": _NEED_REPLY,
                    "created": replied,
                    "updated": replied,
                }
            )
            self.changes.record(issue, owner, visit.at, self.changes.status("To Do", "In Progress"))
            issue.fields["status"] = self.schema.status("In Progress")
            after = plan.visits[n + 1] if n + 1 < len(plan.visits) else None
            if after is not None and after.cycle == visit.cycle:
                items = self.changes.status("In Progress", "Done")
                items += self.changes.select(PMO_SERVICE, None, what.name)
                self.changes.record(issue, owner, after.at, items)
                self.changes.resolve(issue, after.at)
                issue.fields["status"] = self.schema.status("Done")
                issue.fields[PMO_SERVICE] = self.schema.option(PMO_SERVICE, what.name)
            issues.append(issue)
        return tuple(issues)

    def subtasks(self, plan: EngagementPlan) -> tuple[JiraIssue, ...]:
        owner = self.people.jira_ref(self.people.cast[SERVICE_OWNERS[plan.script.service_id]])
        issues = []
        for item in plan.checklist:
            issue = self.changes.create(
                IssueStart(
                    project=PMO_PROJECT_KEY,
                    issue_type="Sub-task",
                    summary=item.step.title,
                    created=item.created_at,
                    assignee=owner,
                    reporter=owner,
                ),
                ["onboarding", f"onboarding-{item.step.key}"],
            )
            if item.done_at is not None:
                self.changes.record(
                    issue, owner, item.done_at, self.changes.status("To Do", "Done")
                )
                self.changes.resolve(issue, item.done_at)
                issue.fields["status"] = self.schema.status("Done")
            issues.append(issue)
        return tuple(issues)

    def standalone_needs(self) -> tuple[JiraIssue, ...]:
        issues = []
        for need in STANDALONE_NEEDS:
            reporter = self.people.cast[need.reporter]
            issues.append(
                self.changes.create(
                    IssueStart(
                        project=PMO_PROJECT_KEY,
                        issue_type="Need",
                        summary=need.summary,
                        created=working_time(self.now - need.raised_days_ago * DAY, self.rng),
                        reporter=self.people.jira_ref(reporter),
                        description=f"Raised by {reporter.display_name}.",
                    ),
                    ["pmo-need"],
                    **{
                        PMO_CUSTOMER: self.schema.option(
                            PMO_CUSTOMER, customer(need.customer_id).name
                        )
                    },
                )
            )
        return tuple(issues)


def write_pmo_project(
    plans: tuple[EngagementPlan, ...],
    *,
    changes: Changes,
    people: Directory,
    now: int,
    rng: random.Random,
) -> PmoProject:
    """Write the PMO project's issues for the dated engagement plans."""
    writer = _Writer(changes, people, now, rng)
    customers = tuple(writer.customer_issue(entry) for entry in CUSTOMERS)
    engagements = []
    parents: list[tuple[JiraIssue, JiraIssue]] = []
    for plan in plans:
        epic, histories = writer.epic(plan)
        subtasks = writer.subtasks(plan)
        parents += [(subtask, epic) for subtask in subtasks]
        engagements.append(
            EngagementIssues(
                plan=plan,
                epic=epic,
                visit_histories=histories,
                subtasks=subtasks,
                needs=writer.needs(plan),
            )
        )
    return PmoProject(
        customers=customers,
        engagements=tuple(engagements),
        standalone_needs=writer.standalone_needs(),
        parents=tuple(parents),
    )
