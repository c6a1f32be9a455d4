"""``flywheel-sync status``: what the store knows: customers, services, engagements by stage."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from flywheel_sync.cli.options import load_configuration_for

if TYPE_CHECKING:
    from flywheel_sync.store import EntityRecord, RunRecord, StoreSummary

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


def _stage_label(value: str | None, kind: str) -> str:
    from flywheel_sync.domain import CustomerExperienceStage, FlywheelStage

    if value is None:
        return "-"
    stage = FlywheelStage(value) if kind == "flywheel" else CustomerExperienceStage(value)
    return f"{stage.number}. {stage.label}"


def _engagements_table(
    customers: list[EntityRecord], services: list[EntityRecord], engagements: list[EntityRecord]
) -> Table:
    """One row per engagement, grouped by customer: the Value Ring as a PMO lead reads it."""
    service_names = {service.entity_id: service.name for service in services}
    table = Table(title="Customers and their engagements", title_justify="left")
    for column in ("customer", "experience stage", "service", "flywheel stage", "cycle", "since"):
        table.add_column(column)
    by_customer: dict[str, list[EntityRecord]] = {}
    for engagement in engagements:
        by_customer.setdefault(str(engagement.payload.get("customer_id")), []).append(engagement)
    for customer in customers:
        own = sorted(by_customer.get(customer.entity_id, []), key=lambda e: e.entity_id)
        experience = _stage_label(customer.experience_stage, "experience")
        if not own:
            table.add_row(customer.name, experience, "-", "-", "", "")
        for index, engagement in enumerate(own):
            service_id = str(engagement.payload.get("service_id", "-"))
            history = engagement.payload.get("stage_history") or [{}]
            since = str(history[-1].get("entered_at", ""))[:10]
            table.add_row(
                customer.name if index == 0 else "",
                experience if index == 0 else "",
                service_names.get(service_id, service_id),
                _stage_label(engagement.flywheel_stage, "flywheel"),
                str(engagement.payload.get("cycle", 1)),
                since,
            )
    return table


def _mapping_line(run: RunRecord) -> str | None:
    from flywheel_sync.mapping import RUN_COUNT_PREFIX, unplaced_counts

    counts = run.counts
    records = counts.get(RUN_COUNT_PREFIX + "records")
    if records is None:
        return None
    unplaced = unplaced_counts(counts, RUN_COUNT_PREFIX)
    line = f"last mapping: {records:,} records"
    if unplaced:
        return f"{line}; not placed: {', '.join(unplaced)} (flywheel-sync explain --unplaced)"
    return f"{line}, every one placed"


def status(ctx: typer.Context) -> None:
    """Show customers, services and engagements by flywheel and experience stage."""
    from flywheel_sync.store import open_configured_store

    configuration = load_configuration_for(ctx)
    with open_configured_store(configuration.settings.store, base_dir=configuration.base_dir) as (
        store
    ):
        summary = store.summary()
        location = store.display_url
        customers = list(store.entities.iter_entities("customer"))
        services = list(store.entities.iter_entities("service"))
        engagements = list(store.entities.iter_entities("engagement"))
    stdout.print(f"store: {location}")
    if summary.is_empty:
        stdout.print("The store is empty: nothing has been pulled from the tools yet.")
        return
    stdout.print(_counts_table("Records by source", "source", summary.records_by_source))
    stdout.print(_counts_table("Entities", "kind", summary.entities_by_kind))
    stdout.print(_counts_table("Engagements by flywheel stage", "stage", _flywheel_rows(summary)))
    stdout.print(_counts_table("Customers by experience stage", "stage", _experience_rows(summary)))
    if customers:
        stdout.print(_engagements_table(customers, services, engagements))
    if summary.last_run is not None:
        run = summary.last_run
        started = run.started_at.strftime("%Y-%m-%d %H:%M UTC")
        stdout.print(
            f"last run: {run.pipeline} ({run.job or 'manual'}) started {started}, "
            f"outcome {run.outcome or 'running'}"
        )
        mapping = _mapping_line(run)
        if mapping:
            stdout.print(mapping)
