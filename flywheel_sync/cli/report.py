"""How failures reach the user: which exit code each error earns, and how it is printed.

The policy is a table from error class to exit code; anything not in it is unexpected
(exit 1, one line, traceback only when asked for with ``-v``).
"""

from __future__ import annotations

import traceback

from rich.console import Console
from rich.text import Text

from flywheel_sync.logs import scrubbed

__all__ = ["report_failure", "stderr"]

stderr = Console(stderr=True, highlight=False, soft_wrap=True)

USAGE_OR_CONFIGURATION = 2
RUN_FAILED = 1


def _exit_code_for(error: Exception) -> int | None:
    from connectors.errors import ConnectorConfigError, ConnectorError
    from flywheel_sync.settings import ConfigError
    from flywheel_sync.store import StoreConfigError, StoreError

    policy: tuple[tuple[type[Exception], int], ...] = (
        (ConfigError, USAGE_OR_CONFIGURATION),
        (ConnectorConfigError, USAGE_OR_CONFIGURATION),
        (ConnectorError, RUN_FAILED),
        (StoreConfigError, USAGE_OR_CONFIGURATION),
        (StoreError, RUN_FAILED),
    )
    for error_class, code in policy:
        if isinstance(error, error_class):
            return code
    return None


def report_failure(error: Exception, *, verbose: bool) -> int:
    """Print ``error`` for a person and return the exit code it earns."""
    from connectors.errors import AuthenticationError

    code = _exit_code_for(error)
    if code is not None:
        # Named as a failed pull names it, so every refusal reads alike.
        label = "error (re-authenticate): " if isinstance(error, AuthenticationError) else "error: "
        stderr.print(Text(label, style="bold red") + Text(scrubbed(str(error))))
        return code
    stderr.print(
        Text("unexpected error: ", style="bold red")
        + Text(scrubbed(f"{type(error).__name__}: {error}"))
    )
    if verbose:
        stderr.print(Text(scrubbed("".join(traceback.format_exception(error)))))
    else:
        stderr.print("Run again with -v for the traceback, and report it if it persists.")
    return RUN_FAILED
