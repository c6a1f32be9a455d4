"""The store's tables as SQLAlchemy typed ORM models; the migrations must build exactly these.

Only portable types are used, so one schema serves SQLite and PostgreSQL, and constraints
follow a naming convention so Alembic can name (and later alter) them the same way on both.
Timestamps go through `UTCDateTime`: stored in UTC, read back aware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator
from typing_extensions import override

__all__ = [
    "FOREIGN_TABLE_PREFIXES",
    "NAMING_CONVENTION",
    "SCOPE",
    "AuditModel",
    "Base",
    "EntityModel",
    "KPIMeasurementModel",
    "OutboxModel",
    "OwnedValueModel",
    "PlanModel",
    "QuarantinedRecordModel",
    "RunModel",
    "SourceRecordModel",
    "StageHistoryModel",
    "UTCDateTime",
    "WatermarkModel",
    "is_ours",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

FOREIGN_TABLE_PREFIXES = ("apscheduler_",)
"""Tables other libraries keep in the store's database (APScheduler's job store)."""


def is_ours(name: str | None, type_: str, _parents: object = None) -> bool:
    """Whether a database object belongs to the store (Alembic's ``include_name`` hook).

    Migrations and schema comparisons leave the tables of `FOREIGN_TABLE_PREFIXES` alone.
    """
    return not (type_ == "table" and name is not None and name.startswith(FOREIGN_TABLE_PREFIXES))


# SQLite autoincrements only an INTEGER primary key; PostgreSQL gets a 64-bit one.
SERIAL = BigInteger().with_variant(Integer(), "sqlite")

_ID = 255  # external ids, refs, keys
_NAME = 100  # sources, kinds, tools, stages
_STATUS = 20
_UUID = 36

SCOPE = String(_ID).with_variant(Text(), "postgresql")
"""A source's scope: a Jira scope is its JQL query, of any length (migration 0003).

SQLite never enforces a ``VARCHAR`` length, so its stores keep the declared ``VARCHAR(255)``
rather than copy their largest table to change it.
"""


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, stored in UTC, read back aware (SQLite returns naive ones).

    Binding a naive datetime raises ``ValueError``: its zone would be a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @override
    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError(f"refusing to store a naive datetime: {value!r}")
        return value.astimezone(UTC)

    @override
    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SourceRecordModel(Base):
    """A raw record per source (a connection name such as ``jira:pmo``)."""

    __tablename__ = "source_records"
    __table_args__ = (UniqueConstraint("source", "record_type", "external_id"),)

    id: Mapped[int] = mapped_column(SERIAL, primary_key=True)
    source: Mapped[str] = mapped_column(String(_NAME))
    scope: Mapped[str] = mapped_column(SCOPE)
    record_type: Mapped[str] = mapped_column(String(_NAME))
    external_id: Mapped[str] = mapped_column(String(_ID))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WatermarkModel(Base):
    """How far a (source, scope) has been read; opaque to the store."""

    __tablename__ = "watermarks"

    source: Mapped[str] = mapped_column(String(_NAME), primary_key=True)
    scope: Mapped[str] = mapped_column(SCOPE, primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EntityModel(Base):
    """A Value Ring entity; the stage columns duplicate the payload for cheap grouping."""

    __tablename__ = "entities"

    kind: Mapped[str] = mapped_column(String(_NAME), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    flywheel_stage: Mapped[str | None] = mapped_column(String(_NAME))
    experience_stage: Mapped[str | None] = mapped_column(String(_NAME))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StageHistoryModel(Base):
    """An engagement entering a flywheel stage."""

    __tablename__ = "stage_history"
    __table_args__ = (UniqueConstraint("engagement_id", "entered_at", "stage"),)

    id: Mapped[int] = mapped_column(SERIAL, primary_key=True)
    engagement_id: Mapped[str] = mapped_column(String(_ID))
    stage: Mapped[str] = mapped_column(String(_NAME))
    cycle: Mapped[int] = mapped_column(Integer)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source_ref: Mapped[str | None] = mapped_column(String(_ID))


class RunModel(Base):
    """One run of a pipeline."""

    __tablename__ = "runs"
    id: Mapped[str] = mapped_column(String(_UUID), primary_key=True)
    job: Mapped[str] = mapped_column(String(_NAME))
    pipeline: Mapped[str] = mapped_column(String(_NAME))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(_STATUS))
    counts: Mapped[dict[str, int]] = mapped_column(JSON)


class KPIMeasurementModel(Base):
    """A KPI value for one scope and period."""

    __tablename__ = "kpi_measurements"
    __table_args__ = (UniqueConstraint("kpi_id", "scope_kind", "scope_id", "period_start"),)

    id: Mapped[int] = mapped_column(SERIAL, primary_key=True)
    kpi_id: Mapped[str] = mapped_column(String(_NAME))
    scope_kind: Mapped[str] = mapped_column(String(_NAME))
    scope_id: Mapped[str] = mapped_column(String(_ID))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    value: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str | None] = mapped_column(String(_STATUS))
    trend: Mapped[str | None] = mapped_column(String(_STATUS))
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id"))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PlanModel(Base):
    """A plan made by a run."""

    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(String(_UUID), primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(_STATUS))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)


class OutboxModel(Base):
    """A planned write, persisted before it is made; the key makes re-planning idempotent."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(SERIAL, primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"))
    idempotency_key: Mapped[str] = mapped_column(String(_ID), unique=True)
    tool: Mapped[str] = mapped_column(String(_NAME))
    target: Mapped[str] = mapped_column(String(_ID))
    ref: Mapped[str] = mapped_column(String(_ID))
    field: Mapped[str | None] = mapped_column(String(_ID))
    action: Mapped[str] = mapped_column(String(_NAME))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(_STATUS), index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditModel(Base):
    """An executed write; append-only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(SERIAL, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    tool: Mapped[str] = mapped_column(String(_NAME))
    target: Mapped[str] = mapped_column(String(_ID))
    ref: Mapped[str] = mapped_column(String(_ID))
    field: Mapped[str | None] = mapped_column(String(_ID))
    action: Mapped[str] = mapped_column(String(_NAME))
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    outcome: Mapped[str] = mapped_column(String(_STATUS))
    detail: Mapped[str | None] = mapped_column(Text)


class OwnedValueModel(Base):
    """What flywheel-sync last wrote (or adopted) for one field or object of a tool.

    The push's memory of its own writes: a later value that differs from ``value`` was made by
    a person (a conflict), and a value equal to it is our own echo.
    """

    __tablename__ = "owned_values"

    target: Mapped[str] = mapped_column(String(_NAME), primary_key=True)
    ref: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    field: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    desired: Mapped[Any] = mapped_column(JSON, nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(_ID))
    version: Mapped[str | None] = mapped_column(String(_ID))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    run_id: Mapped[str | None] = mapped_column(String(_UUID))


class QuarantinedRecordModel(Base):
    """A record a connector could not read: set aside with its reason until read cleanly.

    ``entry_key`` is the external id when the connector could read it, else ``#`` and a
    digest of the excerpt (the same unreadable item seen again is the same entry).
    """

    __tablename__ = "quarantined_records"
    __table_args__ = (UniqueConstraint("source", "record_type", "entry_key"),)

    id: Mapped[int] = mapped_column(SERIAL, primary_key=True)
    source: Mapped[str] = mapped_column(String(_NAME))
    scope: Mapped[str] = mapped_column(SCOPE)
    record_type: Mapped[str] = mapped_column(String(_NAME))
    entry_key: Mapped[str] = mapped_column(String(_ID))
    external_id: Mapped[str | None] = mapped_column(String(_ID))
    reason: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    times_seen: Mapped[int] = mapped_column(Integer)
