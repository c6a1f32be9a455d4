from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from flywheel_sync.scheduler.leader import (
    FileLeaderLock,
    PostgresLeaderLock,
    SoleLeader,
    leader_lock_for,
)
from flywheel_sync.store import resolve_store_url

_HOLD = """
import sys, time
from pathlib import Path
from flywheel_sync.scheduler.leader import FileLeaderLock
lock = FileLeaderLock(Path(sys.argv[1]))
assert lock.try_acquire()
print("held", flush=True)
time.sleep(60)
"""


def test_the_lock_fits_the_store(tmp_path: Path) -> None:
    sqlite = resolve_store_url(None, base_dir=tmp_path)
    assert isinstance(leader_lock_for(sqlite, 1), FileLeaderLock)
    assert isinstance(leader_lock_for("sqlite://", 1), SoleLeader)
    postgres = resolve_store_url("postgresql://flywheel@db.internal/flywheel", base_dir=tmp_path)
    lock = leader_lock_for(postgres, 7)
    assert isinstance(lock, PostgresLeaderLock)
    assert "advisory lock 7" in lock.description


def test_one_file_lock_holder_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "state.db.serve.lock"
    first, second = FileLeaderLock(path), FileLeaderLock(path)
    assert first.try_acquire()
    assert first.try_acquire()  # re-entrant for its holder
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    assert path.read_text().strip() == str(os.getpid())
    second.release()
    second.release()  # idempotent


def test_a_killed_holder_frees_the_file_lock(tmp_path: Path) -> None:
    path = tmp_path / "state.db.serve.lock"
    with subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path)], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "held"
            lock = FileLeaderLock(path)
            assert not lock.try_acquire()
            holder.send_signal(signal.SIGKILL)
            holder.wait(timeout=10)
            assert lock.try_acquire()
            lock.release()
        finally:
            holder.kill()


def test_one_advisory_lock_holder_until_its_session_ends(postgres_url: str) -> None:
    url = resolve_store_url(postgres_url, base_dir=Path.cwd())
    leader, standby = PostgresLeaderLock(url, 4242), PostgresLeaderLock(url, 4242)
    other_deployment = PostgresLeaderLock(url, 4343)
    try:
        assert leader.try_acquire()
        assert leader.still_held()
        assert not standby.try_acquire()
        assert other_deployment.try_acquire()  # another key elects another leader
        _terminate_sessions_holding(postgres_url, 4242)  # the leader's session dies
        assert not leader.still_held()
        deadline = time.monotonic() + 5
        while not standby.try_acquire():
            assert time.monotonic() < deadline, "the standby never took over"
            time.sleep(0.05)
        assert standby.still_held()
        assert not leader.try_acquire()
    finally:
        for lock in (leader, standby, other_deployment):
            lock.release()


def test_an_unreachable_server_means_no_leadership() -> None:
    lock = PostgresLeaderLock("postgresql+psycopg://nobody@127.0.0.1:1/none", 1, connect_timeout=1)
    assert not lock.try_acquire()
    assert not lock.still_held()


def _terminate_sessions_holding(url: str, key: int) -> None:
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks "
            "WHERE locktype = 'advisory' AND objid = %s AND pid <> pg_backend_pid()",
            (key,),
        ).fetchall()
    if not rows:
        pytest.fail("no session held the advisory lock")
