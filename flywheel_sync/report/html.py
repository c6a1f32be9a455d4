"""The HTML report: one self-contained page from a `PortfolioReport`.

The page must open anywhere, offline and years later, so it holds everything it shows: the
style sheet inline (light and dark by ``prefers-color-scheme``, and a print layout), charts
as inline SVG (`html_charts`), no script, no font, no image, nothing fetched. The only URLs
in it are the links to evidence records (`html_sections.jira_record_links`).

The Jinja2 template escapes every value (``autoescape``) and first cleans plain text
(`escaping.clean_text`: control and bidirectional characters dropped, one line), so tool
text such as a ``<script>`` in a service name shows literally and does nothing. Undefined
names fail loudly (``StrictUndefined``) rather than render as blanks.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from flywheel_sync import __version__
from flywheel_sync.domain import CustomerExperienceStage, SymptomKind
from flywheel_sync.engine.periods import SERIES_LENGTH
from flywheel_sync.report.escaping import clean_text
from flywheel_sync.report.html_charts import Bar, Point, Span, bar_chart, line_chart, range_chart
from flywheel_sync.report.html_sections import KPIChart, PortfolioReport, StageCount, StageDwell
from flywheel_sync.report.wording import (
    NOTHING,
    experience_text,
    number_text,
    symptom_text,
    trend_words,
    value_text,
)

__all__ = ["SHOWN_REFS", "render_html"]

SHOWN_REFS = 12
"""Evidence records listed inline; the rest fold into a ``<details>`` list."""

_STATUS_WORDS = {"on-track": "on track", "at-risk": "at risk", "off-track": "off track"}


def _finalize(value: object) -> object:
    """Plain text is cleaned before it is escaped; charts (`Markup`) pass as they are."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean_text(value)
    return value


def _figure(value: float, metric: str) -> str:
    """A metric's value as ``diagnose`` words it: ratios as percentages."""
    if metric.endswith("_ratio"):
        return f"{value:.0%}"
    return number_text(value)


def _days(value: float | None) -> str:
    return value_text(value, "days")


def _status(chart: KPIChart) -> str:
    return NOTHING if chart.status is None else _STATUS_WORDS[chart.status.value]


def _trend(chart: KPIChart) -> str:
    return trend_words(chart.trend, chart.direction)


def _experience(stage: CustomerExperienceStage | None) -> str:
    return experience_text(stage)


def _symptom_kind(kind: SymptomKind) -> str:
    return symptom_text(kind)


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def kpi_chart(chart: KPIChart) -> Markup:
    """A periodic KPI's series as a line chart, with its target."""
    return line_chart(
        [Point(label=point.label, value=point.value) for point in chart.series],
        title=f"{chart.name}, last {len(chart.series)} periods",
        unit=chart.unit,
        target=chart.target,
    )


def _stage_bars(counts: tuple[StageCount, ...], title: str) -> Markup:
    return bar_chart(
        [
            Bar(
                label=f"{count.number}. {count.label}",
                value=count.count,
                tone=f"stage-{count.number}",
            )
            for count in counts
        ],
        title=title,
    )


def _dwell_chart(rows: tuple[StageDwell, ...]) -> Markup:
    return range_chart(
        [
            Span(
                label=f"{row.stage.number}. {row.stage.label}",
                typical=None if row.median_days is None else round(row.median_days, 1),
                high=None if row.p90_days is None else round(row.p90_days, 1),
                limit=row.stall_limit_days,
                flagged=bool(row.stalled),
                note=f"{len(row.stalled)} stalled" if row.stalled else "",
            )
            for row in rows
        ],
        title="Days in each flywheel stage: median and 90th percentile, against the stall limit",
    )


@functools.cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("flywheel_sync.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        amount=value_text,
        days=_days,
        experience=_experience,
        figure=_figure,
        kpi_chart=kpi_chart,
        moment=_moment,
        status=_status,
        symptom_kind=_symptom_kind,
        trend=_trend,
    )
    return environment


def render_html(report: PortfolioReport) -> str:
    """The report as one HTML document (UTF-8 text); the same report renders the same page."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        version=__version__,
        heading=report.heading,
        ring=report.ring,
        kpis=report.kpis,
        dwell=report.dwell,
        symptoms=report.symptoms,
        needs=report.needs,
        series_length=SERIES_LENGTH,
        shown_refs=SHOWN_REFS,
        flywheel_chart=_stage_bars(report.flywheel, "Engagements by flywheel stage"),
        experience_chart=_stage_bars(report.experience, "Customers by experience stage"),
        dwell_chart=_dwell_chart(report.dwell),
    )
