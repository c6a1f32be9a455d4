"""``flywheel-sync sandbox serve``: the emulators on 127.0.0.1, until stopped."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

__all__ = ["app"]

app = typer.Typer(
    help="Run the local sandbox: emulators of Jira, Confluence and Microsoft 365.",
    no_args_is_help=True,
)
stdout = Console(highlight=False, soft_wrap=True)


@app.command("serve")
def serve(
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port; 0 picks a free one.")] = 8765,
    seed: Annotated[int, typer.Option(help="Seed of the demo organisation.")] = 1,
    scale: Annotated[float, typer.Option(min=0.01, max=1000, help="Volume multiplier.")] = 1.0,
    latency_ms: Annotated[float, typer.Option(min=0, help="Added to every request.")] = 0.0,
    rate_limit: Annotated[
        float | None, typer.Option(min=0.001, help="Requests per second per service (429 past it).")
    ] = None,
    fault_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Share of requests failed (5xx or dropped).")
    ] = 0.0,
    jira_flavour: Annotated[
        str, typer.Option(help="cloud (REST v3) or datacenter (REST v2).")
    ] = "cloud",
    planner_page_size: Annotated[
        int, typer.Option(min=1, max=1000, help="Tasks per Planner page (Graph: about 400).")
    ] = 400,
    project_persist_seconds: Annotated[
        float,
        typer.Option(
            min=0, max=600, help="Delay before an executed Project operation set persists."
        ),
    ] = 0.0,
    write_config: Annotated[
        Path | None,
        typer.Option(file_okay=False, help="Write flywheel.toml, mapping.yaml, sandbox.json here."),
    ] = None,
) -> None:
    """Serve every emulator on 127.0.0.1 until Ctrl-C or SIGTERM."""
    from flywheel_sync.sandbox.description import (
        sandbox_description,
        write_sandbox_config,
    )
    from flywheel_sync.sandbox.faults import FaultSettings
    from flywheel_sync.sandbox.jira.app import JiraFlavour
    from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer

    try:
        flavour = JiraFlavour(jira_flavour)
    except ValueError:
        raise typer.BadParameter(
            "use 'cloud' or 'datacenter'", param_hint="--jira-flavour"
        ) from None
    options = SandboxOptions(
        seed=seed,
        scale=scale,
        jira_flavour=flavour,
        planner_page_size=planner_page_size,
        project_persist_seconds=project_persist_seconds,
        faults=FaultSettings(latency_ms=latency_ms, rate_limit=rate_limit, fault_rate=fault_rate),
    )
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    with SandboxServer(options, port=port) as sandbox:
        description = sandbox_description(sandbox.url, options)
        organisation = sandbox.state.organisation
        stdout.print(f"[bold]flywheel-sync sandbox[/] on {sandbox.url}")
        stdout.print(
            f"  Northwind Utilities (seed {seed}, scale {scale:g}, as of "
            f"{organisation.now:%Y-%m-%d}): {organisation.jira_issue_count:,} Jira issues, "
            f"{organisation.teams_message_count:,} Teams messages, "
            f"{organisation.project_task_count:,} Project tasks"
        )
        for name in ("jira", "confluence", "graph", "dataverse"):
            service = description[name]
            url = service.get("url") or service.get("base_url")
            user = f" user {service['user']}" if "user" in service else ""
            stdout.print(f"  {name:<11}{url}{user} token {service['token']}")
        stdout.print(f"  {'webhook':<11}{description['workflows_webhook']}")
        stdout.print(f"  {'admin':<11}{description['admin']}/stats | /faults | /reset | /inbox")
        if write_config is not None:
            for path in write_sandbox_config(write_config, sandbox.url, options):
                stdout.print(f"wrote {path}")
        stdout.print("Press Ctrl-C to stop.")
        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        stop.wait()
    stdout.print("sandbox stopped")
