"""KPI summaries and stage comments: what Value Recognition publishes, as renderer input.

One `KPISummary` per service (its KPIs, its engagements) and per customer (the KPIs of the
services it uses, its engagements, its symptoms), and one `EngagementComment` per engagement
currently in a stage that asks for one (``push.kpi_summaries.jira_comment.on_entering``).

Summaries are published whenever they change, so they must not change by themselves: every
time-based number is taken **as of the end of the last complete period** (the period the KPIs
report), not as of the moment the push runs. A stage's dwell therefore moves on once a period,
and an unchanged organisation publishes nothing new within a period.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Collection, Mapping
from datetime import datetime

from flywheel_sync.domain import (
    FlywheelStage,
    KPIPeriod,
    ScopeKind,
    Symptom,
)
from flywheel_sync.engine.compute import EngineResult
from flywheel_sync.engine.flywheel import stall_limit
from flywheel_sync.engine.kpis import KPIReading
from flywheel_sync.engine.periods import complete_periods
from flywheel_sync.engine.portfolio import Portfolio
from flywheel_sync.report.confluence import page_title
from flywheel_sync.report.summary import (
    EngagementComment,
    EngagementLine,
    KPILine,
    KPISummary,
    SymptomLine,
)
from flywheel_sync.settings.mapping import MappingFile

__all__ = ["LinkFor", "comment_marker", "engagement_comments", "kpi_summaries"]

LinkFor = Callable[[str], str | None]
"""A page title → the URL of that summary page (None: no page to link to)."""

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _no_link(title: str) -> str | None:
    return None


def _period_label(end: datetime) -> tuple[str, datetime]:
    """The last complete month's name and its end: the moment summaries are taken at."""
    (period,) = complete_periods(end, KPIPeriod.MONTH, 1)
    return f"{_MONTHS[period.start.month - 1]} {period.start.year}", period.end


def _line(reading: KPIReading) -> KPILine:
    return KPILine(
        kpi_id=reading.kpi.id,
        name=reading.kpi.name,
        unit=reading.kpi.unit,
        value=reading.value,
        target=reading.kpi.target,
        previous=reading.previous,
        status=reading.status,
        trend=reading.trend,
        direction=reading.kpi.direction,
    )


def _lines(
    result: EngineResult, kind: ScopeKind, scope_id: str, kpi_ids: Collection[str]
) -> tuple[KPILine, ...]:
    return tuple(
        _line(reading)
        for reading in result.readings_for(kind, scope_id)
        if reading.kpi.id in kpi_ids
    )


def _engagement_lines(
    portfolio: Portfolio,
    result: EngineResult,
    mapping: MappingFile,
    engagement_ids: Collection[str],
    as_of: datetime,
) -> tuple[EngagementLine, ...]:
    lines = []
    for engagement_id in sorted(engagement_ids):
        engagement = portfolio.engagements[engagement_id]
        flow = result.flywheel.get(engagement_id)
        entered = flow.entered_at if flow else None
        dwell = None if entered is None else max(0, (as_of - entered).days)
        customer = portfolio.customers.get(engagement.customer_id)
        service = portfolio.services.get(engagement.service_id)
        lines.append(
            EngagementLine(
                engagement_id=engagement_id,
                title=portfolio.engagement_titles.get(engagement_id, engagement_id),
                customer_name=customer.name if customer else engagement.customer_id,
                service_name=service.name if service else engagement.service_id,
                stage=engagement.current_stage,
                cycle=engagement.cycle,
                since=None if entered is None else entered.date(),
                dwell_days=dwell,
                stalled=dwell is not None
                and dwell > stall_limit(engagement.current_stage, mapping.flywheel),
            )
        )
    return tuple(lines)


def _symptom_line(symptom: Symptom) -> SymptomLine:
    evidence = symptom.evidence[0]
    return SymptomLine(
        kind=symptom.kind,
        summary=symptom.summary,
        value=evidence.value,
        threshold=evidence.threshold,
        evidence_count=sum(len(e.record_refs) for e in symptom.evidence),
    )


