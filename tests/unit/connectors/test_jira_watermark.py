"""A Jira watermark: the newest ``updated`` read, and the ids already yielded at the edge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from connectors.jira.watermark import Watermark, parse_jira_time

MOMENT = datetime(2026, 11, 23, 8, 50, 6, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23T08:50:06.123+0000", MOMENT),  # Jira's own spelling
        ("2026-11-23T08:50:06.123+00:00", MOMENT),  # RFC 3339
        ("2026-11-23T09:50:06.123+0100", MOMENT),
        ("2026-11-23T08:50:06Z", MOMENT.replace(microsecond=0)),
    ],
)
def test_jira_times_are_read_with_their_offset(text: str, expected: datetime) -> None:
    assert parse_jira_time(text) == expected


@pytest.mark.parametrize("text", ["2026-11-23T08:50:06.123", "yesterday", "", "None"])
def test_a_time_without_an_offset_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_jira_time(text)


@pytest.mark.parametrize(
    ("watermark", "text"),
    [
        (Watermark(updated=MOMENT), "2026-11-23T08:50:06.123+00:00"),
        (
            Watermark(updated=MOMENT, seen=frozenset({"10877", "9999", "10231"})),
            "2026-11-23T08:50:06.123+00:00;seen=9999,10231,10877",
        ),
        (
            Watermark(updated=MOMENT.astimezone(timezone(timedelta(hours=2)))),
            "2026-11-23T10:50:06.123+02:00",
        ),
    ],
)
def test_a_watermark_is_written_as_iso_time_then_seen_ids_in_number_order(
    watermark: Watermark, text: str
) -> None:
    assert str(watermark) == text
    assert Watermark.parse(text) == watermark


def test_a_bare_jira_timestamp_is_a_watermark_with_nothing_seen() -> None:
    assert Watermark.parse("2026-11-23T08:50:06.123+0000") == Watermark(updated=MOMENT)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-23T08:50:06.123",  # no offset
        "2026-11-23T08:50:06.123+00:00;seen=PMO-1",  # keys are not ids
        "not a time;seen=1",
    ],
)
def test_an_unreadable_watermark_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        Watermark.parse(text)
