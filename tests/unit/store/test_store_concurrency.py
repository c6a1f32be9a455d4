"""One writer at a time, on either database: writers queue behind the write lock, readers don't.

Several ``flywheel-sync`` processes share a store (a scheduled sync next to a command, serve
replicas starting together), so a write transaction takes the store's write lock first:
SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's advisory lock. Without it, two processes opening a
new PostgreSQL store would both create the tables, and one would fail.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from sqlalchemy.engine import Connection

from flywheel_sync.store import Store, StoreUnavailableError, engine, open_store
from flywheel_sync.store.engine import WRITE_LOCK
from flywheel_sync.store.migrate import current_revision, head_revision

BLOCKED = 0.3  # seconds a writer must still be waiting; it finishes in milliseconds otherwise
OPENERS = 4


@contextmanager
def write_lock_held(store: Store) -> Iterator[Connection]:
    """Hold the store's write lock, as a writer in another process would, until the block ends."""
    with store.engine.connect() as holder:
        holder.execution_options(**{WRITE_LOCK: True})
        with holder.begin():
            yield holder


def test_a_writer_waits_for_the_write_lock_and_a_reader_does_not(store: Store) -> None:
    started: list[str] = []
    writer = threading.Thread(target=lambda: started.append(store.runs.start("nightly", "pull")))

    with write_lock_held(store):
        writer.start()
        writer.join(timeout=BLOCKED)

        assert writer.is_alive(), "the writer did not wait for the write lock"
        assert store.runs.recent() == []

    writer.join(timeout=10)
    assert not writer.is_alive()
    assert [run.id for run in store.runs.recent()] == started


def test_a_postgresql_writer_gives_up_when_the_lock_stays_held(
    postgresql_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "POSTGRES_LOCK_TIMEOUT", "100ms")
    with open_store(postgresql_url) as store:
        with (
            write_lock_held(store),
            pytest.raises(StoreUnavailableError, match=r"lock timeout; retry later$"),
        ):
            store.runs.start("nightly", "pull")

        assert store.runs.recent() == []


# Each opener says when it is ready (imports done), then opens when told: all at once.
_OPEN = """
import sys
from flywheel_sync.store import open_store
print("ready", flush=True)
sys.stdin.readline()
open_store(sys.argv[1]).close()
"""


def test_processes_opening_a_new_store_at_once_migrate_it_once(empty_store_url: str) -> None:
    with ExitStack() as processes:
        openers = [
            processes.enter_context(
                subprocess.Popen(
                    [sys.executable, "-c", _OPEN, empty_store_url],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
            for _ in range(OPENERS)
        ]
        for opener in openers:
            assert opener.stdout is not None
            assert opener.stdout.readline() == "ready\n"
        for opener in openers:
            assert opener.stdin is not None
            opener.stdin.close()  # go: readline() returns
        failures = [opener.stderr.read() for opener in openers if opener.stderr is not None]
        exit_codes = [opener.wait(timeout=60) for opener in openers]

    assert exit_codes == [0] * OPENERS, failures
    with open_store(empty_store_url) as opened:
        assert current_revision(opened.engine) == head_revision()


def test_threads_opening_a_new_store_at_once_migrate_it_once(empty_store_url: str) -> None:
    errors: list[BaseException] = []

    def open_and_close() -> None:
        try:
            open_store(empty_store_url).close()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    openers = [threading.Thread(target=open_and_close) for _ in range(OPENERS)]
    for opener in openers:
        opener.start()
    for opener in openers:
        opener.join(timeout=60)

    assert errors == []
    assert not any(opener.is_alive() for opener in openers)
