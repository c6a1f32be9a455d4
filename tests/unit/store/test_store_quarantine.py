"""The quarantine table on both databases: hold, renew, release, and list what could not be read."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker

from flywheel_sync.store import Store
from flywheel_sync.store.quarantine import (
    MemoryQuarantine,
    QuarantineNote,
    QuarantineRepository,
)
from flywheel_sync.store.sql.quarantine import SqlQuarantineRepository
from tests.unit.store.builders import T0, SettableClock

JIRA, PLANNER = "jira:pmo", "planner:northwind"
LONG_SCOPE = "project = PMO AND labels in (" + ", ".join(f"l{n}" for n in range(80)) + ")"


def note(
    external_id: str | None = "PMO-7", reason: str = "no readable 'updated'"
) -> QuarantineNote:
    return QuarantineNote(
        record_type="issue", external_id=external_id, reason=reason, excerpt='{"key":"PMO-7"}'
    )


@pytest.fixture(params=["sql", "memory"])
def quarantine(
    request: pytest.FixtureRequest, store: Store, clock: SettableClock
) -> QuarantineRepository:
    """The SQL repository on the store under test, and the in-memory one held to the same."""
    if request.param == "memory":
        return MemoryQuarantine(clock=clock)
    return SqlQuarantineRepository(sessionmaker(store.engine, expire_on_commit=False), clock=clock)


def test_a_held_record_is_listed_with_its_reason_and_when(
    quarantine: QuarantineRepository,
) -> None:
    quarantine.settle(JIRA, "PMO", held=[note()], released=[])

    (entry,) = quarantine.entries()
    assert (entry.source, entry.scope, entry.record_type, entry.external_id) == (
        JIRA,
        "PMO",
        "issue",
        "PMO-7",
    )
    assert (entry.reason, entry.excerpt, entry.times_seen) == (
        "no readable 'updated'",
        '{"key":"PMO-7"}',
        1,
    )
    assert entry.first_seen_at == entry.last_seen_at == T0


def test_meeting_it_again_renews_the_entry_with_the_latest_reason(
    quarantine: QuarantineRepository, clock: SettableClock
) -> None:
    quarantine.settle(JIRA, "PMO", held=[note()], released=[])
    later = clock.advance(3600)

    quarantine.settle(JIRA, "OPS", held=[note(reason="no key")], released=[])

    (entry,) = quarantine.entries()
    assert (entry.scope, entry.reason, entry.times_seen) == ("OPS", "no key", 2)
    assert (entry.first_seen_at, entry.last_seen_at) == (T0, later)


def test_a_record_read_cleanly_is_released(quarantine: QuarantineRepository) -> None:
    quarantine.settle(JIRA, "PMO", held=[note("PMO-7"), note("PMO-8")], released=[])

    quarantine.settle(JIRA, "PMO", held=[], released=[("issue", "PMO-7"), ("issue", "PMO-99")])

    assert [entry.external_id for entry in quarantine.entries()] == ["PMO-8"]


def test_a_record_held_and_released_in_one_page_stays_held(
    quarantine: QuarantineRepository,
) -> None:
    quarantine.settle(JIRA, "PMO", held=[note("PMO-7")], released=[("issue", "PMO-7")])

    assert [entry.external_id for entry in quarantine.entries()] == ["PMO-7"]


def test_an_item_without_an_id_is_keyed_by_its_excerpt(quarantine: QuarantineRepository) -> None:
    anonymous = note(None)

    quarantine.settle(PLANNER, "plan-1", held=[anonymous, anonymous], released=[])
    quarantine.settle(PLANNER, "plan-1", held=[anonymous], released=[])

    (entry,) = quarantine.entries()
    assert (entry.external_id, entry.times_seen) == (None, 2)
    assert quarantine.keys(PLANNER) == {anonymous.key}
    assert anonymous.key[1].startswith("#")


def test_a_full_read_releases_the_scope_s_entries_it_did_not_meet(
    quarantine: QuarantineRepository,
) -> None:
    quarantine.settle(PLANNER, "plan-1", held=[note(None), note("t1")], released=[])
    quarantine.settle(PLANNER, "plan-2", held=[note("t2")], released=[])

    released = quarantine.release_others(PLANNER, "plan-1", {note("t1").key})

    assert released == 1
    assert sorted(str(e.external_id) for e in quarantine.entries()) == ["t1", "t2"]


def test_entries_are_listed_and_counted_per_source(quarantine: QuarantineRepository) -> None:
    quarantine.settle(PLANNER, "plan-1", held=[note("t1")], released=[])
    quarantine.settle(JIRA, "PMO", held=[note("PMO-7"), note("PMO-8")], released=[])

    assert quarantine.counts() == {JIRA: 2, PLANNER: 1}
    assert [e.external_id for e in quarantine.entries(source=PLANNER)] == ["t1"]
    assert [e.source for e in quarantine.entries()] == [JIRA, JIRA, PLANNER]
    assert quarantine.keys(JIRA) == {("issue", "PMO-7"), ("issue", "PMO-8")}


def test_long_scopes_and_odd_text_are_kept_as_given(store: Store) -> None:
    text = "🙂 é \\u202e \\u0000 " + "x" * 5_000
    odd = QuarantineNote(record_type="issue", external_id="PMO-7", reason=text, excerpt=text)

    store.quarantine.settle(JIRA, LONG_SCOPE, held=[odd], released=[])

    (entry,) = store.quarantine.entries()
    assert (entry.scope, entry.reason, entry.excerpt) == (LONG_SCOPE, text, text)


def test_many_keys_are_released_in_chunks(store: Store) -> None:
    quarantine = store.quarantine
    notes = [note(f"PMO-{n}") for n in range(1_000)]
    quarantine.settle(JIRA, "PMO", held=notes, released=[])

    quarantine.settle(JIRA, "PMO", held=[], released=[n.key for n in notes[:999]])

    assert [e.external_id for e in quarantine.entries()] == ["PMO-999"]
    assert quarantine.release_others(JIRA, "PMO", set()) == 1
