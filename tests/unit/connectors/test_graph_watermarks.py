"""The Planner and Teams watermark formats: what they hold, and that bad text reads as none."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from connectors.graph.planner_watermark import PlanWatermark, etag_digest
from connectors.graph.teams_watermark import ChannelWatermark, graph_time

ETAG = 'W/"JzEtVGFzayAgQEBAQEBAQEBAQEBAQEBAWCc="'


def test_an_etag_digest_is_eight_characters_and_tells_etags_apart() -> None:
    assert len(etag_digest(ETAG)) == 8
    assert etag_digest(ETAG) == etag_digest(ETAG)
    assert etag_digest(ETAG) != etag_digest(ETAG.replace("WCc", "WSc"))


def test_a_plan_watermark_survives_its_text() -> None:
    watermark = PlanWatermark(
        plan="p-digest",
        details="d-digest",
        structure_read_at=datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
        buckets={"b1": "x"},
        tasks={"t2": "y", "t1": "z"},
    )

    assert PlanWatermark.decode(watermark.encode()) == watermark


def test_a_plan_watermark_is_compact_sorted_json() -> None:
    text = PlanWatermark(tasks={"t2": "y", "t1": "z"}).encode()

    assert json.loads(text) == {
        "v": 1,
        "plan": None,
        "details": None,
        "structure_read_at": None,
        "buckets": {},
        "tasks": {"t1": "z", "t2": "y"},
    }
    assert " " not in text


def test_the_structure_time_is_written_in_utc() -> None:
    in_paris = datetime(2026, 11, 23, 10, 30, tzinfo=timezone(timedelta(hours=1)))

    text = PlanWatermark(structure_read_at=in_paris).encode()

    assert json.loads(text)["structure_read_at"] == "2026-11-23T09:30:00Z"


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "not json",
        "[]",
        '{"v": 2, "buckets": {}, "tasks": {}}',
        '{"v": 1, "buckets": [], "tasks": {}}',
        '{"v": 1, "buckets": {}, "tasks": {"t1": 5}}',
    ],
)
def test_a_plan_watermark_that_cannot_be_read_is_none(text: str | None) -> None:
    assert PlanWatermark.decode(text) is None


def test_copy_is_independent() -> None:
    original = PlanWatermark(tasks={"t1": "a"})

    copy = original.copy()
    copy.tasks["t2"] = "b"

    assert original.tasks == {"t1": "a"}


@pytest.mark.parametrize(
    ("watermark", "document"),
    [
        (
            ChannelWatermark(delta="https://g/delta?$deltatoken=1"),
            {"delta": "https://g/delta?$deltatoken=1"},
        ),
        (ChannelWatermark(since="2026-11-23T09:25:00.000Z"), {"since": "2026-11-23T09:25:00.000Z"}),
        (
            ChannelWatermark(
                since="2026-11-23T09:25:00.000Z", list_link="https://g/m?$skiptoken=2"
            ),
            {"since": "2026-11-23T09:25:00.000Z", "list": "https://g/m?$skiptoken=2"},
        ),
    ],
)
def test_a_channel_watermark_has_two_shapes(
    watermark: ChannelWatermark, document: dict[str, str]
) -> None:
    text = watermark.encode()

    assert json.loads(text) == {"v": 1, **document}
    assert ChannelWatermark.decode(text) == watermark


def test_a_channel_watermark_holds_a_delta_link_or_a_since_time_not_both() -> None:
    with pytest.raises(ValueError, match="either a delta link or a since time"):
        ChannelWatermark(delta="https://g/d", since="2026-11-23T09:25:00.000Z")
    with pytest.raises(ValueError, match="either a delta link or a since time"):
        ChannelWatermark()


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "{",
        '{"v": 1}',
        '{"v": 1, "delta": 3}',
        '{"v": 0, "delta": "x"}',
        '{"v": 1, "delta": "x", "since": "y"}',
    ],
)
def test_a_channel_watermark_that_cannot_be_read_is_none(text: str | None) -> None:
    assert ChannelWatermark.decode(text) is None


def test_graph_time_is_utc_with_milliseconds() -> None:
    moment = datetime(2026, 11, 23, 10, 25, 0, 123456, tzinfo=timezone(timedelta(hours=1)))

    assert graph_time(moment) == "2026-11-23T09:25:00.123Z"
