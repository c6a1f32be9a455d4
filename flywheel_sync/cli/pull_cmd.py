"""``flywheel-sync pull [--source S] [--full]``: read the tools into the store, then map them.

Incremental by default: each scope continues from its stored watermark. The records in the
store are then mapped onto Value Ring entities (``mapping.yaml``), which ``status`` shows
and ``explain`` explains; records the mapping could not place are counted in the summary.

The live display shows one line per scope; with ``--log-format json`` (or when stdout is not
a terminal) the same progress goes to the log as records a job collector can read. Exit 0
when every scope was read to its end, 1 when one failed (the others still ran), 2 for a
configuration problem. Records a connector could not read are quarantined and the pull goes
on: they do not change the exit code (see `flywheel_sync.cli.quarantine_cmd` for why), one
line per source says how many, and ``flywheel-sync quarantine`` lists them.
"""

from __future__ import annotations

from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flywheel_sync.cli.options import global_options, load_configuration_for

if TYPE_CHECKING:
    from flywheel_sync.mapping import MappingOutcome
    from flywheel_sync.pull import PullSummary
    from flywheel_sync.settings import Configuration
    from flywheel_sync.store import Store

__all__ = ["pull", "pull_counts", "read_and_map", "report_pull"]

stdout = Console(highlight=False, soft_wrap=True)


def _summary_table(summary: PullSummary) -> Table:
    table = Table(title="Pulled", title_justify="left")
    table.add_column("source", overflow="fold")
    table.add_column("scope", overflow="fold")
    for counter in ("records", "new or changed", "pages", "requests"):
        table.add_column(counter, justify="right")
    table.add_column("result")
    for scope in summary.scopes:
        result = "ok" if scope.ok else f"failed: {scope.failure_kind}"
        table.add_row(
            scope.source,
            scope.scope,
            f"{scope.records:,}",
            f"{scope.changed:,}",
            f"{scope.pages:,}",
            f"{scope.requests:,}",
            result,
        )
    return table


def _mapping_summary(outcome: MappingOutcome) -> str:
    from flywheel_sync.mapping import unplaced_counts

    counts = outcome.counts()
    made = ", ".join(
        f"{count:,} {name.removeprefix('entities.')}"
        for name, count in counts.items()
        if name.startswith("entities.")
    )
    unplaced = unplaced_counts(counts)
    line = f"Mapped {counts['records']:,} records: {made or 'no entities'}."
    if unplaced:
        line += f" Not placed: {', '.join(unplaced)} (flywheel-sync explain --unplaced)."
    return line


def read_and_map(
    configuration: Configuration,
    store: Store,
    *,
    json_logs: bool,
    sources: list[str] | None = None,
    full: bool = False,
    parallel: int = 4,
) -> tuple[PullSummary, MappingOutcome]:
    """Read the tools into ``store`` with progress, then map the records (pull and sync).

    Raises:
        ConnectorConfigError: A source is unknown or selects nothing.
    """
    from flywheel_sync.mapping import refresh_entities
    from flywheel_sync.pull import PullRunner
    from flywheel_sync.pull.listeners import LiveProgress, LogProgress
    from flywheel_sync.pull.sources import SourceFactory

    live = not json_logs and stdout.is_terminal
    listener = LiveProgress(stdout) if live else LogProgress()
    factory = SourceFactory(configuration=configuration, on_retry=listener.retried)
    with ExitStack() as stack:
        built = factory.build(sources or factory.names(), stack)
        with ExitStack() as display:
            if isinstance(listener, LiveProgress):
                display.enter_context(listener)
            runner = PullRunner(
                store.records, listener, max_parallel=parallel, quarantine=store.quarantine
            )
            summary = runner.pull(built, full=full)
    outcome = refresh_entities(configuration.mapping, store, now=datetime.now(UTC))
    return summary, outcome


def pull_counts(summary: PullSummary, outcome: MappingOutcome) -> dict[str, int]:
    """A pull's counts as a run records them."""
    from flywheel_sync.mapping import RUN_COUNT_PREFIX

    totals = ("records", "changed", "pages", "requests", "quarantined")
    counts = {name: summary.total(name) for name in totals}
    return counts | {RUN_COUNT_PREFIX + name: count for name, count in outcome.counts().items()}


def _failure_lines(summary: PullSummary) -> list[str]:
    """Why scopes failed and what to do; one line for a source refused in many scopes.

    Refused credentials fail every scope of a source alike, and the line a person can act on
    is the same for all of them.
    """
    from flywheel_sync.failures import FailureKind

    failed = [scope for scope in summary.scopes if not scope.ok]
    refused = Counter(s.source for s in failed if s.failure_kind is FailureKind.REAUTHENTICATE)
    lines: list[str] = []
    for scope in failed:
        where = f"{scope.source} {scope.scope}"
        if scope.failure_kind is FailureKind.REAUTHENTICATE:
            count = refused[scope.source]
            if count == 0:
                continue  # said once for the source
            if count > 1:
                where = f"{scope.source} ({count} scopes)"
            refused[scope.source] = 0
        kind = f" ({scope.failure_kind})" if scope.failure_kind else ""
        lines.append(f"[red]{escape(where)}[/] failed{kind}: {escape(scope.failure or '')}")
    return lines


def report_pull(summary: PullSummary, outcome: MappingOutcome, *, to: Console = stdout) -> None:
    """Print the pull's table, the mapping's line, what was quarantined, and why scopes failed."""
    from flywheel_sync.cli.quarantine_cmd import quarantine_lines

    to.print(_summary_table(summary))
    to.print(_mapping_summary(outcome))
    for line in [*quarantine_lines(summary), *_failure_lines(summary)]:
        to.print(line)


def pull(
    ctx: typer.Context,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="Read only this source (repeatable), e.g. jira:pmo."),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Read everything again, ignoring the watermarks.")
    ] = False,
    parallel: Annotated[
        int,
        typer.Option(
            "--parallel",
            min=1,
            max=16,
            help="Read up to N sources at once (one source's scopes stay in order).",
        ),
    ] = 4,
) -> None:
    """Read records from the configured tools into the store (incremental by default)."""
    from flywheel_sync.store import open_configured_store
    from flywheel_sync.store.rows import RunOutcome

    configuration = load_configuration_for(ctx)
    with open_configured_store(
        configuration.settings.store, base_dir=configuration.base_dir
    ) as store:
        run_id = store.runs.start("manual", "pull")
        summary, outcome = read_and_map(
            configuration,
            store,
            json_logs=global_options(ctx).json_logs,
            sources=source,
            full=full,
            parallel=parallel,
        )
        outcome_kind = RunOutcome.SUCCEEDED if summary.ok else RunOutcome.FAILED
        store.runs.finish(run_id, outcome_kind, pull_counts(summary, outcome))
    report_pull(summary, outcome)
    if not summary.ok:
        raise typer.Exit(1)
