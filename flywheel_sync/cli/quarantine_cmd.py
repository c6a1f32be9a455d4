"""``flywheel-sync quarantine [--source S] [--json] [--limit N]``: records the pull set aside.

A record a connector cannot read (no id, an unreadable update time, a field of the wrong
type where the connector needs one) is quarantined with the reason, and the pull goes on:
the other records are stored, the scope's watermark moves past it, and ``pull`` still exits
0 when every scope was read to its end. A scheduled job must not fail on every run for one
bad record that only a person can fix in the tool; what keeps it visible is the count: one
line per source after ``pull`` (`quarantine_lines`), ``quarantined`` in the run's counts
(``flywheel-sync runs``), a warning per scope in the log, and this listing.

Each entry shows the source, the record (type and id, ``(no id)`` when the id itself could
not be read), the scope it was met in, why, how many reads met it and when last; ``--json``
prints one JSON object per line with the payload's excerpt too (bounded, secrets masked).
An entry leaves the quarantine when the record is read cleanly (fixed in the tool, it is
read again: its update time moved), or when a full read (``pull --full``) no longer meets it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flywheel_sync.cli.options import load_configuration_for

if TYPE_CHECKING:
    from flywheel_sync.pull import PullSummary
    from flywheel_sync.store.quarantine import QuarantineEntry

__all__ = ["QUARANTINE_COUNT", "quarantine", "quarantine_lines"]

QUARANTINE_COUNT = "quarantined"
"""The run count (``runs``) of records a pull quarantined."""

stdout = Console(highlight=False, soft_wrap=True)


def quarantine_lines(summary: PullSummary) -> list[str]:
    """One line (Rich markup) per source that quarantined records in this pull."""
    return [
        f"[yellow]{escape(source)}[/]: {count:,} record{'s' if count != 1 else ''} "
        "quarantined (could not be read; the rest was stored) — flywheel-sync quarantine"
        for source, count in summary.quarantined_by_source().items()
    ]


def _record(entry: QuarantineEntry) -> str:
    return f"{entry.record_type} {entry.external_id or '(no id)'}"


def _table(entries: list[QuarantineEntry], total: int) -> Table:
    shown = f"{len(entries):,} of {total:,}" if total > len(entries) else f"{total:,}"
    table = Table(title=f"Quarantined records ({shown})", title_justify="left")
    table.add_column("source", overflow="fold")
    table.add_column("record", overflow="fold")
    table.add_column("scope", overflow="fold")
    table.add_column("reason", overflow="fold")
    table.add_column("reads", justify="right")
    table.add_column("last seen (UTC)", no_wrap=True)
    for entry in entries:
        table.add_row(
            escape(entry.source),
            escape(_record(entry)),
            escape(entry.scope),
            escape(entry.reason),
            f"{entry.times_seen:,}",
            f"{entry.last_seen_at:%Y-%m-%d %H:%M}",
        )
    return table


def _json(entry: QuarantineEntry) -> dict[str, object]:
    return {
        "source": entry.source,
        "scope": entry.scope,
        "record_type": entry.record_type,
        "external_id": entry.external_id,
        "reason": entry.reason,
        "excerpt": entry.excerpt,
        "first_seen_at": entry.first_seen_at.isoformat(),
        "last_seen_at": entry.last_seen_at.isoformat(),
        "times_seen": entry.times_seen,
    }


def quarantine(
    ctx: typer.Context,
    source: Annotated[
        str | None, typer.Option("--source", "-s", help="Only this source's, e.g. jira:pmo.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="At most this many entries.")
    ] = 200,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON lines, with each payload's excerpt.")
    ] = False,
) -> None:
    """List the records the pull could not read, and why (they stay until read cleanly)."""
    from flywheel_sync.store import open_configured_store

    configuration = load_configuration_for(ctx)
    with open_configured_store(
        configuration.settings.store, base_dir=configuration.base_dir
    ) as store:
        entries = store.quarantine.entries(source=source)
    if as_json:
        for entry in entries[:limit]:
            typer.echo(json.dumps(_json(entry), ensure_ascii=False))
        return
    if not entries:
        stdout.print("Nothing is quarantined" + (f" for {escape(source)}." if source else "."))
        return
    stdout.print(_table(entries[:limit], len(entries)))
    if len(entries) > limit:
        stdout.print(f"… and {len(entries) - limit:,} more (--limit, or --json for all fields).")
