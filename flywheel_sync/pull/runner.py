"""Reads the sources in parallel, scope by scope, and stores every page with its watermark.

Sources are read at the same time on worker threads, at most ``max_parallel`` of them, each
source's scopes one after the other (`flywheel_sync.pull.readers`). The thread calling `pull`
is the one writer: it alone touches the store and the listener (a live display is not
thread-safe), taking the readers' pages from a bounded queue. It owns the guarantees the
issue depends on:

- a page and the watermark it reaches are stored in one transaction (`upsert_page`), and only
  after the connector yielded the whole page, so a crash re-reads at most one page and never
  skips data;
- a failing scope does not stop the others: a connector error is classified (retries exhausted,
  a record error, configuration, credentials), reported with its source and scope, and the run
  ends with exit code 1;
- a record the connector could not read does not fail its scope: the connector quarantines it
  on its page (`connectors.records.QuarantinedRecord`), the page's watermark moves past it,
  and the runner keeps it in the store's quarantine (`flywheel_sync.store.quarantine`), counts
  it per scope (`ScopeOutcome.quarantined`) and tells the listener. A record read cleanly
  later is released from the quarantine; so is, after a full read of its scope (``full``, or
  a scope with no watermark yet), an entry that read did not meet again. A pull whose scopes
  were all read to their ends is ``ok`` even with quarantined records, so ``pull`` exits 0:
  a scheduled job must not fail on every run for one bad record that only a person can fix
  in the tool, while the records around it are stored. The count is what makes it visible:
  it is in the summary, the run's counts, a warning per scope in the log, and
  ``flywheel-sync quarantine`` lists each record with its reason;
- ``full=True`` re-reads from the beginning (the watermark is ignored, not erased: it advances
  again as pages are stored);
- the summary lists the scopes in the order given (sources in order, each one's scopes in its
  order), whichever finished first; with ``max_parallel=1`` the sources are read one after
  the other and the listener hears the same things in the same order as from one loop.

The runner knows connectors only through `connectors.records.RecordSource`.

How the quarantine is kept beside the pages is `flywheel_sync.pull.quarantining`'s job.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol, assert_never

from connectors.records import RecordPage, RecordSource, SourceRecord
from flywheel_sync.failures import FailureKind, failure_kind
from flywheel_sync.pull.handover import (
    PageRead,
    ReaderMessage,
    ScopeEnded,
    ScopesFailed,
    ScopeStarted,
)
from flywheel_sync.pull.quarantining import PullQuarantine
from flywheel_sync.pull.readers import SourceReaders
from flywheel_sync.store import RecordRepository
from flywheel_sync.store.quarantine import QuarantineRepository
from flywheel_sync.store.rows import RawRecord

__all__ = [
    "DEFAULT_MAX_PARALLEL",
    "PullListener",
    "PullRunner",
    "PullSummary",
    "ScopeOutcome",
]

DEFAULT_MAX_PARALLEL: Final = 4
"""Sources read at once unless told otherwise: enough to overlap the tools' latencies, few
enough to stay a polite client of each (every source keeps its own rate limit)."""


@dataclass(kw_only=True)
class ScopeOutcome:
    """What one scope of one source gave."""

    source: str
    scope: str
    pages: int = 0
    records: int = 0
    changed: int = 0
    requests: int = 0
    seconds: float = 0.0
    failure: str | None = None
    failure_kind: FailureKind | None = None
    quarantined: int = 0
    """Records the connector could not read, set aside (the scope may still be ``ok``)."""
    released: int = 0
    """Records read cleanly again (or no longer met by a full read), out of the quarantine."""
    first_reason: str | None = None
    """Why the first quarantined record of this read was set aside, for the log's summary."""

    @property
    def ok(self) -> bool:
        """Whether the scope was read to its end (quarantined records do not change it)."""
        return self.failure is None


