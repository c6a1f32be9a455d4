"""The values that cross the store's boundary: frozen, keyword-only, never ORM objects.

Callers hand these to the repositories (`ports`) and get them back; sessions never leave the
store. Datetimes are timezone-aware in and UTC out; a naive one is rejected at construction.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeAlias

__all__ = [
    "CUSTOMER_KIND",
    "ENGAGEMENT_KIND",
    "AuditEntry",
    "EntityRecord",
    "JSONObject",
    "MeasurementRecord",
    "OutboxEntry",
    "OutboxStatus",
    "OwnedValue",
    "PlanRecord",
    "PlanStatus",
    "PlannedWrite",
    "RawRecord",
    "RunOutcome",
    "RunRecord",
    "StageChange",
    "StoreSummary",
    "StoredRecord",
]

JSONObject: TypeAlias = dict[str, Any]
"""A JSON object as Python sees it: str keys; values JSON-serialisable."""

CUSTOMER_KIND = "customer"
"""`EntityRecord.kind` of PMO customers (grouped by experience stage in the summary)."""
ENGAGEMENT_KIND = "engagement"
"""`EntityRecord.kind` of engagements (grouped by flywheel stage in the summary)."""


class OutboxStatus(StrEnum):
    """Where a planned write stands: pending → in_flight → applied | failed | superseded.

    ``superseded``: a later plan no longer wants it (the tool or the data changed first).
    """

    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    APPLIED = "applied"
    FAILED = "failed"
    SUPERSEDED = "superseded"


class PlanStatus(StrEnum):
    """How a plan ended; ``planned`` until its apply finishes (or if it never did)."""

    PLANNED = "planned"
    APPLIED = "applied"
    PARTIAL = "partial"
    FAILED = "failed"


class RunOutcome(StrEnum):
    """How a run ended.

    ``partial``: it finished, but some writes failed. ``interrupted``: a graceful shutdown
    stopped it between steps; the writes it had not made yet stay in the outbox for the next
    run.
    """

    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


def _require_aware(owner: object, **values: datetime | None) -> None:
    for name, value in values.items():
        if value is not None and value.utcoffset() is None:
            raise ValueError(
                f"{type(owner).__name__}.{name} must be timezone-aware, got naive {value!r}"
            )


@dataclass(frozen=True, kw_only=True, slots=True)
class RawRecord:
    """One item as a connector read it from a tool, before the store keeps it.

    ``(record_type, external_id)`` identifies it within its source; ``updated_at`` is the
    tool's last-modified time when it has one.
    """

    record_type: str
    external_id: str
    payload: JSONObject
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware(self, updated_at=self.updated_at)

    @property
    def content_hash(self) -> str:
        """SHA-256 of the payload's canonical JSON: equal payloads, equal hashes."""
        canonical = json.dumps(self.payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredRecord:
    """A raw record as the store keeps it: which source and scope it came from, and when."""

    source: str
    scope: str
    record_type: str
    external_id: str
    payload: JSONObject
    content_hash: str
    updated_at: datetime | None
    fetched_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class EntityRecord:
    """A Value Ring entity (customer, service, engagement, ...) as the mapping produced it.

    The stage columns are copied out of the payload so a status summary can group without
    parsing JSON; ``updated_at`` is when the entity last changed in the tools.
    """

    kind: str
    entity_id: str
    name: str
    payload: JSONObject
    updated_at: datetime
    flywheel_stage: str | None = None
    experience_stage: str | None = None

    def __post_init__(self) -> None:
        _require_aware(self, updated_at=self.updated_at)


@dataclass(frozen=True, kw_only=True, slots=True)
class StageChange:
    """An engagement entering a flywheel stage, with the record that showed it."""

    engagement_id: str
    stage: str
    cycle: int
    entered_at: datetime
    source_ref: str | None = None

    def __post_init__(self) -> None:
        _require_aware(self, entered_at=self.entered_at)


@dataclass(frozen=True, kw_only=True, slots=True)
class MeasurementRecord:
    """A KPI's value for one scope (e.g. a service or customer) and period.

    ``status`` (on-track, at-risk, off-track) and ``trend`` are the engine's verdicts;
    ``value`` is ``None`` when the period had no data.
    """

    kpi_id: str
    scope_kind: str
    scope_id: str
    period_start: datetime
    period_end: datetime
    value: float | None
    computed_at: datetime
    target: float | None = None
    status: str | None = None
    trend: str | None = None
    run_id: str | None = None

    def __post_init__(self) -> None:
        _require_aware(
            self,
            period_start=self.period_start,
            period_end=self.period_end,
            computed_at=self.computed_at,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanRecord:
    """A plan: the writes one run decided to make, summarised (the writes are in the outbox)."""

    id: str
    run_id: str
    created_at: datetime
    status: PlanStatus
    summary: JSONObject


@dataclass(frozen=True, kw_only=True, slots=True)
class PlannedWrite:
    """One write a plan wants made in a tool.

    ``idempotency_key`` identifies the write itself (not the plan): the same change planned
    again, by a resumed or a later run, carries the same key and is never made twice.
    ``target`` is the connection (e.g. ``jira:pmo``), ``ref`` the item in it (e.g. ``PMO-12``).
    """

    idempotency_key: str
    tool: str
    target: str
    ref: str
    action: str
    field: str | None = None
    payload: JSONObject = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class OutboxEntry:
    """A planned write persisted before it is made, with where it stands."""

    id: int
    plan_id: str
    write: PlannedWrite
    status: OutboxStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class OwnedValue:
    """What the push last wrote (or adopted) for one field or object it owns in a tool.

    ``target`` is the connection (``jira:pmo``), ``ref`` the item (``PMO-12``), ``field`` what
    in it (``Flywheel Stage``, ``bucket``, ``checklist:owner``, ``page``). ``value`` is the
    tool's value after our write; ``desired`` what flywheel-sync wanted then (they differ only
    when a person's value was adopted). ``external_id`` names an object we created (a
    sub-task key, a checklist item id, a page id); ``version`` the tool's version or ETag
    after the write.
    """

    target: str
    ref: str
    field: str
    value: Any
    written_at: datetime
    desired: Any = None
    external_id: str | None = None
    version: str | None = None
    run_id: str | None = None

    def __post_init__(self) -> None:
        _require_aware(self, written_at=self.written_at)

    @property
    def key(self) -> tuple[str, str, str]:
        """``(target, ref, field)``: what it is about."""
        return (self.target, self.ref, self.field)


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditEntry:
    """A write that was executed (or refused): when, where, what changed, and how it went.

    ``before`` and ``after`` are the field's JSON values around the write; ``outcome`` is the
    push's verdict (e.g. ``applied``, ``failed``, ``conflict``) and ``detail`` its explanation.
    """

    run_id: str
    at: datetime
    tool: str
    target: str
    ref: str
    action: str
    outcome: str
    field: str | None = None
    before: Any = None
    after: Any = None
    detail: str | None = None

    def __post_init__(self) -> None:
        _require_aware(self, at=self.at)


@dataclass(frozen=True, kw_only=True, slots=True)
class RunRecord:
    """One run of a pipeline (pull, sync, apply, ...); unfinished while ``finished_at`` is None."""

    id: str
    job: str
    pipeline: str
    started_at: datetime
    finished_at: datetime | None
    outcome: RunOutcome | None
    counts: dict[str, int]


@dataclass(frozen=True, kw_only=True, slots=True)
class StoreSummary:
    """What ``flywheel-sync status`` shows, read in one cheap pass.

    Engagements or customers without a stage count only in ``entities_by_kind``.
    """

    records_by_source: dict[str, int]
    entities_by_kind: dict[str, int]
    engagements_by_flywheel_stage: dict[str, int]
    customers_by_experience_stage: dict[str, int]
    last_run: RunRecord | None

    @property
    def is_empty(self) -> bool:
        """True until something was pulled, mapped or run: nothing to report yet."""
        return not (self.records_by_source or self.entities_by_kind or self.last_run)
