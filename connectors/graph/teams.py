"""`TeamsSource`: the messages and replies of configured channels, read through message delta.

Scopes are the configured channels, ``<team id>/<channel id>``. Reading one channel
(graph-wire.md §3):

- **Full read** (no watermark, or ``full``): the message list
  ``GET …/messages?$top=50&$expand=replies`` (newest first; replies inline, past 1,000 through
  ``replies@odata.nextLink``), every page. Delta alone cannot do it: it only reaches eight
  months back. Then one delta round starts at the time the full read began, less
  ``clock_skew``: ``GET …/messages/delta?$filter=lastModifiedDateTime gt <time>&
  $expand=replies&$top=50``, so a message changed while the list was paged is read again
  rather than missed. Its ``@odata.deltaLink`` is the watermark.
- **Incremental read**: ``GET`` the stored delta link. When nothing changed that is the one
  request the channel costs; otherwise the pages hold each changed thread (a root post whose
  post or replies changed), with its replies.
- A stored link Graph no longer accepts (410 Gone) starts a full read again.

Each page is one `RecordPage` whose watermark is the next link to follow (`ChannelWatermark`),
so a crash re-reads at most one page. A changed thread is yielded whole: its root post and
every reply (delta names threads, not replies). A message or reply that is not an object
with a readable id is quarantined on its page (`connectors.quarantine`); the delta link
moves past it, so Graph sends it again only when it changes. After the messages come the
``directory_user`` records of the page's authors this source has not yet asked for in its
lifetime (`teams_authors`): their ``department`` says which customer wrote a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from urllib.parse import quote

from connectors.errors import ConnectorConfigError, RecordError
from connectors.graph.failures import ExpiredLinkError
from connectors.graph.reader import GraphReader, listed_values
from connectors.graph.session import GraphSession, JsonObject
from connectors.graph.teams_authors import MessageAuthors
from connectors.graph.teams_watermark import ChannelWatermark, graph_time
from connectors.quarantine import quarantine, readable_id, shown, storable_time
from connectors.records import QuarantinedRecord, RecordPage, SourceRecord
from connectors.retry import RetryPolicy

__all__ = ["CHANNEL_MESSAGE", "CHANNEL_REPLY", "ChannelRef", "TeamsSource"]

CHANNEL_MESSAGE = "channel_message"
CHANNEL_REPLY = "channel_reply"
_PAGE_SIZE = 50
"""The most ``$top`` the message list and delta accept."""
_LONGEST_LINK = 8_192
"""Longer than any link Graph hands out (its skip tokens are a few hundred characters)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class ChannelRef:
    """One channel of one team; its scope is ``<team id>/<channel id>``."""

    team_id: str
    channel_id: str

    @property
    def scope(self) -> str:
        """The scope string (channel ids hold ``:`` and ``@`` but never ``/``)."""
        return f"{self.team_id}/{self.channel_id}"

    @property
    def path(self) -> str:
        """The channel's path below the Graph root."""
        return f"/teams/{quote(self.team_id, safe='')}/channels/{quote(self.channel_id, safe=':@')}"

    @classmethod
    def parse(cls, scope: str) -> ChannelRef:
        """The channel a scope names.

        Raises:
            ValueError: ``scope`` is not ``<team id>/<channel id>``.
        """
        team_id, _, channel_id = scope.partition("/")
        if not team_id or not channel_id or "/" in channel_id:
            raise ValueError(f"{scope!r} is not '<team id>/<channel id>'")
        return cls(team_id=team_id, channel_id=channel_id)


