"""One plan over every enabled push target: desired state against the tools' current state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flywheel_sync.push.changes import Plan
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
) -> Plan:
    """The writes that would make the tools show the desired state, with conflicts and notes.

    Targets that are off, or whose values the tool owns (``authority: tool``), plan nothing.

    Args:
        context: What to plan from.
        pages: Reads the pages of a Confluence connection (they are read live, not pulled).
        jira_is_cloud: Whether a Jira connection is Cloud (comments in ADF) or Data Center.
        project_labels: Reads a Project connection's labels (read live, not pulled).
    """
    builder = PlanBuilder(context)
    push = context.push
    stage, checklists, summaries = (
        push.flywheel_stage,
        push.onboarding_checklists,
        push.kpi_summaries,
    )
    steps: list[tuple[Any, Callable[[Any], None]]] = [
        (stage.jira, lambda t: plan_jira_stages(builder, t)),
        (stage.planner, lambda t: plan_planner_stages(builder, t)),
        (stage.project, lambda t: plan_project_stages(builder, t, project_labels)),
        (checklists.jira, lambda t: plan_jira_checklists(builder, t)),
        (checklists.planner, lambda t: plan_planner_checklists(builder, t)),
        (checklists.project, lambda t: plan_project_checklists(builder, t)),
        (summaries.confluence, lambda t: plan_confluence_pages(builder, t, pages(t.source))),
        (summaries.teams, lambda t: plan_teams_cards(builder, t)),
        (
            summaries.jira_comment,
            lambda t: plan_jira_comments(builder, t, adf=jira_is_cloud(t.source)),
        ),
        (summaries.project, lambda t: plan_project_summaries(builder, t)),
    ]
    for target, plan_target in steps:
        if target is not None and context.writes(target):
            plan_target(target)
    return builder.plan()
