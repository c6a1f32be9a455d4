"""TeamsSource against a small in-memory channel: full reads, delta rounds, and their links."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from connectors.errors import ConnectorConfigError
from connectors.graph.session import GraphSession
from connectors.graph.teams import CHANNEL_MESSAGE, CHANNEL_REPLY, ChannelRef, TeamsSource
from connectors.records import RecordPage, SourceRecord
from connectors.retry import RetryPolicy

BASE = "https://graph.test/v1.0"
TEAM = "team-1"
CHANNEL = "19:abc@thread.tacv2"
SCOPE = f"{TEAM}/{CHANNEL}"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PATH = f"/teams/{TEAM}/channels/{CHANNEL}/messages"


def stamp(minutes_ago: float) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class FakeChannel:
    """One channel: root posts and replies, the list (newest first), replies and delta."""

    page_size: int = 2
    inline_replies: int = 1
    roots: dict[str, dict[str, Any]] = field(default_factory=dict)
    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    expired: set[str] = field(default_factory=set)
    deleted_after_listing: set[str] = field(default_factory=set)
    log: list[str] = field(default_factory=list)

    def post(self, message_id: str, minutes_ago: float, reply_to: str | None = None) -> None:
        message = {
            "id": message_id,
            "replyToId": reply_to,
            "lastModifiedDateTime": stamp(minutes_ago),
        }
        if reply_to is None:
            self.roots[message_id] = message
            self.replies.setdefault(message_id, [])
        else:
            self.replies[reply_to].append(message)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1.0")
        query = request.url.params
        self.log.append(f"{path.removeprefix(PATH) or '/'}?{'&'.join(sorted(query.keys()))}")
        if not path.startswith(PATH):
            return httpx.Response(
                404, json={"error": {"code": "NotFound", "message": "No channel."}}
            )
        rest = path.removeprefix(PATH)
        if rest == "/delta":
            return self._delta(query)
        if rest.endswith("/replies"):
            root = rest.split("/")[1]
            if root in self.deleted_after_listing:
                return httpx.Response(404, json={"error": {"code": "NotFound", "message": "Gone."}})
            return self._page(self.replies[root][self.inline_replies :], query, f"{PATH}{rest}")
        return self._page(self._threads(), query, PATH)

    def _threads(self) -> list[dict[str, Any]]:
        newest_first = sorted(self.roots.values(), key=lambda m: m["id"], reverse=True)
        return [self._expanded(root) for root in newest_first]

    def _expanded(self, root: dict[str, Any]) -> dict[str, Any]:
        replies = self.replies[root["id"]]
        expanded = {**root, "replies": replies[: self.inline_replies]}
        if len(replies) > self.inline_replies:
            expanded["replies@odata.nextLink"] = f"{BASE}{PATH}/{root['id']}/replies?$skiptoken=0"
        return expanded

    def _page(self, items: list[dict[str, Any]], query: Any, path: str) -> httpx.Response:
        start = int(query.get("$skiptoken", 0))
        body: dict[str, Any] = {"value": items[start : start + self.page_size]}
        if start + self.page_size < len(items):
            body["@odata.nextLink"] = f"{BASE}{path}?$skiptoken={start + self.page_size}"
        return httpx.Response(200, json=body)

    def _changed_at(self, root_id: str) -> str:
        chain = [self.roots[root_id], *self.replies[root_id]]
        return max(str(m["lastModifiedDateTime"]) for m in chain)

    def _delta(self, query: Any) -> httpx.Response:
        token = query.get("$deltatoken")
        if token in self.expired:
            return httpx.Response(410, json={"error": {"code": "Gone", "message": "Too old."}})
        since = token or str(query["$filter"]).removeprefix("lastModifiedDateTime gt ")
        changed = [self._expanded(self.roots[i]) for i in self.roots if self._changed_at(i) > since]
        until = max([since, *(self._changed_at(i) for i in self.roots)])
        link = f"{BASE}{PATH}/delta?$deltatoken={quote(until)}"
        return httpx.Response(200, json={"value": changed, "@odata.deltaLink": link})


def seeded() -> FakeChannel:
    channel = FakeChannel()
    for n, minutes_ago in enumerate((300, 200, 100), start=1):
        channel.post(f"{n}00", minutes_ago)
    channel.post("101", 290, reply_to="100")
    channel.post("102", 280, reply_to="100")
    channel.post("301", 90, reply_to="300")
    return channel


@pytest.fixture
def channel() -> FakeChannel:
    return seeded()


@pytest.fixture
def source(channel: FakeChannel) -> Iterator[TeamsSource]:
    session = GraphSession(base_url=BASE, token="t", transport=httpx.MockTransport(channel))
    with TeamsSource(
        name="teams:northwind",
        session=session,
        channels=[ChannelRef(team_id=TEAM, channel_id=CHANNEL)],
        policy=RetryPolicy(sleep=lambda s: None),
        clock=lambda: NOW,
    ) as opened:
        yield opened


@dataclass
class Read:
    pages: list[RecordPage]
    watermark: str | None

    @property
    def records(self) -> list[SourceRecord]:
        return [record for page in self.pages for record in page.records]

    def ids(self) -> list[str]:
        return [r.external_id.removeprefix(f"{CHANNEL}/") for r in self.records]


def read(source: TeamsSource, watermark: str | None = None, *, full: bool = False) -> Read:
    pages = list(source.pages(SCOPE, watermark, full=full))
    marks = [page.watermark for page in pages if page.watermark is not None]
    return Read(pages, marks[-1] if marks else watermark)


def test_scopes_are_the_configured_channels(source: TeamsSource, channel: FakeChannel) -> None:
    assert source.scopes() == [SCOPE]
    assert channel.log == []


def test_a_full_read_lists_every_thread_then_starts_a_delta_round(
    source: TeamsSource, channel: FakeChannel
) -> None:
    first = read(source)

    assert sorted(first.ids()) == ["100", "101", "102", "200", "300", "301"]
    assert channel.log == [
        "/?$expand&$top",
        "/?$skiptoken",
        "/100/replies?$skiptoken",
        "/delta?$expand&$filter&$top",
    ]
    assert json.loads(str(first.watermark))["delta"].startswith(f"{BASE}{PATH}/delta?$deltatoken=")


def test_the_delta_round_starts_at_the_full_reads_start_less_the_clock_skew(
    source: TeamsSource, channel: FakeChannel
) -> None:
    pages = source.pages(SCOPE, None)
    list_page = next(pages)

    assert json.loads(str(list_page.watermark))["since"] == stamp(5)


def test_records_are_root_posts_and_replies_without_inline_replies(source: TeamsSource) -> None:
    by_id = {r.external_id: r for r in read(source).records}

    root, reply = by_id[f"{CHANNEL}/100"], by_id[f"{CHANNEL}/101"]
    assert root.record_type == CHANNEL_MESSAGE
    assert not any(name.startswith("replies") for name in root.payload)
    assert reply.record_type == CHANNEL_REPLY
    assert reply.payload["replyToId"] == "100"
    assert root.updated_at == NOW - timedelta(minutes=300)


def test_replies_past_the_inline_limit_are_followed(source: TeamsSource) -> None:
    replies = [r.external_id for r in read(source).records if r.record_type == CHANNEL_REPLY]

    assert sorted(replies) == [f"{CHANNEL}/101", f"{CHANNEL}/102", f"{CHANNEL}/301"]


def test_replies_of_a_root_deleted_after_its_page_are_skipped(
    source: TeamsSource, channel: FakeChannel
) -> None:
    channel.deleted_after_listing.add("100")

    first = read(source)

    assert sorted(first.ids()) == ["100", "101", "200", "300", "301"]


def test_nothing_changed_costs_one_delta_request_and_yields_nothing(
    source: TeamsSource, channel: FakeChannel
) -> None:
    first = read(source)
    channel.log.clear()

    second = read(source, first.watermark)

    assert second.records == []
    assert channel.log == ["/delta?$deltatoken"]
    assert [page.watermark for page in second.pages] == [None]


def test_a_thread_with_a_new_reply_is_yielded_whole(
    source: TeamsSource, channel: FakeChannel
) -> None:
    first = read(source)
    channel.post("202", -1, reply_to="200")

    second = read(source, first.watermark)

    assert second.ids() == ["200", "202"]
    assert read(source, second.watermark).records == []


def test_a_crash_during_the_list_resumes_the_list_then_the_delta(
    source: TeamsSource, channel: FakeChannel
) -> None:
    pages = source.pages(SCOPE, None)
    stored = next(pages).watermark
    channel.log.clear()

    resumed = read(source, stored)

    assert sorted(resumed.ids()) == ["100", "101", "102"]
    assert channel.log[0] == "/?$skiptoken"
    assert channel.log[-1] == "/delta?$expand&$filter&$top"


def test_an_expired_delta_link_starts_a_full_read(
    source: TeamsSource, channel: FakeChannel
) -> None:
    first = read(source)
    token = json.loads(str(first.watermark))["delta"].rsplit("=", 1)[1]
    channel.expired.add(token.replace("%3A", ":"))
    channel.log.clear()

    again = read(source, first.watermark)

    assert len(again.records) == 6
    assert channel.log[:2] == ["/delta?$deltatoken", "/?$expand&$top"]


def test_a_full_read_ignores_the_watermark(source: TeamsSource, channel: FakeChannel) -> None:
    first = read(source)

    assert len(read(source, first.watermark, full=True).records) == 6


@pytest.mark.parametrize("scope", ["team-only", f"{TEAM}/", f"/{CHANNEL}"])
def test_a_scope_that_is_not_a_channel_is_a_configuration_error(
    source: TeamsSource, scope: str
) -> None:
    with pytest.raises(ConnectorConfigError, match="is not '<team id>/<channel id>'"):
        list(source.pages(scope, None))


def test_a_channel_graph_does_not_know_is_a_configuration_error(source: TeamsSource) -> None:
    with pytest.raises(ConnectorConfigError, match=f"channel {TEAM}/19:nope"):
        list(source.pages(f"{TEAM}/19:nope@thread.tacv2", None))