def _updated_at(message: JsonObject) -> datetime | None:
    text = message.get("lastModifiedDateTime")
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return storable_time(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def _message_record(record_type: str, channel: ChannelRef, message: JsonObject) -> SourceRecord:
    payload = {
        name: value
        for name, value in message.items()
        if name != "replies" and not name.startswith("replies@")
    }
    return SourceRecord(
        record_type=record_type,
        external_id=f"{channel.channel_id}/{message['id']}",
        payload=payload,
        updated_at=_updated_at(message),
    )


def _message_id(message: object, channel: ChannelRef) -> str | None:
    """The message's id if the store can key it (``<channel id>/<message id>``)."""
    if not isinstance(message, dict) or not isinstance(message.get("id"), str):
        return None
    if readable_id(message["id"]) is None:
        return None
    return readable_id(f"{channel.channel_id}/{message['id']}")


class _Sorted:
    """A page's messages split into the readable and the quarantined."""

    def __init__(self, channel: ChannelRef) -> None:
        self.channel = channel
        self.quarantined: list[QuarantinedRecord] = []

    def readable(self, items: list[object], record_type: str) -> list[JsonObject]:
        """The items with a readable id; the others are quarantined."""
        found: list[JsonObject] = []
        for item in items:
            if isinstance(item, dict) and _message_id(item, self.channel) is not None:
                found.append(item)
            else:
                reason = f"Graph listed a {record_type} without a readable id"
                self.quarantined.append(quarantine(record_type, item, reason))
        return found


class TeamsSource:
    """Channel messages and replies, as a `RecordSource`.

    Args:
        name: The source name, e.g. ``teams:northwind``.
        session: The Graph connection; the source owns it and `close` closes it.
        channels: The channels read.
        policy: The retry policy for every request.
        clock_skew: How far this machine's clock may be from Graph's (see the full read).
        clock: Now, timezone-aware (tests pass a fixed one).
    """

    def __init__(
        self,
        *,
        name: str,
        session: GraphSession,
        channels: Sequence[ChannelRef],
        policy: RetryPolicy | None = None,
        clock_skew: timedelta = timedelta(minutes=5),
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.name = name
        self.session = session
        self.channels = tuple(channels)
        self.policy = policy or RetryPolicy()
        self.clock_skew = clock_skew
        self.clock = clock
        self._authors = MessageAuthors(source=name)

    def __repr__(self) -> str:
        return f"TeamsSource(name={self.name!r}, channels={len(self.channels)})"

    def scopes(self) -> list[str]:
        """The configured channels' scopes (no request is made)."""
        return [channel.scope for channel in self.channels]

    def pages(
        self, scope: str, watermark: str | None, *, full: bool = False
    ) -> Iterator[RecordPage]:
        """One channel's messages and replies changed since ``watermark``.

        Raises:
            ConnectorConfigError: The scope is not a channel, or Graph does not know it (404).
            AuthenticationError: The token lacks ``ChannelMessage.Read.All`` (403), which
                for an application also needs Microsoft's approval (a protected API). A
                missing ``User.Read.All`` only costs the author records (one warning a run).
            RetryableError: Throttling or failures outlasted the retry policy.
        """
        try:
            channel = ChannelRef.parse(scope)
        except ValueError as error:
            raise ConnectorConfigError(str(error), source=self.name) from None
        stored = None if full else ChannelWatermark.decode(watermark)
        try:
            for page in self._read(channel, stored):
                # An unchanged watermark (a round with nothing new) does not advance.
                yield page if page.watermark != watermark else replace(page, watermark=None)
        except ExpiredLinkError:
            if stored is None:
                raise
            yield from self._read(channel, None)

    def _read(self, channel: ChannelRef, stored: ChannelWatermark | None) -> Iterator[RecordPage]:
        reader = GraphReader(self.session, self.policy, source=self.name)
        if stored is None:
            since = graph_time(self.clock() - self.clock_skew)
            first_page = f"{channel.path}/messages?$top={_PAGE_SIZE}&$expand=replies"
            stored = ChannelWatermark(since=since, list_link=first_page)
        if stored.delta is not None:
            yield from self._delta(reader, channel, stored.delta)
            return
        since = str(stored.since)
        if stored.list_link is not None:
            yield from self._list(reader, channel, since, stored.list_link)
        changed = quote(f"lastModifiedDateTime gt {since}", safe="")
        query = f"$filter={changed}&$expand=replies&$top={_PAGE_SIZE}"
        yield from self._delta(reader, channel, f"{channel.path}/messages/delta?{query}")

    def _list(
        self, reader: GraphReader, channel: ChannelRef, since: str, link: str
    ) -> Iterator[RecordPage]:
        """The message list from ``link`` on (the full read's first part)."""
        for page in reader.pages(link, record=f"channel {channel.scope}"):
            following = page.get("@odata.nextLink")
            mark = ChannelWatermark(
                since=since, list_link=following if isinstance(following, str) else None
            )
            yield self._page(reader, channel, page, mark)

    def _delta(self, reader: GraphReader, channel: ChannelRef, link: str) -> Iterator[RecordPage]:
        """One delta round from ``link`` to its ``@odata.deltaLink``."""
        for page in reader.pages(link, record=f"channel {channel.scope}"):
            following = page.get("@odata.nextLink") or page.get("@odata.deltaLink")
            mark = ChannelWatermark(delta=following) if isinstance(following, str) else None
            yield self._page(reader, channel, page, mark)

    def _page(
        self,
        reader: GraphReader,
        channel: ChannelRef,
        page: JsonObject,
        mark: ChannelWatermark | None,
    ) -> RecordPage:
        records: list[SourceRecord] = []
        messages: list[JsonObject] = []
        sorted_out = _Sorted(channel)
        roots = sorted_out.readable(listed_values(page, self.name), CHANNEL_MESSAGE)
        for root in roots:
            records.append(_message_record(CHANNEL_MESSAGE, channel, root))
            messages.append(root)
            for reply in self._replies(reader, sorted_out, root):
                records.append(_message_record(CHANNEL_REPLY, channel, reply))
                messages.append(reply)
        authors = self._authors.records(reader, messages)
        return RecordPage(
            scope=channel.scope,
            records=(*records, *authors),
            watermark=None if mark is None else mark.encode(),
            requests=reader.take_requests(),
            details={
                "messages": len(roots),
                "replies": len(messages) - len(roots),
                "authors": len(authors),
            },
            quarantined=tuple(sorted_out.quarantined),
        )

    def _replies(
        self, reader: GraphReader, sorted_out: _Sorted, root: JsonObject
    ) -> Iterator[JsonObject]:
        """The root's replies: those inline, then any past the inline limit."""
        channel = sorted_out.channel
        inline = root.get("replies")
        if inline is not None and not isinstance(inline, list):
            reason = f"message {root['id']}: its 'replies' are not a list ({shown(inline)})"
            sorted_out.quarantined.append(quarantine(CHANNEL_REPLY, inline, reason))
            inline = None
        yield from sorted_out.readable(inline or [], CHANNEL_REPLY)
        more = root.get("replies@odata.nextLink")
        if more is None or more == "":
            return
        if not self._is_graph_link(more):
            # Followed with the token: only a link below Graph's own root is.
            reason = f"message {root['id']}: its replies link is not a Graph link ({shown(more)})"
            sorted_out.quarantined.append(quarantine(CHANNEL_REPLY, {"link": more}, reason))
            return
        where = f"message {channel.channel_id}/{root['id']}"
        try:
            for page in reader.pages(more, record=where, missing=RecordError):
                yield from sorted_out.readable(listed_values(page, self.name), CHANNEL_REPLY)
        except RecordError:
            # The root was deleted after the page listed it: its replies went with it, and
            # the next delta round reports the deletion.
            return

    def _is_graph_link(self, link: object) -> bool:
        root = f"{self.session.base_url}/"
        return isinstance(link, str) and len(link) <= _LONGEST_LINK and link.startswith(root)

    def close(self) -> None:
        """Close the Graph session. Idempotent."""
        self.session.close()

    def __enter__(self) -> TeamsSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
