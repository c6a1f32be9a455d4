"""The outbox: planned writes persisted once per key, and settled together with their audit."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flywheel_sync.store import OutboxEntry, OutboxStatus, Store, StoreStateError
from tests.unit.store.builders import T0, SettableClock, Violation, audit_entry, planned, refusal


def statuses(store: Store) -> dict[str, OutboxStatus]:
    return {entry.write.idempotency_key: entry.status for entry in store.outbox.pending()}


def only_entry(store: Store) -> OutboxEntry:
    [entry] = store.outbox.pending()
    return entry


def test_enqueued_writes_are_pending_in_order(store: Store, plan_id: str) -> None:
    assert store.outbox.enqueue(plan_id, [planned("k1"), planned("k2")]) == 2

    entries = store.outbox.pending()

    assert [(e.write, e.plan_id, e.status, e.attempts) for e in entries] == [
        (planned("k1"), plan_id, OutboxStatus.PENDING, 0),
        (planned("k2"), plan_id, OutboxStatus.PENDING, 0),
    ]
    assert {(e.created_at, e.updated_at, e.last_error) for e in entries} == {(T0, T0, None)}


def test_enqueueing_the_same_key_again_adds_nothing(
    store: Store, run_id: str, plan_id: str
) -> None:
    store.outbox.enqueue(plan_id, [planned("k1")])
    resumed_plan = store.plans.create(run_id, {})

    added = store.outbox.enqueue(resumed_plan, [planned("k1"), planned("k1")])

    assert added == 0
    assert [(e.write.idempotency_key, e.plan_id) for e in store.outbox.pending()] == [
        ("k1", plan_id)
    ]


def test_claiming_an_entry_puts_it_in_flight(
    store: Store, plan_id: str, clock: SettableClock
) -> None:
    store.outbox.enqueue(plan_id, [planned("k1")])
    claimed_at = clock.advance(5)

    store.outbox.mark_in_flight(only_entry(store).id)

    entry = only_entry(store)
    assert (entry.status, entry.attempts, entry.updated_at) == (
        OutboxStatus.IN_FLIGHT,
        1,
        claimed_at,
    )


def test_an_applied_entry_leaves_the_queue_and_is_audited(
    store: Store, run_id: str, plan_id: str
) -> None:
    store.outbox.enqueue(plan_id, [planned("k1")])
    entry_id = only_entry(store).id
    store.outbox.mark_in_flight(entry_id)

    store.outbox.mark_applied(entry_id, audit=audit_entry(run_id))

    assert store.outbox.pending() == []
    assert store.audit.recent() == [audit_entry(run_id)]


def test_an_applied_key_is_never_queued_again(store: Store, run_id: str, plan_id: str) -> None:
    store.outbox.enqueue(plan_id, [planned("k1")])
    entry_id = only_entry(store).id
    store.outbox.mark_in_flight(entry_id)
    store.outbox.mark_applied(entry_id, audit=audit_entry(run_id))

    assert store.outbox.enqueue(store.plans.create(run_id, {}), [planned("k1")]) == 0
    assert store.outbox.pending() == []


def test_a_failed_entry_keeps_its_error_and_is_audited(
    store: Store, run_id: str, plan_id: str
) -> None:
    store.outbox.enqueue(plan_id, [planned("k1")])
    entry_id = only_entry(store).id
    store.outbox.mark_in_flight(entry_id)

    store.outbox.mark_failed(
        entry_id, "409 version conflict", audit=audit_entry(run_id, outcome="failed")
    )

    assert store.outbox.pending() == []
    assert [entry.outcome for entry in store.audit.recent()] == ["failed"]


def test_re_enqueueing_a_failed_key_retries_it(store: Store, run_id: str, plan_id: str) -> None:
    store.outbox.enqueue(plan_id, [planned("k1")])
    entry_id = only_entry(store).id
    store.outbox.mark_in_flight(entry_id)
    store.outbox.mark_failed(entry_id, "503", audit=audit_entry(run_id, outcome="failed"))

    assert store.outbox.enqueue(store.plans.create(run_id, {}), [planned("k1")]) == 1

    entry = only_entry(store)
    assert (entry.id, entry.status, entry.attempts, entry.last_error) == (
        entry_id,
        OutboxStatus.PENDING,
        1,
        "503",
    )


def test_re_enqueueing_a_superseded_key_makes_it_pending_again(
    store: Store, run_id: str, plan_id: str
) -> None:
    """A write left aside (an interrupted apply's, not wanted by a first pass) is wanted later."""
    store.outbox.enqueue(plan_id, [planned("k1"), planned("k2")])
    first, second = store.outbox.pending()
    assert store.outbox.supersede([first.id]) == 1
    assert [entry.id for entry in store.outbox.pending()] == [second.id]

    assert store.outbox.enqueue(store.plans.create(run_id, {}), [planned("k1")]) == 1

    assert [(e.id, e.status) for e in store.outbox.pending()] == [
        (first.id, OutboxStatus.PENDING),
        (second.id, OutboxStatus.PENDING),
    ]


def test_an_entry_left_in_flight_is_still_unsettled_and_can_be_claimed_again(
    store: Store, plan_id: str
) -> None:
    store.outbox.enqueue(plan_id, [planned("k1"), planned("k2")])
    first = store.outbox.pending()[0].id
    store.outbox.mark_in_flight(first)  # then the process dies

    assert statuses(store) == {"k1": OutboxStatus.IN_FLIGHT, "k2": OutboxStatus.PENDING}
    store.outbox.mark_in_flight(first)
    assert store.outbox.pending()[0].attempts == 2


def _settle_applied(store: Store, run_id: str) -> Callable[[int], None]:
    return lambda entry_id: store.outbox.mark_applied(entry_id, audit=audit_entry(run_id))


def _settle_failed(store: Store, run_id: str) -> Callable[[int], None]:
    return lambda entry_id: store.outbox.mark_failed(entry_id, "x", audit=audit_entry(run_id))


@pytest.mark.parametrize(
    ("history", "step", "message"),
    [
        ([], "applied", r"is pending; this step needs it in_flight"),
        ([], "failed", r"is pending; this step needs it in_flight"),
        (["in_flight", "applied"], "applied", r"is applied; this step needs it in_flight"),
        (
            ["in_flight", "applied"],
            "in_flight",
            r"is applied; this step needs it in_flight or pending",
        ),
        (
            ["in_flight", "failed"],
            "in_flight",
            r"is failed; this step needs it in_flight or pending",
        ),
    ],
)
def test_transitions_the_status_forbids_are_refused(
    store: Store, run_id: str, plan_id: str, history: list[str], step: str, message: str
) -> None:
    steps: dict[str, Callable[[int], None]] = {
        "in_flight": store.outbox.mark_in_flight,
        "applied": _settle_applied(store, run_id),
        "failed": _settle_failed(store, run_id),
    }
    store.outbox.enqueue(plan_id, [planned("k1")])
    entry_id = only_entry(store).id
    for done in history:
        steps[done](entry_id)
    audited_before = len(store.audit.recent())

    with pytest.raises(StoreStateError, match=message):
        steps[step](entry_id)

    assert len(store.audit.recent()) == audited_before


def test_an_unknown_entry_is_refused(store: Store) -> None:
    with pytest.raises(StoreStateError, match=r"^no outbox entry with id 42 in the store$"):
        store.outbox.mark_in_flight(42)


def test_writes_of_an_unknown_plan_are_refused(store: Store, store_backend: str) -> None:
    with pytest.raises(StoreStateError, match=refusal(store_backend, Violation.FOREIGN_KEY)):
        store.outbox.enqueue("no-such-plan", [planned("k1")])

    assert store.outbox.pending() == []
