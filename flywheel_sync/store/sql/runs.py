"""Runs on SQLAlchemy: when each pipeline run started and ended, how, and what it counted."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flywheel_sync.store.errors import StoreStateError
from flywheel_sync.store.ports import Clock
from flywheel_sync.store.rows import RunOutcome, RunRecord
from flywheel_sync.store.schema import RunModel
from flywheel_sync.store.sql.transactions import reading, writing

__all__ = ["SqlRunRepository", "run_record"]


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

    def recent(self, limit: int = 20) -> list[RunRecord]:
        """The ``limit`` most recently started runs, newest first."""
        query = select(RunModel).order_by(RunModel.started_at.desc()).limit(limit)
        with reading(self._sessions) as session:
            return [run_record(model) for model in session.scalars(query)]


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
