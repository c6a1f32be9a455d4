from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from flywheel_sync.scheduler.reconcile import JOB_FUNCTION, fingerprint, reconcile
from flywheel_sync.settings.jobs import JobSettings


def _job(name: str, **schedule: object) -> JobSettings:
    settings = {"name": name, "pipeline": "sync", **(schedule or {"interval_seconds": 3600})}
    return JobSettings.model_validate(settings)


@contextmanager
def _scheduler(database: Path) -> Iterator[Any]:
    """A paused scheduler on a job store that outlives it, as ``serve`` restarts see it."""
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{database}")}
    )
    scheduler.start(paused=True)
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)


def test_a_restart_with_the_same_file_keeps_the_stored_jobs(tmp_path: Path) -> None:
    database = tmp_path / "jobs.db"
    jobs = [_job("hourly"), _job("weekly", cron="0 7 * * 1")]
    with _scheduler(database) as scheduler:
        first = reconcile(scheduler, jobs)
        next_runs = {job.id: job.next_run_time for job in scheduler.get_jobs()}
    assert first.added == ["hourly", "weekly"]
    with _scheduler(database) as scheduler:
        again = reconcile(scheduler, jobs)
        stored = scheduler.get_jobs()
    assert again.unchanged == ["hourly", "weekly"]
    assert (again.added, again.changed, again.removed) == ([], [], [])
    assert {job.id: job.next_run_time for job in stored} == next_runs
    assert len(stored) == 2


def test_changed_jobs_are_replaced_and_dropped_ones_removed(tmp_path: Path) -> None:
    database = tmp_path / "jobs.db"
    with _scheduler(database) as scheduler:
        reconcile(scheduler, [_job("hourly"), _job("gone")])
    changed = _job("hourly", interval_seconds=60)
    with _scheduler(database) as scheduler:
        result = reconcile(scheduler, [changed, _job("new", cron="*/5 * * * *")])
        stored = {job.id: job for job in scheduler.get_jobs()}
    assert (result.added, result.changed, result.removed) == (["new"], ["hourly"], ["gone"])
    assert set(stored) == {"hourly", "new"}
    hourly = stored["hourly"]
    assert hourly.kwargs == {"job_name": "hourly", "fingerprint": fingerprint(changed)}
    assert hourly.trigger.interval.total_seconds() == 60
    assert hourly.func_ref == JOB_FUNCTION
    assert (hourly.coalesce, hourly.max_instances, hourly.misfire_grace_time) == (True, 1, 60)


def test_the_fingerprint_follows_every_setting() -> None:
    base = _job("j", cron="0 7 * * 1")
    assert fingerprint(base) == fingerprint(_job("j", cron="0 7 * * 1"))
    for other in (
        _job("j", cron="0 8 * * 1"),
        _job("j", cron="0 7 * * 1", timezone="Europe/London"),
        _job("j", cron="0 7 * * 1", jitter_seconds=5),
        _job("j", cron="0 7 * * 1", sources=["jira:pmo"]),
    ):
        assert fingerprint(other) != fingerprint(base)
