"""``flywheel-sync explain REF``: which rule mapped a record, what it read, what it produced.

REF is what people have at hand: a Jira key (``PMO-12``), a Planner task id, a Teams message
id, a Project task id, or an entity id (``grid-ops``). The mapping is run over the store as
it is now, without saving, so the explanation always matches the current ``mapping.yaml``.
``--unplaced`` lists what the mapping could not place: unmatched records, conflicts,
rejected records and cross-tool disagreements. Exit 1 when REF names nothing in the store.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from flywheel_sync.cli.options import load_configuration_for

if TYPE_CHECKING:
    from flywheel_sync.mapping import MappingOutcome, RecordTrace
    from flywheel_sync.store import EntityRecord

__all__ = ["explain"]

stdout = Console(highlight=False, soft_wrap=True)


def _matches_ref(trace: RecordTrace, ref: str) -> bool:
    external_id = trace.record.external_id
    return external_id.casefold() == ref.casefold() or external_id.endswith("/" + ref)


def _print_trace(trace: RecordTrace) -> None:
    stdout.print(f"[bold]{escape(str(trace.record))}[/] — {escape(trace.title)}")
    if not trace.matches:
        stdout.print("  no rule selects this record (add a rule, or narrow another's select)")
    for match in trace.matches:
        stdout.print(f"  rule [cyan]{escape(match.rule)}[/] → {match.kind}")
        for reading in match.readings:
            stdout.print(f"    {escape(reading)}")
        for problem in match.problems:
            stdout.print(f"    [yellow]problem[/]: {escape(problem)}")
        if match.set_aside:
            stdout.print(f"    [yellow]set aside[/]: {escape(match.set_aside)}")
        elif match.entities:
            for kind, entity_id in match.entities:
                stdout.print(f"    produced {kind} [bold]{escape(entity_id)}[/]")
        else:
            stdout.print("    [red]produced nothing[/] (see the problems above)")


def _stage_line(step: dict[str, Any]) -> str:
    ref = f"  ({step['source_ref']})" if step.get("source_ref") else ""
    cycle = f" cycle {step['cycle']}" if "cycle" in step else ""
    return f"{step['entered_at'][:10]}  {step['stage']}{cycle}{ref}"


def _print_entity(entity: EntityRecord, outcome: MappingOutcome) -> None:
    payload = entity.payload
    stdout.print(f"[bold]{entity.kind} {escape(entity.entity_id)}[/] — {escape(entity.name)}")
    for name in ("customer_id", "service_id", "engagement_id", "current_stage", "cycle"):
        if payload.get(name) is not None:
            stdout.print(f"  {name}: {escape(str(payload[name]))}")
    if entity.experience_stage:
        stdout.print(f"  experience stage: {entity.experience_stage}")
    history = payload.get("stage_history") or payload.get("experience_history") or []
    if history:
        stdout.print("  history:")
        for step in history:
            stdout.print(f"    {escape(_stage_line(step))}")
    for item in payload.get("items") or ():
        mark = escape("[x]" if item["done"] else "[ ]")
        stdout.print(f"  {mark} {escape(item['title'])} ({item['key']}, {item['origin']})")
    for record in payload.get("records") or ():
        stdout.print(f"  from {escape(record)}")
    for disagreement in outcome.disagreements:
        if disagreement.entity == (entity.kind, entity.entity_id):
            stdout.print(f"  [yellow]disagreement[/]: {escape(str(disagreement))}")


def _print_unplaced(outcome: MappingOutcome, limit: int) -> None:
    sections: list[tuple[str, list[str]]] = [
        (
            "Unmatched (no rule selects them)",
            [f"{t.record} — {t.title}" for t in outcome.unmatched],
        ),
        ("Conflicts (two rules, one kind)", [str(c) for c in outcome.conflicts]),
        (
            "Rejected (selected, but could not become an entity)",
            [str(r) for r in outcome.rejections],
        ),
        ("Disagreements (joined records that differ)", [str(d) for d in outcome.disagreements]),
    ]
    for title, lines in sections:
        stdout.print(f"[bold]{title}: {len(lines):,}[/]")
        for line in lines[:limit]:
            stdout.print(f"  {escape(line)}")
        if len(lines) > limit:
            stdout.print(f"  … and {len(lines) - limit:,} more (--limit)")


def explain(
    ctx: typer.Context,
    ref: Annotated[
        str | None,
        typer.Argument(help="A record or entity: PMO-12, a Planner task id, grid-ops, ..."),
    ] = None,
    unplaced: Annotated[
        bool,
        typer.Option("--unplaced", help="List unmatched, conflicting and rejected records."),
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="At most this many lines per list.")
    ] = 50,
) -> None:
    """Show which rule mapped a record, what it read and which entities it produced."""
    from flywheel_sync.mapping import map_store
    from flywheel_sync.store import open_configured_store

    if ref is None and not unplaced:
        raise typer.BadParameter("give a REF to explain, or --unplaced", param_hint="REF")
    configuration = load_configuration_for(ctx)
    with open_configured_store(
        configuration.settings.store, base_dir=configuration.base_dir
    ) as store:
        outcome = map_store(configuration.mapping, store, now=datetime.now(UTC))
    if unplaced:
        _print_unplaced(outcome, limit)
    if ref is None:
        return
    traces = [trace for trace in outcome.traces.values() if _matches_ref(trace, ref)]
    entities = [e for e in outcome.entities if e.entity_id.casefold() == ref.casefold()]
    for trace in traces:
        _print_trace(trace)
    produced = {made for trace in traces for match in trace.matches for made in match.entities}
    shown = {(e.kind, e.entity_id) for e in entities}
    entities += [
        entity
        for key in sorted(produced - shown)
        if (entity := outcome.entities_of(key)) is not None
    ]
    for entity in entities:
        _print_entity(entity, outcome)
    if not traces and not entities:
        stdout.print(
            f"No record or entity {escape(ref)!r} in the store "
            f"({outcome.records_read:,} records mapped). Run flywheel-sync pull first?"
        )
        raise typer.Exit(1)
