"""The store's SQLAlchemy engine: connection settings per database, and real SQLite transactions.

SQLite connections run in WAL mode (readers never block the writer), wait up to five seconds
for a lock, and enforce foreign keys. Python's sqlite3 driver would otherwise start
transactions only before INSERT/UPDATE/DELETE, so DDL (migrations) and reads would run outside
them; here SQLAlchemy emits ``BEGIN`` itself, and ``BEGIN IMMEDIATE`` for a connection carrying
the `BEGIN_IMMEDIATE` execution option, so a writer takes the lock up front and waits for a
concurrent one instead of failing half-way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from flywheel_sync.store.errors import StoreConfigError
from flywheel_sync.store.url import redact_url

__all__ = ["BEGIN_IMMEDIATE", "create_store_engine", "is_in_memory"]

BEGIN_IMMEDIATE = "flywheel_sync_begin_immediate"
"""Execution option: on SQLite, start this connection's transaction with the write lock held."""

_FILE_PRAGMAS: tuple[str, ...] = (
    "PRAGMA busy_timeout=5000",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
_MEMORY_PRAGMAS: tuple[str, ...] = ("PRAGMA foreign_keys=ON",)


def create_store_engine(url: str) -> Engine:
    """Create the engine for a resolved store URL (see `resolve_store_url`); nothing connects yet.

    PostgreSQL connections are pinged before use, so a restarted server costs no failed query.

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
            return create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StoreConfigError(f"cannot use the store URL {redact_url(url)!r}: {exc}") from exc
    raise StoreConfigError(
        f"the store URL {redact_url(url)!r} is neither SQLite nor postgresql+psycopg; "
        "resolve it with resolve_store_url first"
    )


def is_in_memory(url: URL) -> bool:
    """Whether ``url`` names an in-memory SQLite database (gone when the engine is disposed)."""
    return url.get_backend_name() == "sqlite" and (url.database or ":memory:") == ":memory:"


def _sqlite_engine(url: URL) -> Engine:
    if is_in_memory(url):
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
        finally:
            cursor.close()

    def begin_transaction(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(BEGIN_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    event.listen(engine, "connect", configure_connection)
    event.listen(engine, "begin", begin_transaction)
    return engine
