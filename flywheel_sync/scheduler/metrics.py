"""``/metrics``: what the service did, in the Prometheus text format.

One registry per service (never the process-wide default), so tests and several services in
one process do not share counters. Names start with ``flywheel_sync_``; label values are job
names, pipelines, sources (``jira:pmo``), targets and outcomes, never record data.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from connectors.errors import RetryableError
from flywheel_sync.mapping import MappingOutcome
from flywheel_sync.pipelines import PipelineRun
from flywheel_sync.pull.listeners import LogProgress
from flywheel_sync.pull.runner import PullListener, PullSummary
from flywheel_sync.push.apply import Job, Result
from flywheel_sync.push.changes import Plan

__all__ = ["CONTENT_TYPE", "JobObserver", "ServiceMetrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
_THROTTLED = 429
_DURATION_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)


class ServiceMetrics:
    """Every metric the service exposes."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.runs = Counter(
            "flywheel_sync_runs",
            "Finished runs by job, pipeline and outcome.",
            ["job", "pipeline", "outcome"],
            registry=registry,
        )
        self.skipped = Counter(
            "flywheel_sync_runs_skipped",
            "Runs not started: 'overlap' (the previous run was still going) or 'missed' "
            "(later than the misfire grace).",
            ["job", "reason"],
            registry=registry,
        )
        self.duration = Histogram(
            "flywheel_sync_run_duration_seconds",
            "How long runs took.",
            ["job", "pipeline"],
            buckets=_DURATION_BUCKETS,
            registry=registry,
        )
        self.last_run = Gauge(
            "flywheel_sync_last_run_timestamp_seconds",
            "When each job's last run ended (Unix time), by outcome.",
            ["job", "outcome"],
            registry=registry,
        )
        self.records = Counter(
            "flywheel_sync_records_read",
            "Records read from the tools.",
            ["source"],
            registry=registry,
        )
        self.requests = Counter(
            "flywheel_sync_api_requests",
            "Requests made to the tools while reading.",
            ["source"],
            registry=registry,
        )
        self.retries = Counter(
            "flywheel_sync_api_retries",
            "Requests retried after a transient failure.",
            ["source"],
            registry=registry,
        )
        self.throttled = Counter(
            "flywheel_sync_api_throttled",
            "429 Too Many Requests answers received (each waited for its Retry-After).",
            ["source"],
            registry=registry,
        )
        self.writes = Counter(
            "flywheel_sync_writes",
            "Writes to the tools by target and status (applied, confirmed, failed, superseded).",
            ["target", "status"],
            registry=registry,
        )
        self.conflicts = Counter(
            "flywheel_sync_conflicts",
            "Values a person changed after flywheel-sync wrote them.",
            ["target"],
            registry=registry,
        )
        self.leader = Gauge(
            "flywheel_sync_is_leader",
            "1 while this process runs the scheduler, 0 while it stands by.",
            registry=registry,
        )

    def render(self) -> bytes:
        """The exposition text."""
        return generate_latest(self.registry)

    def finished(self, job: str, pipeline: str, run: PipelineRun, seconds: float) -> None:
        """Count a finished run."""
        outcome = run.outcome.value
        self.runs.labels(job, pipeline, outcome).inc()
        self.duration.labels(job, pipeline).observe(seconds)
        self.last_run.labels(job, outcome).set_to_current_time()
        if run.pull is not None:
            for scope in run.pull.scopes:
                self.records.labels(scope.source).inc(scope.records)
                self.requests.labels(scope.source).inc(scope.requests)


class JobObserver:
    """A run's progress, as log records and into the metrics."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        self._metrics = metrics
        self._progress = LogProgress()

    def pulling(self) -> AbstractContextManager[PullListener]:
        """Logs each scope (as ``pull --log-format json`` does)."""
        return nullcontext(self._progress)

    def pulled(self, summary: PullSummary, mapping: MappingOutcome) -> None:
        """Each scope was logged as it ended; nothing more to say."""

    def retried(self, source: str, error: RetryableError, wait: float) -> None:
        """Counted per source; 429s also as throttled."""
        self._metrics.retries.labels(source).inc()
        if error.status == _THROTTLED:
            self._metrics.throttled.labels(source).inc()
        self._progress.retried(source, error, wait)

    def planned(self, plan: Plan) -> None:
        """Count the plan's conflicts."""
        for conflict in plan.conflicts:
            self._metrics.conflicts.labels(conflict.target).inc()

    def settled(self, job: Job, result: Result) -> None:
        """Count the write."""
        self._metrics.writes.labels(job.change.target, result.status.value).inc()
