"""Plans and the audit log: what a run decided, and what it did."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flywheel_sync.store import PlanRecord, PlanStatus, Store, StoreStateError
from tests.unit.store.builders import T0, SettableClock, Violation, audit_entry, refusal


def test_a_new_plan_is_planned(store: Store, run_id: str) -> None:
    plan_id = store.plans.create(run_id, {"writes": 3, "conflicts": 0})

    assert store.plans.latest() == PlanRecord(
        id=plan_id,
        run_id=run_id,
        created_at=T0,
        status=PlanStatus.PLANNED,
        summary={"writes": 3, "conflicts": 0},
    )


def test_latest_is_the_newest_plan_with_its_status(
    store: Store, run_id: str, clock: SettableClock
) -> None:
    store.plans.create(run_id, {})
    clock.advance(1)
    newest = store.plans.create(run_id, {})

    store.plans.set_status(newest, PlanStatus.PARTIAL)

    latest = store.plans.latest()
    assert latest is not None
    assert (latest.id, latest.status) == (newest, PlanStatus.PARTIAL)


def test_no_plan_yet(store: Store) -> None:
    assert store.plans.latest() is None


@pytest.mark.parametrize(
    ("act", "message"),
    [
        (lambda s: s.plans.create("no-such-run", {}), Violation.FOREIGN_KEY),
        (lambda s: s.plans.set_status("no-such-plan", PlanStatus.APPLIED), "no plan with id"),
        (lambda s: s.audit.record(audit_entry("no-such-run")), Violation.FOREIGN_KEY),
    ],
    ids=["plan-of-unknown-run", "status-of-unknown-plan", "audit-of-unknown-run"],
)
def test_references_to_unknown_runs_and_plans_are_refused(
    store: Store, store_backend: str, act: Callable[[Store], object], message: str | Violation
) -> None:
    expected = refusal(store_backend, message) if isinstance(message, Violation) else message

    with pytest.raises(StoreStateError, match=expected):
        act(store)


def test_audit_entries_come_back_newest_first(store: Store, run_id: str) -> None:
    for ref in ("PMO-1", "PMO-2", "PMO-3"):
        store.audit.record(audit_entry(run_id, ref=ref))

    assert [entry.ref for entry in store.audit.recent(limit=2)] == ["PMO-3", "PMO-2"]


def test_an_audit_entry_round_trips(store: Store, run_id: str) -> None:
    entry = audit_entry(run_id, outcome="conflict")

    store.audit.record(entry)

    assert store.audit.recent() == [entry]
