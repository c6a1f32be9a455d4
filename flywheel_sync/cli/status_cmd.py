"""``flywheel-sync status``: what the store knows: customers, services, engagements by stage."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from flywheel_sync.cli.options import load_configuration_for

if TYPE_CHECKING:
    from flywheel_sync.store import StoreSummary

__all__ = ["status"]

stdout = Console(highlight=False, soft_wrap=True)


def _counts_table(title: str, label: str, counts: dict[str, int]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(label)
    table.add_column("count", justify="right")
    for name, count in counts.items():
        table.add_row(name, str(count))
    return table


def _flywheel_rows(summary: StoreSummary) -> dict[str, int]:
    """Engagements per flywheel stage, in flywheel order, every stage shown."""
    from flywheel_sync.domain import FlywheelStage

    return {
        f"{stage.number:>2}. {stage.label}": summary.engagements_by_flywheel_stage.get(
            stage.value, 0
        )
        for stage in FlywheelStage
    }


def _experience_rows(summary: StoreSummary) -> dict[str, int]:
    from flywheel_sync.domain import CustomerExperienceStage

    return {
        f"{stage.number}. {stage.label}": summary.customers_by_experience_stage.get(stage.value, 0)
        for stage in CustomerExperienceStage
    }


def status(ctx: typer.Context) -> None:
    """Show customers, services and engagements by flywheel and experience stage."""
    from flywheel_sync.store import open_configured_store

    configuration = load_configuration_for(ctx)
    with open_configured_store(configuration.settings.store, base_dir=configuration.base_dir) as (
        store
    ):
        summary = store.summary()
        location = store.display_url
    stdout.print(f"store: {location}")
    if summary.is_empty:
        stdout.print("The store is empty: nothing has been pulled from the tools yet.")
        return
    stdout.print(_counts_table("Records by source", "source", summary.records_by_source))
    stdout.print(_counts_table("Entities", "kind", summary.entities_by_kind))
    stdout.print(_counts_table("Engagements by flywheel stage", "stage", _flywheel_rows(summary)))
    stdout.print(_counts_table("Customers by experience stage", "stage", _experience_rows(summary)))
    if summary.last_run is not None:
        run = summary.last_run
        started = run.started_at.strftime("%Y-%m-%d %H:%M UTC")
        stdout.print(
            f"last run: {run.pipeline} ({run.job or 'manual'}) started {started}, "
            f"outcome {run.outcome or 'running'}"
        )