def kpi_summaries(
    portfolio: Portfolio,
    result: EngineResult,
    mapping: MappingFile,
    *,
    link_for: LinkFor = _no_link,
) -> tuple[KPISummary, ...]:
    """One summary per service, then one per customer, in catalogue order."""
    label, as_of = _period_label(result.now)
    organization = mapping.organization.name if mapping.organization else ""
    pmo = mapping.organization.pmo_name if mapping.organization else "PMO"
    summaries: list[KPISummary] = []
    for service in portfolio.services.values():
        engaged = [e.id for e in portfolio.engagements.values() if e.service_id == service.id]
        summaries.append(
            KPISummary(
                scope=ScopeKind.SERVICE,
                subject_id=service.id,
                subject_name=service.name,
                organization=organization,
                pmo_name=pmo,
                period_label=label,
                experience_stage=None,
                kpis=_lines(result, ScopeKind.SERVICE, service.id, service.kpi_ids),
                engagements=_engagement_lines(portfolio, result, mapping, engaged, as_of),
                symptoms=(),
            )
        )
    for customer in portfolio.customers.values():
        theirs = [e for e in portfolio.engagements.values() if e.customer_id == customer.id]
        kpi_ids = {
            kpi_id
            for e in theirs
            if (used := portfolio.services.get(e.service_id)) is not None
            for kpi_id in used.kpi_ids
        }
        verdict = result.experience.get(customer.id)
        summaries.append(
            KPISummary(
                scope=ScopeKind.CUSTOMER,
                subject_id=customer.id,
                subject_name=customer.name,
                organization=organization,
                pmo_name=pmo,
                period_label=label,
                experience_stage=verdict.stage if verdict else customer.experience_stage,
                kpis=_lines(result, ScopeKind.CUSTOMER, customer.id, kpi_ids),
                engagements=_engagement_lines(
                    portfolio, result, mapping, [e.id for e in theirs], as_of
                ),
                symptoms=tuple(_symptom_line(s) for s in result.symptoms_of(customer.id)),
            )
        )
    return tuple(_linked(summary, link_for) for summary in summaries)


def _linked(summary: KPISummary, link_for: LinkFor) -> KPISummary:
    link = link_for(page_title(summary))
    return summary if link is None else dataclasses.replace(summary, link=link)


def comment_marker(engagement_id: str, stage: FlywheelStage, cycle: int) -> str:
    """The marker of the comment for one stage entry: the same on every run."""
    digest = hashlib.sha256(f"{engagement_id}/{stage.value}/{cycle}".encode()).hexdigest()
    return f"flywheel-sync:{digest[:16]}"


def engagement_comments(
    portfolio: Portfolio,
    summaries: tuple[KPISummary, ...],
    *,
    stages: Collection[FlywheelStage],
) -> tuple[EngagementComment, ...]:
    """A comment for every engagement currently in one of ``stages`` (one per stage entry).

    It carries the KPIs of the engagement's service as measured for its customer, and links to
    the customer's summary page.
    """
    by_customer: Mapping[str, KPISummary] = {
        s.subject_id: s for s in summaries if s.scope is ScopeKind.CUSTOMER
    }
    comments = []
    for engagement in sorted(portfolio.engagements.values(), key=lambda e: e.id):
        if engagement.current_stage not in stages:
            continue
        service = portfolio.services.get(engagement.service_id)
        customer = portfolio.customers.get(engagement.customer_id)
        summary = by_customer.get(engagement.customer_id)
        kpi_ids = set(service.kpi_ids) if service else set()
        comments.append(
            EngagementComment(
                engagement_id=engagement.id,
                title=portfolio.engagement_titles.get(engagement.id, engagement.id),
                customer_name=customer.name if customer else engagement.customer_id,
                service_name=service.name if service else engagement.service_id,
                stage=engagement.current_stage,
                cycle=engagement.cycle,
                kpis=tuple(k for k in (summary.kpis if summary else ()) if k.kpi_id in kpi_ids),
                link=summary.link if summary else None,
                marker=comment_marker(engagement.id, engagement.current_stage, engagement.cycle),
            )
        )
    return tuple(comments)
