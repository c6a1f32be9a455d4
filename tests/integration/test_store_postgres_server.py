"""The PostgreSQL the tests run on: a database per test, reachable from other processes.

``flywheel-sync serve`` tests start several processes on one database, so a test's database
must be reachable over TCP; each test starts empty and leaves nothing behind, even with a
connection left open; and a missing server says how to get one.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from flywheel_sync.store import open_store, resolve_store_url
from tests import postgres
from tests.postgres import (
    POSTGRES_URL_VARIABLE,
    SKIP_POSTGRES_VARIABLE,
    PostgresServer,
    PostgresUnavailable,
)

_COUNT_RUNS = """
import sys
from flywheel_sync.store import open_store
with open_store(sys.argv[1]) as store:
    print(len(store.runs.recent()))
"""


def tables(url: str) -> list[str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        return [str(row[0]) for row in rows]


def database_exists(server: PostgresServer, name: str) -> bool:
    with psycopg.connect(server.admin_url.render_as_string(hide_password=False)) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return found.fetchone() is not None


def test_each_test_gets_an_empty_database_of_its_own(postgres_url: str) -> None:
    parsed = make_url(postgres_url)

    assert (parsed.drivername, parsed.host) == ("postgresql", "127.0.0.1")
    assert parsed.database is not None
    assert parsed.database.startswith("test_")
    assert tables(postgres_url) == []


def test_another_process_reaches_the_test_database_over_tcp(
    postgres_url: str, tmp_path: Path
) -> None:
    resolved = resolve_store_url(postgres_url, base_dir=tmp_path)
    with open_store(resolved) as store:
        store.runs.start("nightly", "pull")

    counted = subprocess.run(
        [sys.executable, "-c", _COUNT_RUNS, resolved],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (counted.returncode, counted.stdout) == (0, "1\n"), counted.stderr


def test_a_database_is_dropped_even_with_a_connection_left_open(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.create_database()
    name = str(make_url(url).database)
    with psycopg.connect(url) as forgotten:
        postgres_server.drop_database(url)

        assert not database_exists(postgres_server, name)
        with pytest.raises(psycopg.OperationalError):
            forgotten.execute("SELECT 1")


def test_only_databases_the_tests_created_are_dropped(postgres_server: PostgresServer) -> None:
    admin = postgres_server.admin_url.render_as_string(hide_password=False)

    with pytest.raises(ValueError, match="refusing to drop 'postgres'"):
        postgres_server.drop_database(admin)


def test_the_server_the_environment_names_is_used_and_left_running(
    postgres_server: PostgresServer,
) -> None:
    admin = postgres_server.admin_url.render_as_string(hide_password=False)

    external = PostgresServer.from_environment({POSTGRES_URL_VARIABLE: admin})
    with external.database() as url:
        assert tables(url) == []
    external.stop()

    assert database_exists(postgres_server, "postgres")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_server_in_the_environment_is_reported_without_its_password() -> None:
    url = f"postgresql://ci:hunter2@127.0.0.1:{_closed_port()}/postgres"

    with pytest.raises(PostgresUnavailable) as raised:
        PostgresServer.from_environment({POSTGRES_URL_VARIABLE: url})

    message = str(raised.value)
    assert message.startswith(
        f"cannot connect to the server at {POSTGRES_URL_VARIABLE} (postgresql://ci:***@127.0.0.1:"
    )
    assert "hunter2" not in message


def test_a_url_of_another_database_is_refused() -> None:
    with pytest.raises(PostgresUnavailable, match="must be a postgresql:// URL, got 'mysql'"):
        PostgresServer.from_environment({POSTGRES_URL_VARIABLE: "mysql://root@db/x"})


def test_without_server_binaries_the_error_says_how_to_get_a_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(postgres, "find_server_binaries", lambda: None)

    with pytest.raises(PostgresUnavailable) as raised:
        PostgresServer.from_environment({})

    message = str(raised.value)
    for remedy in ("scripts/ensure-postgres", POSTGRES_URL_VARIABLE, f"{SKIP_POSTGRES_VARIABLE}=1"):
        assert remedy in message
