"""One plan over every enabled push target: desired state against the tools' current state."""

from __future__ import annotations

from collections.abc import Callable

from flywheel_sync.push.changes import Plan
from flywheel_sync.push.context import PlanBuilder, PlanContext
from flywheel_sync.push.targets.checklists import plan_jira_checklists, plan_planner_checklists
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
) -> Plan:
    """The writes that would make the tools show the desired state, with conflicts and notes.

    Targets that are off, or whose values the tool owns (``authority: tool``), plan nothing.

    Args:
        context: What to plan from.
        pages: Reads the pages of a Confluence connection (they are read live, not pulled).
        jira_is_cloud: Whether a Jira connection is Cloud (comments in ADF) or Data Center.
    """
    builder = PlanBuilder(context)
    stage = context.push.flywheel_stage
    if stage.jira is not None and context.writes(stage.jira):
        plan_jira_stages(builder, stage.jira)
    if stage.planner is not None and context.writes(stage.planner):
        plan_planner_stages(builder, stage.planner)
    checklists = context.push.onboarding_checklists
    if checklists.jira is not None and context.writes(checklists.jira):
        plan_jira_checklists(builder, checklists.jira)
    if checklists.planner is not None and context.writes(checklists.planner):
        plan_planner_checklists(builder, checklists.planner)
    summaries = context.push.kpi_summaries
    if summaries.confluence is not None and context.writes(summaries.confluence):
        plan_confluence_pages(builder, summaries.confluence, pages(summaries.confluence.source))
    if summaries.teams is not None and context.writes(summaries.teams):
        plan_teams_cards(builder, summaries.teams)
    if summaries.jira_comment is not None and context.writes(summaries.jira_comment):
        source = summaries.jira_comment.source
        plan_jira_comments(builder, summaries.jira_comment, adf=jira_is_cloud(source))
    return builder.plan()
