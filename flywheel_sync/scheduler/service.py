"""The ``serve`` process: win the leader lock, schedule the jobs, stand by, stop gracefully.

A process is either the **leader**, running APScheduler 3.11's `BackgroundScheduler` with
its SQLAlchemy job store in the state database, or a **standby** trying the leader lock every
``standby_poll_seconds`` (`flywheel_sync.scheduler.leader`). A leader that loses its lock (its
database session died) stops its scheduler and stands by again, so two schedulers never run
on one job store.

Runs go one at a time (one worker thread): every run shares the store's outbox, and two
applies at once could claim each other's writes. A job firing while its previous run is still
going is skipped (``max_instances=1``) and logged; missed runs are coalesced into one, or
skipped and logged past their misfire grace.

`request_stop` (SIGTERM, SIGINT) lets the running run finish its current page or write batch,
records it as interrupted, and returns from `run`; the outbox makes the next run finish it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import make_url

from flywheel_sync.scheduler.health import HealthReport, health_report
from flywheel_sync.scheduler.leader import LeaderLock
from flywheel_sync.scheduler.metrics import ServiceMetrics
from flywheel_sync.scheduler.reconcile import reconcile
from flywheel_sync.scheduler.runs import JobRunner, activate
from flywheel_sync.settings import Configuration
from flywheel_sync.store import Store
from flywheel_sync.store.engine import is_in_memory

__all__ = ["JOB_TABLE", "Role", "SchedulerService"]

log = logging.getLogger("flywheel_sync.scheduler")

JOB_TABLE: Final = "apscheduler_jobs"
"""The job store's table in the state database (APScheduler creates and owns it)."""


class Role(StrEnum):
    """What the process is doing now."""

    STARTING = "starting"
    LEADER = "leader"
    STANDBY = "standby"
    STOPPING = "stopping"


class SchedulerService:
    """One ``serve`` process.

    Args:
        configuration: Both configuration files (the jobs come from ``flywheel.toml``).
        store: The open state store; runs are recorded there.
        store_url: The store's resolved URL, password included (the job store's database).
        lock: The leader lock that fits the store.
        metrics: Where runs, skips and leadership are counted.
        clock: The time ``/healthz`` reports against.
    """

    def __init__(
        self,
        configuration: Configuration,
        *,
        store: Store,
        store_url: str,
        lock: LeaderLock,
        metrics: ServiceMetrics,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._configuration = configuration
        self._store = store
        self._store_url = store_url
        self._lock = lock
        self._metrics = metrics
        self._clock = clock
        self._poll = configuration.settings.serve.standby_poll_seconds
        self._stopping = threading.Event()
        self._scheduler: Any = None
        self.role = Role.STARTING
        self.runner = JobRunner(
            configuration=configuration, store=store, metrics=metrics, stopping=self._stopping
        )

    def request_stop(self) -> None:
        """Finish the current write, record the run as interrupted, and end `run`."""
        if not self._stopping.is_set():
            log.info("stopping: the current run ends after its current write")
        self._stopping.set()

    @property
    def scheduler_running(self) -> bool:
        """Whether this process's scheduler is running (leaders only)."""
        return self._scheduler is not None and bool(self._scheduler.running)

    def run(self) -> None:
        """Serve until `request_stop`: lead when the lock is free, stand by otherwise."""
        activate(self.runner)
        try:
            while not self._stopping.is_set():
                if self._lock.try_acquire():
                    self._lead()
                else:
                    self._stand_by()
        finally:
            self.role = Role.STOPPING
            activate(None)
            self._lock.release()
            self._metrics.leader.set(0)
            log.info("stopped")

    def _stand_by(self) -> None:
        if self.role is not Role.STANDBY:
            log.info(
                "standing by: another flywheel-sync serve holds %s; trying every %.1f s",
                self._lock.description,
                self._poll,
            )
            self.role = Role.STANDBY
        self._stopping.wait(self._poll)

    def _lead(self) -> None:
        log.info("leading: %s is ours, starting the scheduler", self._lock.description)
        self._scheduler = self._start_scheduler()
        self.role = Role.LEADER
        self._metrics.leader.set(1)
        try:
            while not self._stopping.wait(self._poll):
                if not self._lock.still_held():
                    log.error(
                        "lost %s: stopping the scheduler and standing by", self._lock.description
                    )
                    break
        finally:
            scheduler, self._scheduler = self._scheduler, None
            self._metrics.leader.set(0)
            scheduler.shutdown(wait=True)  # the running run stops at its next page or batch
            self._lock.release()

    def _start_scheduler(self) -> Any:
        scheduler = BackgroundScheduler(
            jobstores={"default": self._job_store()},
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=UTC,
        )
        scheduler.add_listener(self._not_run, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
        scheduler.start(paused=True)  # load the stored jobs without running any yet
        reconcile(scheduler, self._configuration.settings.jobs)
        scheduler.resume()
        for job in scheduler.get_jobs():
            log.info("job %s: next run at %s", job.id, job.next_run_time)
        return scheduler

    def _job_store(self) -> Any:
        if is_in_memory(make_url(self._store_url)):
            return MemoryJobStore()
        # The store's own engine: one connection pool, with the store's connection settings.
        return SQLAlchemyJobStore(engine=self._store.engine, tablename=JOB_TABLE)

    def _not_run(self, event: JobEvent) -> None:
        if event.code == EVENT_JOB_MAX_INSTANCES:
            log.warning("run of %s skipped: its previous run is still going", event.job_id)
            self._metrics.skipped.labels(event.job_id, "overlap").inc()
        else:
            log.warning(
                "run of %s due at %s skipped: later than its misfire grace",
                event.job_id,
                getattr(event, "scheduled_run_time", "?"),
            )
            self._metrics.skipped.labels(event.job_id, "missed").inc()

    def next_run(self, name: str) -> datetime | None:
        """When job ``name`` runs next (None when not leading or not scheduled)."""
        scheduler = self._scheduler
        if scheduler is None:
            return None
        job = scheduler.get_job(name)
        return None if job is None else job.next_run_time

    def health(self) -> HealthReport:
        """The ``/healthz`` answer."""
        return health_report(
            role=self.role.value,
            scheduler_running=self.scheduler_running,
            store=self._store,
            jobs=self._configuration.settings.jobs,
            next_run=self.next_run,
            now=self._clock(),
        )
