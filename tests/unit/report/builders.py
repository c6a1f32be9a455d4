"""Summaries for renderer tests: sensible defaults, any field replaced, and hostile texts."""

from __future__ import annotations

from datetime import date
from typing import Any

from flywheel_sync.domain import (
    CustomerExperienceStage,
    FlywheelStage,
    KPIDirection,
    KPIStatus,
    KPITrend,
    ScopeKind,
    SymptomKind,
)
from flywheel_sync.report import (
    EngagementComment,
    EngagementLine,
    KPILine,
    KPISummary,
    SymptomLine,
)

LINK = "https://wiki.example.com/spaces/PMO/pages/42/Value+summary"
MARKER = "flywheel-sync:3f2a9c"

HOSTILE = (
    "<script>alert(1)</script>",
    "]]> and <![CDATA[x]]>",
    "&amp; &lt; &#92; &bsol;",
    "\"double\" and 'single' quotes",
    "{code}x{code} {color:red}y{color} {{mono}}",
    "[link|http://x] [~accountid:123] !image.png!",
    "**bold** __strong__ *em* _em_ ~~strike~~ `code`",
    "[click](http://evil) <http://evil> ![img](http://evil/x.png)",
    "| cell | --- | h1. heading # not",
    "- dash * star # hash bq. quote",
    "(y) (!) :) ;) ?? cite ??",
    "back\\slash \\\\ double",
    "مرحبا بالعالم שלום 👩‍👩‍👧‍👦 🇫🇷 é",
    "nul\x00 bell\x07 esc\x1b del\x7f c1\x85\x9f end",
    "bidi\u202e override\u2066 isolate\u2069",
    "lone \ud800 surrogate \ufffe nonchar",
    "line\nbreak\r\ncarriage\rtab\tand\u2028separator",
)
"""Tool text that must render literally in every format."""
MEGABYTE = "x" * 500_000 + "é" * 250_000 + "<&>" * 100
"""A text well over a megabyte of UTF-8."""


def kpi_line(**overrides: Any) -> KPILine:
    fields: dict[str, Any] = {
        "kpi_id": "on_time_pct",
        "name": "On-time delivery",
        "unit": "%",
        "value": 87.5,
        "target": 90.0,
        "previous": 85.0,
        "status": KPIStatus.AT_RISK,
        "trend": KPITrend.IMPROVING,
        "direction": KPIDirection.HIGHER_IS_BETTER,
    }
    return KPILine(**(fields | overrides))


def engagement_line(**overrides: Any) -> EngagementLine:
    fields: dict[str, Any] = {
        "engagement_id": "eng-grid-phc",
        "title": "Health checks for Grid Operations",
        "customer_name": "Grid Operations",
        "service_name": "Project Health Checks",
        "stage": FlywheelStage.SERVICE_ONBOARDING,
        "cycle": 1,
        "since": date(2026, 10, 5),
        "dwell_days": 12,
        "stalled": False,
    }
    return EngagementLine(**(fields | overrides))


def symptom_line(**overrides: Any) -> SymptomLine:
    fields: dict[str, Any] = {
        "kind": SymptomKind.MISSED_DEADLINES,
        "summary": "4 of 10 items due this month are overdue",
        "value": 0.4,
        "threshold": 0.25,
        "evidence_count": 4,
    }
    return SymptomLine(**(fields | overrides))


def summary(**overrides: Any) -> KPISummary:
    fields: dict[str, Any] = {
        "scope": ScopeKind.SERVICE,
        "subject_id": "svc-health-checks",
        "subject_name": "Project Health Checks",
        "organization": "Northwind Energy",
        "pmo_name": "Enterprise PMO",
        "period_label": "November 2026",
        "experience_stage": None,
        "kpis": (kpi_line(),),
        "engagements": (engagement_line(),),
        "symptoms": (symptom_line(),),
        "link": LINK,
    }
    return KPISummary(**(fields | overrides))


def customer_summary(**overrides: Any) -> KPISummary:
    fields: dict[str, Any] = {
        "scope": ScopeKind.CUSTOMER,
        "subject_id": "cust-grid",
        "subject_name": "Grid Operations",
        "experience_stage": CustomerExperienceStage.DEPLOYMENT,
    }
    return summary(**(fields | overrides))


def comment(**overrides: Any) -> EngagementComment:
    fields: dict[str, Any] = {
        "engagement_id": "eng-grid-phc",
        "title": "Health checks for Grid Operations",
        "customer_name": "Grid Operations",
        "service_name": "Project Health Checks",
        "stage": FlywheelStage.VALUE_RECOGNITION,
        "cycle": 2,
        "kpis": (kpi_line(),),
        "link": LINK,
        "marker": MARKER,
    }
    return EngagementComment(**(fields | overrides))


def hostile_summary(text: str, **overrides: Any) -> KPISummary:
    """A summary with ``text`` in every text field of every part."""
    fields: dict[str, Any] = {
        "subject_name": text,
        "organization": text,
        "pmo_name": text,
        "period_label": text,
        "kpis": (kpi_line(name=text, unit=text),),
        "engagements": (engagement_line(title=text, customer_name=text, service_name=text),),
        "symptoms": (symptom_line(summary=text),),
    }
    return summary(**(fields | overrides))


def hostile_comment(text: str) -> EngagementComment:
    """A comment with ``text`` in every text field."""
    return comment(
        title=text,
        customer_name=text,
        service_name=text,
        kpis=(kpi_line(name=text, unit=text),),
    )


__all__ = [
    "HOSTILE",
    "LINK",
    "MARKER",
    "MEGABYTE",
    "comment",
    "customer_summary",
    "engagement_line",
    "hostile_comment",
    "hostile_summary",
    "kpi_line",
    "summary",
    "symptom_line",
]
