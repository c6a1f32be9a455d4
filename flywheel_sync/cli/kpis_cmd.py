"""``flywheel-sync kpis [--scope S] [--id ID] [--json]``: every KPI, measured from the store.

The engine measures every configured KPI for the portfolio, each customer and each service
(periodic KPIs over their last complete period, snapshots at now), and the command saves the
measurements (each series point) in the store under a ``kpis`` run, so charts and the KPI
summaries can read them back. The table or ``--json`` shows the reported period of each
KPI, filtered by ``--scope``/``--id``. Exit 0 when measured, 1 when the store holds nothing
to measure or cannot be read as Value Ring entities, 2 for a usage or configuration problem.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flywheel_sync.cli.options import load_configuration_for
from flywheel_sync.cli.report import stderr

if TYPE_CHECKING:
    from flywheel_sync.engine import EngineResult, KPIReading, Portfolio
    from flywheel_sync.settings.kpis import KPIEntry
    from flywheel_sync.store import MeasurementRecord, Store

__all__ = [
    "PORTFOLIO_SCOPE_ID",
    "ScopeChoice",
    "amount",
    "kpis",
    "measurement_records",
    "read_portfolio",
    "reading_json",
    "trend_arrow",
]

stdout = Console(highlight=False, soft_wrap=True)

PORTFOLIO_SCOPE_ID = "portfolio"
"""The store's scope id of portfolio measurements (the store needs one; the domain has none)."""

_STATUS_STYLE = {"on-track": "green", "at-risk": "yellow", "off-track": "red"}


class ScopeChoice(StrEnum):
    """Which measurements to show."""

    PORTFOLIO = "portfolio"
    CUSTOMER = "customer"
    SERVICE = "service"


def amount(value: float | None, unit: str) -> str:
    """A value with its unit for people: ``87.5 %``, ``12.3 days``; None is ``—``."""
    if value is None:
        return "—"
    text = f"{value:,.1f}".removesuffix(".0")
    return f"{text} {unit}".rstrip()


def trend_arrow(reading: KPIReading) -> str:
    """``↑``/``↓``/``→`` for how the value moved, with ``improving``/``worsening``."""
    if reading.trend is None or reading.value is None or reading.previous is None:
        return ""
    if reading.value == reading.previous:
        return "→ flat"
    arrow = "↑" if reading.value > reading.previous else "↓"
    return f"{arrow} {reading.trend.value}"


def _scope_name(reading: KPIReading, portfolio: Portfolio) -> str:
    scope_id = reading.scope.id
    if scope_id is None:
        return "portfolio"
    named = portfolio.customers.get(scope_id) or portfolio.services.get(scope_id)
    return f"{reading.scope.kind.value} {named.name if named else scope_id}"


def _table(readings: list[KPIReading], portfolio: Portfolio) -> Table:
    table = Table(title="KPIs", title_justify="left")
    for column in ("KPI", "scope", "period", "value", "target", "status", "trend"):
        table.add_column(column, justify="right" if column in {"value", "target"} else "left")
    for reading in readings:
        status = reading.status.value if reading.status else ""
        style = _STATUS_STYLE.get(status, "")
        period = reading.period.label + (" (now)" if reading.snapshot else "")
        table.add_row(
            escape(reading.kpi.name),
            escape(_scope_name(reading, portfolio)),
            period,
            amount(reading.value, reading.kpi.unit),
            amount(reading.kpi.target, reading.kpi.unit) if reading.kpi.target is not None else "",
            f"[{style}]{status}[/]" if style else status,
            trend_arrow(reading),
        )
    return table


def reading_json(reading: KPIReading) -> dict[str, Any]:
    """One reading as a JSON object (``--json``)."""
    return {
        "kpi_id": reading.kpi.id,
        "name": reading.kpi.name,
        "unit": reading.kpi.unit,
        "scope_kind": reading.scope.kind.value,
        "scope_id": reading.scope.id,
        "period": reading.period.label,
        "period_start": reading.period.start.isoformat(),
        "period_end": reading.period.end.isoformat(),
        "snapshot": reading.snapshot,
        "value": reading.value,
        "previous": reading.previous,
        "target": reading.kpi.target,
        "status": reading.status.value if reading.status else None,
        "trend": reading.trend.value if reading.trend else None,
    }


