"""Desired state: what the tools should show, computed from the Value Ring and the analyses.

The push compares this with what the tools show (`flywheel_sync.push`). Pure: everything it
needs is passed in, and the same inputs always give the same desired state, byte for byte
(rendered summaries included), so an unchanged organisation plans no writes.

- **Stages**: every engagement's current flywheel stage; every customer's experience stage.
- **Onboarding checklists**: the service's template, for engagements in Service Onboarding.
- **KPI summaries** and **stage comments**: see `flywheel_sync.engine.summaries`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flywheel_sync.domain import (
    ChecklistTemplateItem,
    CustomerExperienceStage,
    FlywheelStage,
)
from flywheel_sync.engine.portfolio import Portfolio
from flywheel_sync.report.summary import EngagementComment, KPISummary

__all__ = ["DesiredState", "desired_state"]


@dataclass(frozen=True, kw_only=True)
class DesiredState:
    """What the tools should show.

    Attributes:
        stages: Engagement id → its flywheel stage.
        experience: Customer id → its experience stage (customers without one are absent).
        checklists: Engagement id → the onboarding steps it should have (engagements in
            Service Onboarding whose service has a template).
        summaries: KPI summaries, one per service and customer.
        comments: Stage comments, one per engagement currently in a stage that asks for one.
    """

    stages: Mapping[str, FlywheelStage] = field(default_factory=dict)
    experience: Mapping[str, CustomerExperienceStage] = field(default_factory=dict)
    checklists: Mapping[str, tuple[ChecklistTemplateItem, ...]] = field(default_factory=dict)
    summaries: tuple[KPISummary, ...] = ()
    comments: tuple[EngagementComment, ...] = ()


def desired_state(
    portfolio: Portfolio,
    *,
    experience: Mapping[str, CustomerExperienceStage],
    summaries: tuple[KPISummary, ...] = (),
    comments: tuple[EngagementComment, ...] = (),
) -> DesiredState:
    """The desired state of the tools.

    Args:
        portfolio: The mapped entities.
        experience: Each customer's experience stage as the engine decided it.
        summaries: The KPI summaries to publish.
        comments: The stage comments to post.
    """
    checklists: dict[str, tuple[ChecklistTemplateItem, ...]] = {}
    for engagement in portfolio.engagements.values():
        service = portfolio.services.get(engagement.service_id)
        onboarding = engagement.current_stage is FlywheelStage.SERVICE_ONBOARDING
        if onboarding and service is not None and service.onboarding_template:
            checklists[engagement.id] = service.onboarding_template
    return DesiredState(
        stages={e.id: e.current_stage for e in portfolio.engagements.values()},
        experience=dict(experience),
        checklists=checklists,
        summaries=summaries,
        comments=comments,
    )
