"""What the HTML report shows, as plain values: the template's one input.

`portfolio_report` reads the engine's results for one portfolio into the report's sections:
the heading, the Value Ring (customers by services, each engagement's flywheel stage), the
flywheel and experience distributions, the KPI series of the portfolio and of each service,
the dwell per flywheel stage, and the symptoms with their evidence. The values hold tool text
as read; the template escapes it. Only the record links are checked here: a link is kept only
when it is an absolute http(s) URL, made safe to stand in an ``href`` (`escaping.link_url`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flywheel_sync.domain import (
    CustomerExperienceStage,
    FlywheelStage,
    KPIDirection,
    KPIStatus,
    KPITrend,
    ScopeKind,
    SymptomKind,
)
from flywheel_sync.engine import EngineResult, KPIReading, Portfolio
from flywheel_sync.engine.flywheel import stall_limit
from flywheel_sync.engine.kpis import median, percentile
from flywheel_sync.report.escaping import is_http_url, link_url
from flywheel_sync.settings.connections import JiraConnection
from flywheel_sync.settings.mapping import MappingFile

__all__ = [
    "EvidenceRecord",
    "EvidenceView",
    "KPIChart",
    "KPIGroup",
    "NeedView",
    "PortfolioReport",
    "RecordLink",
    "ReportHeading",
    "RingCell",
    "RingRow",
    "SeriesValue",
    "StageCount",
    "StageDwell",
    "StalledEngagement",
    "SymptomView",
    "ValueRing",
    "jira_record_links",
    "portfolio_report",
]

RecordLink = Callable[[str], str | None]
"""A record ref (``REG-3``) → the URL a person opens it at, or None when it has none."""

MAX_SHOWN_REFS = 200
"""Evidence records listed per metric; a symptom may rest on thousands of them."""


def _no_links(ref: str) -> str | None:
    return None


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportHeading:
    """Whose portfolio, as of when, over which periods, and how big it is."""

    organization: str
    pmo_name: str
    as_of: datetime
    periods: tuple[str, ...]
    customers: int
    services: int
    engagements: int
    work_items: int


@dataclass(frozen=True, kw_only=True, slots=True)
class RingCell:
    """One engagement in the Value Ring grid."""

    engagement_id: str
    title: str
    stage: FlywheelStage
    cycle: int
    dwell_days: float | None
    stalled: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class RingRow:
    """A customer's row: its experience stage and, per service column, its engagements."""

    customer_id: str
    customer_name: str
    experience_stage: CustomerExperienceStage | None
    experience_reason: str
    cells: tuple[tuple[RingCell, ...], ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class ValueRing:
    """Customers by services: ``services`` are the columns, ``(id, name)`` in catalogue order."""

    services: tuple[tuple[str, str], ...]
    rows: tuple[RingRow, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class StageCount:
    """How many engagements (or customers) stand in one stage."""

    number: int
    label: str
    count: int


@dataclass(frozen=True, kw_only=True, slots=True)
class SeriesValue:
    """A KPI's value over one period."""

    label: str
    value: float | None


@dataclass(frozen=True, kw_only=True, slots=True)
class KPIChart:
    """One KPI of one scope: the latest and previous values, status, trend and the series.

    A ``snapshot`` KPI is measured now and has a single value, no series to chart.
    """

    kpi_id: str
    name: str
    unit: str
    direction: KPIDirection
    snapshot: bool
    period_label: str
    value: float | None
    previous: float | None
    target: float | None
    status: KPIStatus | None
    trend: KPITrend | None
    series: tuple[SeriesValue, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class KPIGroup:
    """The KPIs of the portfolio or of one service."""

    scope: ScopeKind
    scope_id: str | None
    title: str
    charts: tuple[KPIChart, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class StalledEngagement:
    """An engagement past its stage's stall limit."""

    title: str
    customer_name: str
    service_name: str
    dwell_days: float


@dataclass(frozen=True, kw_only=True, slots=True)
class StageDwell:
    """How long stays in one flywheel stage last: every visit, finished or current."""

    stage: FlywheelStage
    visits: int
    median_days: float | None
    p90_days: float | None
    stall_limit_days: int
    stalled: tuple[StalledEngagement, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class EvidenceRecord:
    """A record behind a metric, with its link when it has one."""

    ref: str
    url: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class EvidenceView:
    """A metric past its threshold; ``records`` lists at most `MAX_SHOWN_REFS` of ``total``."""

    metric: str
    value: float
    threshold: float
    records: tuple[EvidenceRecord, ...]
    total: int


@dataclass(frozen=True, kw_only=True, slots=True)
class SymptomView:
    """A detected symptom of one customer and the services it prescribes."""

    kind: SymptomKind
    customer_name: str
    summary: str
    evidence: tuple[EvidenceView, ...]
    prescribed: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class NeedView:
    """A proposed need, for the PMO to review."""

    need_id: str
    customer_name: str
    statement: str
    prescribed: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class PortfolioReport:
    """Every section of the HTML report."""

    heading: ReportHeading
    ring: ValueRing
    flywheel: tuple[StageCount, ...]
    experience: tuple[StageCount, ...]
    kpis: tuple[KPIGroup, ...]
    dwell: tuple[StageDwell, ...]
    symptoms: tuple[SymptomView, ...]
    needs: tuple[NeedView, ...]


def jira_record_links(
    portfolio: Portfolio, jira: Mapping[str, JiraConnection], *, prefix: str = "jira:"
) -> RecordLink:
    """Links to the Jira issues among the portfolio's work items: ``<site>/browse/<key>``.

    Work items of other tools (Project tasks, Planner tasks) have no page a link could name,
    and refs that are not work items (an assignee behind an overload) have none either.
    """
    sites = {f"{prefix}{name}": connection.url.rstrip("/") for name, connection in jira.items()}
    urls = {
        item.ref: f"{sites[item.source]}/browse/{item.ref}"
        for item in portfolio.work_items
        if item.source in sites
    }
    return urls.get


class _Named(Protocol):
    @property
    def name(self) -> str: ...


def _name(named: Mapping[str, _Named], entity_id: str) -> str:
    """The customer's or service's name; its id when the catalogue does not know it."""
    found = named.get(entity_id)
    return entity_id if found is None else found.name


def _heading(portfolio: Portfolio, result: EngineResult, mapping: MappingFile) -> ReportHeading:
    periods = sorted({r.period.label for r in result.kpis if not r.snapshot})
    organization = mapping.organization
    return ReportHeading(
        organization=organization.name if organization else "",
        pmo_name=organization.pmo_name if organization else "PMO",
        as_of=result.now,
        periods=tuple(periods),
        customers=len(portfolio.customers),
        services=len(portfolio.services),
        engagements=len(portfolio.engagements),
        work_items=len(portfolio.work_items),
    )


def _ring(portfolio: Portfolio, result: EngineResult) -> ValueRing:
    """The grid; engagements of customers or services not in the catalogue get their own."""
    engagements = sorted(portfolio.engagements.values(), key=lambda e: e.id)
    service_ids = list(portfolio.services)
    service_ids += sorted({e.service_id for e in engagements} - set(service_ids))
    customer_ids = list(portfolio.customers)
    customer_ids += sorted({e.customer_id for e in engagements} - set(customer_ids))
    rows = []
    for customer_id in customer_ids:
        cells: dict[str, list[RingCell]] = {service_id: [] for service_id in service_ids}
        for engagement in engagements:
            if engagement.customer_id != customer_id:
                continue
            flow = result.flywheel.get(engagement.id)
            cells[engagement.service_id].append(
                RingCell(
                    engagement_id=engagement.id,
                    title=portfolio.engagement_titles.get(engagement.id, engagement.id),
                    stage=engagement.current_stage,
                    cycle=engagement.cycle,
                    dwell_days=flow.dwell_days if flow else None,
                    stalled=flow.stalled if flow else False,
                )
            )
        verdict = result.experience.get(customer_id)
        customer = portfolio.customers.get(customer_id)
        rows.append(
            RingRow(
                customer_id=customer_id,
                customer_name=customer.name if customer else customer_id,
                experience_stage=verdict.stage if verdict else None,
                experience_reason=verdict.reason if verdict else "",
                cells=tuple(tuple(cells[service_id]) for service_id in service_ids),
            )
        )
    columns = tuple((sid, _name(portfolio.services, sid)) for sid in service_ids)
    return ValueRing(services=columns, rows=tuple(rows))


def _flywheel_counts(portfolio: Portfolio) -> tuple[StageCount, ...]:
    stages = [e.current_stage for e in portfolio.engagements.values()]
    return tuple(
        StageCount(number=stage.number, label=stage.label, count=stages.count(stage))
        for stage in FlywheelStage
    )


def _experience_counts(result: EngineResult) -> tuple[StageCount, ...]:
    stages = [verdict.stage for verdict in result.experience.values()]
    return tuple(
        StageCount(number=stage.number, label=stage.label, count=stages.count(stage))
        for stage in CustomerExperienceStage
    )


def _chart(reading: KPIReading) -> KPIChart:
    return KPIChart(
        kpi_id=reading.kpi.id,
        name=reading.kpi.name,
        unit=reading.kpi.unit,
        direction=reading.kpi.direction,
        snapshot=reading.snapshot,
        period_label=reading.period.label,
        value=reading.value,
        previous=reading.previous,
        target=reading.kpi.target,
        status=reading.status,
        trend=reading.trend,
        series=tuple(SeriesValue(label=p.period.label, value=p.value) for p in reading.series),
    )


def _has_data(reading: KPIReading) -> bool:
    return any(point.value is not None for point in reading.series)


def _kpi_groups(portfolio: Portfolio, result: EngineResult) -> tuple[KPIGroup, ...]:
    """The portfolio's KPIs (all of them), then each service's that have any data."""
    groups = [
        KPIGroup(
            scope=ScopeKind.PORTFOLIO,
            scope_id=None,
            title="Portfolio",
            charts=tuple(_chart(r) for r in result.readings_for(ScopeKind.PORTFOLIO)),
        )
    ]
    for service in portfolio.services.values():
        readings = [r for r in result.readings_for(ScopeKind.SERVICE, service.id) if _has_data(r)]
        if readings:
            groups.append(
                KPIGroup(
                    scope=ScopeKind.SERVICE,
                    scope_id=service.id,
                    title=service.name,
                    charts=tuple(_chart(r) for r in readings),
                )
            )
    return tuple(groups)


def _dwell(
    portfolio: Portfolio, result: EngineResult, mapping: MappingFile
) -> tuple[StageDwell, ...]:
    """Per stage: the median and p90 of every visit's dwell, and who is stalled there now."""
    rows = []
    flows = sorted(result.flywheel.values(), key=lambda flow: flow.engagement_id)
    for stage in FlywheelStage:
        days = [visit.dwell_days for flow in flows for visit in flow.visits if visit.stage is stage]
        stalled = tuple(
            StalledEngagement(
                title=portfolio.engagement_titles.get(flow.engagement_id, flow.engagement_id),
                customer_name=_name(portfolio.customers, flow.customer_id),
                service_name=_name(portfolio.services, flow.service_id),
                dwell_days=flow.dwell_days or 0.0,
            )
            for flow in flows
            if flow.stage is stage and flow.stalled
        )
        rows.append(
            StageDwell(
                stage=stage,
                visits=len(days),
                median_days=median(days),
                p90_days=percentile(days, 90),
                stall_limit_days=stall_limit(stage, mapping.flywheel),
                stalled=stalled,
            )
        )
    return tuple(rows)


def _record(ref: str, record_link: RecordLink) -> EvidenceRecord:
    url = record_link(ref)
    return EvidenceRecord(ref=ref, url=link_url(url) if url and is_http_url(url) else None)


def _symptoms(
    portfolio: Portfolio, result: EngineResult, record_link: RecordLink
) -> tuple[SymptomView, ...]:
    return tuple(
        SymptomView(
            kind=symptom.kind,
            customer_name=_name(portfolio.customers, symptom.customer_id or "(no customer)"),
            summary=symptom.summary,
            evidence=tuple(
                EvidenceView(
                    metric=evidence.metric,
                    value=evidence.value,
                    threshold=evidence.threshold,
                    records=tuple(
                        _record(ref, record_link) for ref in evidence.record_refs[:MAX_SHOWN_REFS]
                    ),
                    total=len(evidence.record_refs),
                )
                for evidence in symptom.evidence
            ),
            prescribed=tuple(_name(portfolio.services, s) for s in symptom.prescribed_service_ids),
        )
        for symptom in result.symptoms
    )


def _needs(portfolio: Portfolio, result: EngineResult) -> tuple[NeedView, ...]:
    return tuple(
        NeedView(
            need_id=need.id,
            customer_name=_name(portfolio.customers, need.customer_id),
            statement=need.statement,
            prescribed=tuple(_name(portfolio.services, s) for s in need.prescribed_service_ids),
        )
        for need in result.proposed_needs
    )


def portfolio_report(
    portfolio: Portfolio,
    result: EngineResult,
    mapping: MappingFile,
    *,
    record_link: RecordLink = _no_links,
) -> PortfolioReport:
    """Every section of the report on ``portfolio``, as the engine found it (``result``)."""
    return PortfolioReport(
        heading=_heading(portfolio, result, mapping),
        ring=_ring(portfolio, result),
        flywheel=_flywheel_counts(portfolio),
        experience=_experience_counts(result),
        kpis=_kpi_groups(portfolio, result),
        dwell=_dwell(portfolio, result, mapping),
        symptoms=_symptoms(portfolio, result, record_link),
        needs=_needs(portfolio, result),
    )
