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
import signal
import sys
import threading
from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flywheel_sync.cli.options import global_options, load_configuration_for

if TYPE_CHECKING:
    from connectors.errors import RetryableError
    from flywheel_sync.mapping import MappingOutcome
    from flywheel_sync.pull import PullSummary
    from flywheel_sync.pull.runner import PullListener
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
    # Targets left out for the same reason (one connection refused) share one line.
    by_reason: dict[tuple[str, str], list[str]] = {}
    for unread in plan.unread:
        by_reason.setdefault((unread.what_to_do, unread.reason), []).append(unread.target)
    for (what_to_do, reason), targets in by_reason.items():
        stdout.print(f"[red]not planned[/] {', '.join(targets)} ({what_to_do}): {escape(reason)}")


def _planned(
    configuration: Configuration,
    store: Store,
    connections: Connections,
    refused: Collection[str] = (),
) -> Planned:
    from flywheel_sync.push.pipeline import make_plan

    return make_plan(configuration, store, connections, now=datetime.now(UTC), refused=refused)


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

    pulled, refused = True, set[str]()
    if pull_first:
        summary, outcome = read_and_map(
            configuration, store, json_logs=global_options(ctx).json_logs or quiet
        )
        report_pull(summary, outcome, to=stderr if quiet else stdout)
        pulled, refused = summary.ok, summary.refused_sources()
    connections = _connections(configuration, stack)
    return _planned(configuration, store, connections, refused), connections, pulled


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
    if not pulled or planned.plan.unread:
        raise typer.Exit(1)


def _progress_line(job: Job, result: Result) -> None:
    change = job.change
    colour = {"applied": "green", "confirmed": "green", "failed": "red"}.get(
        result.status.value, "yellow"
    )
    # A failure's reason is printed once, in the summary after the writes (`_report`).
    shown = result.detail and result.status.value != "failed"
    detail = f" ({escape(result.detail)})" if shown else ""
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
    """The counts, then each failure's reason once: writes refused alike share one line."""
    counts = ", ".join(f"{count} {status}" for status, count in sorted(report.counts.items()))
    stdout.print(f"Applied: {counts or 'nothing to do'}.")
    by_reason: dict[str, list[Change]] = {}
    for change, reason in report.failures:
        by_reason.setdefault(reason, []).append(change)
    for reason, changes in by_reason.items():
        if len(changes) == 1:
            what = f"{changes[0].target} {changes[0].ref} {changes[0].field}"
        else:
            kinds = sorted({f"{change.target} {change.field}" for change in changes})
            what = f"{len(changes)} writes ({', '.join(kinds)})"
        stdout.print(f"[red]failed[/] {escape(what)}: {escape(reason)}")


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
            raise typer.Exit(0 if pulled and not planned.plan.unread else 1)
        if planned.plan.changes and not yes and not _confirmed(len(planned.plan.changes)):
            raise typer.Exit(1)
        run_id = store.runs.start("manual", "apply")
        report = _apply(store, connections, planned, run_id)
        ok = report.ok and not planned.plan.unread
        outcome = RunOutcome.SUCCEEDED if ok else RunOutcome.PARTIAL
        store.runs.finish(run_id, outcome, _counts(report, planned))
    _report(report)
    if not ok or not pulled:
        raise typer.Exit(1)


def _confirmed(count: int) -> bool:
    if not sys.stdin.isatty():
        stdout.print("Not applied: add --yes to apply without a terminal to confirm at.")
        raise typer.Exit(2)
    return typer.confirm(f"Make these {count} writes?", default=False)


class _TerminalObserver:
    """Shows a `sync` run as ``pull``, ``plan`` and ``apply`` show theirs."""

    def __init__(self, *, json_logs: bool) -> None:
        self._json_logs = json_logs

    def pulling(self) -> AbstractContextManager[PullListener]:
        from flywheel_sync.pull.listeners import LiveProgress, LogProgress

        if self._json_logs or not stdout.is_terminal:
            return nullcontext(LogProgress())
        return LiveProgress(stdout)

    def pulled(self, summary: PullSummary, mapping: MappingOutcome) -> None:
        from flywheel_sync.cli.pull_cmd import report_pull

        report_pull(summary, mapping)

    def retried(self, source: str, error: RetryableError, wait: float) -> None:
        """Retries show in the live display's log lines."""

    def planned(self, plan: Plan) -> None:
        _print_plan(plan)

    def settled(self, job: Job, result: Result) -> None:
        _progress_line(job, result)


def sync(ctx: typer.Context) -> None:
    """Pull, compute, plan and apply in one run (what scheduled jobs run).

    Stage and checklist writes go first; when there were any, the tools are read again so
    the KPI summaries published next report on what the tools now show. Ctrl-C or SIGTERM
    finishes the write being made and stops; the next run makes the rest.
    """
    from flywheel_sync.pipelines import run_pipeline
    from flywheel_sync.settings.jobs import Pipeline
    from flywheel_sync.store.rows import RunOutcome

    configuration = load_configuration_for(ctx)
    observer = _TerminalObserver(json_logs=global_options(ctx).json_logs)
    stopping = threading.Event()
    with _store(configuration) as store, _stop_on_signals(stopping):
        run_id = store.runs.start("manual", "sync")
        try:
            result = run_pipeline(
                configuration,
                store,
                Pipeline.SYNC,
                run_id=run_id,
                observer=observer,
                should_stop=stopping.is_set,
            )
        except BaseException:
            store.runs.finish(run_id, RunOutcome.FAILED, {})
            raise
        store.runs.finish(run_id, result.outcome, dict(result.counts))
    if result.apply is not None:
        _report(result.apply)
    if result.outcome is RunOutcome.INTERRUPTED:
        stdout.print("Stopped: the remaining writes are made by the next run.")
    if result.outcome is not RunOutcome.SUCCEEDED:
        raise typer.Exit(1)


@contextmanager
def _stop_on_signals(stopping: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM ask the run to stop after its current write (a second Ctrl-C aborts)."""

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if stopping.is_set():
            raise KeyboardInterrupt
        stderr.print("Stopping after the current write (Ctrl-C again to abort)…")
        stopping.set()

    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread (tests run commands)
        return
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
