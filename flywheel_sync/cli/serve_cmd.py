"""``flywheel-sync serve``: run the ``[[jobs]]`` of flywheel.toml on schedule, until stopped.

Starts ``/healthz`` and ``/metrics`` (``[serve]`` host and port, or ``--host``/``--port``),
then leads or stands by (see `flywheel_sync.scheduler.service`). SIGTERM or SIGINT: the
running run finishes its current write, is recorded as interrupted, and the process exits 0.
Exit 2 for a configuration problem (no jobs, a port in use), 1 when the store cannot be
opened.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

from flywheel_sync.cli.options import global_options, load_configuration_for

__all__ = ["serve"]

stderr = Console(highlight=False, soft_wrap=True, stderr=True)
log = logging.getLogger("flywheel_sync.scheduler")


def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="Address of /healthz and /metrics (default: \\[serve] host).")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(min=0, max=65535, help="Port of /healthz and /metrics; 0 picks a free one."),
    ] = None,
) -> None:
    """Run the scheduled jobs of flywheel.toml, with /healthz and /metrics, until stopped."""
    from flywheel_sync.scheduler.http import ServiceEndpoints
    from flywheel_sync.scheduler.leader import leader_lock_for
    from flywheel_sync.scheduler.metrics import ServiceMetrics
    from flywheel_sync.scheduler.service import SchedulerService
    from flywheel_sync.store import configured_store_url, open_store

    configuration = load_configuration_for(ctx)
    settings = configuration.settings
    if not settings.jobs:
        stderr.print(
            "[bold red]error:[/] flywheel.toml declares no [[jobs]]; add one, e.g.\n"
            '  [[jobs]]\n  name = "hourly-sync"\n  pipeline = "sync"\n  cron = "5 * * * *"'
        )
        raise typer.Exit(2)
    _log_level(settings.logging.level, verbosity=global_options(ctx).verbosity)
    store_url = configured_store_url(settings.store, base_dir=configuration.base_dir)
    metrics = ServiceMetrics()
    with open_store(store_url) as store:
        service = SchedulerService(
            configuration,
            store=store,
            store_url=store_url,
            lock=leader_lock_for(store_url, settings.serve.leader_lock_key),
            metrics=metrics,
        )
        bind_host = host or settings.serve.host
        bind_port = settings.serve.port if port is None else port
        try:
            endpoints = ServiceEndpoints(
                host=bind_host, port=bind_port, health=service.health, metrics=metrics.render
            )
        except OSError as error:
            stderr.print(
                f"[bold red]error:[/] cannot serve /healthz and /metrics on "
                f"{bind_host}:{bind_port}: {error.strerror or error}; "
                "choose another with --port or [serve] port"
            )
            raise typer.Exit(2) from None
        with endpoints:
            log.info(
                "serving %d jobs from %s; health %s/healthz, metrics %s/metrics",
                len(settings.jobs),
                configuration.config_path,
                endpoints.url,
                endpoints.url,
            )
            _stop_on_signals(service.request_stop)
            service.run()


def _log_level(level: str, *, verbosity: int) -> None:
    """A service logs at ``[logging] level`` (its runs at info by default); ``-v`` goes lower."""
    if verbosity == 0:
        logging.getLogger().setLevel(level.upper())


def _stop_on_signals(stop: Callable[[], None]) -> None:
    def request_stop(signum: int, frame: FrameType | None) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
