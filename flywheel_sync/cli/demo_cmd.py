"""``flywheel-sync demo [DIR]``: the whole job on the embedded sandbox, from a fresh machine.

The demo starts the sandbox in this process, writes its configuration into ``DIR``, and runs
what a PMO's scheduled job would: pull every source, show the Value Ring, the KPIs and the
symptoms, plan and apply the pushes, show that the next plan is empty, and write the HTML
report. Each step prints what the real command prints (``status``, ``kpis``, ``diagnose``,
``sync``, ``plan``), so the demo shows exactly what a user will see; the push is ``sync``'s
own pipeline (`flywheel_sync.pipelines.run_pipeline`): stage and checklist writes first, the
tools read again, then the KPI summaries.

``DIR`` must be new, empty, or a previous demo's (`flywheel_sync.demo.prepare_folder`).
With ``--keep`` the sandbox stays up until Ctrl-C or SIGTERM, to explore with the printed
commands; otherwise it stops at the end, and the written ``flywheel.toml`` names a port
nothing listens on any more.

Exit codes: 0 the demo ran through; 1 a step failed, or the plan after the push was not
empty (a bug: please report it); 2 a usage problem (the folder, the port).
"""

from __future__ import annotations

import dataclasses
import signal
import socket
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.rule import Rule

from flywheel_sync.cli.options import global_options, load_configuration_for
from flywheel_sync.cli.report import stderr

if TYPE_CHECKING:
    from flywheel_sync.mapping import MappingOutcome
    from flywheel_sync.pull import PullSummary
    from flywheel_sync.push.changes import Plan
    from flywheel_sync.sandbox.server import SandboxServer
    from flywheel_sync.settings import Configuration
    from flywheel_sync.store import Store

__all__ = ["STEPS", "demo"]

stdout = Console(highlight=False, soft_wrap=True)

STEPS = (
    "Start the sandbox",
    "Pull every source",
    "The Value Ring",
    "KPIs",
    "Symptoms and proposed needs",
    "Plan and apply the pushes (flywheel-sync sync)",
    "Plan again: nothing left to write",
    "Write the HTML report",
)
"""The demo's steps, in order: their headings."""


@dataclass(kw_only=True)
class _Tally:
    """What the summary reports, gathered on the way; ``problems`` make the exit code 1."""

    records: int = 0
    engagements: int = 0
    applied: int = 0
    symptoms: int = 0
    store: str = ""
    seconds: float = 0.0
    """How long the steps took (not the time the sandbox was kept running)."""
    problems: list[str] = dataclasses.field(default_factory=list)


def _step(number: int) -> None:
    stdout.print()
    stdout.print(Rule(f"[bold]Step {number}/{len(STEPS)} · {STEPS[number - 1]}[/]", align="left"))


def _check_port(port: int) -> None:
    """Fail early, and as a usage problem (exit 2), when ``port`` is taken.

    Probing first spares building the demo organisation for a server that cannot listen.
    """
    if port == 0:
        return
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
    except OSError as problem:
        stderr.print(
            f"[bold red]error:[/] cannot listen on 127.0.0.1:{port} "
            f"({escape(problem.strerror or str(problem))}); choose another --port, or 0 for "
            "any free one"
        )
        raise typer.Exit(2) from None


def _start_sandbox(seed: int, scale: float, port: int) -> SandboxServer:
    """The sandbox, serving on ``port`` (0: any free one)."""
    from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer

    _check_port(port)
    return SandboxServer(SandboxOptions(seed=seed, scale=scale), port=port).start()


def _introduce(sandbox: SandboxServer, folder: Path) -> Path:
    """Print what the sandbox holds, write its configuration into ``folder``; the config."""
    from flywheel_sync.sandbox.description import write_sandbox_config

    organisation = sandbox.state.organisation
    options = sandbox.options
    stdout.print(
        f"Sandbox on {sandbox.url}: Northwind Utilities (seed {options.seed}, scale "
        f"{options.scale:g}, as of {organisation.now:%Y-%m-%d}), "
        f"{organisation.jira_issue_count:,} Jira issues, "
        f"{organisation.teams_message_count:,} Teams messages, "
        f"{organisation.project_task_count:,} Project tasks"
    )
    for path in write_sandbox_config(folder, sandbox.url, options):
        stdout.print(f"wrote {escape(str(path))}")
    return folder / "flywheel.toml"


