"""Proposed needs: one per customer with symptoms, with prescriptions and what it said."""

from __future__ import annotations

from flywheel_sync.domain import (
    CustomerKind,
    Evidence,
    PMOCustomer,
    PMOService,
    Symptom,
    SymptomKind,
)
from flywheel_sync.engine import ReportedSymptom, propose_needs
from tests.unit.engine.builders import NOW, at_stage

CUSTOMERS = {
    "reg": PMOCustomer(id="reg", name="Regulatory Affairs", kind=CustomerKind.BUSINESS_UNIT),
    "csv": PMOCustomer(id="csv", name="Customer Service", kind=CustomerKind.BUSINESS_UNIT),
}
SERVICES = {
    "health-checks": PMOService(id="health-checks", name="Project Health Checks"),
    "governance": PMOService(id="governance", name="Portfolio Governance"),
}


def symptom(kind: SymptomKind, customer: str, *prescribed: str) -> Symptom:
    return Symptom(
        kind=kind,
        customer_id=customer,
        detected_at=NOW,
        summary=f"{kind.value} seen",
        evidence=(Evidence(record_refs=("X-1",), metric="m", value=1.0, threshold=0.5),),
        prescribed_service_ids=prescribed,
    )


def message(message_id: str, customer: str | None) -> ReportedSymptom:
    return ReportedSymptom(
        id=message_id, customer_id=customer, text="help", created=NOW, ref=message_id
    )


def test_one_need_per_customer_with_its_symptoms_and_prescriptions() -> None:
    symptoms = [
        symptom(SymptomKind.MISSED_DEADLINES, "reg", "health-checks", "governance"),
        symptom(SymptomKind.UNCLEAR_PRIORITIES, "csv", "governance"),
        symptom(SymptomKind.BLOCKED_WORK, "reg", "health-checks"),
    ]

    needs = propose_needs(
        symptoms,
        customers=CUSTOMERS,
        services=SERVICES,
        engagements=[at_stage("E-1", 6, customer="reg", service="health-checks")],
        reported=[message("m-1", "reg"), message("m-2", "csv"), message("m-3", None)],
    )

    reg, csv = needs
    assert (reg.id, reg.customer_id) == ("proposed-reg", "reg")
    assert [s.kind for s in reg.symptoms] == [
        SymptomKind.MISSED_DEADLINES,
        SymptomKind.BLOCKED_WORK,
    ]
    assert reg.prescribed_service_ids == ("health-checks", "governance")
    assert reg.source_refs == ("m-1",)
    assert reg.diagnosis is None
    assert reg.statement == (
        "Regulatory Affairs shows missed deadlines: missed_deadlines seen; "
        "blocked work: blocked_work seen. "
        "Prescribed: Project Health Checks, Portfolio Governance. "
        "Already engaged in: Project Health Checks."
    )
    assert (csv.id, csv.source_refs, csv.prescribed_service_ids) == (
        "proposed-csv",
        ("m-2",),
        ("governance",),
    )
    assert "Already engaged" not in csv.statement


def test_no_symptoms_no_needs() -> None:
    assert propose_needs([], customers=CUSTOMERS, services=SERVICES, engagements=[]) == ()
