"""What one run does, for ``sync`` at a terminal and for the jobs of ``flywheel-sync serve``.

Four pipelines, each starting with a pull of its sources (every source when none are named):

- ``pull``: read the tools into the store and map the records onto Value Ring entities;
- ``sync``: pull, then plan and apply every write. Stage and checklist writes go first; when
  there were any, the tools are read again (except sources that refused the credentials),
  so the KPI summaries published next report on what the tools now show;
- ``kpi-summary``: pull, then publish only the KPI summaries (pages, cards, comments);
- ``diagnose``: pull, then detect symptoms and log each with its evidence.

A run never raises a connector error: what failed is counted and the outcome says so. A stop
request (``should_stop``, from a graceful shutdown) is honoured between pages and between
write batches, never in the middle of one: the run ends ``interrupted`` and the outbox makes
the next run finish the rest.

Nothing here prints: a `RunObserver` hears the progress (the CLI draws it, the service counts
it into metrics and logs).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from connectors.errors import RetryableError
from flywheel_sync.engine import Portfolio, diagnose_portfolio
from flywheel_sync.mapping import RUN_COUNT_PREFIX, MappingOutcome, refresh_entities
from flywheel_sync.pull import PullRunner, PullSummary
from flywheel_sync.pull.runner import PullListener
from flywheel_sync.pull.sources import SourceFactory
from flywheel_sync.push.apply import Applier, ApplyReport, Job, Result
from flywheel_sync.push.changes import Plan
from flywheel_sync.push.connections import Connections
from flywheel_sync.push.pipeline import Planned, make_plan
from flywheel_sync.settings import Configuration
from flywheel_sync.settings.jobs import Pipeline
from flywheel_sync.store import Store
from flywheel_sync.store.rows import RunOutcome

__all__ = ["PipelineRun", "RunObserver", "run_pipeline"]

log = logging.getLogger("flywheel_sync.pipelines")

_THROTTLED = 429


class RunObserver(Protocol):
    """Hears a run's progress; every method may be a no-op."""

    def pulling(self) -> AbstractContextManager[PullListener]:
        """The listener of one pull, entered for its duration (a live display, a logger)."""
        ...

    def pulled(self, summary: PullSummary, mapping: MappingOutcome) -> None:
        """A pull and its mapping ended."""

    def retried(self, source: str, error: RetryableError, wait: float) -> None:
        """A request is retried (called from reader threads too)."""

    def planned(self, plan: Plan) -> None:
        """A plan was made and is about to be applied."""

    def settled(self, job: Job, result: Result) -> None:
        """One write ended."""


@dataclass(kw_only=True)
class PipelineRun:
    """How a run ended and what it counted (the run record's ``counts``)."""

    outcome: RunOutcome = RunOutcome.SUCCEEDED
    counts: Counter[str] = field(default_factory=Counter)
    pull: PullSummary | None = None
    mapping: MappingOutcome | None = None
    apply: ApplyReport | None = None
    planned: Planned | None = None

    def worsen(self, outcome: RunOutcome) -> None:
        """Keep the worst outcome seen: interrupted > failed > partial > succeeded."""
        order = (
            RunOutcome.SUCCEEDED,
            RunOutcome.PARTIAL,
            RunOutcome.FAILED,
            RunOutcome.INTERRUPTED,
        )
        if order.index(outcome) > order.index(self.outcome):
            self.outcome = outcome


class _Retries:
    """Counts retries and 429s per source for the run's record, then tells the observer."""

    def __init__(self, observer: RunObserver) -> None:
        self._observer = observer
        self.retries: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()

    def __call__(self, source: str, error: RetryableError, wait: float) -> None:
        self.retries[source] += 1  # Counter updates are atomic enough under the GIL
        if error.status == _THROTTLED:
            self.throttled[source] += 1
        self._observer.retried(source, error, wait)


