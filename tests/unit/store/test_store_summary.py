"""The status summary: exact counts for ``flywheel-sync status``."""

from __future__ import annotations

from flywheel_sync.store import RunOutcome, Store, StoreSummary
from tests.unit.store.builders import SettableClock, entity, raw


def test_an_empty_store_says_so(store: Store) -> None:
    summary = store.summary()

    assert summary == StoreSummary(
        records_by_source={},
        entities_by_kind={},
        engagements_by_flywheel_stage={},
        customers_by_experience_stage={},
        last_run=None,
    )
    assert summary.is_empty is True


def test_a_filled_store_is_counted_exactly(store: Store, clock: SettableClock) -> None:
    store.runs.start("nightly", "pull")
    clock.advance(60)
    last = store.runs.start("nightly", "sync")
    store.runs.finish(last, RunOutcome.SUCCEEDED, {"records": 4})
    store.records.upsert_page("jira:pmo", "PMO", [raw("PMO-1"), raw("PMO-2"), raw("PMO-3")], None)
    store.records.upsert_page("planner:ops", "plan-1", [raw("t-1", "task")], None)
    store.entities.replace_all(
        [
            entity("customer", "c1", experience_stage="design"),
            entity("customer", "c2", experience_stage="design"),
            entity("customer", "c3", experience_stage="exploration"),
            entity("customer", "c4"),
            entity("service", "s1"),
            entity("engagement", "e1", flywheel_stage="service_onboarding"),
            entity("engagement", "e2", flywheel_stage="service_onboarding"),
            entity("engagement", "e3", flywheel_stage="needs_assessment"),
            entity("engagement", "e4"),
            entity("service", "s2", flywheel_stage="ignored_for_services"),
        ]
    )

    summary = store.summary()

    assert summary.is_empty is False
    assert summary.records_by_source == {"jira:pmo": 3, "planner:ops": 1}
    assert summary.entities_by_kind == {"customer": 4, "engagement": 4, "service": 2}
    assert summary.engagements_by_flywheel_stage == {
        "needs_assessment": 1,
        "service_onboarding": 2,
    }
    assert summary.customers_by_experience_stage == {"design": 2, "exploration": 1}
    assert summary.last_run == store.runs.recent(limit=1)[0]
    assert (summary.last_run.id, summary.last_run.outcome) == (last, RunOutcome.SUCCEEDED)


def test_a_store_with_only_a_run_is_not_empty(store: Store) -> None:
    store.runs.start("nightly", "pull")

    assert store.summary().is_empty is False
