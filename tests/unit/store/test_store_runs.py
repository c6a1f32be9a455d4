"""Runs: started, finished once, listed newest first."""

from __future__ import annotations

import pytest

from flywheel_sync.store import RunOutcome, RunRecord, Store, StoreStateError
from tests.unit.store.builders import T0, SettableClock


def test_a_started_run_is_unfinished(store: Store) -> None:
    run_id = store.runs.start("nightly", "pull")

    assert store.runs.recent() == [
        RunRecord(
            id=run_id,
            job="nightly",
            pipeline="pull",
            started_at=T0,
            finished_at=None,
            outcome=None,
            counts={},
        )
    ]


def test_finishing_records_the_end_outcome_and_counts(store: Store, clock: SettableClock) -> None:
    run_id = store.runs.start("nightly", "sync")
    ended = clock.advance(90)

    store.runs.finish(run_id, RunOutcome.PARTIAL, {"records": 120, "writes_failed": 2})

    [run] = store.runs.recent()
    assert (run.finished_at, run.outcome, run.counts) == (
        ended,
        RunOutcome.PARTIAL,
        {"records": 120, "writes_failed": 2},
    )


def test_recent_lists_the_newest_first_up_to_the_limit(store: Store, clock: SettableClock) -> None:
    for pipeline in ("pull", "plan", "apply"):
        store.runs.start("cli", pipeline)
        clock.advance(1)

    assert [run.pipeline for run in store.runs.recent(limit=2)] == ["apply", "plan"]


def test_a_run_finishes_only_once(store: Store) -> None:
    run_id = store.runs.start("nightly", "pull")
    store.runs.finish(run_id, RunOutcome.SUCCEEDED, {"records": 3})

    with pytest.raises(StoreStateError, match=r"^run '.*' already finished \(succeeded\)$"):
        store.runs.finish(run_id, RunOutcome.FAILED, {})

    assert store.runs.recent()[0].counts == {"records": 3}


def test_finishing_an_unknown_run_is_refused(store: Store) -> None:
    with pytest.raises(StoreStateError, match=r"^no run with id 'nope' in the store$"):
        store.runs.finish("nope", RunOutcome.SUCCEEDED, {})
