"""Raw records and watermarks: pages are stored with their watermark, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any, cast

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from flywheel_sync.store import RawRecord, Store, StoredRecord, StoreStateError
from flywheel_sync.store.engine import create_store_engine
from flywheel_sync.store.sql import SqlRecordRepository
from tests.unit.store.builders import T0, SettableClock, Violation, raw, refusal

SOURCE, SCOPE = "jira:pmo", "PMO"


def stored_keys(store: Store, **filters: str) -> list[tuple[str, str, str]]:
    return [(r.source, r.record_type, r.external_id) for r in store.records.iter_records(**filters)]


@pytest.mark.parametrize(
    ("second_page", "expected"),
    [
        ([raw("PMO-1"), raw("PMO-2")], 0),
        ([raw("PMO-1", summary="renamed"), raw("PMO-2")], 1),
        ([raw("PMO-1"), raw("PMO-2"), raw("PMO-3")], 1),
        ([raw("PMO-1", summary="renamed"), raw("PMO-2", summary="x"), raw("PMO-3")], 3),
        ([], 0),
    ],
    ids=["unchanged", "one-changed", "one-new", "changed-and-new", "empty"],
)
def test_upsert_counts_new_and_changed_records(
    store: Store, second_page: list[RawRecord], expected: int
) -> None:
    store.records.upsert_page(SOURCE, SCOPE, [raw("PMO-1"), raw("PMO-2")], "w1")

    assert store.records.upsert_page(SOURCE, SCOPE, second_page, "w2") == expected


def test_first_page_counts_every_record(store: Store) -> None:
    assert store.records.upsert_page(SOURCE, SCOPE, [raw("PMO-1"), raw("PMO-2")], "w1") == 2


def test_a_changed_record_replaces_the_stored_one(store: Store, clock: SettableClock) -> None:
    store.records.upsert_page(SOURCE, SCOPE, [raw("PMO-1", summary="old")], "w1")
    later = clock.advance(60)

    store.records.upsert_page(SOURCE, "PMO-moved", [raw("PMO-1", summary="new")], "w2")

    [record] = store.records.iter_records()
    assert record == StoredRecord(
        source=SOURCE,
        scope="PMO-moved",
        record_type="issue",
        external_id="PMO-1",
        payload={"summary": "new"},
        content_hash=raw("PMO-1", summary="new").content_hash,
        updated_at=T0 - timedelta(days=1),
        fetched_at=later,
    )


def test_an_unchanged_record_keeps_its_fetch_time(store: Store, clock: SettableClock) -> None:
    store.records.upsert_page(SOURCE, SCOPE, [raw("PMO-1")], "w1")
    clock.advance(60)

    store.records.upsert_page(SOURCE, SCOPE, [raw("PMO-1")], "w2")

    assert [r.fetched_at for r in store.records.iter_records()] == [T0]


def test_the_later_duplicate_in_a_page_wins(store: Store) -> None:
    page = [raw("PMO-1", summary="first"), raw("PMO-1", summary="second")]

    assert store.records.upsert_page(SOURCE, SCOPE, page, None) == 1
    assert [r.payload for r in store.records.iter_records()] == [{"summary": "second"}]


def test_the_watermark_advances_with_the_page(store: Store) -> None:
    store.records.upsert_page(SOURCE, SCOPE, [raw("PMO-1")], "2026-01-05T09:00:00Z")

    assert store.records.watermark(SOURCE, SCOPE) == "2026-01-05T09:00:00Z"


def test_watermarks_are_kept_per_source_and_scope(store: Store) -> None:
    store.records.upsert_page(SOURCE, "PMO", [], "pmo-mark")
    store.records.upsert_page(SOURCE, "OPS", [], "ops-mark")
    store.records.upsert_page("jira:other", "PMO", [], "other-mark")

    marks = [
        store.records.watermark(SOURCE, "PMO"),
        store.records.watermark(SOURCE, "OPS"),
        store.records.watermark("jira:other", "PMO"),
        store.records.watermark("jira:other", "OPS"),
    ]
    assert marks == ["pmo-mark", "ops-mark", "other-mark", None]


def test_a_page_without_a_watermark_keeps_the_stored_one(store: Store) -> None:
    store.records.upsert_page(SOURCE, SCOPE, [raw("PMO-1")], "w1")

    store.records.upsert_page(SOURCE, SCOPE, [raw("PMO-2")], None)

    assert store.records.watermark(SOURCE, SCOPE) == "w1"


def test_a_page_with_an_invalid_record_changes_nothing(store: Store, store_backend: str) -> None:
    store.records.upsert_page(SOURCE, SCOPE, [raw("PMO-1", summary="old")], "w1")
    missing_id = RawRecord(record_type="issue", external_id=cast(str, None), payload={})
    page = [raw("PMO-1", summary="new"), raw("PMO-2"), missing_id]

    with pytest.raises(StoreStateError, match=refusal(store_backend, Violation.NOT_NULL)):
        store.records.upsert_page(SOURCE, SCOPE, page, "w2")

    assert [r.payload for r in store.records.iter_records()] == [{"summary": "old"}]
    assert store.records.watermark(SOURCE, SCOPE) == "w1"


@pytest.fixture
def own_engine(store: Store, store_url: str) -> Iterator[Engine]:
    """A second engine on the store's file, for injecting a failure into one repository."""
    engine = create_store_engine(store_url)
    yield engine
    engine.dispose()


