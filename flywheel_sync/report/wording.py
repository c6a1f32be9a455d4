"""How a summary's values read as words, the same in every format.

Numbers with their unit ("87.5 %", "12 days", "3.4 items"; no value: "—"), statuses ("at
risk"), trends as an arrow for the value's movement plus the verdict ("↓ improving" when a
lower-is-better KPI fell), stages, dates and titles. The results are plain text that may hold
tool text (a unit, a name): each renderer escapes them for its format.
"""

from __future__ import annotations

from datetime import date

from flywheel_sync.domain import (
    CustomerExperienceStage,
    FlywheelStage,
    KPIDirection,
    KPIStatus,
    KPITrend,
    ScopeKind,
    SymptomKind,
)
from flywheel_sync.report.escaping import clean_text
from flywheel_sync.report.summary import KPILine, KPISummary

__all__ = [
    "NOTHING",
    "date_text",
    "days_text",
    "experience_text",
    "kpi_name",
    "number_text",
    "records_text",
    "stage_text",
    "status_words",
    "subject_name",
    "summary_title",
    "symptom_text",
    "trend_words",
    "value_text",
]

NOTHING = "—"
"""What stands for a missing value."""

_SINGULAR = {"days": "day", "hours": "hour", "weeks": "week", "items": "item", "issues": "issue"}
_STATUS_WORDS = {
    KPIStatus.ON_TRACK: "on track",
    KPIStatus.AT_RISK: "at risk",
    KPIStatus.OFF_TRACK: "off track",
}
_ARROWS = {
    (KPITrend.IMPROVING, KPIDirection.HIGHER_IS_BETTER): "↑",
    (KPITrend.IMPROVING, KPIDirection.LOWER_IS_BETTER): "↓",
    (KPITrend.WORSENING, KPIDirection.HIGHER_IS_BETTER): "↓",
    (KPITrend.WORSENING, KPIDirection.LOWER_IS_BETTER): "↑",
}


def number_text(number: float) -> str:
    """A number as people read it: whole numbers bare, one decimal, two below 1 ("0.25")."""
    digits = 2 if abs(number) < 1 else 1
    text = f"{number:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def value_text(value: float | None, unit: str) -> str:
    """A value with its unit: "87.5 %", "12 days", "1 day", "3" (no unit); None: "—"."""
    if value is None:
        return NOTHING
    number = number_text(value)
    unit = clean_text(unit)
    if not unit:
        return number
    if number == "1":
        unit = _SINGULAR.get(unit, unit)
    return f"{number} {unit}"


def status_words(line: KPILine) -> str:
    """The KPI's status in words; without one, why: "no data", "no target" or "not rated"."""
    if line.status is not None:
        return _STATUS_WORDS[line.status]
    if line.value is None:
        return "no data"
    return "no target" if line.target is None else "not rated"


def trend_words(trend: KPITrend | None, direction: KPIDirection) -> str:
    """Which way the value moved and whether that is good: "↑ improving", "→ flat"; None: "—"."""
    if trend is None:
        return NOTHING
    if trend is KPITrend.FLAT:
        return "→ flat"
    return f"{_ARROWS[trend, direction]} {trend.value}"


def stage_text(stage: FlywheelStage) -> str:
    """A flywheel stage with its position: "Service Onboarding (5/10)"."""
    return f"{stage.label} ({stage.number}/{len(FlywheelStage)})"


def experience_text(stage: CustomerExperienceStage | None) -> str:
    """A Customer Experience Cycle stage: "Deployment (3/5)"; None: "—"."""
    if stage is None:
        return NOTHING
    return f"{stage.label} ({stage.number}/{len(CustomerExperienceStage)})"


def symptom_text(kind: SymptomKind) -> str:
    """A symptom kind as words: "Missed deadlines"."""
    return kind.value.replace("_", " ").capitalize()


def date_text(day: date | None) -> str:
    """An ISO date ("2026-11-03"); None: "—"."""
    return NOTHING if day is None else day.isoformat()


def days_text(days: int | None) -> str:
    """A duration in days: "12 days", "1 day"; None: "—"."""
    if days is None:
        return NOTHING
    return "1 day" if days == 1 else f"{days} days"


def records_text(count: int) -> str:
    """How many source records back a finding: "1 record", "12 records"."""
    return "1 record" if count == 1 else f"{count} records"


def kpi_name(line: KPILine) -> str:
    """The KPI's name, or its id when the name is empty once cleaned."""
    return clean_text(line.name) or clean_text(line.kpi_id) or "KPI"


def subject_name(summary: KPISummary) -> str:
    """The service's or customer's name, or its id when the name is empty once cleaned."""
    return clean_text(summary.subject_name) or clean_text(summary.subject_id) or NOTHING


def summary_title(summary: KPISummary, *, name: str | None = None) -> str:
    """The summary's title: "Value summary — Grid Operations (customer)" for a customer.

    Args:
        summary: The summary titled.
        name: The subject's name to use instead of `subject_name` (e.g. a shortened one).
    """
    shown = subject_name(summary) if name is None else name
    suffix = " (customer)" if summary.scope is ScopeKind.CUSTOMER else ""
    return f"Value summary — {shown}{suffix}"
