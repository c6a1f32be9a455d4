"""The engine's one entry point: every analysis of a portfolio, as of one moment.

``compute(portfolio, mapping, now=...)`` runs the flywheel analysis, the customer experience
rule, every KPI for every scope and the diagnosis, and returns them in one `EngineResult`
that the CLI prints and the push reads (``measurements_for``, ``reading``, ``flow``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flywheel_sync.domain import KPIMeasurement, MeasurementScope, Need, ScopeKind, Symptom
from flywheel_sync.engine.diagnosis import diagnose
from flywheel_sync.engine.experience import ExperienceVerdict, customer_experience
from flywheel_sync.engine.facts import WorkFacts, facts_of
from flywheel_sync.engine.flywheel import (
    EngagementFlow,
    ServiceMomentum,
    analyse_engagement,
    service_momentum,
)
from flywheel_sync.engine.kpis import KPIReading, measure_scopes, scopes
from flywheel_sync.engine.needs import propose_needs
from flywheel_sync.engine.portfolio import Portfolio
from flywheel_sync.settings.mapping import MappingFile

__all__ = ["EngineResult", "SeriesKey", "compute", "diagnose_portfolio", "work_by_customer"]

SeriesKey = tuple[str, ScopeKind, str | None]
"""``(kpi id, scope kind, scope id)``; the portfolio's scope id is None."""


@dataclass(frozen=True, kw_only=True, slots=True)
class EngineResult:
    """Everything the engine found, as of ``now``.

    Attributes:
        flywheel: Each engagement's flow, by engagement id.
        momentum: Each service's momentum, by service id.
        experience: Each customer's experience stage and its reason, by customer id.
        kpis: Every KPI of every scope, measured or not (value None: no data).
        symptoms: Detected symptoms, customer by customer.
        proposed_needs: One proposed need per customer with symptoms.
    """

    now: datetime
    flywheel: Mapping[str, EngagementFlow]
    momentum: Mapping[str, ServiceMomentum]
    experience: Mapping[str, ExperienceVerdict]
    kpis: tuple[KPIReading, ...]
    symptoms: tuple[Symptom, ...]
    proposed_needs: tuple[Need, ...]

    @property
    def measurements(self) -> tuple[KPIMeasurement, ...]:
        """The domain measurements of every KPI reading that had data."""
        return tuple(m for reading in self.kpis if (m := reading.measurement) is not None)

    @property
    def series(self) -> Mapping[SeriesKey, tuple[tuple[datetime, float | None], ...]]:
        """For charts: each KPI and scope's ``(period start, value)``, oldest first."""
        return {
            (r.kpi.id, r.scope.kind, r.scope.id): tuple(
                (point.period.start, point.value) for point in r.series
            )
            for r in self.kpis
        }

    def readings_for(self, scope_kind: ScopeKind, scope_id: str | None = None) -> list[KPIReading]:
        """The KPI readings of one scope (measured or not), in KPI order."""
        scope = MeasurementScope(kind=scope_kind, id=scope_id)
        return [reading for reading in self.kpis if reading.scope == scope]

    def measurements_for(
        self, scope_kind: ScopeKind, scope_id: str | None = None
    ) -> list[KPIMeasurement]:
        """The measurements of one scope (KPIs without data left out), in KPI order."""
        readings = self.readings_for(scope_kind, scope_id)
        return [m for reading in readings if (m := reading.measurement) is not None]

    def reading(
        self, kpi_id: str, scope_kind: ScopeKind, scope_id: str | None = None
    ) -> KPIReading | None:
        """One KPI's reading for one scope, if that scope measures that KPI."""
        for reading in self.readings_for(scope_kind, scope_id):
            if reading.kpi.id == kpi_id:
                return reading
        return None

    def symptoms_of(self, customer_id: str) -> list[Symptom]:
        """The symptoms detected for one customer."""
        return [symptom for symptom in self.symptoms if symptom.customer_id == customer_id]


def work_by_customer(
    portfolio: Portfolio, work: tuple[WorkFacts, ...]
) -> dict[str, tuple[WorkFacts, ...]]:
    """Each customer's work items (customers in portfolio order; unattributed work left out)."""
    grouped: dict[str, list[WorkFacts]] = {customer_id: [] for customer_id in portfolio.customers}
    for facts in work:
        customer_id = facts.item.customer_id
        if customer_id is not None:
            grouped.setdefault(customer_id, []).append(facts)
    return {customer_id: tuple(found) for customer_id, found in grouped.items()}


def _check_aware(now: datetime) -> None:
    if now.utcoffset() is None:
        raise ValueError(f"the engine needs an aware 'now', got the naive {now.isoformat()}")


def _diagnosis(
    portfolio: Portfolio, work: tuple[WorkFacts, ...], mapping: MappingFile, now: datetime
) -> tuple[tuple[Symptom, ...], tuple[Need, ...]]:
    symptoms = diagnose(work_by_customer(portfolio, work), mapping.diagnosis, now=now)
    needs = propose_needs(
        symptoms,
        customers=portfolio.customers,
        services=portfolio.services,
        engagements=portfolio.engagements.values(),
        reported=portfolio.reported_symptoms,
    )
    return symptoms, needs


def diagnose_portfolio(
    portfolio: Portfolio, mapping: MappingFile, *, now: datetime
) -> tuple[tuple[Symptom, ...], tuple[Need, ...]]:
    """Only the diagnosis of `compute`: the symptoms and the proposed needs.

    Raises:
        ValueError: ``now`` is naive.
    """
    _check_aware(now)
    work = tuple(facts_of(item, now=now) for item in portfolio.work_items)
    return _diagnosis(portfolio, work, mapping, now)


def compute(portfolio: Portfolio, mapping: MappingFile, *, now: datetime) -> EngineResult:
    """Analyse ``portfolio`` with the settings of ``mapping``, as of ``now``.

    Raises:
        ValueError: ``now`` is naive.
    """
    _check_aware(now)
    flows = {
        engagement_id: analyse_engagement(engagement, mapping.flywheel, now=now)
        for engagement_id, engagement in portfolio.engagements.items()
    }
    engagements = list(portfolio.engagements.values())
    work = tuple(facts_of(item, now=now) for item in portfolio.work_items)
    symptoms, needs = _diagnosis(portfolio, work, mapping, now)
    readings = measure_scopes(
        scopes(
            customer_ids=portfolio.customers,
            service_ids=portfolio.services,
            work=work,
            flows=tuple(flows.values()),
            checklists=portfolio.checklists.values(),
        ),
        mapping.kpis,
        service_kpis={service.id: service.kpi_ids for service in portfolio.services.values()},
        now=now,
    )
    return EngineResult(
        now=now,
        flywheel=flows,
        momentum=service_momentum(portfolio.services, flows.values()),
        experience={
            customer.id: customer_experience(
                customer,
                [e for e in engagements if e.customer_id == customer.id],
                mapping.experience,
            )
            for customer in portfolio.customers.values()
        },
        kpis=readings,
        symptoms=symptoms,
        proposed_needs=needs,
    )
