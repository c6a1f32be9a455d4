"""The service's scheduling rules, with the pipeline replaced by a controllable fake.

Real runs against the sandbox are in tests/integration/test_serve*.py; here the timing rules
are checked quickly and exactly: overlap skipped, missed runs coalesced or skipped past their
grace, a stop honoured between writes, leadership lost and regained.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

from flywheel_sync.pipelines import PipelineRun
from flywheel_sync.scheduler import runs as runs_module
from flywheel_sync.scheduler.leader import LeaderLock, SoleLeader
from flywheel_sync.scheduler.metrics import ServiceMetrics
from flywheel_sync.scheduler.service import JOB_TABLE, Role, SchedulerService
from flywheel_sync.settings import Configuration, load_configuration
from flywheel_sync.store import RunOutcome, Store, open_store, resolve_store_url
from flywheel_sync.templates import starter_text

HOURLY = """
[[jobs]]
name = "hourly"
pipeline = "sync"
interval_seconds = 3600
{extra}

[serve]
standby_poll_seconds = 0.05
"""


@dataclass
class FakePipeline:
    """Stands in for `run_pipeline`: counts calls, may block until released."""

    calls: list[str] = field(default_factory=list)
    started: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    block: bool = False
    stopped_seen: bool = False

    def __call__(self, configuration: Any, store: Any, pipeline: Any, **kwargs: Any) -> PipelineRun:
        self.calls.append(pipeline.value)
        self.started.set()
        should_stop: Callable[[], bool] = kwargs["should_stop"]
        if self.block:
            while not self.release.wait(0.01):
                if should_stop():
                    self.stopped_seen = True
                    return PipelineRun(outcome=RunOutcome.INTERRUPTED)
        return PipelineRun(outcome=RunOutcome.SUCCEEDED)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakePipeline:
    pipeline = FakePipeline()
    monkeypatch.setattr(runs_module, "run_pipeline", pipeline)
    return pipeline


@pytest.fixture
def configuration(tmp_path: Path, request: pytest.FixtureRequest) -> Configuration:
    """The starter configuration with one hourly job (plus the test's ``job_settings``)."""
    extra = getattr(request, "param", "")
    toml = starter_text("flywheel.toml")
    (tmp_path / "flywheel.toml").write_text(
        toml[: toml.index("[[jobs]]")] + HOURLY.format(extra=extra)
    )
    (tmp_path / "mapping.yaml").write_text(starter_text("mapping.yaml"))
    return load_configuration(tmp_path / "flywheel.toml")


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return resolve_store_url(None, base_dir=tmp_path)


class Running:
    """A service running on a thread, stopped (and joined) at the end of the test."""

    def __init__(self, service: SchedulerService) -> None:
        self.service = service
        self.thread = threading.Thread(target=service.run, daemon=True)
        self.thread.start()

    def wait_for(self, role: Role) -> None:
        for _ in range(200):
            if self.service.role is role and (role is not Role.LEADER or self.scheduler):
                return
            threading.Event().wait(0.02)
        raise AssertionError(f"the service never became {role}")

    @property
    def scheduler(self) -> Any:
        return self.service._scheduler

    def fire(self, name: str) -> None:
        self.scheduler.get_job(name).modify(next_run_time=datetime.now(UTC))

    def stop(self) -> None:
        self.service.request_stop()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive()


@pytest.fixture
def running(
    configuration: Configuration, store_url: str
) -> Iterator[Callable[..., tuple[Running, Store, ServiceMetrics]]]:
    started: list[tuple[Running, Store]] = []

    def start(lock: LeaderLock | None = None) -> tuple[Running, Store, ServiceMetrics]:
        store = open_store(store_url)
        metrics = ServiceMetrics()
        service = SchedulerService(
            configuration,
            store=store,
            store_url=store_url,
            lock=lock or SoleLeader(),
            metrics=metrics,
        )
        handle = Running(service)
        started.append((handle, store))
        return handle, store, metrics

    yield start
    for handle, store in started:
        if handle.thread.is_alive():
            handle.stop()
        store.close()


def _sample(metrics: ServiceMetrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


def _wait(check: Callable[[], bool]) -> None:
    for _ in range(300):
        if check():
            return
        threading.Event().wait(0.02)
    raise AssertionError("condition never held")


def test_a_fired_job_runs_and_is_recorded(running: Any, fake: FakePipeline) -> None:
    service, store, metrics = running()
    service.wait_for(Role.LEADER)
    service.fire("hourly")
    _wait(lambda: any(run.finished_at for run in store.runs.recent(5)))
    service.stop()

    (run,) = store.runs.recent(5)
    assert (run.job, run.pipeline, run.outcome) == ("hourly", "sync", RunOutcome.SUCCEEDED)
    assert fake.calls == ["sync"]
    assert (
        _sample(
            metrics, "flywheel_sync_runs_total", job="hourly", pipeline="sync", outcome="succeeded"
        )
        == 1
    )


def test_a_run_overlapping_its_previous_one_is_skipped(running: Any, fake: FakePipeline) -> None:
    fake.block = True
    service, store, metrics = running()
    service.wait_for(Role.LEADER)
    service.fire("hourly")
    assert fake.started.wait(5)
    service.fire("hourly")  # still running: this one must be skipped, not queued
    _wait(
        lambda: (
            _sample(metrics, "flywheel_sync_runs_skipped_total", job="hourly", reason="overlap")
            == 1
        )
    )
    fake.release.set()
    _wait(lambda: any(run.finished_at for run in store.runs.recent(5)))
    service.stop()

    assert fake.calls == ["sync"]
    assert len(store.runs.recent(5)) == 1


def test_a_stop_interrupts_the_run_between_writes(running: Any, fake: FakePipeline) -> None:
    fake.block = True
    service, store, _ = running()
    service.wait_for(Role.LEADER)
    service.fire("hourly")
    assert fake.started.wait(5)
    service.stop()

    assert fake.stopped_seen
    (run,) = store.runs.recent(5)
    assert run.outcome is RunOutcome.INTERRUPTED
    assert service.service.role is Role.STOPPING


def _move_next_run(store_url: str, when: datetime) -> None:
    jobs = SQLAlchemyJobStore(url=store_url, tablename=JOB_TABLE)
    jobs.start(None, "default")
    job = jobs.lookup_job("hourly")
    job.next_run_time = when
    jobs.update_job(job)
    jobs.shutdown()


@pytest.mark.parametrize(
    ("configuration", "late", "runs"),
    [
        ("", timedelta(hours=2, minutes=30), 1),  # grace: one interval; two missed, one run
        ("misfire_grace_seconds = 60", timedelta(minutes=30), 0),  # 30 min late > 60 s
    ],
    indirect=["configuration"],
)
def test_missed_runs_are_coalesced_or_skipped_past_their_grace(
    running: Any, fake: FakePipeline, store_url: str, late: timedelta, runs: int
) -> None:
    first, _, _ = running()
    first.wait_for(Role.LEADER)
    first.stop()
    # The service was down while its run came due (several hourly runs, for two hours).
    _move_next_run(store_url, datetime.now(UTC) - late)

    second, store, metrics = running()
    second.wait_for(Role.LEADER)
    if runs:
        _wait(lambda: any(run.finished_at for run in store.runs.recent(5)))
    else:
        _wait(
            lambda: (
                _sample(metrics, "flywheel_sync_runs_skipped_total", job="hourly", reason="missed")
                == 1
            )
        )
    second.stop()

    assert len(fake.calls) == runs
    assert second.service.next_run("hourly") is None  # stopped: no scheduler any more


class FlakyLock:
    """A lock that is lost once, as when the leader's database session dies."""

    description = "a test lock"

    def __init__(self) -> None:
        self.held = False
        self.lose = threading.Event()
        self.acquired = 0

    def try_acquire(self) -> bool:
        if self.lose.is_set():
            self.lose.clear()
            return False
        self.held = True
        self.acquired += 1
        return True

    def still_held(self) -> bool:
        if self.lose.is_set():
            self.held = False
        return self.held

    def release(self) -> None:
        self.held = False


def test_a_leader_that_loses_its_lock_stops_scheduling_and_stands_by(running: Any) -> None:
    lock = FlakyLock()
    service, _, metrics = running(lock)
    service.wait_for(Role.LEADER)
    assert _sample(metrics, "flywheel_sync_is_leader") == 1

    lock.lose.set()
    service.wait_for(Role.STANDBY)
    assert service.scheduler is None
    service.wait_for(Role.LEADER)  # the lock is free again: it leads again
    service.stop()

    assert lock.acquired == 2
    assert _sample(metrics, "flywheel_sync_is_leader") == 0
