"""Builders for the store tests: a clock, rows, and each database's words for a refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from flywheel_sync.store import AuditEntry, EntityRecord, PlannedWrite, RawRecord

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class SettableClock:
    """A clock that says what the test tells it to: no sleeps, exact timestamps."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def raw(external_id: str, record_type: str = "issue", **payload: Any) -> RawRecord:
    """A raw record whose payload is ``payload`` (``{"key": external_id}`` when empty)."""
    return RawRecord(
        record_type=record_type,
        external_id=external_id,
        payload=payload or {"key": external_id},
        updated_at=T0 - timedelta(days=1),
    )


def entity(
    kind: str,
    entity_id: str,
    *,
    flywheel_stage: str | None = None,
    experience_stage: str | None = None,
) -> EntityRecord:
    return EntityRecord(
        kind=kind,
        entity_id=entity_id,
        name=f"{kind} {entity_id}",
        payload={"id": entity_id},
        updated_at=T0,
        flywheel_stage=flywheel_stage,
        experience_stage=experience_stage,
    )


def planned(key: str, ref: str = "PMO-1") -> PlannedWrite:
    return PlannedWrite(
        idempotency_key=key,
        tool="jira",
        target="jira:pmo",
        ref=ref,
        action="set_field",
        field="customfield_10100",
        payload={"value": "service_onboarding"},
    )


def audit_entry(run_id: str, *, outcome: str = "applied", ref: str = "PMO-1") -> AuditEntry:
    return AuditEntry(
        run_id=run_id,
        at=T0,
        tool="jira",
        target="jira:pmo",
        ref=ref,
        action="set_field",
        outcome=outcome,
        field="customfield_10100",
        before="service_development",
        after="service_onboarding",
    )


class Violation(Enum):
    """A constraint a change can violate; `refusal` gives the database's words for it."""

    UNIQUE = "unique"
    FOREIGN_KEY = "foreign key"
    NOT_NULL = "not null"


_REFUSALS: dict[str, dict[Violation, str]] = {
    "sqlite": {
        Violation.UNIQUE: "UNIQUE constraint failed",
        Violation.FOREIGN_KEY: "FOREIGN KEY constraint failed",
        Violation.NOT_NULL: "NOT NULL constraint failed",
    },
    "postgresql": {
        Violation.UNIQUE: "duplicate key value violates unique constraint",
        Violation.FOREIGN_KEY: "violates foreign key constraint",
        Violation.NOT_NULL: "violates not-null constraint",
    },
}


def refusal(backend: str, violation: Violation) -> str:
    """What ``backend`` says (inside the `StoreStateError`'s message) for ``violation``."""
    return _REFUSALS[backend][violation]