@dataclass(kw_only=True)
class PullSummary:
    """Every scope's outcome, in the order read."""

    scopes: list[ScopeOutcome] = field(default_factory=list)
    stopped: bool = False
    """The pull was asked to stop (a graceful shutdown) before every scope was read."""

    @property
    def ok(self) -> bool:
        """Whether every scope was read to its end; quarantined records leave it True."""
        return not self.stopped and all(scope.ok for scope in self.scopes)

    def quarantined_by_source(self) -> dict[str, int]:
        """Records quarantined by this pull, per source (sources with none left out)."""
        counted: dict[str, int] = {}
        for scope in self.scopes:
            if scope.quarantined:
                counted[scope.source] = counted.get(scope.source, 0) + scope.quarantined
        return counted

    def total(self, attribute: str) -> int:
        """The sum of one counter (``records``, ``changed``, ``pages``, ``requests``)."""
        return sum(int(getattr(scope, attribute)) for scope in self.scopes)

    def refused_sources(self) -> set[str]:
        """Sources whose every scope was refused the credentials: read again, they would be too."""
        refused: dict[str, bool] = {}
        for scope in self.scopes:
            was_refused = scope.failure_kind is FailureKind.REAUTHENTICATE
            refused[scope.source] = refused.get(scope.source, True) and was_refused
        return {source for source, every_scope in refused.items() if every_scope}


class PullListener(Protocol):
    """Told of the run's progress: the CLI draws it, a scheduled job logs it."""

    def scope_started(self, source: str, scope: str) -> None:
        """A scope's read begins."""

    def page_stored(self, outcome: ScopeOutcome, page: RecordPage, changed: int) -> None:
        """A page and its watermark were stored; ``outcome`` holds the running totals."""

    def scope_finished(self, outcome: ScopeOutcome) -> None:
        """A scope ended, read to its end or failed (``outcome.failure``)."""


class _Stopped(Exception):
    """Leaves the readers' ``with`` block so that it stops them (never raised out of `pull`)."""


def _raw(record: SourceRecord) -> RawRecord:
    return RawRecord(
        record_type=record.record_type,
        external_id=record.external_id,
        payload=dict(record.payload),
        updated_at=record.updated_at,
    )


class _Outcomes:
    """The scopes' outcomes per source, kept in the sources' order whatever order they end in."""

    def __init__(self, sources: int) -> None:
        self._by_source: list[list[ScopeOutcome]] = [[] for _ in range(sources)]
        self._started: dict[int, float] = {}

    def add(self, index: int, outcome: ScopeOutcome, *, started: float | None = None) -> None:
        """Add source ``index``'s next scope, being read since ``started`` if it started."""
        self._by_source[index].append(outcome)
        if started is not None:
            self._started[index] = started

    def current(self, index: int) -> ScopeOutcome:
        """The scope source ``index`` is reading (its reader reads one scope at a time)."""
        return self._by_source[index][-1]

    def started(self, index: int) -> float:
        """When the current scope of source ``index`` started."""
        return self._started[index]

    def summary(self) -> PullSummary:
        """Every outcome: sources in the given order, each one's scopes in its order."""
        return PullSummary(scopes=[outcome for scopes in self._by_source for outcome in scopes])


