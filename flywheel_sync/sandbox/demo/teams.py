"""Microsoft Teams in the demo: the Enterprise PMO team and its channels' messages.

"PMO Requests" carries the customers' own words: the story's messages describe the symptoms the
tool data shows ("we keep missing the regulator's deadlines", "everything is priority one"),
with replies from the PMO; the rest is ordinary chatter that names no symptom. "PMO
Announcements" carries the PMO's posts. Messages are Graph v1.0 ``chatMessage`` JSON; ids are
epoch milliseconds as Teams issues them, unique and ascending with time.
"""

import random
from collections.abc import Mapping
from dataclasses import dataclass

from flywheel_sync.sandbox.demo.identifiers import channel_id
from flywheel_sync.sandbox.demo.jira_model import JsonObject
from flywheel_sync.sandbox.demo.people import PMO_DEPARTMENT, DemoPerson
from flywheel_sync.sandbox.demo.teams_script import (
    ANNOUNCEMENT_CHATTER,
    ANNOUNCEMENTS,
    CHATTER,
    REQUESTS,
    StoryMessage,
)
from flywheel_sync.sandbox.demo.timeline import (
    DAY,
    HOUR,
    graph_time,
    story_stream,
    stream,
    working_time,
)

__all__ = ["CHANNEL_NAMES", "PostedMessage", "TeamsTenant", "write_teams"]

CHANNEL_NAMES = ("General", "PMO Requests", "PMO Announcements")
_BASE_CHATTER = 40
_BASE_ANNOUNCEMENTS = 12


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamsTenant:
    """The team, its channels, root messages per channel id and replies per root message id."""

    team: JsonObject
    channels: tuple[JsonObject, ...]
    messages: Mapping[str, list[JsonObject]]
    replies: Mapping[str, list[JsonObject]]


@dataclass(frozen=True, slots=True, kw_only=True)
class PostedMessage:
    """A story message as posted, for the truth: which id carries which customer's words."""

    message_id: str
    channel: str
    author: str
    script: StoryMessage