def _use(ctx: typer.Context, config: Path) -> Configuration:
    """Point this invocation at the demo's configuration, as ``-c config`` would, and load it.

    The steps then run the very commands a user runs (``status``, ``kpis``, ``diagnose``),
    which read their configuration from the global options.
    """
    root = ctx.find_root()
    root.obj = dataclasses.replace(global_options(ctx), config=config)
    return load_configuration_for(ctx)


def _pull(
    configuration: Configuration, store: Store, *, json_logs: bool
) -> tuple[PullSummary, MappingOutcome]:
    from flywheel_sync.cli.pull_cmd import read_and_map

    return read_and_map(configuration, store, json_logs=json_logs)


def _pull_step(configuration: Configuration, tally: _Tally, *, json_logs: bool) -> None:
    from flywheel_sync.cli.pull_cmd import pull_counts, report_pull
    from flywheel_sync.store import open_configured_store
    from flywheel_sync.store.rows import RunOutcome

    store_settings = configuration.settings.store
    with open_configured_store(store_settings, base_dir=configuration.base_dir) as store:
        run_id = store.runs.start("demo", "pull")
        summary, outcome = _pull(configuration, store, json_logs=json_logs)
        kind = RunOutcome.SUCCEEDED if summary.ok else RunOutcome.FAILED
        store.runs.finish(run_id, kind, pull_counts(summary, outcome))
        tally.store = store.display_url
    report_pull(summary, outcome)
    if not summary.ok:
        tally.problems.append("some sources could not be read (see the pull above)")


def _sync_step(configuration: Configuration, tally: _Tally, *, json_logs: bool) -> None:
    """``flywheel-sync sync`` itself, recorded as a ``demo`` ``sync`` run.

    The same pipeline and the same output: a pull, then the stage and checklist writes, the
    tools read again when there were any, then the KPI summaries.
    """
    from flywheel_sync.cli.push_cmd import _report, _TerminalObserver
    from flywheel_sync.pipelines import run_pipeline
    from flywheel_sync.settings.jobs import Pipeline
    from flywheel_sync.store import open_configured_store
    from flywheel_sync.store.rows import RunOutcome

    observer = _TerminalObserver(json_logs=json_logs)
    store_settings = configuration.settings.store
    with open_configured_store(store_settings, base_dir=configuration.base_dir) as store:
        run_id = store.runs.start("demo", "sync")
        try:
            result = run_pipeline(
                configuration, store, Pipeline.SYNC, run_id=run_id, observer=observer
            )
        except BaseException:
            store.runs.finish(run_id, RunOutcome.FAILED, {})
            raise
        store.runs.finish(run_id, result.outcome, dict(result.counts))
    if result.apply is not None:
        _report(result.apply)
        tally.applied = result.apply.counts.get("applied", 0)
    if result.outcome is not RunOutcome.SUCCEEDED:
        tally.problems.append(f"the sync ended {result.outcome.value} (see above)")


def _plan_again_step(configuration: Configuration, tally: _Tally, *, json_logs: bool) -> Plan:
    """A fresh pull and a plan, printed: after the push it should hold no writes."""
    from flywheel_sync.cli.push_cmd import _connections, _planned, _print_plan
    from flywheel_sync.store import open_configured_store

    store_settings = configuration.settings.store
    with (
        open_configured_store(store_settings, base_dir=configuration.base_dir) as store,
        ExitStack() as stack,
    ):
        summary, _ = _pull(configuration, store, json_logs=json_logs)
        stdout.print(
            f"Read the tools again: {summary.total('records'):,} records, "
            f"{summary.total('changed'):,} new or changed."
        )
        planned = _planned(configuration, store, _connections(configuration, stack))
        tally.records = sum(store.summary().records_by_source.values())
    _print_plan(planned.plan)
    return planned.plan


def _check_converged(plan: Plan, tally: _Tally) -> None:
    """A plan right after the push that still wants writes is a bug: say so (exit 1)."""
    if plan.changes:
        count = len(plan.changes)
        message = (
            f"the plan after the push still holds {count} write{'' if count == 1 else 's'}: the "
            "push did not converge. This is a bug in flywheel-sync; please report it."
        )
        stderr.print(f"[bold red]error:[/] {message}")
        tally.problems.append(message)


def _report_step(configuration: Configuration, folder: Path, tally: _Tally) -> Path:
    from flywheel_sync.cli.report_cmd import ReportFormat, produce_report
    from flywheel_sync.demo import REPORT_NAME

    path = folder / REPORT_NAME
    result = produce_report(configuration, path, ReportFormat.HTML, now=datetime.now(UTC))
    tally.engagements = len(result.flywheel)
    tally.symptoms = len(result.symptoms)
    stdout.print(
        f"Wrote {escape(str(path))}: the Value Ring, the flywheel distribution, KPI charts, "
        "stage dwell times and the symptoms' evidence; it opens offline in any browser."
    )
    return path


