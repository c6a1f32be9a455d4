"""How database driver failures map onto the store's error tree (see `errors`).

The split that matters to a caller: a SQLite file that cannot be opened or written is a
configuration problem (retrying will not help), anything else operational (unreachable server,
lock held too long) is worth a retry, and a violated constraint is a bug.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from flywheel_sync.store.errors import (
    StoreConfigError,
    StoreError,
    StoreStateError,
    StoreUnavailableError,
)

__all__ = ["store_error", "translated_failures", "unavailable_error"]

# SQLite result codes (https://sqlite.org/rescode.html) that no retry can fix.
_SQLITE_LOCATION_ERRORS = ("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_NOTADB")


def store_error(exc: DBAPIError, url: URL) -> StoreError:
    """The `StoreError` to raise (``from exc``) for a driver failure on the store at ``url``."""
    where = url.render_as_string(hide_password=True)
    reason = _reason(exc, url)
    if isinstance(exc, IntegrityError):
        return StoreStateError(f"the store at {where} refused the change: {reason}")
    if _is_unusable_location(exc):
        return StoreConfigError(
            f"cannot use the SQLite store at {where}: {reason}; check that the file's folder "
            "exists and is writable, or set another store URL"
        )
    if isinstance(exc, OperationalError | InterfaceError):
        return unavailable_error(exc, url)
    return StoreError(f"the store at {where} failed: {reason}")


def unavailable_error(exc: DBAPIError, url: URL) -> StoreUnavailableError:
    """The `StoreUnavailableError` for any driver failure, for callers that only ask "up?"."""
    where = url.render_as_string(hide_password=True)
    return StoreUnavailableError(
        f"the store at {where} is unavailable: {_reason(exc, url)}; retry later"
    )


@contextmanager
def translated_failures(url: URL) -> Iterator[None]:
    """Raise driver failures inside the block as `StoreError` subclasses."""
    try:
        yield
    except DBAPIError as exc:
        raise store_error(exc, url) from exc


def _reason(exc: DBAPIError, url: URL) -> str:
    lines = str(exc.orig).strip().splitlines()
    reason = lines[0] if lines else type(exc.orig).__name__
    if url.password:
        reason = reason.replace(str(url.password), "***")
    return reason


def _is_unusable_location(exc: DBAPIError) -> bool:
    if not isinstance(exc.orig, sqlite3.Error):
        return False
    name = getattr(exc.orig, "sqlite_errorname", "")
    return isinstance(name, str) and name.startswith(_SQLITE_LOCATION_ERRORS)
