"""``flywheel-sync serve`` against the sandbox in a child process: on time, observable, stoppable.

One module-scoped service runs a ``sync`` job every 5 seconds; the tests read its runs, its
``/healthz`` and ``/metrics``, and its JSON log (at debug level, with a canary Jira token that
must never appear in it). A second service is stopped with SIGTERM in the middle of its
writes (while Jira creates onboarding sub-tasks): it exits 0, its run is recorded as
interrupted, and the next run makes exactly the writes that were left.
"""

from __future__ import annotations

import base64
import itertools
import json
import signal
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from flywheel_sync.engine.portfolio import Portfolio
from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.faults import FaultSettings
from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer
from flywheel_sync.sandbox.services import SandboxCredentials
from flywheel_sync.store import OutboxStatus, RunOutcome, RunRecord
from tests.integration.jira_clients import jira_client
from tests.integration.push_helpers import cli, lean_mapping, store_of
from tests.integration.serve_helpers import ServeProcess, serve_process, use_jobs, wait_until

JOB = "sync-every-5s"
EVERY_5_SECONDS = f"""
[[jobs]]
name = "{JOB}"
pipeline = "sync"
interval_seconds = 5
"""
ONBOARDING = ("PMO-41", "PMO-42", "PMO-43", "PMO-48", "PMO-49")
CANARY = "canary-7f3a9c1e-jira-token"


def _configure(folder: Path, sandbox: SandboxServer) -> Path:
    write_sandbox_config(folder, sandbox.url, sandbox.options)
    config = folder / "flywheel.toml"
    lean_mapping(config)
    use_jobs(config, EVERY_5_SECONDS)
    return config


def _runs(config: Path) -> list[RunRecord]:
    with store_of(config) as store:
        return store.runs.recent(100, job=JOB)


def _all_runs(config: Path) -> list[RunRecord]:
    with store_of(config) as store:
        return store.runs.recent(100)


def _finished(config: Path) -> int:
    return sum(run.finished_at is not None for run in _runs(config))


