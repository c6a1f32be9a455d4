"""Shared fixtures: every test runs in its own folder with no FLYWHEEL_* variables set.

PostgreSQL: `postgres_server` is one server for the whole session (see `tests.postgres`), and
`postgres_url` a fresh database on it for one test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import (
    POSTGRES_URL_VARIABLE,
    SKIP_POSTGRES_VARIABLE,
    PostgresServer,
    PostgresUnavailable,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = REPO_ROOT / "config"

# Read once at start-up: `_isolated` removes every FLYWHEEL_* variable before each test.
_POSTGRES_ENVIRONMENT = {
    name: os.environ[name]
    for name in (POSTGRES_URL_VARIABLE, SKIP_POSTGRES_VARIABLE)
    if name in os.environ
}


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's FLYWHEEL_* variables or writes into the checkout."""
    for name in list(os.environ):
        if name.startswith("FLYWHEEL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session: FLYWHEEL_TEST_POSTGRES_URL's, or a throwaway one.

    Without one the tests that need it fail, unless FLYWHEEL_SKIP_POSTGRES=1 makes them skip.
    """
    try:
        server = PostgresServer.from_environment(_POSTGRES_ENVIRONMENT)
    except PostgresUnavailable as exc:
        if _POSTGRES_ENVIRONMENT.get(SKIP_POSTGRES_VARIABLE, "").strip() == "1":
            pytest.skip(f"{SKIP_POSTGRES_VARIABLE}=1 and no PostgreSQL: {exc}")
        pytest.fail(f"PostgreSQL is needed for this test: {exc}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards (open connections ended).

    A ``postgresql://user@127.0.0.1:PORT/test_...`` URL: `resolve_store_url` and `open_store`
    accept it, and subprocesses can connect to it over TCP.
    """
    with postgres_server.database() as url:
        yield url
