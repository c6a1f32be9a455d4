"""Entities and engagement stage history on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from flywheel_sync.store.rows import EntityRecord, StageChange
from flywheel_sync.store.schema import EntityModel, StageHistoryModel
from flywheel_sync.store.sql.transactions import YIELD_PER, reading, writing

__all__ = ["SqlEntityRepository", "SqlStageHistoryRepository"]

_IDS_PER_QUERY = 500

_ChangeKey = tuple[str, datetime, str]  # (engagement_id, entered_at, stage)


class SqlEntityRepository:
    """`EntityRepository` on a SQLAlchemy database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def replace_all(self, entities: Iterable[EntityRecord]) -> int:
        """Replace every stored entity in one transaction (the mapping recomputes them all).

        Raises:
            StoreStateError: Two entities share a kind and id.
        """
        rows = [_entity_row(entity) for entity in entities]
        with writing(self._sessions) as session:
            session.execute(delete(EntityModel))
            if rows:
                session.execute(insert(EntityModel), rows)
        return len(rows)

    def iter_entities(self, kind: str | None = None) -> Iterator[EntityRecord]:
        """Stream the stored entities, optionally of one kind, ordered by kind and id."""
        query = select(EntityModel).order_by(EntityModel.kind, EntityModel.entity_id)
        if kind is not None:
            query = query.where(EntityModel.kind == kind)
        with reading(self._sessions) as session:
            for model in session.scalars(query.execution_options(yield_per=YIELD_PER)):
                yield EntityRecord(
                    kind=model.kind,
                    entity_id=model.entity_id,
                    name=model.name,
                    payload=model.payload,
                    updated_at=model.updated_at,
                    flywheel_stage=model.flywheel_stage,
                    experience_stage=model.experience_stage,
                )


class SqlStageHistoryRepository:
    """`StageHistoryRepository` on a SQLAlchemy database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def append(self, changes: Iterable[StageChange]) -> int:
        """Add the stage changes not stored yet; returns how many were added."""
        incoming = {(c.engagement_id, c.entered_at, c.stage): c for c in changes}
        with writing(self._sessions) as session:
            stored = _stored_change_keys(session, {key[0] for key in incoming})
            rows = [
                {
                    "engagement_id": change.engagement_id,
                    "stage": change.stage,
                    "cycle": change.cycle,
                    "entered_at": change.entered_at,
                    "source_ref": change.source_ref,
                }
                for key, change in incoming.items()
                if key not in stored
            ]
            if rows:
                session.execute(insert(StageHistoryModel), rows)
        return len(rows)

    def for_engagement(self, engagement_id: str) -> list[StageChange]:
        """An engagement's stage changes, oldest first."""
        query = (
            select(StageHistoryModel)
            .where(StageHistoryModel.engagement_id == engagement_id)
            .order_by(StageHistoryModel.entered_at, StageHistoryModel.id)
        )
        with reading(self._sessions) as session:
            return [
                StageChange(
                    engagement_id=model.engagement_id,
                    stage=model.stage,
                    cycle=model.cycle,
                    entered_at=model.entered_at,
                    source_ref=model.source_ref,
                )
                for model in session.scalars(query)
            ]


def _entity_row(entity: EntityRecord) -> dict[str, Any]:
    return {
        "kind": entity.kind,
        "entity_id": entity.entity_id,
        "name": entity.name,
        "flywheel_stage": entity.flywheel_stage,
        "experience_stage": entity.experience_stage,
        "payload": entity.payload,
        "updated_at": entity.updated_at,
    }


def _stored_change_keys(session: Session, engagement_ids: set[str]) -> set[_ChangeKey]:
    """Keys of the stored changes of ``engagement_ids`` (aware datetimes compare across zones)."""
    ids = sorted(engagement_ids)
    keys: set[_ChangeKey] = set()
    for start in range(0, len(ids), _IDS_PER_QUERY):
        query = select(
            StageHistoryModel.engagement_id, StageHistoryModel.entered_at, StageHistoryModel.stage
        ).where(StageHistoryModel.engagement_id.in_(ids[start : start + _IDS_PER_QUERY]))
        keys.update((row[0], row[1], row[2]) for row in session.execute(query))
    return keys
