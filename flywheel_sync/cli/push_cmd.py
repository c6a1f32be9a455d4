"""``flywheel-sync plan``, ``apply`` and ``sync``: write the Value Ring back into the tools.

``plan`` shows the writes a push would make: the desired state (stage fields, onboarding
checklists, KPI summaries) against what the tools show, as of the last pull (``--pull``
reads the tools first). ``apply`` makes them through the outbox (asking first unless
``--yes``); ``sync`` is pull → plan → apply in one run, for jobs.

Exit codes: 0 all writes made (or none needed); 1 a write failed or a source could not be
read; 2 configuration or usage error.
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from flywheel_sync.cli.options import global_options, load_configuration_for

if TYPE_CHECKING:
    from flywheel_sync.push.apply import ApplyReport, Job, Result
    from flywheel_sync.push.changes import Change, Plan
    from flywheel_sync.push.connections import Connections
    from flywheel_sync.push.pipeline import Planned
    from flywheel_sync.settings import Configuration
    from flywheel_sync.store import Store

__all__ = ["apply", "plan", "sync"]

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(highlight=False, soft_wrap=True, stderr=True)
_SHOWN = 60
"""Values longer than this are shortened in the table (``--json`` shows them whole)."""


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _values(change: Change) -> tuple[str, str]:
    """Before and after as people read them (pages and cards are compared by hash)."""
    if change.field in ("page", "card"):
        subject = change.payload.get("title") or change.payload.get("subject") or change.ref
        before = "—" if change.before is None else "an earlier summary"
        return before, str(subject)
    return _shown(change.before), _shown(change.after)


def _plan_table(plan: Plan) -> Table:
    table = Table(title=f"Plan: {len(plan.changes)} writes", title_justify="left")
    for column in ("target", "ref", "field", "before", "after", "action"):
        table.add_column(column, overflow="fold")
    for change in plan.changes:
        action = change.action.value + (" (overrides a person's edit)" if change.conflict else "")
        before, after = _values(change)
        table.add_row(change.target, change.ref, change.field, before, after, action)
    return table


def _print_plan(plan: Plan) -> None:
    if plan.changes:
        stdout.print(_plan_table(plan))
    else:
        stdout.print("Nothing to write: the tools already show the desired state.")
    for conflict in plan.conflicts:
        stdout.print(
            f"[yellow]conflict[/] {conflict.target} {conflict.ref} {conflict.field}: "
            f"a person changed it from {_shown(conflict.ours)} to {_shown(conflict.theirs)}; "
            f"flywheel-sync wants {_shown(conflict.wanted)}: {conflict.outcome}"
        )
    for note in plan.notes:
        stdout.print(f"[dim]note[/] {note.target} {note.ref}: {note.message}")


def _planned(configuration: Configuration, store: Store, connections: Connections) -> Planned:
    from flywheel_sync.push.pipeline import make_plan

    return make_plan(configuration, store, connections, now=datetime.now(UTC))


def _store(configuration: Configuration) -> Store:
    from flywheel_sync.store import open_configured_store

    return open_configured_store(configuration.settings.store, base_dir=configuration.base_dir)


def _connections(configuration: Configuration, stack: ExitStack) -> Connections:
    from flywheel_sync.push.connections import Connections

    return Connections(configuration=configuration, stack=stack)


def _plan_now(
    ctx: typer.Context,
    configuration: Configuration,
    store: Store,
    stack: ExitStack,
    *,
    pull_first: bool,
    quiet: bool = False,
) -> tuple[Planned, Connections, bool]:
    """Pull first if asked (its report on stderr when ``quiet``), then plan.

    Returns the plan, the connections it opened (for the apply) and whether the pull was ok.
    """
    from flywheel_sync.cli.pull_cmd import read_and_map, report_pull

    pulled = True
    if pull_first:
        summary, outcome = read_and_map(
            configuration, store, json_logs=global_options(ctx).json_logs or quiet
        )
        report_pull(summary, outcome, to=stderr if quiet else stdout)
        pulled = summary.ok
    connections = _connections(configuration, stack)
    return _planned(configuration, store, connections), connections, pulled


def plan(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
    pull_first: Annotated[
        bool, typer.Option("--pull", help="Read the tools first (incrementally).")
    ] = False,
) -> None:
    """Show the writes a push would make: desired state against the tools' current state."""
    configuration = load_configuration_for(ctx)
    with _store(configuration) as store, ExitStack() as stack:
        planned, _, pulled = _plan_now(
            ctx, configuration, store, stack, pull_first=pull_first, quiet=as_json
        )
    if as_json:
        typer.echo(json.dumps(planned.plan.as_json(), indent=2, ensure_ascii=False, default=str))
    else:
        _print_plan(planned.plan)
    if not pulled:
        raise typer.Exit(1)


