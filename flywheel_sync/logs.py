"""Logging set-up: text for people, JSON lines for jobs, and secrets scrubbed from both.

Every secret value from the configuration is registered with the scrubber when the
configuration loads; any log record containing one has it replaced by ``***`` before any
handler sees it, whichever library logged it.

Inside `run_context` every record also carries the run's id and job name (JSON fields
``run_id`` and ``job``), whichever library logged it, so a collector can follow one scheduled
run through the pull, the engine and the writes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from typing_extensions import override

__all__ = [
    "RunContextFilter",
    "SecretScrubber",
    "configure_logging",
    "register_secret",
    "run_context",
    "scrubbed",
]

_REDACTED = "***"
_MIN_SECRET_LENGTH = 4  # shorter values would redact ordinary words
_secrets: set[str] = set()
_run: ContextVar[tuple[str, str] | None] = ContextVar("flywheel_sync_run", default=None)


@contextmanager
def run_context(*, run_id: str, job: str) -> Iterator[None]:
    """Tag every log record made in this context (and threads started with a copy of it)."""
    token = _run.set((run_id, job))
    try:
        yield
    finally:
        _run.reset(token)


class RunContextFilter(logging.Filter):
    """Adds ``run_id`` and ``job`` to records made inside `run_context`."""

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        current = _run.get()
        if current is not None:
            record.run_id, record.job = current
        return True


def register_secret(value: str | None) -> None:
    """Never let ``value`` reach a log line or an error message shown to a user."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        _secrets.add(value)


def scrubbed(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, _REDACTED)
    return text


class SecretScrubber(logging.Filter):
    """Rewrites records in place so that no handler can print a registered secret."""

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            record.msg = scrubbed(record.getMessage())
            record.args = None
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = scrubbed(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True


class _JsonFormatter(logging.Formatter):
    @override
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("run_id", "job", "source"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(*, json_format: bool, verbosity: int) -> None:
    """Route all logging to stderr in the chosen format; ``-v`` shows info, ``-vv`` debug."""
    handler = logging.StreamHandler()
    handler.addFilter(RunContextFilter())
    handler.addFilter(SecretScrubber())
    handler.setFormatter(
        _JsonFormatter()
        if json_format
        else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG))
