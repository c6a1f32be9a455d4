"""Delta over a channel's messages: rounds of pages that end in a ``@odata.deltaLink``.

What chatmessage-delta.md documents, and the sandbox does:

- only reply chains (a root post and its replies) changed in the **eight months** before the
  organisation's ``now`` are returned; older ones only through the plain list;
- a chain counts as changed when its root or any reply was modified; items come oldest change
  first (the doc's samples ascend) and are root posts, replies inline only with
  ``$expand=replies``;
- query options (``$top`` ≤ 50, ``$skip``, ``$filter=lastModifiedDateTime gt <time>``,
  ``$expand=replies``) count on the first call only: the tokens carry them afterwards;
- every page but the last has an ``@odata.nextLink`` (``$skiptoken``); the last has an
  ``@odata.deltaLink`` (``$deltatoken``) that returns, later, only what changed since.

A round is pinned to a *watermark*: the newest change it saw when it started. Its pages cover
the changes up to the watermark and the deltaLink starts the next round there, so a change
made while a caller pages is not lost, and a round without changes returns an empty page and a
fresh deltaLink. Tokens are opaque (base64url JSON) and bound to their channel.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from flywheel_sync.sandbox.graph.teams.paging import MAX_PAGE_SIZE
from flywheel_sync.sandbox.graph.teams.store import ChannelThreads
from flywheel_sync.sandbox.graph.wire import GraphError

__all__ = [
    "WINDOW_MONTHS",
    "DeltaRound",
    "changed_since",
    "decode_round",
    "encode_round",
    "first_round",
    "next_round",
    "page_of",
    "window_start",
]

WINDOW_MONTHS = 8
"""Delta only reaches this far back (chatmessage-delta.md)."""

JsonObject = dict[str, Any]
ChainKey = tuple[int, int]
"""(last change in epoch milliseconds, root id): the order delta returns chains in."""

_FILTER = re.compile(r"^\s*lastModifiedDateTime\s+gt\s+(?P<time>\S+)\s*$", re.IGNORECASE)
_ONLY_GT = (
    "Only 'lastModifiedDateTime gt <DateTimeOffset>' is supported in $filter for channel "
    "message delta."
)


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _parse_time(text: str) -> datetime:
    """A Graph timestamp (``...Z``, lower-case ``z`` or an offset; naive means UTC)."""
    moment = datetime.fromisoformat(re.sub(r"[zZ]$", "+00:00", text))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def changed_since(expression: str) -> int:
    """Epoch milliseconds of a ``$filter=lastModifiedDateTime gt <time>``.

    Raises:
        GraphError: 400 for any other filter, or a time that does not parse.
    """
    found = _FILTER.match(expression)
    if not found:
        raise GraphError(400, "BadRequest", _ONLY_GT)
    try:
        return _millis(_parse_time(found["time"]))
    except ValueError:
        raise GraphError(
            400, "BadRequest", f"The DateTimeOffset '{found['time']}' is not valid."
        ) from None


def window_start(now: datetime) -> int:
    """Epoch milliseconds eight calendar months before ``now`` (the day clamped to the month)."""
    year, month_index = divmod(now.year * 12 + now.month - 1 - WINDOW_MONTHS, 12)
    month = month_index + 1
    last_day = calendar.monthrange(year, month)[1]
    return _millis(now.replace(year=year, month=month, day=min(now.day, last_day)))


def _chain_key(threads: ChannelThreads, root: JsonObject) -> ChainKey:
    chain = (root, *threads.replies_to(str(root["id"])))
    newest = max(_millis(_parse_time(str(m["lastModifiedDateTime"]))) for m in chain)
    return newest, int(root["id"])


def _chains(threads: ChannelThreads) -> Iterator[tuple[ChainKey, JsonObject]]:
    for root in threads.roots:
        yield _chain_key(threads, root), root


@dataclass(frozen=True, kw_only=True)
class DeltaRound:
    """Where one round of delta calls stands.

    Attributes:
        channel: The channel id the tokens are bound to.
        since: Chains changed after this (epoch ms) are in the round...
        until: ...up to and including this watermark.
        after: The key of the last chain a page returned; None before the first page.
        skip: Chains to pass over before the first page (``$skip``).
        top: The page size.
        expand: Whether pages carry replies inline.
    """

    channel: str
    since: int
    until: int
    after: ChainKey | None = None
    skip: int = 0
    top: int
    expand: bool = False


def _watermark(threads: ChannelThreads, since: int) -> int:
    return max((key[0] for key, _ in _chains(threads)), default=since)


def first_round(
    threads: ChannelThreads,
    *,
    now: datetime,
    since: int | None,
    skip: int,
    top: int,
    expand: bool,
) -> DeltaRound:
    """The round a first delta call starts, ``since`` from its ``$filter`` if any."""
    start = window_start(now) if since is None else max(window_start(now), since)
    return DeltaRound(
        channel=threads.channel_id,
        since=start,
        until=max(start, _watermark(threads, start)),
        skip=skip,
        top=top,
        expand=expand,
    )


def next_round(threads: ChannelThreads, finished: DeltaRound, *, now: datetime) -> DeltaRound:
    """The round a deltaLink starts: changes after the finished round's watermark."""
    since = max(finished.until, window_start(now))
    return replace(
        finished,
        since=since,
        until=max(since, _watermark(threads, since)),
        after=None,
        skip=0,
    )


def page_of(
    threads: ChannelThreads, state: DeltaRound
) -> tuple[list[JsonObject], DeltaRound | None]:
    """The page ``state`` points at, and the state of the next page (None: round complete)."""
    due = sorted(
        (key, root)
        for key, root in _chains(threads)
        if state.since < key[0] <= state.until and (state.after is None or key > state.after)
    )[state.skip :]
    page = due[: state.top]
    if len(due) <= state.top:
        return [root for _, root in page], None
    return [root for _, root in page], replace(state, after=page[-1][0], skip=0)


def encode_round(state: DeltaRound, kind: str) -> str:
    """The state as an opaque ``$skiptoken`` (``kind="skip"``) or ``$deltatoken``."""
    fields = {
        "kind": kind,
        "channel": state.channel,
        "since": state.since,
        "until": state.until,
        "after": list(state.after) if state.after else None,
        "top": state.top,
        "expand": state.expand,
    }
    raw = json.dumps(fields, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _valid(fields: Any, kind: str, channel: str) -> bool:
    if not isinstance(fields, dict):
        return False
    after = fields.get("after")
    return (
        fields.get("kind") == kind
        and fields.get("channel") == channel
        and all(type(fields.get(name)) is int for name in ("since", "until", "top"))
        and 0 < fields["top"] <= MAX_PAGE_SIZE
        and isinstance(fields.get("expand"), bool)
        and (after is None or (isinstance(after, list) and [type(a) for a in after] == [int, int]))
    )


def decode_round(text: str, kind: str, channel: str) -> DeltaRound:
    """The state a token carries, if it is a ``kind`` token of this channel.

    Raises:
        GraphError: 400 for anything else.
    """
    name = "$skiptoken" if kind == "skip" else "$deltatoken"
    try:
        fields = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError):
        fields = None
    if not _valid(fields, kind, channel):
        raise GraphError(400, "BadRequest", f"The {name} '{text}' is not valid.")
    after = fields["after"]
    return DeltaRound(
        channel=channel,
        since=fields["since"],
        until=fields["until"],
        after=(after[0], after[1]) if after else None,
        top=fields["top"],
        expand=fields["expand"],
    )
