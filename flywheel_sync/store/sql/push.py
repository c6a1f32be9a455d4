"""Plans, the outbox, owned values and the audit log on SQLAlchemy: push resumes without repeats."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from flywheel_sync.store.errors import StoreStateError
from flywheel_sync.store.ports import Clock
from flywheel_sync.store.rows import (
    AuditEntry,
    JSONObject,
    OutboxEntry,
    OutboxStatus,
    OwnedValue,
    PlannedWrite,
    PlanRecord,
    PlanStatus,
)
from flywheel_sync.store.schema import AuditModel, OutboxModel, OwnedValueModel, PlanModel
from flywheel_sync.store.sql.transactions import reading, writing

__all__ = [
    "SqlAuditRepository",
    "SqlOutboxRepository",
    "SqlOwnershipRepository",
    "SqlPlanRepository",
]

_KEYS_PER_QUERY = 500
_UNSETTLED = (OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT)
_REOPENED = frozenset({OutboxStatus.FAILED.value, OutboxStatus.SUPERSEDED.value})
"""Settled without the write being made: a plan that wants the write again reopens it."""


class SqlPlanRepository:
    """`PlanRepository` on a SQLAlchemy database."""

    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def create(self, run_id: str, summary: JSONObject) -> str:
        """Record a new plan of the run ``run_id``; returns its id.

        Raises:
            StoreStateError: No run has the id ``run_id``.
        """
        plan_id = str(uuid.uuid4())
        with writing(self._sessions) as session:
            session.add(
                PlanModel(
                    id=plan_id,
                    run_id=run_id,
                    created_at=self._clock(),
                    status=PlanStatus.PLANNED.value,
                    summary=summary,
                )
            )
        return plan_id

    def set_status(self, plan_id: str, status: PlanStatus) -> None:
        """Record how the plan's apply ended.

        Raises:
            StoreStateError: No plan has the id ``plan_id``.
        """
        with writing(self._sessions) as session:
            plan = session.get(PlanModel, plan_id)
            if plan is None:
                raise StoreStateError(f"no plan with id {plan_id!r} in the store")
            plan.status = status.value

    def latest(self) -> PlanRecord | None:
        """The most recently created plan, if any."""
        query = select(PlanModel).order_by(PlanModel.created_at.desc()).limit(1)
        with reading(self._sessions) as session:
            plan = session.scalars(query).first()
            if plan is None:
                return None
            return PlanRecord(
                id=plan.id,
                run_id=plan.run_id,
                created_at=plan.created_at,
                status=PlanStatus(plan.status),
                summary=plan.summary,
            )


class SqlOutboxRepository:
    """`OutboxRepository` on a SQLAlchemy database."""

    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def enqueue(self, plan_id: str, writes: Iterable[PlannedWrite]) -> int:
        """Persist a plan's writes idempotently by key; returns how many became pending.

        A key already stored as failed or superseded becomes pending again.

        Raises:
            StoreStateError: No plan has the id ``plan_id``.
        """
        incoming = {write.idempotency_key: write for write in writes}
        now = self._clock()
        with writing(self._sessions) as session:
            stored = _stored_statuses(session, list(incoming))
            new = [
                _outbox_row(plan_id, write, now)
                for key, write in incoming.items()
                if key not in stored
            ]
            # A failed write is tried again; a superseded one (an earlier plan stopped wanting
            # it, or the same run's first pass left it for later) is wanted again: both
            # become pending. Applied and unsettled entries stay as they are.
            retried = [key for key, status in stored.items() if status in _REOPENED]
            if new:
                session.execute(insert(OutboxModel), new)
            if retried:
                session.execute(
                    update(OutboxModel)
                    .where(OutboxModel.idempotency_key.in_(retried))
                    .values(status=OutboxStatus.PENDING.value, updated_at=now)
                )
        return len(new) + len(retried)

    def pending(self) -> list[OutboxEntry]:
        """Entries pending or left in flight by an interrupted apply, oldest first."""
        query = (
            select(OutboxModel)
            .where(OutboxModel.status.in_([status.value for status in _UNSETTLED]))
            .order_by(OutboxModel.id)
        )
        with reading(self._sessions) as session:
            return [_outbox_entry(model) for model in session.scalars(query)]

    def mark_in_flight(self, entry_id: int) -> None:
        """Claim a pending (or interrupted in-flight) entry before its write is made."""
        with writing(self._sessions) as session:
            entry = self._entry(session, entry_id, allowed=_UNSETTLED)
            entry.status = OutboxStatus.IN_FLIGHT.value
            entry.attempts += 1
            entry.updated_at = self._clock()

    def mark_applied(
        self, entry_id: int, *, audit: AuditEntry, owned: Iterable[OwnedValue] = ()
    ) -> None:
        """Settle an in-flight entry as applied, with its audit entry and owned values."""
        with writing(self._sessions) as session:
            entry = self._entry(session, entry_id, allowed=(OutboxStatus.IN_FLIGHT,))
            entry.status = OutboxStatus.APPLIED.value
            entry.updated_at = self._clock()
            session.add(_audit_model(audit))
            _put_owned(session, owned)

    def supersede(self, entry_ids: Iterable[int]) -> int:
        """Settle the unsettled entries among ``entry_ids`` as superseded."""
        ids = list(entry_ids)
        if not ids:
            return 0
        with writing(self._sessions) as session:
            result = session.execute(
                update(OutboxModel)
                .where(OutboxModel.id.in_(ids))
                .where(OutboxModel.status.in_([status.value for status in _UNSETTLED]))
                .values(status=OutboxStatus.SUPERSEDED.value, updated_at=self._clock())
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def mark_failed(self, entry_id: int, error: str, *, audit: AuditEntry) -> None:
        """Settle an in-flight entry as failed with ``error``, with its audit entry."""
        with writing(self._sessions) as session:
            entry = self._entry(session, entry_id, allowed=(OutboxStatus.IN_FLIGHT,))
            entry.status = OutboxStatus.FAILED.value
            entry.last_error = error
            entry.updated_at = self._clock()
            session.add(_audit_model(audit))

    @staticmethod
    def _entry(
        session: Session, entry_id: int, *, allowed: Collection[OutboxStatus]
    ) -> OutboxModel:
        entry = session.get(OutboxModel, entry_id)
        if entry is None:
            raise StoreStateError(f"no outbox entry with id {entry_id} in the store")
        if entry.status not in allowed:
            raise StoreStateError(
                f"outbox entry {entry_id} ({entry.idempotency_key!r}) is {entry.status}; "
                f"this step needs it {' or '.join(sorted(allowed))}"
            )
        return entry


class SqlOwnershipRepository:
    """`OwnershipRepository` on a SQLAlchemy database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def get(self, target: str, ref: str, field: str) -> OwnedValue | None:
        """The owned value of one field, if any."""
        with reading(self._sessions) as session:
            model = session.get(OwnedValueModel, (target, ref, field))
            return None if model is None else _owned_value(model)

    def for_target(self, target: str) -> dict[tuple[str, str], OwnedValue]:
        """Every owned value of one connection, keyed by ``(ref, field)``."""
        query = select(OwnedValueModel).where(OwnedValueModel.target == target)
        with reading(self._sessions) as session:
            return {
                (model.ref, model.field): _owned_value(model) for model in session.scalars(query)
            }

    def put(self, values: Iterable[OwnedValue]) -> None:
        """Insert or replace owned values."""
        with writing(self._sessions) as session:
            _put_owned(session, values)


