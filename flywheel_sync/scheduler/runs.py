"""One scheduled run: recorded in the store, logged with its run id, counted in the metrics.

The job store keeps only the job's name (and its settings' fingerprint); APScheduler calls
`run_scheduled_job` by its text reference, which hands the run to the `JobRunner` of the
service running in this process. A run never raises into APScheduler: whatever happens is
recorded as the run's outcome, and logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from connectors.errors import ConnectorError
from flywheel_sync.engine import PortfolioError
from flywheel_sync.logs import run_context
from flywheel_sync.pipelines import PipelineRun, run_pipeline
from flywheel_sync.scheduler.metrics import JobObserver, ServiceMetrics
from flywheel_sync.settings import Configuration
from flywheel_sync.settings.jobs import JobSettings
from flywheel_sync.store import Store, StoreError
from flywheel_sync.store.rows import RunOutcome

__all__ = ["JobRunner", "activate", "run_scheduled_job"]

log = logging.getLogger("flywheel_sync.scheduler")

_active: JobRunner | None = None
_activating = threading.Lock()


@dataclass(kw_only=True)
class JobRunner:
    """Runs the configured jobs on one store, one at a time, until told to stop."""

    configuration: Configuration
    store: Store
    metrics: ServiceMetrics
    stopping: threading.Event

    @property
    def jobs(self) -> Mapping[str, JobSettings]:
        """The configured jobs by name."""
        return {job.name: job for job in self.configuration.settings.jobs}

    def run(self, name: str) -> PipelineRun | None:
        """Run job ``name`` now; None when it was not started (unknown, or shutting down)."""
        job = self.jobs.get(name)
        if job is None:
            log.error("job %r is not in flywheel.toml any more; restart to reconcile", name)
            return None
        if self.stopping.is_set():
            log.info("job %s not started: the service is stopping", name)
            return None
        run_id = self.store.runs.start(job.name, job.pipeline.value)
        with run_context(run_id=run_id, job=job.name):
            return self._run(job, run_id)

    def _run(self, job: JobSettings, run_id: str) -> PipelineRun:
        log.info("run started: %s (%s)", job.name, job.pipeline.value)
        started = time.monotonic()
        try:
            result = run_pipeline(
                self.configuration,
                self.store,
                job.pipeline,
                run_id=run_id,
                observer=JobObserver(self.metrics),
                sources=job.sources,
                should_stop=self.stopping.is_set,
            )
        except (ConnectorError, PortfolioError, StoreError) as error:
            log.error("run failed: %s", error)  # noqa: TRY400 - a known failure: no traceback
            result = PipelineRun(outcome=RunOutcome.FAILED)
        except Exception:
            log.exception("run failed with an unexpected error")
            result = PipelineRun(outcome=RunOutcome.FAILED)
        seconds = time.monotonic() - started
        try:
            self.store.runs.finish(run_id, result.outcome, dict(result.counts))
        except StoreError as error:
            log.error("could not record the run's end: %s", error)  # noqa: TRY400
        self.metrics.finished(job.name, job.pipeline.value, result, seconds)
        log.info(
            "run %s in %.1f s: %s",
            result.outcome.value,
            seconds,
            ", ".join(f"{name} {count}" for name, count in sorted(result.counts.items()) if count)
            or "nothing done",
        )
        return result


def activate(runner: JobRunner | None) -> None:
    """Make ``runner`` the one `run_scheduled_job` hands runs to (None when it stops)."""
    global _active  # APScheduler calls a module-level function: it needs one to find
    with _activating:
        _active = runner


def run_scheduled_job(job_name: str, fingerprint: str = "") -> None:
    """What APScheduler calls (by its text reference) for every scheduled run."""
    runner = _active
    if runner is None:
        log.error("job %s fired but no service is running in this process", job_name)
        return
    runner.run(job_name)
