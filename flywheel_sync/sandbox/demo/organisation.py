"""The seeded demo organisation: Northwind Utilities' Enterprise PMO in every tool, plus its truth.

`build_demo_organisation` is pure and deterministic: the same ``(seed, scale, now)`` gives the
same organisation, byte for byte. The PMO story (customers, services, engagements, their stage
histories, needs, onboarding, Planner tasks, story messages) depends only on ``now``; ``seed``
and ``scale`` shape the delivery work, the chatter and the Project schedules.
"""

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass

from flywheel_sync.sandbox.demo.catalogue import CUSTOMERS
from flywheel_sync.sandbox.demo.confluence import ConfluenceSite, write_confluence
from flywheel_sync.sandbox.demo.dataverse import DataverseProjects, write_projects
from flywheel_sync.sandbox.demo.dataverse_engagements import write_engagement_project
from flywheel_sync.sandbox.demo.delivery_issues import DeliveryProject, write_delivery_project
from flywheel_sync.sandbox.demo.delivery_profiles import PROFILES
from flywheel_sync.sandbox.demo.engagements import CUSTOMER_CONTACTS, ENGAGEMENTS
from flywheel_sync.sandbox.demo.identifiers import guid
from flywheel_sync.sandbox.demo.jira_assembly import assemble_site
from flywheel_sync.sandbox.demo.jira_changes import Changes
from flywheel_sync.sandbox.demo.jira_model import JiraIssue, JiraSite, JsonObject
from flywheel_sync.sandbox.demo.jira_schema import PMO_PROJECT_KEY, JiraSchema
from flywheel_sync.sandbox.demo.people import DemoPerson, Directory, named_cast
from flywheel_sync.sandbox.demo.planner import PlannerTenant, write_planner
from flywheel_sync.sandbox.demo.planner_actions import with_action_plans
from flywheel_sync.sandbox.demo.pmo_issues import write_pmo_project
from flywheel_sync.sandbox.demo.pmo_story import plan_engagement
from flywheel_sync.sandbox.demo.teams import TeamsTenant, write_teams
from flywheel_sync.sandbox.demo.timeline import story_stream, to_datetime, utc_anchor
from flywheel_sync.sandbox.demo.truth import DemoTruth
from flywheel_sync.sandbox.demo.truth_recording import record_truth
from flywheel_sync.sandbox.demo.volume import DemoVolume

__all__ = ["MAX_SCALE", "DemoOrganisation", "build_demo_organisation"]

MAX_SCALE = 100.0
GROUP_ID = guid("group/enterprise-pmo")
TENANT_ID = guid("tenant/northwind")


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoOrganisation:
    """Northwind's data in every tool the sandbox emulates, and the truth behind it.

    Attributes:
        people: Everyone, each with a Jira account and an Entra user.
        group_id: The Microsoft 365 group that holds the plans and backs the team.
        tenant_id: The Entra tenant id.
    """

    seed: int
    scale: float
    now: dt.datetime
    tenant_id: str
    group_id: str
    people: tuple[DemoPerson, ...]
    jira: JiraSite
    confluence: ConfluenceSite
    planner: PlannerTenant
    teams: TeamsTenant
    project: DataverseProjects
    truth: DemoTruth

    @property
    def jira_issue_count(self) -> int:
        """Issues on the Jira site."""
        return len(self.jira.issues)

    @property
    def delivery_issue_count(self) -> int:
        """Issues in the delivery projects (everything outside PMO)."""
        return sum(1 for issue in self.jira.issues if not issue.key.startswith("PMO-"))

    @property
    def changelog_count(self) -> int:
        """Changelog histories across all issues."""
        return sum(len(issue.changelog) for issue in self.jira.issues)

    @property
    def teams_message_count(self) -> int:
        """Root messages and replies across all channels."""
        roots = sum(len(found) for found in self.teams.messages.values())
        return roots + sum(len(found) for found in self.teams.replies.values())

    @property
    def project_task_count(self) -> int:
        """Dataverse project tasks: schedules' (summary tasks included) and engagements'."""
        return len(self.project.tasks)

    def issue(self, key_or_id: str) -> JiraIssue | None:
        """The Jira issue with this key or numeric id, or None."""
        return self.jira.issue(key_or_id)

    def issues_in_creation_order(self) -> Iterator[JiraIssue]:
        """Every Jira issue, oldest first (ascending id)."""
        return iter(self.jira.issues)

    def graph_users(self) -> list[JsonObject]:
        """Everyone as Graph ``/users`` returns them."""
        return [person.graph_user() for person in self.people]


