"""The store's SQLAlchemy engine: connection settings per database, and one writer at a time.

Every repository call that writes runs in a transaction carrying the `WRITE_LOCK` execution
option, which takes the store's write lock as the transaction begins; a concurrent writer
waits for it instead of failing half-way (a page's records read as new by both, a migration
run twice), and readers never wait.

- SQLite: connections run in WAL mode (readers never block the writer), wait up to five
  seconds for a lock (also while another process switches a new file to WAL), and enforce
  foreign keys. Python's sqlite3 driver would otherwise start transactions only before
  INSERT/UPDATE/DELETE, so DDL (migrations) and reads would run outside them; here
  SQLAlchemy emits ``BEGIN`` itself, and ``BEGIN IMMEDIATE`` (the database lock) for a writer.
- PostgreSQL: a writer takes the transaction-scoped advisory lock `POSTGRES_WRITE_LOCK` (in
  the two-key space, so it never meets a single-key lock such as the scheduler's leader lock)
  and waits for any lock at most `POSTGRES_LOCK_TIMEOUT`. Connections give up after
  `POSTGRES_CONNECT_TIMEOUT` seconds unless the URL says otherwise, and are pinged before use,
  so a restarted server costs no failed query.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any, Final

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from flywheel_sync.store.errors import StoreConfigError
from flywheel_sync.store.url import redact_url

__all__ = [
    "POSTGRES_CONNECT_TIMEOUT",
    "POSTGRES_LOCK_TIMEOUT",
    "POSTGRES_WRITE_LOCK",
    "WRITE_LOCK",
    "create_store_engine",
    "is_in_memory",
]

WRITE_LOCK: Final = "flywheel_sync_write_lock"
"""Execution option: this connection's transaction writes; take the store's write lock first."""

POSTGRES_WRITE_LOCK: Final = (0x466C7977, 0x77726974)  # "Flyw", "writ"
"""The two keys of the advisory lock PostgreSQL writers hold (one per database)."""
POSTGRES_LOCK_TIMEOUT: Final = "30s"
"""How long a PostgreSQL writer waits for the write lock (or any lock) before giving up."""
POSTGRES_CONNECT_TIMEOUT: Final = 10
"""Seconds to wait for a PostgreSQL connection, unless the URL sets ``connect_timeout``."""

_BUSY_TIMEOUT = 5.0  # seconds
_FILE_PRAGMAS: tuple[str, ...] = (
    f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT * 1000)}",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
_MEMORY_PRAGMAS: tuple[str, ...] = ("PRAGMA foreign_keys=ON",)
_WAL_RETRY_PAUSE = 0.02  # seconds


def create_store_engine(url: str) -> Engine:
    """Create the engine for a resolved store URL (see `resolve_store_url`); nothing connects yet.

    Raises:
        StoreConfigError: The URL is neither SQLite nor PostgreSQL through psycopg 3 (the only
            PostgreSQL driver installed).
    """
    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        if backend == "sqlite":
            return _sqlite_engine(parsed)
        if backend == "postgresql" and parsed.get_driver_name() == "psycopg":
            return _postgres_engine(parsed)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StoreConfigError(f"cannot use the store URL {redact_url(url)!r}: {exc}") from exc
    raise StoreConfigError(
        f"the store URL {redact_url(url)!r} is neither SQLite nor postgresql+psycopg; "
        "resolve it with resolve_store_url first"
    )


def is_in_memory(url: URL) -> bool:
    """Whether ``url`` names an in-memory SQLite database (gone when the engine is disposed)."""
    return url.get_backend_name() == "sqlite" and (url.database or ":memory:") == ":memory:"


def _takes_write_lock(connection: Connection) -> bool:
    return bool(connection.get_execution_options().get(WRITE_LOCK, False))


def _postgres_engine(url: URL) -> Engine:
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)

    def begin_transaction(connection: Connection) -> None:
        if _takes_write_lock(connection):
            # SET LOCAL ends with the transaction (a startup option would not pass PgBouncer).
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{POSTGRES_LOCK_TIMEOUT}'")
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%s, %s)", POSTGRES_WRITE_LOCK)

    event.listen(engine, "begin", begin_transaction)
    return engine


def _sqlite_engine(url: URL) -> Engine:
    in_memory = is_in_memory(url)
    if in_memory:
        # One connection shared by every session, or each would see its own empty database.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
        pragmas = _MEMORY_PRAGMAS
    else:
        engine = create_engine(url)
        pragmas = _FILE_PRAGMAS

    def configure_connection(dbapi_connection: Any, _record: object) -> None:
        # Hand transaction control to SQLAlchemy (see `begin_transaction`).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(pragma)
            if not in_memory:
                _use_wal(cursor)
        finally:
            cursor.close()

    def begin_transaction(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _takes_write_lock(connection) else "BEGIN")

    event.listen(engine, "connect", configure_connection)
    event.listen(engine, "begin", begin_transaction)
    return engine


def _use_wal(cursor: Any) -> None:
    """Switch a SQLite file to WAL mode (it stays so), waiting for a concurrent opener.

    Changing the journal mode reports "database is locked" at once, without the busy
    timeout, while another connection opening the same new file holds a lock; so the first
    processes opening a new store retry here for up to the busy timeout.
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(_WAL_RETRY_PAUSE)
        else:
            return
