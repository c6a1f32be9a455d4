"""KPI measurements on SQLAlchemy: one row per KPI, scope and period, replaced when recomputed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, tuple_, update
from sqlalchemy.orm import Session, sessionmaker

from flywheel_sync.store.rows import MeasurementRecord
from flywheel_sync.store.schema import KPIMeasurementModel
from flywheel_sync.store.sql.transactions import reading, writing

__all__ = ["SqlKPIRepository"]

_KEYS_PER_QUERY = 200  # four bound parameters per key

_MeasurementKey = tuple[str, str, str, datetime]  # (kpi_id, scope_kind, scope_id, period_start)

_KEY_COLUMNS = (
    KPIMeasurementModel.kpi_id,
    KPIMeasurementModel.scope_kind,
    KPIMeasurementModel.scope_id,
    KPIMeasurementModel.period_start,
)


class SqlKPIRepository:
    """`KPIRepository` on a SQLAlchemy database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def save(self, measurements: Iterable[MeasurementRecord]) -> None:
        """Insert new measurements and replace recomputed ones, in one transaction."""
        incoming = {_key(m): _row(m) for m in measurements}
        with writing(self._sessions) as session:
            stored = _stored_ids(session, list(incoming))
            new = [row for key, row in incoming.items() if key not in stored]
            recomputed = [
                {"id": stored[key], **row} for key, row in incoming.items() if key in stored
            ]
            if new:
                session.execute(insert(KPIMeasurementModel), new)
            if recomputed:
                session.execute(update(KPIMeasurementModel), recomputed)

    def series(self, kpi_id: str, scope_kind: str, scope_id: str) -> list[MeasurementRecord]:
        """One KPI's measurements for one scope, oldest period first."""
        query = (
            select(KPIMeasurementModel)
            .where(
                KPIMeasurementModel.kpi_id == kpi_id,
                KPIMeasurementModel.scope_kind == scope_kind,
                KPIMeasurementModel.scope_id == scope_id,
            )
            .order_by(KPIMeasurementModel.period_start)
        )
        with reading(self._sessions) as session:
            return [_measurement(model) for model in session.scalars(query)]

    def latest(self) -> list[MeasurementRecord]:
        """The most recent period's measurement of every KPI and scope, by KPI then scope."""
        newest = (
            select(*_KEY_COLUMNS[:3], func.max(KPIMeasurementModel.period_start).label("start"))
            .group_by(*_KEY_COLUMNS[:3])
            .subquery()
        )
        query = (
            select(KPIMeasurementModel)
            .join(
                newest,
                (KPIMeasurementModel.kpi_id == newest.c.kpi_id)
                & (KPIMeasurementModel.scope_kind == newest.c.scope_kind)
                & (KPIMeasurementModel.scope_id == newest.c.scope_id)
                & (KPIMeasurementModel.period_start == newest.c.start),
            )
            .order_by(*_KEY_COLUMNS[:3])
        )
        with reading(self._sessions) as session:
            return [_measurement(model) for model in session.scalars(query)]


def _key(measurement: MeasurementRecord) -> _MeasurementKey:
    return (
        measurement.kpi_id,
        measurement.scope_kind,
        measurement.scope_id,
        measurement.period_start,
    )


def _stored_ids(session: Session, keys: list[_MeasurementKey]) -> dict[_MeasurementKey, int]:
    found: dict[_MeasurementKey, int] = {}
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        query = select(*_KEY_COLUMNS, KPIMeasurementModel.id).where(
            tuple_(*_KEY_COLUMNS).in_(keys[start : start + _KEYS_PER_QUERY])
        )
        for kpi_id, scope_kind, scope_id, period_start, row_id in session.execute(query):
            found[(kpi_id, scope_kind, scope_id, period_start)] = row_id
    return found


def _row(measurement: MeasurementRecord) -> dict[str, Any]:
    return {
        "kpi_id": measurement.kpi_id,
        "scope_kind": measurement.scope_kind,
        "scope_id": measurement.scope_id,
        "period_start": measurement.period_start,
        "period_end": measurement.period_end,
        "value": measurement.value,
        "target": measurement.target,
        "status": measurement.status,
        "trend": measurement.trend,
        "run_id": measurement.run_id,
        "computed_at": measurement.computed_at,
    }


def _measurement(model: KPIMeasurementModel) -> MeasurementRecord:
    return MeasurementRecord(
        kpi_id=model.kpi_id,
        scope_kind=model.scope_kind,
        scope_id=model.scope_id,
        period_start=model.period_start,
        period_end=model.period_end,
        value=model.value,
        computed_at=model.computed_at,
        target=model.target,
        status=model.status,
        trend=model.trend,
        run_id=model.run_id,
    )