def _explore(sandbox: SandboxServer, config: Path) -> None:
    command = f"flywheel-sync -c {config}"
    stdout.print()
    stdout.print(Rule("[bold]The sandbox keeps running[/]", align="left"))
    stdout.print(f"On {sandbox.url}. Explore it from another terminal:")
    for args in ("status", "kpis", "diagnose --propose", "plan", "runs", "report"):
        stdout.print(f"  {escape(command)} {args}")
    admin = f"{sandbox.url}/_sandbox"
    stdout.print(f"Sandbox admin: {admin}/stats · {admin}/inbox (cards posted) · {admin}/faults")
    stdout.print("Press Ctrl-C to stop the sandbox.")


def _wait_until_stopped() -> None:
    """Block until Ctrl-C or SIGTERM; the previous handlers are restored afterwards."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        stop.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _summary(folder: Path, report: Path, tally: _Tally, url: str) -> None:
    stdout.print()
    stdout.print(Rule("[bold]Done[/]", align="left"))
    rows = (
        ("folder", str(folder)),
        ("config", str(folder / "flywheel.toml")),
        ("mapping", str(folder / "mapping.yaml")),
        ("store", tally.store),
        ("report", str(report)),
    )
    for label, value in rows:
        stdout.print(f"  {label:<8} {escape(value)}")
    stdout.print(
        f"  {tally.records:,} records · {tally.engagements} engagements · "
        f"{tally.applied} writes applied · {tally.symptoms} symptoms"
    )
    stdout.print(
        f"The sandbox has stopped; flywheel.toml points at it ({url}). The store commands "
        f"(status, kpis, diagnose, report) work without it; to use the tools again, run "
        f"'flywheel-sync demo {escape(str(folder))} --keep'."
    )
    stdout.print(f"The demo's steps took {tally.seconds:.1f} s.")


def demo(
    ctx: typer.Context,
    folder: Annotated[
        Path,
        typer.Argument(file_okay=False, help="Working folder (new, empty, or a previous demo's)."),
    ] = Path("flywheel-demo"),
    keep: Annotated[
        bool, typer.Option("--keep", help="Leave the sandbox running to explore, until Ctrl-C.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the demo organisation.")] = 1,
    scale: Annotated[
        float, typer.Option(min=0.01, max=100, help="Volume multiplier of the delivery work.")
    ] = 1.0,
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Sandbox port; 0 picks a free one.")
    ] = 0,
) -> None:
    """Run the whole job on the embedded sandbox: pull, Value Ring, KPIs, push, report."""
    from flywheel_sync.cli.diagnose_cmd import diagnose
    from flywheel_sync.cli.kpis_cmd import ScopeChoice, kpis
    from flywheel_sync.cli.status_cmd import status
    from flywheel_sync.demo import DemoFolderError, prepare_folder

    started = time.monotonic()
    json_logs = global_options(ctx).json_logs
    try:
        if prepare_folder(folder):
            stdout.print(f"Starting afresh in {escape(str(folder))} (a previous demo's folder).")
    except (DemoFolderError, OSError) as problem:
        stderr.print(f"[bold red]error:[/] {escape(str(problem))}")
        raise typer.Exit(2) from None
    folder = folder.resolve()
    tally = _Tally()
    _step(1)
    with ExitStack() as running:
        sandbox = _start_sandbox(seed, scale, port)
        running.callback(sandbox.stop)
        url = sandbox.url
        config = _introduce(sandbox, folder)
        configuration = _use(ctx, config)
        _step(2)
        _pull_step(configuration, tally, json_logs=json_logs)
        _step(3)
        status(ctx)
        _step(4)
        kpis(ctx, scope=ScopeChoice.PORTFOLIO)
        stdout.print(
            f"Each customer's and service's KPIs: flywheel-sync -c {escape(str(config))} kpis"
        )
        _step(5)
        diagnose(ctx, propose=True)
        _step(6)
        _sync_step(configuration, tally, json_logs=json_logs)
        _step(7)
        _check_converged(_plan_again_step(configuration, tally, json_logs=json_logs), tally)
        _step(8)
        report = _report_step(configuration, folder, tally)
        tally.seconds = time.monotonic() - started
        if keep:
            _explore(sandbox, config)
            _wait_until_stopped()
    _summary(folder, report, tally, url)
    if tally.problems:
        raise typer.Exit(1)
