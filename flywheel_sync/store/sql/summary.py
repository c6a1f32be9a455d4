"""The status summary on SQLAlchemy: a handful of GROUP BY queries in one read transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from flywheel_sync.store.rows import CUSTOMER_KIND, ENGAGEMENT_KIND, StoreSummary
from flywheel_sync.store.schema import EntityModel, RunModel, SourceRecordModel
from flywheel_sync.store.sql.runs import run_record
from flywheel_sync.store.sql.transactions import reading

__all__ = ["SqlSummaryReader"]


class SqlSummaryReader:
    """`SummaryReader` on a SQLAlchemy database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def summary(self) -> StoreSummary:
        """Counts per source, entity kind and stage (keys sorted), and the last run."""
        flywheel_stage, experience_stage = EntityModel.flywheel_stage, EntityModel.experience_stage
        last_run = select(RunModel).order_by(RunModel.started_at.desc()).limit(1)
        with reading(self._sessions) as session:
            run = session.scalars(last_run).first()
            return StoreSummary(
                records_by_source=_count_by(session, SourceRecordModel.source),
                entities_by_kind=_count_by(session, EntityModel.kind),
                engagements_by_flywheel_stage=_count_by(
                    session,
                    flywheel_stage,
                    EntityModel.kind == ENGAGEMENT_KIND,
                    flywheel_stage.is_not(None),
                ),
                customers_by_experience_stage=_count_by(
                    session,
                    experience_stage,
                    EntityModel.kind == CUSTOMER_KIND,
                    experience_stage.is_not(None),
                ),
                last_run=None if run is None else run_record(run),
            )


def _count_by(
    session: Session, column: InstrumentedAttribute[Any], *criteria: ColumnElement[bool]
) -> dict[str, int]:
    query = select(column, func.count()).where(*criteria).group_by(column).order_by(column)
    return {str(key): int(count) for key, count in session.execute(query)}
