"""Channel message delta: the eight-month window, rounds, pages, watermarks and tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from flywheel_sync.sandbox.graph.teams.delta import (
    DeltaRound,
    changed_since,
    decode_round,
    encode_round,
    first_round,
    next_round,
    page_of,
    window_start,
)
from flywheel_sync.sandbox.graph.wire import GraphError
from tests.unit.sandbox_teams.builders import CHANNEL_ID, conversation, message, millis

NOW = datetime(2026, 3, 2, tzinfo=UTC)
OLD = message("2025-06-30T09:00:00+00:00")  # before the window (2025-07-02)
EARLY = message("2025-08-01T09:00:00+00:00")
MIDDLE = message("2025-12-01T09:00:00+00:00")
LATE = message("2026-02-01T09:00:00+00:00")
REVIVED = message("2025-07-01T09:00:00+00:00")  # old root, but a reply inside the window
REPLY = message("2026-01-15T09:00:00+00:00", reply_to=REVIVED["id"])
CHANNEL = conversation([OLD, EARLY, MIDDLE, LATE, REVIVED], {REVIVED["id"]: [REPLY]})


def ids(page: list[dict[str, Any]]) -> list[str]:
    return [m["id"] for m in page]


@pytest.mark.parametrize(
    ("now", "start"),
    [
        (datetime(2026, 3, 2, tzinfo=UTC), "2025-07-02T00:00:00+00:00"),
        (datetime(2026, 10, 31, 12, tzinfo=UTC), "2026-02-28T12:00:00+00:00"),
        (datetime(2024, 10, 29, tzinfo=UTC), "2024-02-29T00:00:00+00:00"),
    ],
    ids=["plain", "day-clamped", "leap-day"],
)
def test_window_starts_eight_calendar_months_back(now: datetime, start: str) -> None:
    assert window_start(now) == millis(start)


@pytest.mark.parametrize(
    "expression",
    [
        "lastModifiedDateTime gt 2019-02-27T07:13:28.000z",
        "lastModifiedDateTime gt 2019-02-27T07:13:28Z",
        "lastmodifieddatetime GT 2019-02-27T08:13:28+01:00",
    ],
)
def test_filter_takes_only_greater_than_on_last_modified(expression: str) -> None:
    assert changed_since(expression) == millis("2019-02-27T07:13:28+00:00")


@pytest.mark.parametrize(
    "expression",
    [
        "lastModifiedDateTime ge 2019-02-27T07:13:28Z",
        "createdDateTime gt 2019-02-27T07:13:28Z",
        "lastModifiedDateTime gt yesterday",
    ],
)
def test_any_other_filter_is_a_400(expression: str) -> None:
    with pytest.raises(GraphError) as refused:
        changed_since(expression)

    assert refused.value.status == 400


def full_round(state: DeltaRound) -> list[str]:
    returned: list[str] = []
    following: DeltaRound | None = state
    while following is not None:
        page, following = page_of(CHANNEL, following)
        returned += ids(page)
    return returned


def test_first_round_returns_chains_changed_in_the_window_oldest_change_first() -> None:
    state = first_round(CHANNEL, now=NOW, since=None, skip=0, top=2, expand=False)

    assert full_round(state) == [EARLY["id"], MIDDLE["id"], REVIVED["id"], LATE["id"]]


def test_filter_narrows_the_first_round() -> None:
    since = millis("2026-01-01T00:00:00+00:00")

    state = first_round(CHANNEL, now=NOW, since=since, skip=0, top=50, expand=False)

    assert full_round(state) == [REVIVED["id"], LATE["id"]]


def test_filter_cannot_reach_behind_the_window() -> None:
    since = millis("2020-01-01T00:00:00+00:00")

    state = first_round(CHANNEL, now=NOW, since=since, skip=0, top=50, expand=False)

    assert OLD["id"] not in full_round(state)


def test_skip_passes_over_the_first_chains() -> None:
    state = first_round(CHANNEL, now=NOW, since=None, skip=3, top=50, expand=False)

    assert full_round(state) == [LATE["id"]]


def test_pages_end_when_the_round_is_complete() -> None:
    state = first_round(CHANNEL, now=NOW, since=None, skip=0, top=4, expand=False)

    page, following = page_of(CHANNEL, state)

    assert (len(page), following) == (4, None)


def test_round_is_pinned_to_its_watermark() -> None:
    state = first_round(CHANNEL, now=NOW, since=None, skip=0, top=50, expand=False)

    assert state.until == millis("2026-02-01T09:00:00+00:00")


def test_next_round_without_changes_is_empty() -> None:
    finished = first_round(CHANNEL, now=NOW, since=None, skip=0, top=50, expand=False)

    state = next_round(CHANNEL, finished, now=NOW)

    assert (page_of(CHANNEL, state), state.since) == (([], None), finished.until)


def test_next_round_returns_a_chain_changed_after_the_watermark() -> None:
    finished = first_round(CHANNEL, now=NOW, since=None, skip=0, top=50, expand=False)
    edited = {**MIDDLE, "lastModifiedDateTime": "2026-03-01T10:00:00.000Z"}
    changed = conversation([OLD, EARLY, edited, LATE, REVIVED], {REVIVED["id"]: [REPLY]})

    page, _ = page_of(changed, next_round(changed, finished, now=NOW))

    assert ids(page) == [MIDDLE["id"]]


@pytest.mark.parametrize("kind", ["skip", "delta"])
def test_tokens_round_trip(kind: str) -> None:
    state = DeltaRound(
        channel=CHANNEL_ID, since=1, until=2, after=(2, 3) if kind == "skip" else None, top=5
    )

    assert decode_round(encode_round(state, kind), kind, CHANNEL_ID) == state


@pytest.mark.parametrize(
    ("kind", "channel"),
    [("delta", CHANNEL_ID), ("skip", "19:other@thread.tacv2")],
    ids=["skiptoken-used-as-deltatoken", "other-channel"],
)
def test_a_token_is_refused_outside_its_kind_and_channel(kind: str, channel: str) -> None:
    token = encode_round(DeltaRound(channel=CHANNEL_ID, since=1, until=2, top=5), "skip")

    with pytest.raises(GraphError) as refused:
        decode_round(token, kind, channel)

    assert refused.value.status == 400