@dataclass(frozen=True)
class Served:
    service: ServeProcess
    config: Path
    health: httpx.Response
    metrics: httpx.Response
    exit_code: int


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A service that ran its job at least twice, then was stopped with SIGTERM."""
    folder = tmp_path_factory.mktemp("serve")
    options = SandboxOptions(credentials=SandboxCredentials(jira_token=CANARY))
    with SandboxServer(options) as sandbox:
        config = _configure(folder, sandbox)
        env = {"FLYWHEEL_JIRA__PMO__TOKEN": CANARY}
        with serve_process(config, env=env, verbose=True) as service:
            wait_until("two finished runs", lambda: _finished(config) >= 2, timeout=90)
            health, metrics = service.get("/healthz"), service.get("/metrics")
            exit_code = service.stop(signal.SIGTERM)
        yield Served(service, config, health, metrics, exit_code)


def test_the_job_runs_on_schedule(served: Served) -> None:
    runs = sorted(_runs(served.config), key=lambda run: run.started_at)
    finished = [run for run in runs if run.finished_at is not None]

    assert len(finished) >= 2
    assert finished[0].outcome is RunOutcome.SUCCEEDED
    assert finished[0].counts["records"] > 0
    assert finished[0].counts["writes.planned"] > 0
    starts = [run.started_at for run in runs]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(starts)]
    assert all(gap >= 4.5 for gap in gaps), gaps  # every 5 s, never two runs at once


def test_a_second_run_writes_nothing(served: Served) -> None:
    runs = sorted(_runs(served.config), key=lambda run: run.started_at)
    later = [run for run in runs[1:] if run.outcome is RunOutcome.SUCCEEDED]

    assert later
    assert all(run.counts.get("writes.applied", 0) == 0 for run in later)


def test_healthz_reports_the_leader_its_store_and_its_job(served: Served) -> None:
    document = served.health.json()

    assert served.health.status_code == 200
    assert document["status"] == "ok"
    assert document["role"] == "leader"
    assert document["scheduler"] == {"running": True}
    assert document["store"]["reachable"] is True
    (job,) = document["jobs"]
    assert job["name"] == JOB
    assert job["pipeline"] == "sync"
    assert job["next_run_at"] is not None
    assert job["last_run"]["outcome"] in {"succeeded", None}
    assert job["last_run"]["age_seconds"] >= 0


def test_metrics_count_runs_records_requests_and_writes(served: Served) -> None:
    text = served.metrics.text

    assert served.metrics.headers["content-type"].startswith("text/plain")
    assert f'flywheel_sync_runs_total{{job="{JOB}",outcome="succeeded",pipeline="sync"}}' in text
    assert _value(text, 'flywheel_sync_records_read_total{source="jira:pmo"}') > 0
    assert _value(text, 'flywheel_sync_api_requests_total{source="planner:northwind"}') > 0
    assert "flywheel_sync_writes_total{" in text
    assert _value(text, "flywheel_sync_is_leader") == 1
    assert f'flywheel_sync_run_duration_seconds_count{{job="{JOB}",pipeline="sync"}}' in text


def _value(text: str, sample: str) -> float:
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{sample} not in /metrics")


def test_sigterm_exits_zero(served: Served) -> None:
    assert served.exit_code == 0
    messages = [record["message"] for record in served.service.records()]
    assert "received SIGTERM" in messages
    assert messages[-1] == "stopped"


def test_every_log_line_is_json_and_run_lines_carry_run_and_job(served: Served) -> None:
    records = served.service.records()
    in_runs = [record for record in records if "run_id" in record]

    assert any(record["message"].startswith("run succeeded") for record in in_runs)
    assert any(record["logger"].startswith("flywheel_sync.pull") for record in in_runs)
    assert {record["job"] for record in in_runs} == {JOB}
    run_ids = {run.id for run in _runs(served.config)}
    assert {record["run_id"] for record in in_runs} <= run_ids


def test_the_jira_token_never_reaches_the_log(served: Served) -> None:
    encoded = base64.b64encode(f"pmo-bot@northwind.example:{CANARY}".encode()).decode()
    log = "\n".join(served.service.lines)

    assert len(served.service.lines) > 50  # debug level: the libraries' lines are there too
    assert CANARY not in log
    assert encoded not in log


# ---------------------------------------------------------------- SIGTERM mid-write


class StopOnFirstWrite:
    """Sends SIGTERM to the service when Jira receives its first bulk create."""

    def __init__(self, sandbox: SandboxServer) -> None:
        self.service: ServeProcess | None = None
        self.sent = False
        stats = sandbox.state.stats
        original: Callable[..., None] = stats.count

        def count(route: str, **how: Any) -> None:
            original(route, **how)
            if route.startswith("POST") and route.endswith("/issue/bulk") and not self.sent:
                self.sent = True
                if self.service is not None:
                    self.service.process.send_signal(signal.SIGTERM)

        stats.count = count  # type: ignore[method-assign]


def test_sigterm_mid_write_loses_and_repeats_nothing(tmp_path: Path) -> None:
    options = SandboxOptions(faults=FaultSettings(latency_ms=20))
    with SandboxServer(options) as sandbox:
        config = _configure(tmp_path, sandbox)
        jira = jira_client(sandbox)
        for key in ONBOARDING:
            jira.issue(key).update(fields={"customfield_10010": {"value": "Service Onboarding"}})
        stopper = StopOnFirstWrite(sandbox)
        with serve_process(config) as service:
            stopper.service = service
            exit_code = service.process.wait(timeout=120)

        assert stopper.sent
        assert exit_code == 0
        (run,) = _runs(config)
        assert run.outcome is RunOutcome.INTERRUPTED
        with store_of(config) as store:
            in_flight = [e for e in store.outbox.pending() if e.status is OutboxStatus.IN_FLIGHT]
        assert in_flight == []  # the batch being sent when SIGTERM came was settled

        rerun = cli(config, "sync")
        assert rerun.exit_code == 0, rerun.stdout + rerun.stderr
        (_, after) = sorted(_all_runs(config), key=lambda r: r.started_at)
        assert after.counts["writes.applied"] > 0  # the stop left writes for the next run
        with store_of(config) as store:
            portfolio = Portfolio.from_entities(store.entities.iter_entities())
            assert not store.outbox.pending()
        for key in ONBOARDING:
            service_id = portfolio.engagements[key].service_id
            template = portfolio.services[service_id].onboarding_template
            subtasks = jira.search_issues(f"parent = {key}", maxResults=100)
            assert Counter(issue.fields.summary for issue in subtasks) == Counter(
                step.title for step in template
            ), key
        assert "Nothing to write" in cli(config, "plan", "--pull").stdout


def test_runs_lists_the_service_runs(served: Served) -> None:
    listed = cli(served.config, "runs", "--json", "--job", JOB)
    table = cli(served.config, "runs", "--limit", "1")

    assert listed.exit_code == 0
    runs = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(runs) == len(_runs(served.config))
    assert {run["job"] for run in runs} == {JOB}
    assert runs[0]["started_at"] > runs[-1]["started_at"]  # newest first
    assert runs[-1]["outcome"] == "succeeded"
    assert runs[-1]["counts"]["records"] > 0
    assert table.exit_code == 0
    assert "Runs (1, newest first)" in table.stdout
    assert cli(served.config, "runs", "--job", "nobody").stdout.strip() == (
        "No runs recorded yet for job 'nobody'."
    )
