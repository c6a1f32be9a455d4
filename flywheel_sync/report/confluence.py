"""A KPI summary as a Confluence page: its title and its body in storage format (XHTML).

The page is the full summary the other formats link to: an introduction (organization, PMO,
period, and the customer's experience stage), a KPI table whose statuses are Confluence status
lozenges (on track green, at risk yellow, off track red, none grey), the detected symptoms when
there are any, and the engagements with their flywheel stage.

Every piece of tool text goes through `escaping.xml_text`, so the body is well-formed XML
(inside a root element declaring the ``ac`` namespace) in which tool text is only ever text.
The output depends on the summary alone (no timestamps, a fixed order), so the push can compare
it with the page's current body to decide whether to write.
"""

from __future__ import annotations

from collections.abc import Iterable

from flywheel_sync.domain import KPIStatus, ScopeKind
from flywheel_sync.report.escaping import shorten, xml_text
from flywheel_sync.report.summary import EngagementLine, KPILine, KPISummary, SymptomLine
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

__all__ = ["MAX_TITLE_LENGTH", "page_title", "render_page"]

MAX_TITLE_LENGTH = 255
"""Confluence refuses a page title longer than this."""

_COLOURS = {
    KPIStatus.ON_TRACK: "Green",
    KPIStatus.AT_RISK: "Yellow",
    KPIStatus.OFF_TRACK: "Red",
}
_NO_STATUS_COLOUR = "Grey"


def page_title(summary: KPISummary) -> str:
    """The page's title: "Value summary — <name>", with " (customer)" for a customer.

    Services and customers never share a title, whatever their names; a name too long for
    Confluence's 255 characters is shortened with "…".
    """
    title = summary_title(summary)
    if len(title) <= MAX_TITLE_LENGTH:
        return title
    room = MAX_TITLE_LENGTH - len(summary_title(summary, name=""))
    return summary_title(summary, name=shorten(subject_name(summary), room))


def render_page(summary: KPISummary) -> str:
    """The page body in Confluence storage format; the same summary renders the same bytes."""
    sections = [_introduction(summary), _kpis(summary.kpis)]
    if summary.symptoms:
        sections.append(_symptoms(summary.symptoms_in_order()))
    sections.append(_engagements(summary))
    return "".join(sections)


def _introduction(summary: KPISummary) -> str:
    kind = "customer" if summary.scope is ScopeKind.CUSTOMER else "service"
    facts = [
        ("Organization", summary.organization),
        ("PMO", summary.pmo_name),
        ("Period", summary.period_label),
    ]
    if summary.scope is ScopeKind.CUSTOMER:
        facts.append(("Customer experience stage", experience_text(summary.experience_stage)))
    listed = " · ".join(f"<strong>{label}:</strong> {xml_text(value)}" for label, value in facts)
    return (
        f"<p>Value Ring KPI summary of the {kind} "
        f"<strong>{xml_text(subject_name(summary))}</strong>.</p><p>{listed}</p>"
    )


def _kpis(lines: tuple[KPILine, ...]) -> str:
    if not lines:
        return "<h2>KPIs</h2><p>No KPIs were measured for this period.</p>"
    headers = ("KPI", "Value", "Target", "Status", "Trend", "Previous")
    rows = (
        (
            _cell(kpi_name(line)),
            _cell(value_text(line.value, line.unit)),
            _cell(value_text(line.target, line.unit)),
            f"<td>{_status(line)}</td>",
            _cell(trend_words(line.trend, line.direction)),
            _cell(value_text(line.previous, line.unit)),
        )
        for line in lines
    )
    return "<h2>KPIs</h2>" + _table(headers, rows)


def _symptoms(lines: tuple[SymptomLine, ...]) -> str:
    headers = ("Symptom", "What was seen", "Value", "Threshold", "Evidence")
    rows = (
        (
            _cell(symptom_text(line.kind)),
            _cell(line.summary),
            _cell(number_text(line.value)),
            _cell(number_text(line.threshold)),
            _cell(records_text(line.evidence_count)),
        )
        for line in lines
    )
    return "<h2>Symptoms</h2>" + _table(headers, rows)


def _engagements(summary: KPISummary) -> str:
    lines = summary.engagements_in_order()
    if not lines:
        return "<h2>Engagements</h2><p>No engagements.</p>"
    for_service = summary.scope is ScopeKind.SERVICE
    other = "Customer" if for_service else "Service"
    headers = ("Engagement", other, "Stage", "Cycle", "Since", "Dwell", "Stalled")
    rows = (_engagement_row(line, for_service=for_service) for line in lines)
    return "<h2>Engagements</h2>" + _table(headers, rows)


def _engagement_row(line: EngagementLine, *, for_service: bool) -> tuple[str, ...]:
    stalled = _macro("Red", "stalled") if line.stalled else xml_text(NOTHING)
    return (
        _cell(line.title),
        _cell(line.customer_name if for_service else line.service_name),
        _cell(stage_text(line.stage)),
        _cell(str(line.cycle)),
        _cell(date_text(line.since)),
        _cell(days_text(line.dwell_days)),
        f"<td>{stalled}</td>",
    )


def _status(line: KPILine) -> str:
    colour = _NO_STATUS_COLOUR if line.status is None else _COLOURS[line.status]
    return _macro(colour, status_words(line))


def _macro(colour: str, title: str) -> str:
    """A Confluence status lozenge (its title shows in capitals)."""
    return (
        '<ac:structured-macro ac:name="status" ac:schema-version="1">'
        f'<ac:parameter ac:name="colour">{colour}</ac:parameter>'
        f'<ac:parameter ac:name="title">{xml_text(title.upper())}</ac:parameter>'
        "</ac:structured-macro>"
    )


def _cell(text: str) -> str:
    return f"<td>{xml_text(text)}</td>"


def _table(headers: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    head = "".join(f"<th>{xml_text(header)}</th>" for header in headers)
    body = "".join(f"<tr>{''.join(cells)}</tr>" for cells in rows)
    return f"<table><tbody><tr>{head}</tr>{body}</tbody></table>"