def _check(scale: float) -> None:
    if not math.isfinite(scale) or not 0 < scale <= MAX_SCALE:
        raise ValueError(f"scale must be above 0 and at most {MAX_SCALE:g}, got {scale!r}")


def _delivery(
    *, seed: int, scale: float, now: int, changes: Changes, people: Directory
) -> tuple[DeliveryProject, ...]:
    return tuple(
        write_delivery_project(
            profile,
            board_id=number,
            scale=scale,
            seed=seed,
            now=now,
            changes=changes,
            people=people,
        )
        for number, profile in enumerate(PROFILES, start=1)
    )


def build_demo_organisation(
    *, seed: int = 1, scale: float = 1.0, now: dt.datetime, volume: DemoVolume | None = None
) -> DemoOrganisation:
    """Build Northwind Utilities' Enterprise PMO as of ``now``.

    Args:
        seed: Varies the delivery work, chatter and schedules; the PMO story stays the same.
        scale: Multiplies delivery issues, chatter and Project tasks (1 ≈ 3,400 Jira issues,
            30 ≈ 100,000); customers, services and engagements never scale.
        now: Anchors every date: stage changes spread over the 18 months before it, due dates
            fall around it, nothing is later than it.
        volume: Planner action tasks and chatter added per unit of scale, for benchmarks;
            None (or an empty volume) adds nothing. The truth covers the story only.

    Raises:
        ValueError: ``now`` is naive, or ``scale`` is not in (0, 100].
    """
    _check(scale)
    anchor = utc_anchor(now)
    cast = named_cast()
    people = Directory(cast)
    requesters = {c.project_key: cast[CUSTOMER_CONTACTS[c.id][1]] for c in CUSTOMERS}
    schema = JiraSchema(pmo_lead=cast["amara"], project_leads=requesters)
    changes = Changes(schema)
    timing = story_stream("engagements")
    plans = tuple(plan_engagement(script, now=anchor, rng=timing) for script in ENGAGEMENTS)
    pmo = write_pmo_project(
        plans, changes=changes, people=people, now=anchor, rng=story_stream("pmo")
    )
    delivery = _delivery(seed=seed, scale=scale, now=anchor, changes=changes, people=people)
    jira = assemble_site(
        schema,
        projects=[
            (PMO_PROJECT_KEY, pmo.issues()),
            *((p.profile.project_key, list(p.issues)) for p in delivery),
        ],
        parents=pmo.parents,
        people=people.people,
    )
    extra = volume or DemoVolume()
    planner = write_planner(pmo.engagements, group_id=GROUP_ID, people=cast, now=anchor)
    teams, posted = write_teams(
        cast,
        group_id=GROUP_ID,
        tenant_id=TENANT_ID,
        seed=seed,
        scale=scale,
        now=anchor,
        extra_chatter=round(extra.channel_messages * scale),
    )
    served_planner = with_action_plans(
        planner,
        round(extra.planner_tasks * scale),
        group_id=GROUP_ID,
        people=cast,
        seed=seed,
        now=anchor,
    )
    schedules = write_projects(
        seed=seed, scale=scale, now=anchor, managers={"GRID": cast["aisha"], "HRX": cast["olivia"]}
    )
    hosted = write_engagement_project(pmo.engagements, owner=cast["amara"], now=anchor)
    return DemoOrganisation(
        seed=seed,
        scale=scale,
        now=to_datetime(anchor),
        tenant_id=TENANT_ID,
        group_id=GROUP_ID,
        people=people.people,
        jira=jira,
        confluence=write_confluence(cast["amara"], now=anchor),
        planner=served_planner,
        teams=teams,
        project=schedules.plus(hosted.rows),
        truth=record_truth(
            pmo=pmo,
            delivery=delivery,
            planner=planner,
            messages=posted,
            projects=schedules,
            hosted=hosted,
            now=anchor,
        ),
    )