class _Poster:
    def __init__(self, *, group_id: str, tenant_id: str) -> None:
        self.group_id = group_id
        self.tenant_id = tenant_id
        self.used: set[int] = set()

    def message(
        self,
        channel: str,
        author: DemoPerson,
        at: int,
        text: str,
        *,
        rng: random.Random,
        reply_to: str | None = None,
    ) -> JsonObject:
        millis = at * 1000 + rng.randrange(1000)
        while millis in self.used:
            millis += 1
        self.used.add(millis)
        message_id = str(millis)
        created = graph_time(millis // 1000).replace("Z", f".{millis % 1000:03d}Z")
        return {
            "id": message_id,
            "replyToId": reply_to,
            "etag": message_id,
            "messageType": "message",
            "createdDateTime": created,
            "lastModifiedDateTime": created,
            "lastEditedDateTime": None,
            "deletedDateTime": None,
            "subject": None,
            "summary": None,
            "chatId": None,
            "importance": "normal",
            "locale": "en-us",
            "webUrl": (
                f"https://teams.microsoft.com/l/message/{channel}/{message_id}"
                f"?groupId={self.group_id}&tenantId={self.tenant_id}"
                f"&parentMessageId={reply_to or message_id}"
            ),
            "from": {
                "application": None,
                "device": None,
                "user": {
                    "@odata.type": "#microsoft.graph.teamworkUserIdentity",
                    "id": author.aad_id,
                    "displayName": author.display_name,
                    "userIdentityType": "aadUser",
                    "tenantId": self.tenant_id,
                },
            },
            "body": {"contentType": "text", "content": text},
            "channelIdentity": {"teamId": self.group_id, "channelId": channel},
            "attachments": [],
            "mentions": [],
            "reactions": [],
        }


def _channel(group_id: str, name: str, created: str) -> JsonObject:
    cid = channel_id(f"{group_id}/{name}")
    return {
        "id": cid,
        "displayName": name,
        "description": None if name == "General" else f"{name} of the Enterprise PMO",
        "membershipType": "standard",
        "createdDateTime": created,
        "email": "",
        "isFavoriteByDefault": name != "General",
        "webUrl": f"https://teams.microsoft.com/l/channel/{cid}/{name.replace(' ', '%20')}",
    }


def _sorted(messages: list[JsonObject]) -> list[JsonObject]:
    return sorted(messages, key=lambda message: int(message["id"]))


class _Channels:
    """Posts into the team's channels and keeps roots and replies apart."""

    def __init__(self, poster: _Poster, channels: tuple[JsonObject, ...], now: int) -> None:
        self.poster = poster
        self.now = now
        self.ids = {channel["displayName"]: channel["id"] for channel in channels}
        self.roots: dict[str, list[JsonObject]] = {channel["id"]: [] for channel in channels}
        self.replies: dict[str, list[JsonObject]] = {}

    def story(
        self, name: str, scripts: tuple[StoryMessage, ...], people: Mapping[str, DemoPerson]
    ) -> list[PostedMessage]:
        channel = self.ids[name]
        rng = story_stream(f"teams/{name}")
        posted = []
        for script in scripts:
            at = working_time(self.now - script.days_ago * DAY, rng)
            root = self.poster.message(channel, people[script.author], at, script.text, rng=rng)
            self.roots[channel].append(root)
            posted.append(
                PostedMessage(
                    message_id=root["id"],
                    channel=name,
                    author=people[script.author].display_name,
                    script=script,
                )
            )
            for offset, (author, text) in enumerate(script.replies, start=1):
                reply = self.poster.message(
                    channel,
                    people[author],
                    at + offset * 3 * HOUR,
                    text,
                    rng=rng,
                    reply_to=root["id"],
                )
                self.replies.setdefault(root["id"], []).append(reply)
        return posted

    def chatter(
        self,
        name: str,
        count: int,
        authors: tuple[DemoPerson, ...],
        texts: tuple[str, ...],
        *,
        rng: random.Random,
    ) -> None:
        channel = self.ids[name]
        for _ in range(count):
            at = working_time(self.now - rng.randrange(HOUR, 200 * DAY), rng)
            message = self.poster.message(
                channel, rng.choice(authors), at, rng.choice(texts), rng=rng
            )
            self.roots[channel].append(message)


def write_teams(
    people: Mapping[str, DemoPerson],
    *,
    group_id: str,
    tenant_id: str,
    seed: int,
    scale: float,
    now: int,
    extra_chatter: int = 0,
) -> tuple[TeamsTenant, tuple[PostedMessage, ...]]:
    """Post the story's messages and ``scale`` times the base chatter; returns the planted ones.

    Args:
        people: The named cast (`people.named_cast`).
        group_id: The Microsoft 365 group behind the team (the team id).
        tenant_id: The Entra tenant id.
        seed: Draws the chatter; the story's messages are the same for every seed.
        scale: Multiplies the chatter; the story's messages do not scale.
        now: Epoch seconds every message is dated before.
        extra_chatter: More PMO Requests chatter (benchmark volume), drawn from a stream of
            its own after everything else, so the rest of the channel stays the same.
    """
    created = graph_time(now - 548 * DAY)
    channels = tuple(_channel(group_id, name, created) for name in CHANNEL_NAMES)
    posting = _Channels(_Poster(group_id=group_id, tenant_id=tenant_id), channels, now)
    planted = posting.story("PMO Requests", REQUESTS, people)
    planted += posting.story("PMO Announcements", ANNOUNCEMENTS, people)
    pmo = tuple(person for person in people.values() if person.department == PMO_DEPARTMENT)
    customers = tuple(person for person in people.values() if person.department != PMO_DEPARTMENT)
    rng = stream(seed, "teams")
    posting.chatter("PMO Requests", round(_BASE_CHATTER * scale), customers, CHATTER, rng=rng)
    posting.chatter(
        "PMO Announcements",
        round(_BASE_ANNOUNCEMENTS * scale),
        pmo[:5],
        ANNOUNCEMENT_CHATTER,
        rng=rng,
    )
    if extra_chatter > 0:
        more = stream(seed, "teams/volume")
        posting.chatter("PMO Requests", extra_chatter, customers, CHATTER, rng=more)
    team = {
        "id": group_id,
        "displayName": "Northwind Enterprise PMO",
        "description": "The Enterprise PMO and its customers.",
        "createdDateTime": created,
        "visibility": "private",
        "isArchived": False,
        "tenantId": tenant_id,
        "webUrl": f"https://teams.microsoft.com/l/team/{channels[0]['id']}/conversations",
    }
    tenant = TeamsTenant(
        team=team,
        channels=channels,
        messages={cid: _sorted(found) for cid, found in posting.roots.items()},
        replies={rid: _sorted(found) for rid, found in posting.replies.items()},
    )
    return tenant, tuple(planted)
