"""Two ``flywheel-sync serve`` processes on one PostgreSQL store: one leader, no duplicate runs.

An APScheduler 3 job store shared by two running schedulers runs every job twice
(libraries.md §5), so the processes elect a leader with a PostgreSQL advisory lock. Here both
run a 5-second pull job: while the first leads, the second stands by; when the leader is
killed (SIGKILL: no clean-up, its session just dies), the standby takes over within seconds
and the job goes on. Across the whole test no two runs ever start in the same tick.
"""

from __future__ import annotations

import itertools
import signal
import time
from pathlib import Path

from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.server import SandboxServer
from flywheel_sync.store import RunRecord, open_store, resolve_store_url
from tests.integration.push_helpers import lean_mapping
from tests.integration.serve_helpers import serve_process, use_jobs, wait_until

JOB = "pull-every-5s"
EVERY_5_SECONDS = f"""
[[jobs]]
name = "{JOB}"
pipeline = "pull"
sources = ["jira:pmo"]
interval_seconds = 5

[serve]
standby_poll_seconds = 0.5
"""


def _runs(url: str) -> list[RunRecord]:
    with open_store(resolve_store_url(url, base_dir=Path.cwd())) as store:
        return sorted(store.runs.recent(100, job=JOB), key=lambda run: run.started_at)


def test_one_leader_no_duplicate_runs_and_takeover(tmp_path: Path, postgres_url: str) -> None:
    with SandboxServer() as sandbox:
        write_sandbox_config(tmp_path, sandbox.url, sandbox.options)
        config = tmp_path / "flywheel.toml"
        lean_mapping(config)
        use_jobs(config, EVERY_5_SECONDS)
        env = {"FLYWHEEL_STORE__URL": postgres_url}
        with serve_process(config, env=env) as first:
            wait_until("the first process to lead", lambda: first.health()["role"] == "leader")
            with serve_process(config, env=env) as second:
                wait_until("the second to stand by", lambda: second.health()["role"] == "standby")
                wait_until("two runs by the leader", lambda: len(_runs(postgres_url)) >= 2)
                assert second.health()["role"] == "standby"
                assert second.health()["status"] == "ok"
                assert "flywheel_sync_is_leader 0.0" in second.get("/metrics").text

                first.process.send_signal(signal.SIGKILL)
                killed_at = time.monotonic()
                wait_until("the standby to lead", lambda: second.health()["role"] == "leader")
                took_over = time.monotonic() - killed_at
                before = len(_runs(postgres_url))
                wait_until(
                    "two runs by the new leader",
                    lambda: len(_runs(postgres_url)) >= before + 2,
                    timeout=40,
                )
                assert second.stop(signal.SIGTERM) == 0

    runs = _runs(postgres_url)
    assert took_over < 5, f"the standby took {took_over:.1f} s to take over"
    starts = [run.started_at for run in runs]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(starts)]
    assert all(gap >= 4 for gap in gaps), gaps  # one run per tick, never two
    assert len(runs) >= 4
    led = [line for line in second.lines if "leading:" in line]
    assert len(led) == 1
