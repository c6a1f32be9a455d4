from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from flywheel_sync.scheduler.health import health_report
from flywheel_sync.settings.jobs import JobSettings
from flywheel_sync.store import RunOutcome, Store, StoreUnavailableError, open_store
from flywheel_sync.store.engine import create_store_engine

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
JOBS = (
    JobSettings.model_validate({"name": "hourly", "pipeline": "sync", "cron": "5 * * * *"}),
    JobSettings.model_validate({"name": "fresh", "pipeline": "pull", "interval_seconds": 60}),
)


@pytest.fixture
def store() -> Iterator[Store]:
    moments = iter([NOW - timedelta(minutes=10), NOW - timedelta(minutes=9)])
    with open_store("sqlite://", clock=lambda: next(moments)) as opened:
        run_id = opened.runs.start("hourly", "sync")
        opened.runs.finish(run_id, RunOutcome.SUCCEEDED, {"records": 3})
        yield opened


def test_a_leading_service_reports_its_jobs(store: Store) -> None:
    report = health_report(
        role="leader",
        scheduler_running=True,
        store=store,
        jobs=JOBS,
        next_run=lambda name: NOW + timedelta(minutes=5),
        now=NOW,
    )

    assert report.status_code == 200
    document = report.document
    assert (document["status"], document["role"]) == ("ok", "leader")
    hourly, fresh = document["jobs"]
    assert hourly["next_run_at"] == (NOW + timedelta(minutes=5)).isoformat()
    assert hourly["last_run"]["outcome"] == "succeeded"
    assert hourly["last_run"]["age_seconds"] == 540.0
    assert fresh["last_run"] is None


def test_a_leader_without_a_running_scheduler_is_failing(store: Store) -> None:
    report = health_report(
        role="leader",
        scheduler_running=False,
        store=store,
        jobs=JOBS,
        next_run=lambda name: None,
        now=NOW,
    )

    assert report.status_code == 503
    assert report.document["status"] == "failing"


def test_a_standby_is_healthy_and_shows_no_next_runs(store: Store) -> None:
    report = health_report(
        role="standby",
        scheduler_running=False,
        store=store,
        jobs=JOBS,
        next_run=lambda name: NOW,
        now=NOW,
    )

    assert report.status_code == 200
    assert [job["next_run_at"] for job in report.document["jobs"]] == [None, None]


def test_an_unreachable_store_is_failing_and_says_why(store: Store) -> None:
    gone = create_store_engine("postgresql+psycopg://flywheel:s3cret@127.0.0.1:1/flywheel")
    unreachable = dataclasses.replace(store, _engine=gone)
    with pytest.raises(StoreUnavailableError):
        unreachable.ping()
    report = health_report(
        role="standby",
        scheduler_running=False,
        store=unreachable,
        jobs=JOBS,
        next_run=lambda name: None,
        now=NOW,
    )

    assert report.status_code == 503
    assert report.document["store"]["reachable"] is False
    assert report.document["store"]["error"]
    assert "s3cret" not in str(report.document)
