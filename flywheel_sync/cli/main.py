"""The ``flywheel-sync`` application: global options, command groups and exit codes.

Exit codes: 0 success; 1 the run failed (or some writes failed); 2 usage or configuration
error. A user's mistake is reported as a message, never as a traceback; an unexpected error
prints one line, and its traceback only with ``-v``.

Heavy libraries are imported inside the commands that need them, so ``--help`` stays fast.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from flywheel_sync import __version__
from flywheel_sync.cli import (
    config_cmd,
    demo_cmd,
    diagnose_cmd,
    explain_cmd,
    init_cmd,
    kpis_cmd,
    pull_cmd,
    push_cmd,
    quarantine_cmd,
    report_cmd,
    runs_cmd,
    sandbox_cmd,
    serve_cmd,
    status_cmd,
)
from flywheel_sync.cli.options import GlobalOptions
from flywheel_sync.cli.report import report_failure

__all__ = ["app", "run"]


class LogFormatChoice(StrEnum):
    """``text`` for people; ``json`` lines for jobs and log collectors."""

    TEXT = "text"
    JSON = "json"


app = typer.Typer(
    name="flywheel-sync",
    help="Run the PMO Value Ring flywheel on the data in Jira, Confluence, Planner, "
    "Project and Teams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(config_cmd.app, name="config")
app.add_typer(sandbox_cmd.app, name="sandbox")
app.command("init")(init_cmd.init)
app.command("status")(status_cmd.status)
app.command("pull")(pull_cmd.pull)
app.command("explain")(explain_cmd.explain)
app.command("kpis")(kpis_cmd.kpis)
app.command("diagnose")(diagnose_cmd.diagnose)
app.command("plan")(push_cmd.plan)
app.command("apply")(push_cmd.apply)
app.command("sync")(push_cmd.sync)
app.command("serve")(serve_cmd.serve)
app.command("runs")(runs_cmd.runs)
app.command("quarantine")(quarantine_cmd.quarantine)
app.command("report")(report_cmd.report)
app.command("demo")(demo_cmd.demo)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"flywheel-sync {__version__}")
        raise typer.Exit


@app.callback()
def main(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "-c",
            "--config",
            help="flywheel.toml to use. Default: $FLYWHEEL_CONFIG, then ./flywheel.toml.",
            dir_okay=False,
        ),
    ] = None,
    log_format: Annotated[
        LogFormatChoice | None,
        typer.Option(
            "--log-format",
            help="Log lines as text, or as JSON for jobs and collectors "
            "(default: \\[logging] format, else text).",
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[
        int,
        typer.Option(
            "-v",
            "--verbose",
            count=True,
            metavar="",
            show_default=False,
            help="More output; -vv for debug.",
        ),
    ] = 0,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            metavar="",
            help="Print the version.",
        ),
    ] = False,
) -> None:
    """Run the PMO Value Ring flywheel on the data in the tools PMOs already use."""
    from flywheel_sync.logs import configure_logging

    json_logs = log_format is LogFormatChoice.JSON
    configure_logging(json_format=json_logs, verbosity=verbose)
    ctx.obj = GlobalOptions(
        config=config,
        json_logs=json_logs,
        verbosity=verbose,
        log_format_given=log_format is not None,
    )


def run(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app and turn every failure into an exit code.

    Typer reports usage errors itself (exit 2); our errors and unexpected ones are reported
    here, as messages rather than tracebacks. Always ends with ``SystemExit``.
    """
    args = sys.argv[1:] if argv is None else argv
    try:
        app(args=args, prog_name="flywheel-sync")
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last line of defence against tracebacks
        verbose = any(arg in {"-v", "-vv", "--verbose"} for arg in args)
        sys.exit(report_failure(error, verbose=verbose))


if __name__ == "__main__":  # pragma: no cover
    run()
