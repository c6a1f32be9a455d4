"""Entities (replaced as a whole) and engagement stage history (append-only, idempotent)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from flywheel_sync.store import StageChange, Store, StoreStateError
from tests.unit.store.builders import T0, Violation, entity, refusal


def test_replace_all_stores_the_entities_as_given(store: Store) -> None:
    given = [
        entity("customer", "c1", experience_stage="design"),
        entity("engagement", "e1", flywheel_stage="service_onboarding"),
    ]

    assert store.entities.replace_all(given) == 2
    assert list(store.entities.iter_entities()) == given


def test_replace_all_drops_entities_no_longer_produced(store: Store) -> None:
    store.entities.replace_all([entity("customer", "c1"), entity("customer", "c2")])

    store.entities.replace_all([entity("customer", "c2")])

    assert [e.entity_id for e in store.entities.iter_entities()] == ["c2"]


def test_iter_entities_of_one_kind_in_id_order(store: Store) -> None:
    store.entities.replace_all(
        [entity("service", "s2"), entity("customer", "c1"), entity("service", "s1")]
    )

    assert [e.entity_id for e in store.entities.iter_entities("service")] == ["s1", "s2"]


def test_two_entities_with_one_kind_and_id_are_refused_and_nothing_changes(
    store: Store, store_backend: str
) -> None:
    store.entities.replace_all([entity("customer", "c1")])

    with pytest.raises(StoreStateError, match=refusal(store_backend, Violation.UNIQUE)):
        store.entities.replace_all([entity("customer", "c9"), entity("customer", "c9")])

    assert [e.entity_id for e in store.entities.iter_entities()] == ["c1"]


def change(stage: str, days: int, cycle: int = 1) -> StageChange:
    return StageChange(
        engagement_id="e1",
        stage=stage,
        cycle=cycle,
        entered_at=T0 + timedelta(days=days),
        source_ref=f"jira:pmo/PMO-1#{days}",
    )


def test_stage_history_comes_back_oldest_first(store: Store) -> None:
    store.stage_history.append([change("service_operation", 9), change("service_onboarding", 2)])

    assert store.stage_history.for_engagement("e1") == [
        change("service_onboarding", 2),
        change("service_operation", 9),
    ]


def test_appending_known_changes_adds_nothing(store: Store) -> None:
    store.stage_history.append([change("service_onboarding", 2)])

    added = store.stage_history.append(
        [change("service_onboarding", 2), change("service_operation", 9)]
    )

    assert added == 1
    assert len(store.stage_history.for_engagement("e1")) == 2


def test_the_same_instant_in_another_zone_is_a_known_change(store: Store) -> None:
    store.stage_history.append([change("service_onboarding", 0)])
    cet = timezone(timedelta(hours=1))
    same_instant = StageChange(
        engagement_id="e1",
        stage="service_onboarding",
        cycle=1,
        entered_at=datetime(2026, 1, 5, 10, 0, tzinfo=cet),
    )

    assert store.stage_history.append([same_instant]) == 0


def test_history_of_an_unknown_engagement_is_empty(store: Store) -> None:
    assert store.stage_history.for_engagement("nobody") == []


def test_stored_stage_times_are_utc(store: Store) -> None:
    cet = timezone(timedelta(hours=1))
    store.stage_history.append(
        [
            StageChange(
                engagement_id="e1",
                stage="awareness_building",
                cycle=2,
                entered_at=datetime(2026, 1, 5, 10, 0, tzinfo=cet),
            )
        ]
    )

    [stored] = store.stage_history.for_engagement("e1")
    assert (stored.entered_at, stored.entered_at.tzinfo) == (T0, UTC)
