"""Which ``serve`` process runs the scheduler: exactly one per state database.

An APScheduler 3 job store must never be shared by two running schedulers: both would run
every job (measured: 13 runs for 7 ticks; ``../shared/docs/libraries.md`` §5). So every
``serve`` process first tries to become the leader and only the leader starts a scheduler;
the others stand by and try again every few seconds.

- PostgreSQL: a session-level ``pg_try_advisory_lock`` held on a dedicated connection. When
  the leader dies, its session ends, PostgreSQL releases the lock and a standby takes it on
  its next try (measured in libraries.md: +1.4 s).
- SQLite file: an exclusive ``flock`` on a file next to the database (one machine only, as
  SQLite itself). The kernel releases it when the process dies, however it dies.
- In-memory SQLite (tests): nothing to share, always the leader.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import Protocol

import psycopg
from sqlalchemy.engine import make_url

from flywheel_sync.store.engine import is_in_memory
from flywheel_sync.store.url import redact_url

__all__ = [
    "FileLeaderLock",
    "LeaderLock",
    "PostgresLeaderLock",
    "SoleLeader",
    "leader_lock_for",
]

log = logging.getLogger("flywheel_sync.scheduler")


class LeaderLock(Protocol):
    """The right to run the scheduler."""

    description: str
    """What is locked, safe to log (no password)."""

    def try_acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        ...

    def still_held(self) -> bool:
        """Whether the lock is still ours (False once its connection is gone)."""
        ...

    def release(self) -> None:
        """Give the lock up (idempotent)."""
        ...


class SoleLeader:
    """An in-memory store: no other process can share it."""

    description = "an in-memory store"

    def try_acquire(self) -> bool:
        """Always granted."""
        return True

    def still_held(self) -> bool:
        """Always held."""
        return True

    def release(self) -> None:
        """Nothing to release."""


class FileLeaderLock:
    """An exclusive ``flock`` on ``<database>.serve.lock``."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None
        self.description = f"the lock file {path}"

    def try_acquire(self) -> bool:
        """Take the lock unless another process holds it."""
        if self._fd is not None:
            return True
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def still_held(self) -> bool:
        """A held flock cannot be lost while the process lives."""
        return self._fd is not None

    def release(self) -> None:
        """Unlock and close the file (the file itself stays, as lock files do)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class PostgresLeaderLock:
    """A session-level advisory lock on its own autocommit connection.

    Args:
        url: The store's SQLAlchemy URL (``postgresql+psycopg://...``), password included.
        key: The advisory lock key (``[serve] leader_lock_key``).
        connect_timeout: Seconds to wait for the server on each try.
    """

    def __init__(self, url: str, key: int, *, connect_timeout: int = 5) -> None:
        self._conninfo = (
            make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        self._key = key
        self._timeout = connect_timeout
        self._connection: psycopg.Connection[tuple[object, ...]] | None = None
        self.description = f"advisory lock {key} on {redact_url(url)}"

    def try_acquire(self) -> bool:
        """Take the lock if no other session holds it; False too when the server is away."""
        if self._connection is not None and self.still_held():
            return True
        try:
            connection = psycopg.connect(
                self._conninfo, autocommit=True, connect_timeout=self._timeout
            )
        except psycopg.OperationalError as error:
            log.warning("cannot reach the store to elect a leader: %s", _first_line(error))
            return False
        row = connection.execute("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()
        if row is None or not row[0]:
            connection.close()
            return False
        self._connection = connection
        return True

    def still_held(self) -> bool:
        """Whether our session (and so its lock) is alive."""
        if self._connection is None:
            return False
        try:
            self._connection.execute("SELECT 1")
        except psycopg.Error:
            self._drop()
            return False
        return True

    def release(self) -> None:
        """Unlock and close the session."""
        if self._connection is None:
            return
        with contextlib.suppress(psycopg.Error):  # a lost session took its lock with it
            self._connection.execute("SELECT pg_advisory_unlock(%s)", (self._key,))
        self._drop()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


def leader_lock_for(url: str, key: int) -> LeaderLock:
    """The lock that fits the store at ``url`` (a resolved store URL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return PostgresLeaderLock(url, key)
    if is_in_memory(parsed):
        return SoleLeader()
    return FileLeaderLock(Path(f"{parsed.database}.serve.lock"))


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
