"""Reads each source scope by scope and stores every page with its watermark, atomically.

The runner owns the loop the issue's guarantees depend on:

- a page and the watermark it reaches are stored in one transaction (`upsert_page`), and only
  after the connector yielded the whole page, so a crash re-reads at most one page and never
  skips data;
- a failing scope does not stop the others: a connector error is classified (retries exhausted,
  a record error, configuration, credentials), reported with its source and scope, and the run
  ends with exit code 1;
- ``full=True`` re-reads from the beginning (the watermark is ignored, not erased: it advances
  again as pages are stored).

The runner knows connectors only through `connectors.records.RecordSource`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RecordError,
    RetryableError,
)
from connectors.records import RecordPage, RecordSource, SourceRecord
from flywheel_sync.store import RecordRepository
from flywheel_sync.store.rows import RawRecord

__all__ = ["FailureKind", "PullListener", "PullRunner", "PullSummary", "ScopeOutcome"]


class FailureKind(StrEnum):
    """Why a scope stopped early, named after what the user should do."""

    RETRY_LATER = "retry later"
    FIX_CONFIGURATION = "fix the configuration"
    REAUTHENTICATE = "re-authenticate"
    BAD_RECORD = "bad record"


_FAILURES: tuple[tuple[type[ConnectorError], FailureKind], ...] = (
    (RetryableError, FailureKind.RETRY_LATER),
    (ConnectorConfigError, FailureKind.FIX_CONFIGURATION),
    (AuthenticationError, FailureKind.REAUTHENTICATE),
    (RecordError, FailureKind.BAD_RECORD),
)


def _failure_kind(error: ConnectorError) -> FailureKind:
    return next(
        (kind for cls, kind in _FAILURES if isinstance(error, cls)), FailureKind.RETRY_LATER
    )


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

    @property
    def ok(self) -> bool:
        """Whether the scope was read to its end."""
        return self.failure is None


@dataclass(kw_only=True)
class PullSummary:
    """Every scope's outcome, in the order read."""

    scopes: list[ScopeOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every scope was read to its end."""
        return all(scope.ok for scope in self.scopes)

    def total(self, attribute: str) -> int:
        """The sum of one counter (``records``, ``changed``, ``pages``, ``requests``)."""
        return sum(int(getattr(scope, attribute)) for scope in self.scopes)


class PullListener(Protocol):
    """Told of the run's progress: the CLI draws it, a scheduled job logs it."""

    def scope_started(self, source: str, scope: str) -> None:
        """A scope's read begins."""

    def page_stored(self, outcome: ScopeOutcome, page: RecordPage, changed: int) -> None:
        """A page and its watermark were stored; ``outcome`` holds the running totals."""

    def scope_finished(self, outcome: ScopeOutcome) -> None:
        """A scope ended, read to its end or failed (``outcome.failure``)."""


def _raw(record: SourceRecord) -> RawRecord:
    return RawRecord(
        record_type=record.record_type,
        external_id=record.external_id,
        payload=dict(record.payload),
        updated_at=record.updated_at,
    )


class PullRunner:
    """Pulls sources into the store's raw records."""

    def __init__(
        self,
        records: RecordRepository,
        listener: PullListener,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._records = records
        self._listener = listener
        self._monotonic = monotonic

    def pull(self, sources: Sequence[RecordSource], *, full: bool = False) -> PullSummary:
        """Read every scope of every source; never raises a connector error."""
        summary = PullSummary()
        for source in sources:
            try:
                scopes = source.scopes()
            except ConnectorError as error:
                summary.scopes.append(self._failed(source.name, "*", error))
                continue
            for scope in scopes:
                summary.scopes.append(self._pull_scope(source, scope, full=full))
        return summary

    def _failed(self, source: str, scope: str, error: ConnectorError) -> ScopeOutcome:
        outcome = ScopeOutcome(source=source, scope=scope)
        outcome.failure, outcome.failure_kind = str(error), _failure_kind(error)
        self._listener.scope_finished(outcome)
        return outcome

    def _pull_scope(self, source: RecordSource, scope: str, *, full: bool) -> ScopeOutcome:
        outcome = ScopeOutcome(source=source.name, scope=scope)
        self._listener.scope_started(source.name, scope)
        started = self._monotonic()
        watermark = None if full else self._records.watermark(source.name, scope)
        try:
            for page in source.pages(scope, watermark, full=full):
                changed = self._records.upsert_page(
                    source.name, scope, (_raw(r) for r in page.records), page.watermark
                )
                outcome.pages += 1
                outcome.records += len(page.records)
                outcome.changed += changed
                outcome.requests += page.requests
                self._listener.page_stored(outcome, page, changed)
        except ConnectorError as error:
            outcome.failure, outcome.failure_kind = str(error), _failure_kind(error)
        outcome.seconds = self._monotonic() - started
        self._listener.scope_finished(outcome)
        return outcome
