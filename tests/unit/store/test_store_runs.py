"""Runs: started, finished once, listed newest first, overall, per job and by job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

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


def test_an_interrupted_run_keeps_its_outcome(store: Store) -> None:
    run_id = store.runs.start("nightly", "sync")

    store.runs.finish(run_id, RunOutcome.INTERRUPTED, {"writes_left": 4})

    [run] = store.runs.recent()
    assert (run.outcome, run.counts) == (RunOutcome.INTERRUPTED, {"writes_left": 4})


def test_recent_of_one_job_leaves_the_other_jobs_out(store: Store, clock: SettableClock) -> None:
    for job in ("nightly", "hourly", "nightly", "hourly"):
        store.runs.start(job, "pull")
        clock.advance(60)

    nightly = store.runs.recent(job="nightly")

    assert [(run.job, run.started_at) for run in nightly] == [
        ("nightly", T0 + timedelta(minutes=2)),
        ("nightly", T0),
    ]
    assert store.runs.recent(job="weekly") == []


def test_latest_by_job_is_the_newest_run_of_each_job(store: Store, clock: SettableClock) -> None:
    first_nightly = store.runs.start("nightly", "sync")
    clock.advance(60)
    hourly = store.runs.start("hourly", "pull")
    clock.advance(60)
    last_nightly = store.runs.start("nightly", "sync")
    store.runs.finish(first_nightly, RunOutcome.FAILED, {})

    latest = store.runs.latest_by_job()

    assert {job: run.id for job, run in latest.items()} == {
        "hourly": hourly,
        "nightly": last_nightly,
    }
    assert list(latest) == ["hourly", "nightly"]
    assert latest["nightly"].finished_at is None


def test_latest_by_job_of_an_empty_store_is_empty(store: Store) -> None:
    assert store.runs.latest_by_job() == {}


def test_latest_by_job_reads_the_runs_once(store: Store, clock: SettableClock) -> None:
    for job in ("a", "b", "c", "a"):
        store.runs.start(job, "pull")
        clock.advance(1)
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    store.runs.latest_by_job()

    assert [s for s in statements if "runs" in s] == [statements[-1]]


def test_runs_started_in_the_same_instant_come_back_in_one_stable_order(store: Store) -> None:
    ids = [store.runs.start("nightly", "pull") for _ in range(4)]  # the clock stands still

    assert [run.id for run in store.runs.recent()] == sorted(ids, reverse=True)
    assert store.runs.latest_by_job()["nightly"].id == max(ids)
