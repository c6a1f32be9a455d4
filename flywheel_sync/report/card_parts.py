"""The Adaptive Card elements a KPI summary is made of: header, KPI rows, symptoms, engagements.

Teams reads a ``TextBlock``'s text as Markdown (bold, italic, lists, links), so tool text never
goes into one: it goes into the ``TextRun``s of a ``RichTextBlock``, which are shown as written
(a title ``[click](http://evil)`` stays those characters). TextBlocks carry only our own words:
headings, statuses (coloured Good/Warning/Attention), trends, stages and dates.

Every tool text is cleaned and, when `CardParts.limit` is set, shortened to that many
characters with "…" (`cards` lowers the limit until a summary fits in a Teams message). The
elements are those of Adaptive Cards 1.5 that Teams renders; `Table` is the only 1.5 one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flywheel_sync.domain import KPIStatus, ScopeKind
from flywheel_sync.report.escaping import clean_text, link_url, shorten
from flywheel_sync.report.summary import EngagementLine, KPILine, KPISummary, SymptomLine
from flywheel_sync.report.wording import (
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

__all__ = ["CardParts", "Element"]

Element = dict[str, Any]
"""One Adaptive Card element (or table row, or action) as JSON."""

_STATUS_COLOURS = {
    KPIStatus.ON_TRACK: "Good",
    KPIStatus.AT_RISK: "Warning",
    KPIStatus.OFF_TRACK: "Attention",
}
_KPI_HEADERS = ("KPI", "Value", "Target", "Status", "Trend")
_KPI_WIDTHS = (3, 2, 2, 2, 2)


def _text_block(text: str, **style: Any) -> Element:
    """A TextBlock (wrapping) for our own words only: Teams reads its text as Markdown."""
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _text_run(text: str, **style: Any) -> Element:
    """A TextRun: shown exactly as written, so it may hold tool text."""
    return {"type": "TextRun", "text": text, **style}


def _rich_text(*runs: Element, **style: Any) -> Element:
    """A RichTextBlock of ``runs``."""
    return {"type": "RichTextBlock", "inlines": list(runs), **style}


@dataclass(frozen=True, kw_only=True, slots=True)
class CardParts:
    """Builds the elements of one summary's cards, tool texts cut to ``limit`` characters."""

    summary: KPISummary
    limit: int | None = None

    def data(self, text: str) -> str:
        """Tool text as shown on a card: cleaned, then shortened to the limit."""
        return shorten(clean_text(text), self.limit)

    def header(self, *, first: bool, label: str) -> list[Element]:
        """The title (with ``label`` such as " (2/3)"), and on the first card the context."""
        title = summary_title(self.summary, name=self.data(subject_name(self.summary)))
        size = "Large" if first else "Medium"
        runs = [_text_run(title, size=size, weight="Bolder")]
        if label:
            runs.append(_text_run(label, size=size, isSubtle=True))
        elements = [_rich_text(*runs)]
        if first:
            elements.append(_rich_text(_text_run(self._context(), isSubtle=True), spacing="None"))
        return elements

    def _context(self) -> str:
        summary = self.summary
        customer = summary.scope is ScopeKind.CUSTOMER
        facts = [
            "Customer" if customer else "Service",
            self.data(summary.organization),
            f"PMO: {self.data(summary.pmo_name)}",
            self.data(summary.period_label),
        ]
        if customer:
            facts.append(f"Experience stage: {experience_text(summary.experience_stage)}")
        return " · ".join(facts)

    def notes(self) -> list[Element]:
        """When texts are shortened, a note saying so, pointing at the full summary."""
        if self.limit is None:
            return []
        runs = [_text_run("Some long texts are shortened.", isSubtle=True)]
        if self.summary.link is not None:
            url = link_url(self.summary.link)
            runs.append(
                _text_run(
                    f" Full summary: {url}",
                    color="Accent",
                    selectAction={"type": "Action.OpenUrl", "url": url},
                )
            )
        return [_rich_text(*runs)]

    def actions(self) -> list[Element]:
        """A button opening the full summary, when there is a link."""
        if self.summary.link is None:
            return []
        return [
            {
                "type": "Action.OpenUrl",
                "title": "Open the full summary",
                "url": link_url(self.summary.link),
            }
        ]

    @staticmethod
    def heading(text: str) -> Element:
        """A section heading."""
        return _text_block(text, weight="Bolder", size="Medium", spacing="Large")

    @staticmethod
    def notice(text: str) -> Element:
        """A line saying a section is empty."""
        return _text_block(text, isSubtle=True)

    @staticmethod
    def kpi_table(rows: list[Element]) -> Element:
        """The KPI table holding ``rows`` under a header row."""
        header = {
            "type": "TableRow",
            "cells": [_cell(_text_block(name, weight="Bolder")) for name in _KPI_HEADERS],
        }
        return {
            "type": "Table",
            "columns": [{"width": width} for width in _KPI_WIDTHS],
            "firstRowAsHeader": True,
            "showGridLines": False,
            "rows": [header, *rows],
        }

    def kpi_row(self, line: KPILine) -> Element:
        """One KPI: name, value, target, coloured status, trend (and the previous value)."""
        status = _text_block(status_words(line), weight="Bolder")
        if line.status is None:
            status["isSubtle"] = True
        else:
            status["color"] = _STATUS_COLOURS[line.status]
        trend = [_text_block(trend_words(line.trend, line.direction))]
        if line.previous is not None:
            was = f"was {self.data(value_text(line.previous, line.unit))}"
            trend.append(_rich_text(_text_run(was, isSubtle=True), spacing="None"))
        cells = [
            _cell(_rich_text(_text_run(self.data(kpi_name(line))))),
            _cell(_rich_text(_text_run(self.data(value_text(line.value, line.unit))))),
            _cell(_rich_text(_text_run(self.data(value_text(line.target, line.unit))))),
            _cell(status),
            _cell(*trend),
        ]
        return {"type": "TableRow", "cells": cells}

    def symptom(self, line: SymptomLine) -> Element:
        """One symptom: its kind, what was seen, the metric against its threshold."""
        measured = (
            f"{number_text(line.value)} against a threshold of {number_text(line.threshold)}"
            f" · {records_text(line.evidence_count)}"
        )
        return {
            "type": "Container",
            "separator": True,
            "items": [
                _text_block(symptom_text(line.kind), weight="Bolder", color="Attention"),
                _rich_text(_text_run(self.data(line.summary)), spacing="None"),
                _text_block(measured, isSubtle=True, spacing="None"),
            ],
        }

    def engagement(self, line: EngagementLine) -> Element:
        """One engagement: title, the other party, stage, cycle, since when, and if stalled."""
        if self.summary.scope is ScopeKind.SERVICE:
            other = f"Customer: {self.data(line.customer_name)}"
        else:
            other = f"Service: {self.data(line.service_name)}"
        where = (
            f"{stage_text(line.stage)} · cycle {line.cycle} · since {date_text(line.since)}"
            f" · {days_text(line.dwell_days)}"
        )
        items = [
            _rich_text(_text_run(self.data(line.title), weight="Bolder")),
            _rich_text(_text_run(other, isSubtle=True), spacing="None"),
            _text_block(where, spacing="None"),
        ]
        if line.stalled:
            items.append(_text_block("Stalled", color="Attention", weight="Bolder"))
        return {"type": "Container", "separator": True, "items": items}


def _cell(*items: Element) -> Element:
    return {"type": "TableCell", "items": list(items)}
