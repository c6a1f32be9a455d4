"""Reading in parallel: sources overlap, one source's scopes never do, one thread writes."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from connectors.errors import RetryableError
from connectors.records import RecordPage
from flywheel_sync.failures import FailureKind
from flywheel_sync.pull import PullRunner, ScopeOutcome
from flywheel_sync.store import Store
from tests.unit.pull.builders import (
    SOURCE,
    WAIT,
    EndlessSource,
    Heard,
    ScriptedSource,
    SpiedRecords,
    pages,
    raised_within,
    reader_threads_alive,
    waited,
)

PLANNER = "planner:northwind"


def stored_form(scripted: list[RecordPage]) -> list[tuple[str, tuple[str, ...], str | None]]:
    return [(p.scope, tuple(r.external_id for r in p.records), p.watermark) for p in scripted]


def test_two_sources_are_read_at_the_same_time(store: Store) -> None:
    both_reading = threading.Barrier(2, timeout=WAIT)

    def meet(scope: str, number: int) -> None:
        if number == 1:
            both_reading.wait()  # read one after the other, this breaks and the pull raises

    jira = ScriptedSource({"PMO": pages("PMO", 2)}, before_page=meet)
    planner = ScriptedSource({"plan": pages("plan", 2)}, name=PLANNER, before_page=meet)

    summary = PullRunner(store.records, Heard(), max_parallel=2).pull([jira, planner])

    assert summary.ok
    assert summary.total("pages") == 4


def test_a_source_reads_its_scopes_one_after_the_other_on_one_thread(store: Store) -> None:
    jira = ScriptedSource(
        {"fields": pages("fields", 2), "PMO": pages("PMO", 3), "GRID": pages("GRID", 2)}
    )
    planner = ScriptedSource({"plan": pages("plan", 3)}, name=PLANNER)

    PullRunner(store.records, Heard(), max_parallel=4, max_pending_pages=1).pull([jira, planner])

    assert [(step, scope) for step, scope, _ in jira.journal] == [
        ("enter", "fields"),
        ("exit", "fields"),
        ("enter", "PMO"),
        ("exit", "PMO"),
        ("enter", "GRID"),
        ("exit", "GRID"),
    ]
    assert len({thread for _, _, thread in jira.journal}) == 1


def test_sources_sharing_a_name_are_read_in_turn_by_one_reader(store: Store) -> None:
    first = ScriptedSource({"PMO": pages("PMO", 1)})
    again = ScriptedSource({"PMO": [pages("PMO", 2)[1]]})

    PullRunner(store.records, Heard(), max_parallel=4).pull([first, again])

    assert again.asked == [("PMO", "PMO-1", False)]  # it started where the first one ended
    assert {thread for *_, thread in first.journal + again.journal} == {"pull-reader-1"}
    assert store.records.watermark(SOURCE, "PMO") == "PMO-2"


def test_no_more_than_max_parallel_sources_are_read_at_once(store: Store) -> None:
    in_pairs = threading.Barrier(2, timeout=WAIT)
    counting = threading.Lock()
    reading: list[int] = [0, 0]  # now, most ever

    def pair_up(scope: str, number: int) -> None:
        if number == 1:
            with counting:
                reading[0] += 1
                reading[1] = max(reading)
            in_pairs.wait()
        else:
            with counting:
                reading[0] -= 1

    sources = [
        ScriptedSource({"s": pages("s", 2)}, name=f"jira:site{n}", before_page=pair_up)
        for n in range(4)
    ]

    summary = PullRunner(store.records, Heard(), max_parallel=2).pull(sources)

    assert summary.ok
    assert reading[1] == 2
    assert len({thread for s in sources for *_, thread in s.journal}) == 2


def test_pages_are_stored_by_the_calling_thread_in_scope_order_with_watermarks(
    store: Store,
) -> None:
    spy = SpiedRecords(store.records)
    heard = Heard()
    jira_pages = {"fields": pages("fields", 2), "PMO": pages("PMO", 3)}
    planner_pages = {"plan-a": pages("plan-a", 3), "plan-b": pages("plan-b", 2)}
    jira = ScriptedSource(jira_pages)
    planner = ScriptedSource(planner_pages, name=PLANNER)

    PullRunner(spy, heard, max_parallel=2, max_pending_pages=1).pull([jira, planner])

    caller = {threading.current_thread().name}
    assert (spy.threads, heard.threads) == (caller, caller)
    for name, scripted in ((SOURCE, jira_pages), (PLANNER, planner_pages)):
        stored = [(s.scope, s.keys, s.watermark) for s in spy.stored if s.source == name]
        assert stored == stored_form([p for scope in scripted.values() for p in scope])
    assert store.records.watermark(PLANNER, "plan-a") == "plan-a-3"
    assert reader_threads_alive() == []


def test_the_summary_keeps_the_given_order_whatever_finished_first(store: Store) -> None:
    planner_done = threading.Event()

    def after_the_planner(scope: str, number: int) -> None:
        waited(planner_done)

    def heard_the_end(outcome: ScopeOutcome) -> None:
        if (outcome.source, outcome.scope) == (PLANNER, "plan-b"):
            planner_done.set()

    jira = ScriptedSource(
        {"fields": pages("fields", 1), "PMO": pages("PMO", 1)}, before_page=after_the_planner
    )
    planner = ScriptedSource(
        {"plan-a": pages("plan-a", 1), "plan-b": pages("plan-b", 1)}, name=PLANNER
    )
    heard = Heard(on_finished=heard_the_end)

    summary = PullRunner(store.records, heard, max_parallel=2).pull([jira, planner])

    assert heard.finished == [
        f"{PLANNER} plan-a",
        f"{PLANNER} plan-b",
        f"{SOURCE} fields",
        f"{SOURCE} PMO",
    ]
    assert [f"{s.source} {s.scope}" for s in summary.scopes] == [
        f"{SOURCE} fields",
        f"{SOURCE} PMO",
        f"{PLANNER} plan-a",
        f"{PLANNER} plan-b",
    ]


def test_a_failing_scope_stops_neither_its_source_nor_the_others(store: Store) -> None:
    throttled = RetryableError("429 after 5 attempts", source=SOURCE, retry_after=30)
    jira = ScriptedSource(
        {"PMO": pages("PMO", 1), "GRID": pages("GRID", 2)}, fail={"PMO": throttled}
    )
    planner = ScriptedSource({"plan": pages("plan", 2)}, name=PLANNER)

    summary = PullRunner(store.records, Heard(), max_parallel=2).pull([jira, planner])

    assert [(s.source, s.scope, s.records, s.failure_kind) for s in summary.scopes] == [
        (SOURCE, "PMO", 1, FailureKind.RETRY_LATER),
        (SOURCE, "GRID", 2, None),
        (PLANNER, "plan", 2, None),
    ]
    assert store.records.watermark(SOURCE, "PMO") == "PMO-1"


@pytest.mark.parametrize("where", ["scopes_error", "fail"], ids=["listing scopes", "a page"])
def test_a_reader_bug_is_raised_in_the_caller_after_the_others_stopped(
    store: Store, where: str
) -> None:
    bug = RuntimeError("connector bug")
    failing: dict[str, Any] = {"scopes_error": bug, "fail": {"PMO": bug}}
    endless_reading = threading.Event()
    endless = EndlessSource(PLANNER, before_page=lambda scope, number: endless_reading.set())
    broken = ScriptedSource(
        {"PMO": pages("PMO", 1)},
        before_scopes=lambda: waited(endless_reading),
        **{where: failing[where]},
    )
    runner = PullRunner(store.records, Heard(), max_parallel=2)

    raised = raised_within(lambda: runner.pull([endless, broken]))

    assert raised is bug
    assert endless.closed.is_set()
    assert reader_threads_alive() == []


def test_an_interrupt_stops_the_readers_and_stores_no_further_page(store: Store) -> None:
    spy = SpiedRecords(store.records)
    stored_at_interrupt: list[int] = []

    def interrupt(outcome: ScopeOutcome) -> None:
        if outcome.pages == 2:
            stored_at_interrupt.append(len(spy.stored))
            raise KeyboardInterrupt

    planner, teams = EndlessSource(PLANNER), EndlessSource("teams:northwind")
    runner = PullRunner(spy, Heard(on_page=interrupt), max_parallel=2)

    raised = raised_within(lambda: runner.pull([planner, teams]))

    assert isinstance(raised, KeyboardInterrupt)
    assert planner.closed.is_set()
    assert teams.closed.is_set()
    assert reader_threads_alive() == []
    assert [len(spy.stored)] == stored_at_interrupt


def test_a_full_queue_holds_a_fast_reader_back(store: Store) -> None:
    stored = [0]
    third_read = threading.Event()
    ran_ahead = threading.Event()

    def read(scope: str, number: int) -> None:
        if number == 3:
            third_read.set()
        # One page stored or being stored, one waiting in the queue, one in the reader's hand.
        if number - stored[0] > 3:
            ran_ahead.set()

    def slow_writer(outcome: ScopeOutcome) -> None:
        stored[0] += 1
        if outcome.pages == 1:
            waited(third_read)
            ran_ahead.wait(0.2)  # an unbounded reader would reach its last page meanwhile

    source = ScriptedSource({"PMO": pages("PMO", 8)}, before_page=read)
    runner = PullRunner(store.records, Heard(on_page=slow_writer), max_pending_pages=1)

    summary = runner.pull([source])

    assert summary.total("pages") == 8
    assert not ran_ahead.is_set()


def test_one_reader_reads_the_sources_one_after_the_other(store: Store) -> None:
    jira = ScriptedSource({"PMO": pages("PMO", 2)})
    planner = ScriptedSource({"plan": pages("plan", 1)}, name=PLANNER)
    heard = Heard()

    PullRunner(store.records, heard, max_parallel=1).pull([jira, planner])

    assert heard.sourced == [
        f"{SOURCE}: start PMO",
        f"{SOURCE}: page PMO 1 changed 1",
        f"{SOURCE}: page PMO 1 changed 1",
        f"{SOURCE}: end PMO ok",
        f"{PLANNER}: start plan",
        f"{PLANNER}: page plan 1 changed 1",
        f"{PLANNER}: end plan ok",
    ]
    assert {thread for s in (jira, planner) for *_, thread in s.journal} == {"pull-reader-1"}


def test_no_sources_read_nothing_and_start_no_reader(store: Store) -> None:
    summary = PullRunner(store.records, Heard()).pull([])

    assert summary.scopes == []
    assert reader_threads_alive() == []


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"max_parallel": 0}, "max_parallel must be at least 1, got 0"),
        ({"max_pending_pages": 0}, "max_pending_pages must be at least 1, got 0"),
    ],
)
def test_limits_below_one_are_refused(store: Store, limits: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PullRunner(store.records, Heard(), **limits)
