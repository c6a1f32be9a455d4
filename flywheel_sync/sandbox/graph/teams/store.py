"""The team's channels, their root messages and the replies, copied from the demo organisation.

The store deep-copies what it takes, so nothing a request does can reach the organisation's
objects. A request works on one `ChannelThreads` snapshot: `TeamsStore.load` (a sandbox reset,
possibly from the test thread) swaps whole snapshots under a lock and never edits one in place.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flywheel_sync.sandbox.demo import DemoOrganisation

__all__ = ["ChannelThreads", "TeamsStore"]

JsonObject = dict[str, Any]

# Properties Graph sends on every chatMessage that the demo's messages leave out.
_GRAPH_MESSAGE_DEFAULTS: JsonObject = {"policyViolation": None, "eventDetail": None}


@dataclass(frozen=True, kw_only=True)
class ChannelThreads:
    """One channel's conversation: root posts oldest first, replies per root oldest first."""

    team_id: str
    channel: JsonObject
    roots: tuple[JsonObject, ...]
    replies: Mapping[str, tuple[JsonObject, ...]]

    @property
    def channel_id(self) -> str:
        """The channel's thread id (``19:…@thread.tacv2``)."""
        return str(self.channel["id"])

    def root(self, message_id: str) -> JsonObject | None:
        """The root post with this id, or None (a reply's id is not a root's)."""
        return next((m for m in self.roots if m["id"] == message_id), None)

    def replies_to(self, message_id: str) -> tuple[JsonObject, ...]:
        """The replies to one root post, oldest first."""
        return self.replies.get(message_id, ())


def _message(message: JsonObject) -> JsonObject:
    return {**copy.deepcopy(message), **_GRAPH_MESSAGE_DEFAULTS}


class TeamsStore:
    """The team, its channels, messages and replies. Thread-safe; read-only over HTTP."""

    def __init__(self, organisation: DemoOrganisation) -> None:
        self._lock = threading.Lock()
        self.load(organisation)

    def load(self, organisation: DemoOrganisation) -> None:
        """Replace every object with the organisation's (all writes are forgotten)."""
        tenant = organisation.teams
        team = copy.deepcopy(tenant.team)
        threads = {}
        for channel in tenant.channels:
            roots = tuple(_message(m) for m in tenant.messages.get(channel["id"], []))
            replies = {
                root["id"]: tuple(_message(r) for r in tenant.replies.get(root["id"], []))
                for root in roots
            }
            threads[channel["id"]] = ChannelThreads(
                team_id=str(team["id"]),
                channel={
                    "isArchived": False,
                    **copy.deepcopy(channel),
                    "tenantId": organisation.tenant_id,
                },
                roots=roots,
                replies=replies,
            )
        with self._lock:
            self._team = team
            self._threads = threads
            self._now = organisation.now

    @property
    def now(self) -> datetime:
        """The organisation's ``now``: delta's eight-month window is measured back from it."""
        with self._lock:
            return self._now

    def is_team(self, team_id: str) -> bool:
        """Whether ``team_id`` is the team's id (group ids are GUIDs: case does not matter)."""
        with self._lock:
            return team_id.lower() == str(self._team["id"]).lower()

    def channels(self) -> list[JsonObject]:
        """Every channel, in the order Teams lists them (General first)."""
        with self._lock:
            return [dict(threads.channel) for threads in self._threads.values()]

    def threads(self, team_id: str, channel_id: str) -> ChannelThreads | None:
        """The channel's conversation, or None when the team or the channel is unknown."""
        if not self.is_team(team_id):
            return None
        with self._lock:
            return self._threads.get(channel_id)