def _progress_line(job: Job, result: Result) -> None:
    change = job.change
    colour = {"applied": "green", "confirmed": "green", "failed": "red"}.get(
        result.status.value, "yellow"
    )
    detail = f" ({result.detail})" if result.detail else ""
    stdout.print(
        f"[{colour}]{result.status.value:>10}[/] {change.target} {change.ref} "
        f"{change.field}{detail}"
    )


def _apply(store: Store, connections: Connections, planned: Planned, run_id: str) -> ApplyReport:
    from flywheel_sync.push.apply import Applier

    applier = Applier(
        store=store,
        executors=connections.executors(clock=lambda: datetime.now(UTC), run_id=run_id),
        run_id=run_id,
        clock=lambda: datetime.now(UTC),
        on_settled=_progress_line,
    )
    return applier.apply(planned.plan)


def _report(report: ApplyReport) -> None:
    counts = ", ".join(f"{count} {status}" for status, count in sorted(report.counts.items()))
    stdout.print(f"Applied: {counts or 'nothing to do'}.")
    for change, reason in report.failures:
        stdout.print(f"[red]failed[/] {change.target} {change.ref} {change.field}: {reason}")


def _counts(report: ApplyReport, planned: Planned) -> dict[str, int]:
    return {
        "writes.planned": report.planned,
        "conflicts": len(planned.plan.conflicts),
        **{f"writes.{status}": count for status, count in report.counts.items()},
    }


def apply(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before writing.")] = False,
    pull_first: Annotated[
        bool, typer.Option("--pull", help="Read the tools first (incrementally).")
    ] = False,
) -> None:
    """Make the planned writes (and finish any apply that was interrupted)."""
    from flywheel_sync.store.rows import RunOutcome

    configuration = load_configuration_for(ctx)
    with _store(configuration) as store, ExitStack() as stack:
        planned, connections, pulled = _plan_now(
            ctx, configuration, store, stack, pull_first=pull_first
        )
        _print_plan(planned.plan)
        resuming = bool(store.outbox.pending())
        nothing = not (planned.plan.changes or planned.plan.adopted or planned.plan.conflicts)
        if nothing and not resuming:
            raise typer.Exit(0 if pulled else 1)
        if planned.plan.changes and not yes and not _confirmed(len(planned.plan.changes)):
            raise typer.Exit(1)
        run_id = store.runs.start("manual", "apply")
        report = _apply(store, connections, planned, run_id)
        outcome = RunOutcome.SUCCEEDED if report.ok else RunOutcome.PARTIAL
        store.runs.finish(run_id, outcome, _counts(report, planned))
    _report(report)
    if not report.ok or not pulled:
        raise typer.Exit(1)


def _confirmed(count: int) -> bool:
    if not sys.stdin.isatty():
        stdout.print("Not applied: add --yes to apply without a terminal to confirm at.")
        raise typer.Exit(2)
    return typer.confirm(f"Make these {count} writes?", default=False)


def sync(ctx: typer.Context) -> None:
    """Pull, compute, plan and apply in one run (what scheduled jobs run).

    Stage and checklist writes go first; when there were any, the tools are read again so
    the KPI summaries published next report on what the tools now show.
    """
    from flywheel_sync.cli.pull_cmd import pull_counts, read_and_map, report_pull
    from flywheel_sync.store.rows import RunOutcome

    configuration = load_configuration_for(ctx)
    json_logs = global_options(ctx).json_logs
    with _store(configuration) as store, ExitStack() as stack:
        run_id = store.runs.start("manual", "sync")
        summary, outcome = read_and_map(configuration, store, json_logs=json_logs)
        report_pull(summary, outcome)
        connections = _connections(configuration, stack)
        planned = _planned(configuration, store, connections)
        first = planned.plan.writes_to_tools()
        reports = []
        if first.changes and len(first.changes) < len(planned.plan.changes):
            _print_plan(first)
            reports.append(_apply(store, connections, replace(planned, plan=first), run_id))
            summary, outcome = read_and_map(configuration, store, json_logs=json_logs)
            planned = _planned(configuration, store, connections)
        _print_plan(planned.plan)
        reports.append(_apply(store, connections, planned, run_id))
        report = reports[0] if len(reports) == 1 else reports[0].merged(reports[1])
        ok = report.ok and summary.ok
        counts = pull_counts(summary, outcome) | _counts(report, planned)
        store.runs.finish(run_id, RunOutcome.SUCCEEDED if ok else RunOutcome.PARTIAL, counts)
    _report(report)
    if not ok:
        raise typer.Exit(1)