class SqlAuditRepository:
    """`AuditRepository` on a SQLAlchemy database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(self, entry: AuditEntry) -> None:
        """Append an entry.

        Raises:
            StoreStateError: No run has the entry's ``run_id``.
        """
        with writing(self._sessions) as session:
            session.add(_audit_model(entry))

    def recent(self, limit: int = 50) -> list[AuditEntry]:
        """The ``limit`` newest entries, newest first (in the order they were recorded)."""
        query = select(AuditModel).order_by(AuditModel.id.desc()).limit(limit)
        with reading(self._sessions) as session:
            return [
                AuditEntry(
                    run_id=model.run_id,
                    at=model.at,
                    tool=model.tool,
                    target=model.target,
                    ref=model.ref,
                    action=model.action,
                    outcome=model.outcome,
                    field=model.field,
                    before=model.before,
                    after=model.after,
                    detail=model.detail,
                )
                for model in session.scalars(query)
            ]


def _stored_statuses(session: Session, keys: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        query = select(OutboxModel.idempotency_key, OutboxModel.status).where(
            OutboxModel.idempotency_key.in_(keys[start : start + _KEYS_PER_QUERY])
        )
        found.update((key, status) for key, status in session.execute(query))
    return found


def _outbox_row(plan_id: str, write: PlannedWrite, now: datetime) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "idempotency_key": write.idempotency_key,
        "tool": write.tool,
        "target": write.target,
        "ref": write.ref,
        "field": write.field,
        "action": write.action,
        "payload": write.payload,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "last_error": None,
        "created_at": now,
        "updated_at": now,
    }


def _outbox_entry(model: OutboxModel) -> OutboxEntry:
    return OutboxEntry(
        id=model.id,
        plan_id=model.plan_id,
        write=PlannedWrite(
            idempotency_key=model.idempotency_key,
            tool=model.tool,
            target=model.target,
            ref=model.ref,
            action=model.action,
            field=model.field,
            payload=model.payload,
        ),
        status=OutboxStatus(model.status),
        attempts=model.attempts,
        last_error=model.last_error,
        created_at=model.created_at,
        updated_at=model.updated_at,
    )


def _audit_model(entry: AuditEntry) -> AuditModel:
    return AuditModel(
        run_id=entry.run_id,
        at=entry.at,
        tool=entry.tool,
        target=entry.target,
        ref=entry.ref,
        field=entry.field,
        action=entry.action,
        before=entry.before,
        after=entry.after,
        outcome=entry.outcome,
        detail=entry.detail,
    )


def _put_owned(session: Session, values: Iterable[OwnedValue]) -> None:
    """Replace each value's row: delete-then-insert is portable across SQLite and PostgreSQL."""
    for value in values:
        session.execute(
            delete(OwnedValueModel).where(
                OwnedValueModel.target == value.target,
                OwnedValueModel.ref == value.ref,
                OwnedValueModel.field == value.field,
            )
        )
        session.add(
            OwnedValueModel(
                target=value.target,
                ref=value.ref,
                field=value.field,
                value=value.value,
                desired=value.desired,
                external_id=value.external_id,
                version=value.version,
                written_at=value.written_at,
                run_id=value.run_id,
            )
        )
        session.flush()


def _owned_value(model: OwnedValueModel) -> OwnedValue:
    return OwnedValue(
        target=model.target,
        ref=model.ref,
        field=model.field,
        value=model.value,
        desired=model.desired,
        external_id=model.external_id,
        version=model.version,
        written_at=model.written_at,
        run_id=model.run_id,
    )
