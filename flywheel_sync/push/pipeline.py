"""From the store to a plan: entities → engine → desired state → plan.

The one sequence behind ``plan``, ``apply`` and ``sync``; each command adds only what it does
with the plan (print it, apply it).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from flywheel_sync.engine.compute import EngineResult, compute
from flywheel_sync.engine.desired import DesiredState, desired_state
from flywheel_sync.engine.portfolio import Portfolio
from flywheel_sync.engine.summaries import LinkFor, engagement_comments, kpi_summaries
from flywheel_sync.push.changes import Plan
from flywheel_sync.push.connections import Connections
from flywheel_sync.push.context import PlanContext
from flywheel_sync.push.planning import plan_push
from flywheel_sync.push.state import StoredState
from flywheel_sync.push.targets.summaries import page_link
from flywheel_sync.settings.loading import Configuration
from flywheel_sync.store import Store

__all__ = ["Planned", "make_plan"]


@dataclass(frozen=True, kw_only=True)
class Planned:
    """A plan and what it was made from."""

    portfolio: Portfolio
    result: EngineResult
    desired: DesiredState
    plan: Plan


def _links(configuration: Configuration, connections: Connections) -> LinkFor:
    target = configuration.mapping.push.kpi_summaries.confluence
    if target is None or not target.enabled:
        return lambda title: None
    base = connections.confluence(target.source).base_url
    space = target.space
    return lambda title: page_link(base, space, title)


def make_plan(
    configuration: Configuration,
    store: Store,
    connections: Connections,
    *,
    now: datetime,
    refused: Collection[str] = (),
) -> Planned:
    """Plan the push of the stored entities as of ``now``.

    ``refused`` names the connections whose credentials the run's pull saw refused: their
    targets are left out of the plan (`flywheel_sync.push.planning.plan_push`).

    Raises:
        PortfolioError: The stored entities do not read back (map again: pull).
        ConnectorError: A page could not be read from Confluence.
    """
    mapping = configuration.mapping
    portfolio = Portfolio.from_entities(store.entities.iter_entities())
    result = compute(portfolio, mapping, now=now)
    summaries = kpi_summaries(
        portfolio, result, mapping, link_for=_links(configuration, connections)
    )
    comment_target = mapping.push.kpi_summaries.jira_comment
    comments = (
        engagement_comments(portfolio, summaries, stages=comment_target.on_entering)
        if comment_target is not None and comment_target.enabled
        else ()
    )
    desired = desired_state(
        portfolio,
        experience={customer: verdict.stage for customer, verdict in result.experience.items()},
        summaries=summaries,
        comments=comments,
    )
    context = PlanContext(
        portfolio=portfolio,
        desired=desired,
        push=mapping.push,
        state=StoredState(store.records),
        owned=store.owned,
        now=now,
        rules=mapping.rules,
    )
    plan = plan_push(
        context,
        pages=connections.confluence,
        jira_is_cloud=connections.jira_is_cloud,
        project_labels=connections.project,
        refused=refused,
    )
    return Planned(portfolio=portfolio, result=result, desired=desired, plan=plan)