def measurement_records(
    result: EngineResult, *, run_id: str | None = None
) -> list[MeasurementRecord]:
    """Every series point of every reading, as the store keeps them (status and trend each)."""
    from flywheel_sync.store import MeasurementRecord

    records = []
    for reading in result.kpis:
        kpi, previous = reading.kpi, None
        for point in reading.series:
            value = point.value
            records.append(
                MeasurementRecord(
                    kpi_id=kpi.id,
                    scope_kind=reading.scope.kind.value,
                    scope_id=reading.scope.id or PORTFOLIO_SCOPE_ID,
                    period_start=point.period.start,
                    period_end=point.period.end,
                    value=value,
                    computed_at=result.now,
                    target=kpi.target,
                    status=None if value is None else _status(kpi, value),
                    trend=None
                    if value is None or previous is None
                    else kpi.trend_between(previous, value).value,
                    run_id=run_id,
                )
            )
            previous = value
    return records


def _status(kpi: KPIEntry, value: float) -> str | None:
    found = kpi.status_for(value)
    return None if found is None else found.value


def _selected(
    result: EngineResult, scope: ScopeChoice | None, scope_id: str | None
) -> list[KPIReading]:
    return [
        reading
        for reading in result.kpis
        if (scope is None or reading.scope.kind.value == scope.value)
        and (scope_id is None or reading.scope.id == scope_id)
    ]


def read_portfolio(store: Store) -> Portfolio:
    """The stored entities as the engine reads them; exits 1 when there are none or they are bad.

    Raises:
        typer.Exit: Nothing was pulled yet, or an entity does not read back (code 1).
    """
    from flywheel_sync.engine import Portfolio, PortfolioError

    try:
        portfolio = Portfolio.from_entities(store.entities.iter_entities())
    except PortfolioError as problem:
        stderr.print(f"[bold red]error:[/] {escape(str(problem))}")
        raise typer.Exit(1) from None
    if not portfolio.customers and not portfolio.services:
        stderr.print(
            "[bold red]error:[/] the store holds no Value Ring entities yet; "
            "run 'flywheel-sync pull' first"
        )
        raise typer.Exit(1)
    return portfolio


def _check_choice(portfolio: Portfolio, scope: ScopeChoice | None, scope_id: str | None) -> None:
    if scope_id is None:
        return
    if scope in {None, ScopeChoice.PORTFOLIO}:
        raise typer.BadParameter(
            "--id needs --scope customer or --scope service", param_hint="--id"
        )
    known = portfolio.customers if scope is ScopeChoice.CUSTOMER else portfolio.services
    if scope_id not in known:
        listed = ", ".join(sorted(known)) or "none"
        raise typer.BadParameter(f"no {scope} {scope_id!r} (known: {listed})", param_hint="--id")


def _measure(
    ctx: typer.Context, scope: ScopeChoice | None, scope_id: str | None
) -> tuple[EngineResult, Portfolio]:
    from flywheel_sync.engine import compute
    from flywheel_sync.store import open_configured_store
    from flywheel_sync.store.rows import RunOutcome

    configuration = load_configuration_for(ctx)
    with open_configured_store(configuration.settings.store, base_dir=configuration.base_dir) as (
        store
    ):
        portfolio = read_portfolio(store)
        _check_choice(portfolio, scope, scope_id)
        run_id = store.runs.start("manual", "kpis")
        try:
            result = compute(portfolio, configuration.mapping, now=datetime.now(UTC))
            records = measurement_records(result, run_id=run_id)
            store.kpis.save(records)
        except Exception:
            store.runs.finish(run_id, RunOutcome.FAILED, {})
            raise
        measured = sum(1 for reading in result.kpis if reading.value is not None)
        store.runs.finish(
            run_id,
            RunOutcome.SUCCEEDED,
            {"kpis": len(result.kpis), "measured": measured, "saved": len(records)},
        )
    return result, portfolio


def kpis(
    ctx: typer.Context,
    scope: Annotated[
        ScopeChoice | None,
        typer.Option("--scope", help="Only the portfolio, customers or services."),
    ] = None,
    scope_id: Annotated[
        str | None,
        typer.Option("--id", help="Only this customer or service (with --scope)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Measure every KPI from the store, save the measurements and show them."""
    result, portfolio = _measure(ctx, scope, scope_id)
    readings = _selected(result, scope, scope_id)
    if as_json:
        document = {
            "computed_at": result.now.isoformat(),
            "measurements": [reading_json(reading) for reading in readings],
        }
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    stdout.print(_table(readings, portfolio))
    missing = sum(1 for reading in readings if reading.value is None)
    if missing:
        stdout.print(f"{missing} KPI readings had no data in their period (shown as —).")
