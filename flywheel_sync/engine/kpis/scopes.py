"""What each KPI scope holds: its work items, engagements and onboarding checklists.

- **portfolio**: everything.
- **customer**: its work items, its engagements and their checklists.
- **service**: the work items of every customer engaged with it (in any stage: the service
  is meant to change that delivery), its engagements and their checklists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flywheel_sync.domain import MeasurementScope, OnboardingChecklist, ScopeKind
from flywheel_sync.engine.facts import WorkFacts
from flywheel_sync.engine.flywheel import EngagementFlow

__all__ = ["PORTFOLIO", "ScopeData", "scopes"]

PORTFOLIO = MeasurementScope(kind=ScopeKind.PORTFOLIO)


@dataclass(frozen=True, kw_only=True, slots=True)
class ScopeData:
    """The evidence one scope's KPIs are computed from.

    ``checklists`` hold each engagement's onboarding checklists (one per tool keeping one).
    """

    scope: MeasurementScope
    work: tuple[WorkFacts, ...]
    flows: tuple[EngagementFlow, ...]
    checklists: Mapping[str, tuple[OnboardingChecklist, ...]]


def _checklists(
    flows: Iterable[EngagementFlow],
    every: Mapping[str, tuple[OnboardingChecklist, ...]],
) -> dict[str, tuple[OnboardingChecklist, ...]]:
    return {
        flow.engagement_id: every[flow.engagement_id]
        for flow in flows
        if flow.engagement_id in every
    }


def scopes(
    *,
    customer_ids: Iterable[str],
    service_ids: Iterable[str],
    work: tuple[WorkFacts, ...],
    flows: tuple[EngagementFlow, ...],
    checklists: Iterable[OnboardingChecklist],
) -> tuple[ScopeData, ...]:
    """The portfolio scope, then one per customer, then one per service, in the order given."""
    by_engagement: dict[str, list[OnboardingChecklist]] = {}
    for checklist in checklists:
        by_engagement.setdefault(checklist.engagement_id, []).append(checklist)
    every = {key: tuple(found) for key, found in by_engagement.items()}
    found = [ScopeData(scope=PORTFOLIO, work=work, flows=flows, checklists=every)]
    for customer_id in customer_ids:
        own = tuple(flow for flow in flows if flow.customer_id == customer_id)
        found.append(
            ScopeData(
                scope=MeasurementScope(kind=ScopeKind.CUSTOMER, id=customer_id),
                work=tuple(facts for facts in work if facts.item.customer_id == customer_id),
                flows=own,
                checklists=_checklists(own, every),
            )
        )
    for service_id in service_ids:
        own = tuple(flow for flow in flows if flow.service_id == service_id)
        customers = {flow.customer_id for flow in own}
        found.append(
            ScopeData(
                scope=MeasurementScope(kind=ScopeKind.SERVICE, id=service_id),
                work=tuple(facts for facts in work if facts.item.customer_id in customers),
                flows=own,
                checklists=_checklists(own, every),
            )
        )
    return tuple(found)
