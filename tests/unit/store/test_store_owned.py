"""Owned values: what the push wrote, kept with the outbox entry that wrote it."""

from __future__ import annotations

import pytest

from flywheel_sync.store import OutboxStatus, OwnedValue, Store, StoreStateError
from tests.unit.store.builders import T0, audit_entry, planned


def owned(field: str = "Flywheel Stage", value: str = "Service Operation") -> OwnedValue:
    return OwnedValue(
        target="jira:pmo",
        ref="PMO-1",
        field=field,
        value=value,
        desired=value,
        written_at=T0,
        version="7",
    )


def test_nothing_is_owned_at_first(store: Store) -> None:
    assert store.owned.get("jira:pmo", "PMO-1", "Flywheel Stage") is None
    assert store.owned.for_target("jira:pmo") == {}


def test_put_replaces_the_value_of_the_same_field(store: Store) -> None:
    store.owned.put([owned(value="Service Onboarding")])
    store.owned.put([owned(value="Service Operation"), owned(field="bucket", value="b1")])

    assert store.owned.get("jira:pmo", "PMO-1", "Flywheel Stage") == owned()
    assert set(store.owned.for_target("jira:pmo")) == {
        ("PMO-1", "Flywheel Stage"),
        ("PMO-1", "bucket"),
    }
    assert store.owned.for_target("planner:northwind") == {}


def test_applying_an_entry_records_what_it_now_owns(
    store: Store, plan_id: str, run_id: str
) -> None:
    store.outbox.enqueue(plan_id, [planned("k1")])
    [entry] = store.outbox.pending()
    store.outbox.mark_in_flight(entry.id)

    store.outbox.mark_applied(entry.id, audit=audit_entry(run_id), owned=[owned()])

    assert store.owned.get("jira:pmo", "PMO-1", "Flywheel Stage") == owned()


def test_a_refused_settlement_records_no_ownership(store: Store, plan_id: str, run_id: str) -> None:
    store.outbox.enqueue(plan_id, [planned("k1")])
    [entry] = store.outbox.pending()

    with pytest.raises(StoreStateError, match="needs it in_flight"):
        store.outbox.mark_applied(entry.id, audit=audit_entry(run_id), owned=[owned()])

    assert store.owned.for_target("jira:pmo") == {}


def test_superseded_entries_leave_the_pending_list(store: Store, plan_id: str) -> None:
    store.outbox.enqueue(plan_id, [planned("k1"), planned("k2"), planned("k3")])
    first, second, _ = store.outbox.pending()
    store.outbox.mark_in_flight(second.id)

    changed = store.outbox.supersede([first.id, second.id])

    assert changed == 2
    assert [(e.write.idempotency_key, e.status) for e in store.outbox.pending()] == [
        ("k3", OutboxStatus.PENDING)
    ]


def test_settled_entries_are_not_superseded(store: Store, plan_id: str, run_id: str) -> None:
    store.outbox.enqueue(plan_id, [planned("k1")])
    [entry] = store.outbox.pending()
    store.outbox.mark_in_flight(entry.id)
    store.outbox.mark_applied(entry.id, audit=audit_entry(run_id))

    assert store.outbox.supersede([entry.id]) == 0
    assert store.outbox.supersede([]) == 0
