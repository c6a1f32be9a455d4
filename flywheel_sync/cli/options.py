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

    configuration = load_configuration(global_options(ctx).config)
    register_configuration_secrets(configuration)
    return configuration
