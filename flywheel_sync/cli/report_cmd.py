"""``flywheel-sync report [-o FILE] [--format html|markdown]``: the KPI summary as one file.

The report is built from the store, as ``kpis`` and ``diagnose`` are (entities → portfolio
→ engine), and changes nothing there. HTML (the default) is one self-contained page: the
Value Ring, the flywheel distribution, every KPI's series as a chart, the dwell per stage
and the symptoms with their evidence, linked to the Jira issues behind them. Markdown is the
portfolio's figures and every service's and customer's KPI summary, as the push publishes them.

Exit codes: 0 written; 1 the store holds nothing to report ("run flywheel-sync pull first")
or the file could not be written; 2 a usage or configuration problem.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from flywheel_sync.cli.options import load_configuration_for
from flywheel_sync.cli.report import stderr

if TYPE_CHECKING:
    from flywheel_sync.engine import EngineResult, Portfolio
    from flywheel_sync.report.html_sections import PortfolioReport
    from flywheel_sync.settings import Configuration

__all__ = ["DEFAULT_NAMES", "ReportFormat", "produce_report", "report"]

stdout = Console(highlight=False, soft_wrap=True)


class ReportFormat(StrEnum):
    """The report's file format."""

    HTML = "html"
    MARKDOWN = "markdown"


DEFAULT_NAMES = {
    ReportFormat.HTML: "flywheel-report.html",
    ReportFormat.MARKDOWN: "flywheel-report.md",
}
"""The file written in the working folder when ``-o`` is not given."""

_HEADING = re.compile(r"^(#+) ", flags=re.MULTILINE)


def _sections(
    configuration: Configuration, portfolio: Portfolio, result: EngineResult
) -> PortfolioReport:
    from flywheel_sync.report.html_sections import jira_record_links, portfolio_report

    links = jira_record_links(portfolio, configuration.settings.jira)
    return portfolio_report(portfolio, result, configuration.mapping, record_link=links)


def _markdown(configuration: Configuration, portfolio: Portfolio, result: EngineResult) -> str:
    """The portfolio's figures, then every KPI summary one heading level down."""
    from flywheel_sync.engine.summaries import kpi_summaries
    from flywheel_sync.report import render_markdown
    from flywheel_sync.report.escaping import markdown_text
    from flywheel_sync.report.markdown import _table
    from flywheel_sync.report.wording import trend_words, value_text

    sections = _sections(configuration, portfolio, result)
    heading = sections.heading
    title = (
        f"Value Ring report — {heading.organization}"
        if heading.organization
        else "Value Ring report"
    )
    flywheel = _table(
        ("Flywheel stage", "Engagements"),
        ((f"{c.number}. {c.label}", str(c.count)) for c in sections.flywheel),
    )
    kpis = _table(
        ("KPI", "Period", "Value", "Target", "Status", "Trend", "Previous"),
        (
            (
                chart.name,
                chart.period_label + (" (now)" if chart.snapshot else ""),
                value_text(chart.value, chart.unit),
                value_text(chart.target, chart.unit),
                chart.status.value.replace("-", " ") if chart.status else "—",
                trend_words(chart.trend, chart.direction),
                value_text(chart.previous, chart.unit),
            )
            for chart in sections.kpis[0].charts
        ),
    )
    blocks = [
        f"# {markdown_text(title)}",
        f"**As of:** {heading.as_of:%Y-%m-%d %H:%M} UTC · **Engagements:** {heading.engagements} · "
        f"**Symptoms:** {len(sections.symptoms)}",
        "## Flywheel distribution",
        flywheel,
        "## Portfolio KPIs",
        kpis,
    ]
    # Tool text never starts a line (it is folded to one line and "#" is escaped), so every
    # line starting with "#" is one of the renderer's own headings.
    blocks += [
        _HEADING.sub(r"#\1 ", render_markdown(summary)).rstrip("\n")
        for summary in kpi_summaries(portfolio, result, configuration.mapping)
    ]
    return "\n\n".join(blocks) + "\n"


def _render(
    configuration: Configuration, report_format: ReportFormat, *, now: datetime
) -> tuple[str, EngineResult]:
    from flywheel_sync.cli.kpis_cmd import read_portfolio
    from flywheel_sync.engine import compute
    from flywheel_sync.report.html import render_html
    from flywheel_sync.store import open_configured_store

    store_settings = configuration.settings.store
    with open_configured_store(store_settings, base_dir=configuration.base_dir) as store:
        portfolio = read_portfolio(store)
    result = compute(portfolio, configuration.mapping, now=now)
    if report_format is ReportFormat.MARKDOWN:
        return _markdown(configuration, portfolio, result), result
    return render_html(_sections(configuration, portfolio, result)), result


def _write(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all (a reader never sees half a report).

    Raises:
        typer.Exit: The folder does not exist (2) or the file cannot be written (1).
    """
    if not path.parent.is_dir():
        stderr.print(f"[bold red]error:[/] cannot write {escape(str(path))}: no such folder")
        raise typer.Exit(2)
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as problem:
        partial.unlink(missing_ok=True)
        stderr.print(f"[bold red]error:[/] cannot write {escape(str(path))}: {problem.strerror}")
        raise typer.Exit(1) from None


def produce_report(
    configuration: Configuration, path: Path, report_format: ReportFormat, *, now: datetime
) -> EngineResult:
    """Build the report from the store and write it to ``path``; the engine result it shows.

    Raises:
        typer.Exit: The store holds nothing to report, or the file cannot be written.
    """
    text, result = _render(configuration, report_format, now=now)
    _write(path, text)
    return result


def report(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            dir_okay=False,
            help="File to write. Default: flywheel-report.html (or .md) in this folder.",
        ),
    ] = None,
    report_format: Annotated[
        ReportFormat,
        typer.Option("--format", help="html: one page with charts, opens offline; markdown."),
    ] = ReportFormat.HTML,
) -> None:
    """Write the KPI summary of the portfolio as HTML (with charts) or Markdown."""
    configuration = load_configuration_for(ctx)
    path = output if output is not None else Path(DEFAULT_NAMES[report_format])
    produce_report(configuration, path, report_format, now=datetime.now(UTC))
    stdout.print(f"Wrote the {report_format.value} report: {escape(str(path.resolve()))}")