class PullRunner:
    """Pulls sources into the store's raw records: readers in parallel, one writer.

    Args:
        records: Where pages and watermarks are stored; only the thread calling `pull`
            uses it.
        listener: Told of the progress, always from the thread calling `pull`.
        max_parallel: How many sources are read at once; 1 reads them one after the other.
        max_pending_pages: How many pages (and scope notices) may wait for the writer before
            a reader waits (default: two per parallel source); bounds the memory a fast
            tool can fill.
        monotonic: The clock a scope's seconds are measured with.
        should_stop: Asked after every stored page; when it says yes, the readers are
            stopped and `pull` returns what was stored (each page is stored with its
            watermark, so the next pull goes on from there).
        quarantine: Where records the connectors could not read are kept
            (``store.quarantine``); None only counts and reports
            them, which loses them once the watermark has moved past.

    Raises:
        ValueError: ``max_parallel`` or ``max_pending_pages`` is below 1.
    """

    def __init__(
        self,
        records: RecordRepository,
        listener: PullListener,
        *,
        max_parallel: int = DEFAULT_MAX_PARALLEL,
        max_pending_pages: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        should_stop: Callable[[], bool] = lambda: False,
        quarantine: QuarantineRepository | None = None,
    ) -> None:
        if max_parallel < 1:
            raise ValueError(f"max_parallel must be at least 1, got {max_parallel}")
        pending = 2 * max_parallel if max_pending_pages is None else max_pending_pages
        if pending < 1:
            raise ValueError(f"max_pending_pages must be at least 1, got {pending}")
        self._records = records
        self._quarantine_repository = quarantine
        self._listener = listener
        self._max_parallel = max_parallel
        self._max_pending = pending
        self._monotonic = monotonic
        self._should_stop = should_stop

    def pull(self, sources: Sequence[RecordSource], *, full: bool = False) -> PullSummary:
        """Read every scope of every source; never raises a connector error.

        Raises:
            BaseException: A reader's unexpected error (a bug) or the store's, after the
                other readers were stopped; ``KeyboardInterrupt`` likewise.
        """
        outcomes = _Outcomes(len(sources))
        quarantine = PullQuarantine(self._quarantine_repository)
        readers = SourceReaders(
            sources, full=full, max_parallel=self._max_parallel, max_pending=self._max_pending
        )
        try:
            with readers:
                for message in readers.messages():
                    self._take(message, sources, outcomes, quarantine, full=full)
                    self._stop_if_asked()
        except _Stopped:
            summary = outcomes.summary()
            summary.stopped = True
            return summary
        return outcomes.summary()

    def _stop_if_asked(self) -> None:
        if self._should_stop():
            raise _Stopped

    def _take(
        self,
        message: ReaderMessage,
        sources: Sequence[RecordSource],
        outcomes: _Outcomes,
        quarantine: PullQuarantine,
        *,
        full: bool,
    ) -> None:
        name = sources[message.source].name
        match message:
            case ScopeStarted(scope=scope, answer=answer):
                outcome = ScopeOutcome(source=name, scope=scope)
                self._listener.scope_started(name, scope)
                outcomes.add(message.source, outcome, started=self._monotonic())
                watermark = None if full else self._records.watermark(name, scope)
                # Every connector reads a scope whole when it has no watermark to start from.
                quarantine.start(name, scope, exhaustive=watermark is None)
                answer.give(watermark)
            case PageRead(page=page):
                self._store(outcomes.current(message.source), page, quarantine)
            case ScopeEnded(error=error):
                outcome = outcomes.current(message.source)
                if error is not None:
                    outcome.failure, outcome.failure_kind = str(error), failure_kind(error)
                outcome.seconds = self._monotonic() - outcomes.started(message.source)
                outcome.released += quarantine.finish(name, outcome.scope, read_whole=outcome.ok)
                self._listener.scope_finished(outcome)
            case ScopesFailed(error=error):
                outcome = ScopeOutcome(source=name, scope="*")
                outcome.failure, outcome.failure_kind = str(error), failure_kind(error)
                outcomes.add(message.source, outcome)
                self._listener.scope_finished(outcome)
            case _:
                assert_never(message)

    def _store(self, outcome: ScopeOutcome, page: RecordPage, quarantine: PullQuarantine) -> None:
        """Store the page's quarantine, then the page with its watermark; count, report."""
        outcome.released += quarantine.settle(outcome.source, outcome.scope, page)
        changed = self._records.upsert_page(
            outcome.source, outcome.scope, (_raw(r) for r in page.records), page.watermark
        )
        outcome.pages += 1
        outcome.records += len(page.records)
        outcome.changed += changed
        outcome.requests += page.requests
        outcome.quarantined += len(page.quarantined)
        if page.quarantined and outcome.first_reason is None:
            outcome.first_reason = page.quarantined[0].reason
        self._listener.page_stored(outcome, page, changed)
