"""A Dataverse scope's watermark: per-table marks, the edge they remember, their JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from connectors.project.dataverse_watermark import ScopeMark, SeenWindow, TableMark, fingerprint

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LOOKBACK = timedelta(minutes=5)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_full_read_starts_from_nothing() -> None:
    window = SeenWindow(None, LOOKBACK)

    assert (window.since, window.mark()) == (None, TableMark(at=None))


def test_the_mark_is_the_newest_change_and_the_next_read_starts_a_lookback_earlier() -> None:
    window = SeenWindow(None, LOOKBACK)
    for minute, row in [(0, "a"), (9, "b"), (3, "c")]:
        window.note(at(minute), fingerprint(row, "W/1"))

    mark = window.mark()

    assert mark.at == at(9)
    assert SeenWindow(mark, LOOKBACK).since == at(4)


def test_only_rows_at_the_edge_are_remembered() -> None:
    window = SeenWindow(None, LOOKBACK)
    for minute, row in [(0, "old"), (4, "edge"), (9, "newest")]:
        window.note(at(minute), fingerprint(row, "W/1"))

    seen = window.mark().seen

    assert seen == {
        at(4): frozenset({fingerprint("edge", "W/1")}),
        at(9): frozenset({fingerprint("newest", "W/1")}),
    }


def test_a_row_read_again_is_not_new_unless_its_etag_changed() -> None:
    first = SeenWindow(None, LOOKBACK)
    first.note(at(0), fingerprint("a", 'W/"1"'))
    again = SeenWindow(first.mark(), LOOKBACK)

    assert again.is_new(fingerprint("a", 'W/"1"')) is False
    assert again.is_new(fingerprint("a", 'W/"2"')) is True


def test_a_later_mark_moves_the_edge_and_forgets_older_rows() -> None:
    first = SeenWindow(None, LOOKBACK)
    first.note(at(0), fingerprint("a", "1"))
    second = SeenWindow(first.mark(), LOOKBACK)
    second.note(at(10), fingerprint("b", "1"))

    assert second.mark().seen == {at(10): frozenset({fingerprint("b", "1")})}


def test_an_explicit_at_overrides_the_newest_change() -> None:
    window = SeenWindow(None, LOOKBACK)
    window.note(at(9), fingerprint("during the read", "1"))

    mark = window.mark(at=at(2) + timedelta(microseconds=700))

    assert mark.at == at(2)
    assert fingerprint("during the read", "1") in mark.seen[at(9)]


def test_a_scope_mark_round_trips_through_its_json() -> None:
    window = SeenWindow(None, LOOKBACK)
    window.note(at(1), fingerprint("a", "1"))
    mark = (
        ScopeMark()
        .with_table("project_task", window.mark())
        .with_table("project_bucket", TableMark(at=None))
    )

    encoded = mark.encode()

    assert ScopeMark.decode(encoded) == mark
    assert json.loads(encoded) == {
        "v": 1,
        "tables": {
            "project_bucket": {"at": None, "seen": {}},
            "project_task": {
                "at": "2026-11-23T08:01:00Z",
                "seen": {"2026-11-23T08:01:00Z": [fingerprint("a", "1")]},
            },
        },
    }


def test_a_table_not_yet_read_to_its_end_has_no_mark() -> None:
    mark = ScopeMark().with_table("project", TableMark(at=T0))

    assert (mark.table("project"), mark.table("project_task")) == (TableMark(at=T0), None)


@pytest.mark.parametrize(
    "watermark",
    [
        None,
        "",
        "2026-11-23T08:00:00Z",
        '{"v": 2, "tables": {}}',
        '{"v": 1, "tables": []}',
        '{"v": 1, "tables": {"project": {"at": "yesterday"}}}',
        '{"v": 1, "tables": {"project": {"at": 5}}}',
        '{"v": 1, "tables": {"project": "x"}}',
    ],
)
def test_an_unreadable_watermark_means_a_full_read(watermark: str | None) -> None:
    assert ScopeMark.decode(watermark) == ScopeMark()


def test_fingerprints_are_short_and_differ_by_id_and_version() -> None:
    prints = {fingerprint("a", "1"), fingerprint("a", "2"), fingerprint("b", "1")}

    assert len(prints) == 3
    assert all(len(p) == 16 for p in prints)
