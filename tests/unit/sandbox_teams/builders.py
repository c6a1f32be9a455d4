"""Channel conversations for unit tests: messages whose ids are their creation milliseconds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from flywheel_sync.sandbox.graph.teams.store import ChannelThreads

CHANNEL_ID = "19:0123456789abcdef0123456789abcdef@thread.tacv2"
TEAM_ID = "0b911a6c-0b40-568c-8e31-4c4be8c55100"


def millis(text: str) -> int:
    """Epoch milliseconds of an ISO time (``2026-01-31T09:00:00Z``)."""
    return int(datetime.fromisoformat(text).timestamp() * 1000)


def graph_time(ms: int) -> str:
    """A Graph timestamp with milliseconds, ``2026-01-31T09:00:00.000Z``."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def message(created: str, *, modified: str | None = None, reply_to: str | None = None) -> Any:
    """A chatMessage created (and last modified, unless ``modified``) at ``created``."""
    ms = millis(created)
    return {
        "id": str(ms),
        "replyToId": reply_to,
        "createdDateTime": graph_time(ms),
        "lastModifiedDateTime": graph_time(millis(modified) if modified else ms),
    }


def conversation(
    roots: Sequence[Any], replies: Mapping[str, Sequence[Any]] | None = None
) -> ChannelThreads:
    """A channel holding ``roots`` (any order) and ``replies`` per root id."""
    return ChannelThreads(
        team_id=TEAM_ID,
        channel={"id": CHANNEL_ID, "displayName": "PMO Requests"},
        roots=tuple(sorted(roots, key=lambda m: int(m["id"]))),
        replies={key: tuple(found) for key, found in (replies or {}).items()},
    )