@dataclass(kw_only=True)
class _Run:
    configuration: Configuration
    store: Store
    run_id: str
    sources: Sequence[str]
    should_stop: Callable[[], bool]
    observer: RunObserver
    result: PipelineRun = field(default_factory=PipelineRun)

    def __post_init__(self) -> None:
        self.retries = _Retries(self.observer)
        # Sources that refused the credentials in an earlier pull of this run: a sync's
        # second pull would only be refused again, and say so a second time.
        self.refused: set[str] = set()

    def pull(self, *, full: bool = False) -> bool:
        """Pull and map; False when the run should end here (stopped)."""
        factory = SourceFactory(configuration=self.configuration, on_retry=self.retries)
        names = [n for n in list(self.sources) or factory.names() if n not in self.refused]
        if not names:
            return True  # every source refused: nothing new to map
        with ExitStack() as stack:
            built = factory.build(names, stack)
            listener = stack.enter_context(self.observer.pulling())
            runner = PullRunner(
                self.store.records,
                listener,
                should_stop=self.should_stop,
                quarantine=self.store.quarantine,
            )
            summary = runner.pull(built, full=full)
        for name in ("records", "changed", "pages", "requests", "quarantined"):
            self.result.counts[name] += summary.total(name)
        self.result.pull = summary
        self.refused |= summary.refused_sources()
        if summary.stopped:
            self.result.worsen(RunOutcome.INTERRUPTED)
            return False
        if not summary.ok:
            self.result.worsen(RunOutcome.PARTIAL)
        mapped = refresh_entities(self.configuration.mapping, self.store, now=datetime.now(UTC))
        self.result.mapping = mapped
        self.observer.pulled(summary, mapped)
        for name, count in mapped.counts().items():
            self.result.counts[RUN_COUNT_PREFIX + name] = count
        return True

    def connections(self, stack: ExitStack) -> Connections:
        """The writers of this run; their retries are counted with the pull's."""
        return Connections(configuration=self.configuration, stack=stack, on_retry=self.retries)

    def plan(self, connections: Connections) -> Planned:
        planned = make_plan(
            self.configuration,
            self.store,
            connections,
            now=datetime.now(UTC),
            refused=self.refused,
        )
        self.result.planned = planned
        return planned

    def apply(self, connections: Connections, plan: Plan) -> ApplyReport:
        self.observer.planned(plan)
        for unread in plan.unread:  # the other targets are applied; the run is partial
            log.warning("%s not planned (%s): %s", unread.target, unread.what_to_do, unread.reason)
            self.result.worsen(RunOutcome.PARTIAL)
        applier = Applier(
            store=self.store,
            executors=connections.executors(clock=lambda: datetime.now(UTC), run_id=self.run_id),
            run_id=self.run_id,
            clock=lambda: datetime.now(UTC),
            should_stop=self.should_stop,
            on_settled=self.observer.settled,
        )
        report = applier.apply(plan)
        self.result.apply = (
            report if self.result.apply is None else self.result.apply.merged(report)
        )
        self.result.counts["writes.planned"] += report.planned
        self.result.counts["conflicts"] += len(plan.conflicts)
        for status, count in report.counts.items():
            self.result.counts[f"writes.{status}"] += count
        if report.stopped:
            self.result.worsen(RunOutcome.INTERRUPTED)
        elif not report.ok:
            self.result.worsen(RunOutcome.PARTIAL)
        return report

    def finish(self) -> PipelineRun:
        self.result.counts["retries"] = sum(self.retries.retries.values())
        self.result.counts["throttled"] = sum(self.retries.throttled.values())
        return self.result


def run_pipeline(
    configuration: Configuration,
    store: Store,
    pipeline: Pipeline,
    *,
    run_id: str,
    observer: RunObserver,
    sources: Sequence[str] = (),
    should_stop: Callable[[], bool] = lambda: False,
) -> PipelineRun:
    """Run ``pipeline`` once and say how it went (the caller records the run).

    Raises:
        ConnectorConfigError: A source is unknown or selects nothing.
        PortfolioError: The stored entities do not read back.
        StoreError: The store failed.
    """
    run = _Run(
        configuration=configuration,
        store=store,
        run_id=run_id,
        sources=sources,
        should_stop=should_stop,
        observer=observer,
    )
    if not run.pull():
        return run.finish()
    match pipeline:
        case Pipeline.PULL:
            pass
        case Pipeline.SYNC:
            _sync(run)
        case Pipeline.KPI_SUMMARY:
            with ExitStack() as stack:
                connections = run.connections(stack)
                planned = run.plan(connections)
                run.apply(connections, planned.plan.summaries_only())
        case Pipeline.DIAGNOSE:
            _diagnose(run)
    return run.finish()


def _sync(run: _Run) -> None:
    with ExitStack() as stack:
        connections = run.connections(stack)
        planned = run.plan(connections)
        first = planned.plan.writes_to_tools()
        if first.changes and len(first.changes) < len(planned.plan.changes):
            report = run.apply(connections, first)
            if report.stopped or not run.pull():
                return
            planned = run.plan(connections)
        run.apply(connections, planned.plan)


def _diagnose(run: _Run) -> None:
    portfolio = Portfolio.from_entities(run.store.entities.iter_entities())
    symptoms, needs = diagnose_portfolio(
        portfolio, run.configuration.mapping, now=datetime.now(UTC)
    )
    run.result.counts["symptoms"] = len(symptoms)
    run.result.counts["proposed_needs"] = len(needs)
    for symptom in symptoms:
        log.warning(
            "symptom %s for %s: %s",
            symptom.kind.value,
            symptom.customer_id or "(no customer)",
            symptom.summary,
        )
