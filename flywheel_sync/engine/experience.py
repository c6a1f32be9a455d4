"""Each customer's stage in the Customer Experience Cycle, and why.

``experience: configured`` takes the customer's own stage (read from its tool record, else
the catalogue's ``customers[].experience_stage``) and derives it only when none is given.
``experience: derived`` always derives it from the customer's engagements, by this rule:
each engagement implies a stage, and the most advanced engagement decides.

=============================================================  =====================
engagement                                                     customer stage
=============================================================  =====================
in cycle 2 or later, or at Value Delivery / Value Recognition  Realization
at Service Monitoring / Service Improvement                    Enhancement
at Service Onboarding / Service Operation                      Deployment
at Value Proposition / Service Development                     Design
at Awareness Building / Needs Assessment                       Exploration
=============================================================  =====================

A customer without engagements is in Exploration. (On the demo organisation the rule
reproduces every customer's seeded stage.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flywheel_sync.domain import CustomerExperienceStage, Engagement, FlywheelStage, PMOCustomer
from flywheel_sync.settings.thresholds import ExperienceRule

__all__ = ["ExperienceVerdict", "customer_experience", "implied_stage"]

_BY_FLYWHEEL: Mapping[FlywheelStage, CustomerExperienceStage] = {
    FlywheelStage.AWARENESS_BUILDING: CustomerExperienceStage.EXPLORATION,
    FlywheelStage.NEEDS_ASSESSMENT: CustomerExperienceStage.EXPLORATION,
    FlywheelStage.VALUE_PROPOSITION: CustomerExperienceStage.DESIGN,
    FlywheelStage.SERVICE_DEVELOPMENT: CustomerExperienceStage.DESIGN,
    FlywheelStage.SERVICE_ONBOARDING: CustomerExperienceStage.DEPLOYMENT,
    FlywheelStage.SERVICE_OPERATION: CustomerExperienceStage.DEPLOYMENT,
    FlywheelStage.SERVICE_MONITORING: CustomerExperienceStage.ENHANCEMENT,
    FlywheelStage.SERVICE_IMPROVEMENT: CustomerExperienceStage.ENHANCEMENT,
    FlywheelStage.VALUE_DELIVERY: CustomerExperienceStage.REALIZATION,
    FlywheelStage.VALUE_RECOGNITION: CustomerExperienceStage.REALIZATION,
}


@dataclass(frozen=True, kw_only=True, slots=True)
class ExperienceVerdict:
    """A customer's experience stage, whether it was derived, and the reason in words."""

    customer_id: str
    stage: CustomerExperienceStage
    derived: bool
    reason: str


def implied_stage(engagement: Engagement) -> CustomerExperienceStage:
    """The experience stage one engagement implies for its customer (see the module table)."""
    if engagement.cycle >= 2:
        return CustomerExperienceStage.REALIZATION
    return _BY_FLYWHEEL[engagement.current_stage]


def _derived(customer_id: str, engagements: Iterable[Engagement]) -> ExperienceVerdict:
    ranked = sorted(
        engagements, key=lambda e: (implied_stage(e), e.cycle, e.current_stage, e.id), reverse=True
    )
    if not ranked:
        return ExperienceVerdict(
            customer_id=customer_id,
            stage=CustomerExperienceStage.EXPLORATION,
            derived=True,
            reason="derived: no engagements yet, so Exploration",
        )
    lead = ranked[0]
    stage = implied_stage(lead)
    where = (
        f"is in cycle {lead.cycle}"
        if lead.cycle >= 2
        else f"is at {lead.current_stage.number}. {lead.current_stage.label}"
    )
    return ExperienceVerdict(
        customer_id=customer_id,
        stage=stage,
        derived=True,
        reason=f"derived: its most advanced engagement {lead.id} ({lead.service_id}) {where}, "
        f"so {stage.label}",
    )


def customer_experience(
    customer: PMOCustomer, engagements: Iterable[Engagement], rule: ExperienceRule
) -> ExperienceVerdict:
    """The experience stage of ``customer`` given its engagements, by ``rule``."""
    if rule is ExperienceRule.CONFIGURED and customer.experience_stage is not None:
        return ExperienceVerdict(
            customer_id=customer.id,
            stage=customer.experience_stage,
            derived=False,
            reason=f"configured: {customer.experience_stage.label} "
            "(the customer's record or the catalogue)",
        )
    return _derived(customer.id, engagements)
