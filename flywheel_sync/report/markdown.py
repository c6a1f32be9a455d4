"""A KPI summary as Markdown (CommonMark with GFM tables), for the CLI and the HTML report.

The same sections as the Confluence page: an introduction, the KPI table, the symptoms when
there are any, the engagements, and a link to the full summary when there is one. Tool text
is escaped (`escaping.markdown_text`), so it renders as written: a title such as
``[click](http://evil)`` never becomes a link and ``**x**`` never bold.
"""

from __future__ import annotations

from collections.abc import Iterable

from flywheel_sync.domain import ScopeKind
from flywheel_sync.report.escaping import link_url, markdown_text
from flywheel_sync.report.summary import KPISummary
from flywheel_sync.report.wording import (
    NOTHING,
    date_text,
    days_text,
    experience_text,
    kpi_name,
    number_text,
    records_text,
    stage_text,
    status_words,
    subject_name,
    summary_title,
    symptom_text,
    trend_words,
    value_text,
)

__all__ = ["render_markdown"]


def render_markdown(summary: KPISummary) -> str:
    """The summary as a Markdown document; the same summary renders the same text."""
    blocks = [
        f"# {markdown_text(summary_title(summary))}",
        *_introduction(summary),
        "## KPIs",
        _kpis(summary),
    ]
    if summary.symptoms:
        blocks.extend(("## Symptoms", _symptoms(summary)))
    blocks.extend(("## Engagements", _engagements(summary)))
    if summary.link is not None:
        blocks.append(f"[Full summary]({link_url(summary.link)})")
    return "\n\n".join(blocks) + "\n"


def _introduction(summary: KPISummary) -> tuple[str, str]:
    kind = "customer" if summary.scope is ScopeKind.CUSTOMER else "service"
    facts = [
        ("Organization", summary.organization),
        ("PMO", summary.pmo_name),
        ("Period", summary.period_label),
    ]
    if summary.scope is ScopeKind.CUSTOMER:
        facts.append(("Customer experience stage", experience_text(summary.experience_stage)))
    return (
        f"Value Ring KPI summary of the {kind} **{markdown_text(subject_name(summary))}**.",
        " · ".join(f"**{label}:** {markdown_text(value)}" for label, value in facts),
    )


def _kpis(summary: KPISummary) -> str:
    if not summary.kpis:
        return "No KPIs were measured for this period."
    rows = (
        (
            kpi_name(line),
            value_text(line.value, line.unit),
            value_text(line.target, line.unit),
            status_words(line),
            trend_words(line.trend, line.direction),
            value_text(line.previous, line.unit),
        )
        for line in summary.kpis
    )
    return _table(("KPI", "Value", "Target", "Status", "Trend", "Previous"), rows)


def _symptoms(summary: KPISummary) -> str:
    rows = (
        (
            symptom_text(line.kind),
            line.summary,
            number_text(line.value),
            number_text(line.threshold),
            records_text(line.evidence_count),
        )
        for line in summary.symptoms_in_order()
    )
    return _table(("Symptom", "What was seen", "Value", "Threshold", "Evidence"), rows)


def _engagements(summary: KPISummary) -> str:
    lines = summary.engagements_in_order()
    if not lines:
        return "No engagements."
    for_service = summary.scope is ScopeKind.SERVICE
    rows = (
        (
            line.title,
            line.customer_name if for_service else line.service_name,
            stage_text(line.stage),
            str(line.cycle),
            date_text(line.since),
            days_text(line.dwell_days),
            "stalled" if line.stalled else NOTHING,
        )
        for line in lines
    )
    other = "Customer" if for_service else "Service"
    return _table(("Engagement", other, "Stage", "Cycle", "Since", "Dwell", "Stalled"), rows)


def _table(headers: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    """A GFM table; every cell escaped (an empty one shows "—", so no row collapses)."""
    lines = [_row(headers), _row(tuple("---" for _ in headers), escape=False)]
    lines.extend(_row(cells) for cells in rows)
    return "\n".join(lines)


def _row(cells: tuple[str, ...], *, escape: bool = True) -> str:
    shown = ((markdown_text(cell) or NOTHING) if escape else cell for cell in cells)
    return "| " + " | ".join(shown) + " |"