def test_a_failure_while_storing_the_watermark_rolls_back_the_page(
    store: Store, own_engine: Engine, clock: SettableClock
) -> None:
    store.records.upsert_page(SOURCE, SCOPE, [raw("PMO-1", summary="old")], "w1")

    def fail_on_watermark(_conn: object, _cursor: object, statement: str, *_: Any) -> None:
        if "watermarks" in statement and not statement.startswith("SELECT"):
            raise RuntimeError("disk gone while writing the watermark")

    event.listen(own_engine, "before_cursor_execute", fail_on_watermark)
    records = SqlRecordRepository(sessionmaker(own_engine), clock=clock)
    page = [raw("PMO-1", summary="new"), raw("PMO-2")]

    with pytest.raises(RuntimeError, match="disk gone"):
        records.upsert_page(SOURCE, SCOPE, page, "w2")

    assert [r.payload for r in store.records.iter_records()] == [{"summary": "old"}]
    assert store.records.watermark(SOURCE, SCOPE) == "w1"


def test_iter_records_filters_by_source_and_type(store: Store) -> None:
    store.records.upsert_page(SOURCE, SCOPE, [raw("PMO-1"), raw("c-1", "comment")], None)
    store.records.upsert_page("planner:ops", "plan-1", [raw("t-1", "task")], None)

    assert stored_keys(store) == [
        (SOURCE, "issue", "PMO-1"),
        (SOURCE, "comment", "c-1"),
        ("planner:ops", "task", "t-1"),
    ]
    assert stored_keys(store, source=SOURCE) == [
        (SOURCE, "issue", "PMO-1"),
        (SOURCE, "comment", "c-1"),
    ]
    assert stored_keys(store, source=SOURCE, record_type="comment") == [(SOURCE, "comment", "c-1")]


def test_iter_records_streams_more_rows_than_one_fetch(store: Store) -> None:
    page = [raw(f"PMO-{n}") for n in range(1, 1202)]
    store.records.upsert_page(SOURCE, SCOPE, page, None)

    ids = [r.external_id for r in store.records.iter_records()]

    assert ids == [f"PMO-{n}" for n in range(1, 1202)]


def test_the_same_record_id_in_two_sources_is_two_records(store: Store) -> None:
    store.records.upsert_page("jira:pmo", SCOPE, [raw("10001")], None)
    store.records.upsert_page("jira:ops", SCOPE, [raw("10001")], None)

    assert store.summary().records_by_source == {"jira:ops": 1, "jira:pmo": 1}


@pytest.mark.parametrize(
    ("first", "second", "equal"),
    [
        ({"a": 1, "b": [1, 2]}, {"b": [1, 2], "a": 1}, True),
        ({"a": 1}, {"a": 2}, False),
        ({"a": [1, 2]}, {"a": [2, 1]}, False),
    ],
)
def test_content_hash_ignores_key_order_only(
    first: dict[str, Any], second: dict[str, Any], equal: bool
) -> None:
    one = RawRecord(record_type="issue", external_id="1", payload=first)
    two = RawRecord(record_type="issue", external_id="1", payload=second)

    assert (one.content_hash == two.content_hash) is equal


def test_get_many_finds_the_named_records_of_one_source_and_type(store: Store) -> None:
    store.records.upsert_page(SOURCE, SCOPE, [raw("PMO-1"), raw("PMO-2"), raw("T1", "task")], None)
    store.records.upsert_page("jira:other", SCOPE, [raw("PMO-3")], None)

    found = store.records.get_many(SOURCE, "issue", ["PMO-2", "PMO-3", "PMO-2", "T1"])

    assert {key: record.external_id for key, record in found.items()} == {"PMO-2": "PMO-2"}


def test_a_scope_as_long_as_a_real_jql_query_is_kept(store: Store) -> None:
    jql = "project = PMO AND " + " OR ".join(f'labels = "customer-{n:03}"' for n in range(40))

    store.records.upsert_page(SOURCE, jql, [raw("PMO-1")], "w1")

    assert [record.scope for record in store.records.iter_records()] == [jql]
    assert store.records.watermark(SOURCE, jql) == "w1"
