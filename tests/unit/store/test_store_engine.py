"""The engine: SQLite connection settings, and failures that reach callers as StoreErrors."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, IntegrityError, OperationalError

from flywheel_sync.store import (
    StoreConfigError,
    StoreError,
    StoreStateError,
    StoreUnavailableError,
    open_store,
)
from flywheel_sync.store.engine import create_store_engine
from flywheel_sync.store.failures import store_error


@pytest.fixture
def file_engine(sqlite_url: str) -> Iterator[Engine]:
    engine = create_store_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("journal_mode", "wal"), ("foreign_keys", 1), ("busy_timeout", 5000), ("synchronous", 1)],
)
def test_file_connections_are_configured(
    file_engine: Engine, pragma: str, expected: object
) -> None:
    with file_engine.connect() as connection:
        assert connection.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected


def test_in_memory_connections_enforce_foreign_keys() -> None:
    engine = create_store_engine("sqlite://")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_an_in_memory_store_is_shared_by_its_repositories() -> None:
    with open_store("sqlite://") as store:
        run_id = store.runs.start("test", "pull")

        assert [run.id for run in store.runs.recent()] == [run_id]


@pytest.mark.parametrize(
    "url", ["mysql://root@db/flywheel", "postgresql+psycopg2://u@db/x", "sqlite+nodriver:///x.db"]
)
def test_foreign_urls_are_config_errors(url: str) -> None:
    with pytest.raises(StoreConfigError, match=f"^(cannot use )?the store URL '{re.escape(url)}'"):
        create_store_engine(url)


def test_opening_a_sqlite_file_under_a_file_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")

    with pytest.raises(StoreConfigError) as raised:
        open_store(f"sqlite:///{blocker}/state.db")

    assert str(raised.value) == (
        f"cannot use the SQLite store at sqlite:///{blocker}/state.db: unable to open database "
        "file; check that the file's folder exists and is writable, or set another store URL"
    )


def _sqlite_error(kind: type[sqlite3.Error], message: str, name: str) -> sqlite3.Error:
    error = kind(message)
    error.sqlite_errorname = name
    return error


PG_URL = make_url("postgresql+psycopg://flywheel:hunter2@db/flywheel")
SQLITE_URL = make_url("sqlite:////srv/state.db")


@pytest.mark.parametrize(
    ("error", "url", "expected_type", "expected_message"),
    [
        (
            IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed: x")),
            SQLITE_URL,
            StoreStateError,
            "the store at sqlite:////srv/state.db refused the change: UNIQUE constraint failed: x",
        ),
        (
            OperationalError(
                "BEGIN",
                {},
                _sqlite_error(sqlite3.OperationalError, "database is locked", "SQLITE_BUSY"),
            ),
            SQLITE_URL,
            StoreUnavailableError,
            "the store at sqlite:////srv/state.db is unavailable: database is locked; retry later",
        ),
        (
            OperationalError(
                "INSERT",
                {},
                _sqlite_error(
                    sqlite3.OperationalError,
                    "attempt to write a readonly database",
                    "SQLITE_READONLY",
                ),
            ),
            SQLITE_URL,
            StoreConfigError,
            "cannot use the SQLite store at sqlite:////srv/state.db: attempt to write a "
            "readonly database; check that the file's folder exists and is writable, or set "
            "another store URL",
        ),
        (
            OperationalError(
                None,
                None,
                psycopg.OperationalError(
                    'connection to server at "db" (10.0.0.5), port 5432 failed: Connection '
                    "refused\n\tIs the server running on that host?"
                ),
            ),
            PG_URL,
            StoreUnavailableError,
            "the store at postgresql+psycopg://flywheel:***@db/flywheel is unavailable: "
            'connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused; '
            "retry later",
        ),
        (
            OperationalError(
                None, None, psycopg.OperationalError("password hunter2 rejected for flywheel")
            ),
            PG_URL,
            StoreUnavailableError,
            "the store at postgresql+psycopg://flywheel:***@db/flywheel is unavailable: "
            "password *** rejected for flywheel; retry later",
        ),
        (
            DatabaseError("SELECT", {}, sqlite3.DatabaseError("malformed")),
            SQLITE_URL,
            StoreError,
            "the store at sqlite:////srv/state.db failed: malformed",
        ),
    ],
)
def test_driver_failures_map_onto_the_error_tree(
    error: DBAPIError, url: URL, expected_type: type[StoreError], expected_message: str
) -> None:
    translated = store_error(error, url)

    assert type(translated) is expected_type
    assert str(translated) == expected_message
