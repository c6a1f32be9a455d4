"""``flywheel-sync runs [--job NAME] [--limit N] [--json]``: the run history, newest first.

Every run is recorded: scheduled jobs, ``sync``, ``apply``, ``pull``, ``kpis`` and the demo,
with when it started and ended, how it ended and what it counted (records read and
quarantined, writes planned, applied and failed, conflicts, retries and 429s). A run with no
end is still going, or its process was killed (the outbox makes the next run finish its
writes).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from flywheel_sync.cli.options import load_configuration_for

if TYPE_CHECKING:
    from flywheel_sync.store import RunRecord

__all__ = ["runs"]

stdout = Console(highlight=False, soft_wrap=True)

_COLUMNS = (
    ("records", "records"),
    ("quarantined", "quarantined"),
    ("writes.planned", "planned"),
    ("writes.applied", "applied"),
    ("writes.failed", "failed"),
    ("conflicts", "conflicts"),
    ("retries", "retries"),
    ("throttled", "429s"),
)
_OUTCOME_STYLE = {
    "succeeded": "green",
    "partial": "yellow",
    "failed": "red",
    "interrupted": "yellow",
}


def _duration(run: RunRecord) -> str:
    if run.finished_at is None:
        return "—"
    seconds = (run.finished_at - run.started_at).total_seconds()
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _table(records: list[RunRecord]) -> Table:
    table = Table(title=f"Runs ({len(records)}, newest first)", title_justify="left")
    for column in ("started (UTC)", "job", "pipeline", "outcome", "took"):
        table.add_column(column, no_wrap=column.startswith("started"))
    for _, label in _COLUMNS:
        table.add_column(label, justify="right")
    table.add_column("run id", overflow="fold")
    for run in records:
        outcome = run.outcome.value if run.outcome else "running or killed"
        style = _OUTCOME_STYLE.get(outcome, "dim")
        table.add_row(
            f"{run.started_at:%Y-%m-%d %H:%M:%S}",
            run.job,
            run.pipeline,
            f"[{style}]{outcome}[/]",
            _duration(run),
            *(f"{run.counts.get(key, 0):,}" for key, _ in _COLUMNS),
            run.id,
        )
    return table


def _json(run: RunRecord) -> dict[str, object]:
    return {
        "id": run.id,
        "job": run.job,
        "pipeline": run.pipeline,
        "started_at": run.started_at.isoformat(),
        "finished_at": None if run.finished_at is None else run.finished_at.isoformat(),
        "outcome": None if run.outcome is None else run.outcome.value,
        "counts": dict(run.counts),
    }


def runs(
    ctx: typer.Context,
    job: Annotated[
        str | None, typer.Option("--job", help="Only this job's runs ('manual' for commands).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=10_000)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List recent runs: when, how they ended, what they read and wrote."""
    from flywheel_sync.store import open_configured_store

    configuration = load_configuration_for(ctx)
    with open_configured_store(
        configuration.settings.store, base_dir=configuration.base_dir
    ) as store:
        records = store.runs.recent(limit, job=job)
    if as_json:
        for run in records:
            typer.echo(json.dumps(_json(run), ensure_ascii=False))
        return
    if not records:
        stdout.print("No runs recorded yet" + (f" for job {job!r}." if job else "."))
        return
    stdout.print(_table(records))
