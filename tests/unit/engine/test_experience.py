"""The Customer Experience stage: configured, or derived from the customer's engagements."""

from __future__ import annotations

import pytest

from flywheel_sync.domain import CustomerExperienceStage, CustomerKind, PMOCustomer
from flywheel_sync.engine import customer_experience
from flywheel_sync.settings.thresholds import ExperienceRule
from tests.unit.engine.builders import at_stage

X = CustomerExperienceStage


def customer(stage: CustomerExperienceStage | None = None) -> PMOCustomer:
    return PMOCustomer(
        id="grid-ops",
        name="Grid Operations",
        kind=CustomerKind.BUSINESS_UNIT,
        experience_stage=stage,
    )


@pytest.mark.parametrize(
    ("stages", "expected"),
    [
        ((), X.EXPLORATION),
        (((1, 1),), X.EXPLORATION),
        (((2, 1),), X.EXPLORATION),
        (((3, 1), (1, 1)), X.DESIGN),
        (((4, 1),), X.DESIGN),
        (((5, 1), (4, 1)), X.DEPLOYMENT),
        (((6, 1),), X.DEPLOYMENT),
        (((7, 1), (5, 1)), X.ENHANCEMENT),
        (((8, 1),), X.ENHANCEMENT),
        (((9, 1),), X.REALIZATION),
        (((10, 1),), X.REALIZATION),
        (((1, 2), (8, 1)), X.REALIZATION),
    ],
    ids=[
        "no-engagements",
        "awareness",
        "needs",
        "value-proposition-leads",
        "development",
        "onboarding-leads",
        "operation",
        "monitoring-leads",
        "improvement",
        "value-delivery",
        "value-recognition",
        "second-cycle-leads",
    ],
)
def test_derived_from_the_most_advanced_engagement(
    stages: tuple[tuple[int, int], ...], expected: CustomerExperienceStage
) -> None:
    engagements = [
        at_stage(f"E-{n}", stage, cycle=cycle) for n, (stage, cycle) in enumerate(stages)
    ]

    verdict = customer_experience(customer(X.DESIGN), engagements, ExperienceRule.DERIVED)

    assert (verdict.stage, verdict.derived) == (expected, True)


def test_the_reason_names_the_deciding_engagement() -> None:
    engagements = [at_stage("E-1", 3), at_stage("E-2", 1, cycle=2, service="benefits")]

    verdict = customer_experience(customer(), engagements, ExperienceRule.DERIVED)

    assert verdict.reason == (
        "derived: its most advanced engagement E-2 (benefits) is in cycle 2, so Realization"
    )


def test_configured_uses_the_customers_own_stage() -> None:
    verdict = customer_experience(
        customer(X.DESIGN), [at_stage("E-1", 9)], ExperienceRule.CONFIGURED
    )

    assert (verdict.stage, verdict.derived) == (X.DESIGN, False)
    assert verdict.reason.startswith("configured: Design")


def test_configured_falls_back_to_derived_when_the_customer_has_no_stage() -> None:
    verdict = customer_experience(customer(None), [at_stage("E-1", 6)], ExperienceRule.CONFIGURED)

    assert (verdict.stage, verdict.derived) == (X.DEPLOYMENT, True)
    assert "E-1" in verdict.reason
    assert "6. Service Operation" in verdict.reason
