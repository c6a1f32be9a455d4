"""Options every command shares, resolved once by the top-level callback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from flywheel_sync.settings import Configuration

__all__ = ["GlobalOptions", "global_options", "load_configuration_for"]


@dataclass(kw_only=True)
class GlobalOptions:
    """``-c/--config``, ``--log-format`` and ``-v`` as given on the command line."""

    config: Path | None
    json_logs: bool
    verbosity: int
    log_format_given: bool = False
    """``--log-format`` was on the command line; otherwise ``[logging] format`` decides."""


def global_options(ctx: typer.Context) -> GlobalOptions:
    """The options the top-level callback stored on the context."""
    options = ctx.find_root().obj
    if not isinstance(options, GlobalOptions):  # pragma: no cover - set by the callback
        raise TypeError("global options missing: invoke through the flywheel-sync app")
    return options


def load_configuration_for(ctx: typer.Context) -> Configuration:
    """Load both configuration files and keep their secrets out of every log line."""
    from flywheel_sync.cli.secrets import register_configuration_secrets
    from flywheel_sync.settings import load_configuration

    options = global_options(ctx)
    configuration = load_configuration(options.config)
    register_configuration_secrets(configuration)
    _apply_log_format(options, configuration)
    return configuration


def _apply_log_format(options: GlobalOptions, configuration: Configuration) -> None:
    """``[logging] format = "json"`` switches to JSON lines unless ``--log-format`` was given."""
    from flywheel_sync.logs import configure_logging
    from flywheel_sync.settings import LogFormat

    wanted = configuration.settings.logging.format is LogFormat.JSON
    if options.log_format_given or wanted == options.json_logs:
        return
    options.json_logs = wanted
    configure_logging(json_format=wanted, verbosity=options.verbosity)
