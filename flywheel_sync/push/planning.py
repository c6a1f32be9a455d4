"""One plan over every enabled push target: desired state against the tools' current state."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from connectors.errors import ConnectorError
from flywheel_sync.failures import FailureKind, failure_kind
from flywheel_sync.push.changes import Plan, Unread
from flywheel_sync.push.context import PlanBuilder, PlanContext
from flywheel_sync.push.targets.checklists import plan_jira_checklists, plan_planner_checklists
from flywheel_sync.push.targets.project import (
    LabelReader,
    plan_project_checklists,
    plan_project_stages,
    plan_project_summaries,
)
from flywheel_sync.push.targets.stages import plan_jira_stages, plan_planner_stages
from flywheel_sync.push.targets.summaries import (
    PageReader,
    plan_confluence_pages,
    plan_jira_comments,
    plan_teams_cards,
)

__all__ = ["plan_push"]


def plan_push(
    context: PlanContext,
    *,
    pages: Callable[[str], PageReader],
    jira_is_cloud: Callable[[str], bool],
    project_labels: Callable[[str], LabelReader],
    refused: Collection[str] = (),
) -> Plan:
    """The writes that would make the tools show the desired state, with conflicts and notes.

    Targets that are off, or whose values the tool owns (``authority: tool``), plan nothing.
    A target whose tool cannot be read while planning (Confluence pages and Project labels
    are read live) is left out whole, with its reason in ``Plan.unread``; the others plan.

    Args:
        context: What to plan from.
        pages: Reads the pages of a Confluence connection (they are read live, not pulled).
        jira_is_cloud: Whether a Jira connection is Cloud (comments in ADF) or Data Center.
        project_labels: Reads a Project connection's labels (read live, not pulled).
        refused: Connections whose credentials this run's pull saw refused: their targets
            are left out without asking again (a refusal is not transient).
    """
    builder = PlanBuilder(context)
    push = context.push
    stage, checklists, summaries = (
        push.flywheel_stage,
        push.onboarding_checklists,
        push.kpi_summaries,
    )
    steps: list[tuple[str, Any, Callable[[Any], None]]] = [
        ("flywheel_stage.jira", stage.jira, lambda t: plan_jira_stages(builder, t)),
        ("flywheel_stage.planner", stage.planner, lambda t: plan_planner_stages(builder, t)),
        (
            "flywheel_stage.project",
            stage.project,
            lambda t: plan_project_stages(builder, t, project_labels),
        ),
        (
            "onboarding_checklists.jira",
            checklists.jira,
            lambda t: plan_jira_checklists(builder, t),
        ),
        (
            "onboarding_checklists.planner",
            checklists.planner,
            lambda t: plan_planner_checklists(builder, t),
        ),
        (
            "onboarding_checklists.project",
            checklists.project,
            lambda t: plan_project_checklists(builder, t),
        ),
        (
            "kpi_summaries.confluence",
            summaries.confluence,
            lambda t: plan_confluence_pages(builder, t, pages(t.source)),
        ),
        ("kpi_summaries.teams", summaries.teams, lambda t: plan_teams_cards(builder, t)),
        (
            "kpi_summaries.jira_comment",
            summaries.jira_comment,
            lambda t: plan_jira_comments(builder, t, adf=jira_is_cloud(t.source)),
        ),
        ("kpi_summaries.project", summaries.project, lambda t: plan_project_summaries(builder, t)),
    ]
    for name, target, plan_target in steps:
        if target is None or not context.writes(target):
            continue
        source = getattr(target, "source", None)
        if source in refused:
            reason = f"{source}: the credentials were refused while pulling; not asked again"
            reauthenticate = FailureKind.REAUTHENTICATE.value
            builder.unread.append(Unread(target=name, what_to_do=reauthenticate, reason=reason))
            continue
        mark = builder.mark()
        try:
            plan_target(target)
        except ConnectorError as error:  # a tool read live while planning did not answer
            what_to_do = failure_kind(error).value
            unread = Unread(target=name, what_to_do=what_to_do, reason=str(error))
            builder.rewind(mark, unread)
    return builder.plan()
