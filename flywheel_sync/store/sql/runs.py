"""Runs on SQLAlchemy: when each pipeline run started and ended, how, and what it counted."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from flywheel_sync.store.errors import StoreStateError
from flywheel_sync.store.ports import Clock
from flywheel_sync.store.rows import RunOutcome, RunRecord
from flywheel_sync.store.schema import RunModel
from flywheel_sync.store.sql.transactions import reading, writing

__all__ = ["SqlRunRepository", "run_record"]

# Two runs can start in the same microsecond: the id breaks the tie the same way every time.
_NEWEST_FIRST = (RunModel.started_at.desc(), RunModel.id.desc())


class SqlRunRepository:
    """`RunRepository` on a SQLAlchemy database."""

    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def start(self, job: str, pipeline: str) -> str:
        """Record a run starting now; returns its id."""
        run_id = str(uuid.uuid4())
        with writing(self._sessions) as session:
            session.add(
                RunModel(id=run_id, job=job, pipeline=pipeline, started_at=self._clock(), counts={})
            )
        return run_id

    def finish(self, run_id: str, outcome: RunOutcome, counts: Mapping[str, int]) -> None:
        """Record how a started run ended.

        Raises:
            StoreStateError: The run does not exist or has already finished.
        """
        with writing(self._sessions) as session:
            run = session.get(RunModel, run_id)
            if run is None:
                raise StoreStateError(f"no run with id {run_id!r} in the store")
            if run.finished_at is not None:
                raise StoreStateError(f"run {run_id!r} already finished ({run.outcome})")
            run.finished_at = self._clock()
            run.outcome = outcome.value
            run.counts = dict(counts)

    def recent(self, limit: int = 20, *, job: str | None = None) -> list[RunRecord]:
        """The ``limit`` most recently started runs (of ``job`` only, if given), newest first."""
        query = select(RunModel).order_by(*_NEWEST_FIRST).limit(limit)
        if job is not None:
            query = query.where(RunModel.job == job)
        with reading(self._sessions) as session:
            return [run_record(model) for model in session.scalars(query)]

    def latest_by_job(self) -> dict[str, RunRecord]:
        """The most recently started run of each job name, by job name (sorted), in one query."""
        rank = func.row_number().over(partition_by=RunModel.job, order_by=_NEWEST_FIRST)
        ranked = select(RunModel, rank.label("rank")).subquery()
        newest = aliased(RunModel, ranked)
        query = select(newest).where(ranked.c.rank == 1).order_by(newest.job)
        with reading(self._sessions) as session:
            return {model.job: run_record(model) for model in session.scalars(query)}


def run_record(model: RunModel) -> RunRecord:
    """The `RunRecord` of a stored run."""
    return RunRecord(
        id=model.id,
        job=model.job,
        pipeline=model.pipeline,
        started_at=model.started_at,
        finished_at=model.finished_at,
        outcome=None if model.outcome is None else RunOutcome(model.outcome),
        counts=dict(model.counts),
    )
