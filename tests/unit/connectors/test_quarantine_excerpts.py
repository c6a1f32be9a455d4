"""What a quarantined record keeps: a bounded, printable excerpt and reason, secrets masked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings

from connectors.quarantine import (
    MAX_EXCERPT,
    MAX_REASON,
    excerpt,
    quarantine,
    readable_id,
    shown,
    storable_time,
)
from connectors.records import RecordPage
from tests.unit.connectors.hostile_records import (
    EVERY_RUN,
    MEGABYTE,
    assert_storable,
    hostile_values,
    odd_text,
)


@settings(EVERY_RUN)
@given(payload=hostile_values, reason=odd_text)
def test_any_item_quarantines_into_a_bounded_printable_entry(payload: Any, reason: str) -> None:
    entry = quarantine("issue", payload, reason or "unreadable")

    assert_storable([RecordPage(scope="s", records=(), quarantined=(entry,))])
    assert len(entry.excerpt) <= MAX_EXCERPT
    assert len(entry.reason) <= MAX_REASON


@pytest.mark.parametrize(
    ("payload", "shown_as"),
    [
        ({"key": "PMO-1"}, '{"key":"PMO-1"}'),
        ({"summary": "a\x00b"}, '{"summary":"a\\u0000b"}'),
        ({"summary": "\u202eevil"}, '{"summary":"\\u202eevil"}'),
        ({"summary": "🙂 é"}, '{"summary":"🙂 é"}'),
        ([1, 2, 3, 4, 5, 6, 7], '[1,2,3,4,5,"… 2 more items"]'),
        ({"a": {"b": {"c": {"d": {"e": 1}}}}}, '{"a":{"b":{"c":{"d":"{… 1 members}"}}}}'),
        (10**40, '"a 133-bit number"'),
        (None, "null"),
    ],
)
def test_an_excerpt_shows_the_item_as_compact_json(payload: Any, shown_as: str) -> None:
    assert excerpt(payload) == shown_as


@pytest.mark.parametrize(
    "name", ["password", "apiToken", "client_secret", "Authorization", "api-key", "cookie"]
)
def test_members_named_like_secrets_are_masked(name: str) -> None:
    shown_text = excerpt({name: "hunter2", "nested": {name: {"deep": "hunter2"}}})

    assert "hunter2" not in shown_text
    assert json.loads(shown_text) == {name: "***", "nested": {name: "***"}}


def test_an_empty_secret_member_is_shown_empty() -> None:
    assert excerpt({"token": None}) == '{"token":null}'


def test_a_megabyte_string_is_cut_with_its_length_said() -> None:
    shown_text = excerpt({"summary": MEGABYTE, "key": "PMO-1"})

    assert len(shown_text) < 300
    assert "… (1,000,000 characters)" in shown_text
    assert shown_text.endswith('"key":"PMO-1"}')


def test_an_excerpt_longer_than_its_limit_is_cut() -> None:
    wide = {f"field{n}": "y" * 150 for n in range(40)}

    shown_text = excerpt(wide)

    assert len(shown_text) == MAX_EXCERPT
    assert shown_text.endswith("…")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("soon", "'soon'"),
        (None, "None"),
        ({"a": 1}, "dict of 1"),
        ([], "list of 0"),
        ("x" * 100, f"{'x' * 60!r}… (100 characters)"),
        ("a\u202eb", "'a\\u202eb'"),
        (10**40, "a 133-bit number"),
    ],
)
def test_a_value_in_a_reason_is_short_and_printable(value: Any, text: str) -> None:
    assert shown(value) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("PMO-12", "PMO-12"),
        ("19:abc@thread.tacv2/1700000000001", "19:abc@thread.tacv2/1700000000001"),
        (10001, "10001"),
        ("", None),
        (None, None),
        (True, None),
        (1.5, None),
        ({"id": 1}, None),
        ("x" * 256, None),
        ("PMO-\x0012", None),
        ("PMO-1\u202e", None),
        ("PMO 1\n", None),
        (10**40, None),
    ],
)
def test_a_readable_id_is_a_short_printable_string(value: Any, expected: str | None) -> None:
    assert readable_id(value) == expected


@pytest.mark.parametrize(
    ("moment", "kept"),
    [
        (datetime(2026, 11, 23, 8, 50, tzinfo=UTC), True),
        (datetime(2026, 11, 23, 8, 50, tzinfo=timezone(timedelta(hours=14))), True),
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), False),
        (datetime(1, 1, 1, 12, tzinfo=UTC), False),
        (datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))), False),
        (datetime(2026, 11, 23, 8, 50), False),  # noqa: DTZ001 - naive: the point
    ],
)
def test_a_storable_time_leaves_room_at_the_ends_of_time(moment: datetime, kept: bool) -> None:
    assert (storable_time(moment) is not None) is kept
