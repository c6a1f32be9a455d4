"""The store's ports: one small protocol per repository, speaking only `rows` values.

Every method is its own transaction and raises `StoreError` subclasses (see `errors`), never
driver exceptions. The SQLAlchemy implementations are in `flywheel_sync.store.sql`; tests use
them on a SQLite file in a temporary folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Protocol, TypeAlias

from flywheel_sync.store.rows import (
    AuditEntry,
    EntityRecord,
    JSONObject,
    MeasurementRecord,
    OutboxEntry,
    OwnedValue,
    PlannedWrite,
    PlanRecord,
    PlanStatus,
    RawRecord,
    RunOutcome,
    RunRecord,
    StageChange,
    StoredRecord,
    StoreSummary,
)

__all__ = [
    "AuditRepository",
    "Clock",
    "EntityRepository",
    "KPIRepository",
    "OutboxRepository",
    "OwnershipRepository",
    "PlanRepository",
    "RecordRepository",
    "RunRepository",
    "StageHistoryRepository",
    "SummaryReader",
]

Clock: TypeAlias = Callable[[], datetime]
"""Returns the current time, timezone-aware; the store stamps its bookkeeping with it."""


class RecordRepository(Protocol):
    """Raw records per source, and how far each (source, scope) has been read."""

    def upsert_page(
        self, source: str, scope: str, records: Iterable[RawRecord], watermark: str | None
    ) -> int:
        """Store a page and advance the watermark atomically: a crash never skips data.

        Returns how many records were new or changed (a different content hash).
        """
        ...

    def watermark(self, source: str, scope: str) -> str | None:
        """The watermark stored with the last page of ``(source, scope)``, if any."""
        ...

    def iter_records(
        self, *, source: str | None = None, record_type: str | None = None
    ) -> Iterator[StoredRecord]:
        """Stream stored records (optionally of one source and/or type) without loading all."""
        ...

    def get_many(
        self, source: str, record_type: str, external_ids: Iterable[str]
    ) -> dict[str, StoredRecord]:
        """The stored records of one source and type among ``external_ids``, by id."""
        ...


class EntityRepository(Protocol):
    """The Value Ring entities the mapping produced from the records."""

    def replace_all(self, entities: Iterable[EntityRecord]) -> int:
        """Replace every stored entity with ``entities`` atomically; returns how many."""
        ...

    def iter_entities(self, kind: str | None = None) -> Iterator[EntityRecord]:
        """Stream the stored entities, optionally of one kind, ordered by kind and id."""
        ...


class StageHistoryRepository(Protocol):
    """When each engagement entered each flywheel stage; append-only."""

    def append(self, changes: Iterable[StageChange]) -> int:
        """Add the changes not stored yet (same engagement, stage and time); returns how many."""
        ...

    def for_engagement(self, engagement_id: str) -> list[StageChange]:
        """An engagement's stage changes, oldest first."""
        ...


class KPIRepository(Protocol):
    """KPI measurements per scope and period."""

    def save(self, measurements: Iterable[MeasurementRecord]) -> None:
        """Insert or replace measurements, keyed by KPI, scope and period start."""
        ...

    def series(self, kpi_id: str, scope_kind: str, scope_id: str) -> list[MeasurementRecord]:
        """One KPI's measurements for one scope, oldest period first (trends, charts)."""
        ...

    def latest(self) -> list[MeasurementRecord]:
        """The most recent period's measurement of every KPI and scope."""
        ...


class PlanRepository(Protocol):
    """Plans: what each run decided to write."""

    def create(self, run_id: str, summary: JSONObject) -> str:
        """Record a new plan of the run ``run_id``; returns its id. Its writes go to the outbox."""
        ...

    def set_status(self, plan_id: str, status: PlanStatus) -> None:
        """Record how the plan's apply ended."""
        ...

    def latest(self) -> PlanRecord | None:
        """The most recently created plan, if any."""
        ...


class OutboxRepository(Protocol):
    """Planned writes, persisted before they are made, so an apply can resume without repeats.

    An entry moves pending → in_flight (`mark_in_flight`) → applied or failed; settling it
    records its audit entry in the same transaction.
    """

    def enqueue(self, plan_id: str, writes: Iterable[PlannedWrite]) -> int:
        """Persist the writes of a plan, idempotently by key; returns how many are now pending.

        A key already in the outbox adds nothing; one that failed before is put back to
        pending (the later plan still wants it), one applied or in flight stays as it is.
        """
        ...

    def pending(self) -> list[OutboxEntry]:
        """Entries not settled yet, oldest first.

        Besides pending ones, this includes any left in flight by an interrupted apply: the
        write may or may not have happened, so re-read the target before making it again.
        """
        ...

    def mark_in_flight(self, entry_id: int) -> None:
        """Claim an entry (pending, or in flight from an interrupted apply) before writing it.

        Raises:
            StoreStateError: The entry does not exist or is already settled.
        """
        ...

    def mark_applied(
        self, entry_id: int, *, audit: AuditEntry, owned: Iterable[OwnedValue] = ()
    ) -> None:
        """Settle an in-flight entry as applied, recording ``audit`` and ``owned`` with it.

        One transaction: a crash never leaves a write applied without its ownership record.

        Raises:
            StoreStateError: The entry does not exist or is not in flight.
        """
        ...

    def supersede(self, entry_ids: Iterable[int]) -> int:
        """Settle unsettled entries no plan wants any more; returns how many changed."""
        ...

    def mark_failed(self, entry_id: int, error: str, *, audit: AuditEntry) -> None:
        """Settle an in-flight entry as failed with ``error``, recording ``audit`` with it.

        Raises:
            StoreStateError: The entry does not exist or is not in flight.
        """
        ...


class OwnershipRepository(Protocol):
    """What the push last wrote to each tool field or object it owns (see `OwnedValue`)."""

    def get(self, target: str, ref: str, field: str) -> OwnedValue | None:
        """The owned value of one field, if flywheel-sync ever wrote or adopted it."""
        ...

    def for_target(self, target: str) -> dict[tuple[str, str], OwnedValue]:
        """Every owned value of one connection, keyed by ``(ref, field)``."""
        ...

    def put(self, values: Iterable[OwnedValue]) -> None:
        """Insert or replace owned values (an adopted value, outside any outbox entry)."""
        ...


class AuditRepository(Protocol):
    """The append-only log of executed (or refused) writes."""

    def record(self, entry: AuditEntry) -> None:
        """Append an entry that no outbox entry settles (e.g. a conflict left alone)."""
        ...

    def recent(self, limit: int = 50) -> list[AuditEntry]:
        """The ``limit`` newest entries, newest first."""
        ...


class RunRepository(Protocol):
    """Runs of the pipelines, for ``flywheel-sync runs`` and for tying writes to a run."""

    def start(self, job: str, pipeline: str) -> str:
        """Record a run starting now; returns its id."""
        ...

    def finish(self, run_id: str, outcome: RunOutcome, counts: Mapping[str, int]) -> None:
        """Record how a started run ended.

        Raises:
            StoreStateError: The run does not exist or has already finished.
        """
        ...

    def recent(self, limit: int = 20, *, job: str | None = None) -> list[RunRecord]:
        """The ``limit`` most recently started runs (of ``job`` only, if given), newest first."""
        ...

    def latest_by_job(self) -> dict[str, RunRecord]:
        """The most recently started run of each job name, by job name, in one query."""
        ...


class SummaryReader(Protocol):
    """The cheap overview behind ``flywheel-sync status``."""

    def summary(self) -> StoreSummary:
        """Counts per source, kind and stage, and the last run, read in one transaction."""
        ...
