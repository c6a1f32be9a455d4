"""How messages are shaped: replies inline for $expand, and the delta item's extras."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request

from flywheel_sync.sandbox.graph.teams.paging import MAX_PAGE_SIZE, decode_token
from flywheel_sync.sandbox.graph.teams.resources import delta_item, replies_scope, with_replies
from tests.unit.sandbox_teams.builders import CHANNEL_ID, TEAM_ID, conversation, message

ROOT = message("2026-01-01T09:00:00+00:00")
REPLIES = [message(f"2026-01-0{day}T09:00:00+00:00", reply_to=ROOT["id"]) for day in range(2, 6)]
CHANNEL = conversation([ROOT], {ROOT["id"]: REPLIES})


def request() -> Request:
    return Request(
        {
            "type": "http",
            "scheme": "http",
            "method": "GET",
            "server": ("127.0.0.1", 8080),
            "root_path": "/graph/v1.0",
            "path": f"/graph/v1.0/teams/{TEAM_ID}/channels/{CHANNEL_ID}/messages",
            "headers": [(b"host", b"127.0.0.1:8080")],
            "query_string": b"%24expand=replies",
        }
    )


def test_replies_come_inline_newest_first_with_their_count() -> None:
    expanded = with_replies(request(), CHANNEL, ROOT)

    assert [r["id"] for r in expanded["replies"]] == [r["id"] for r in reversed(REPLIES)]
    assert expanded["replies@odata.count"] == len(REPLIES)
    assert "replies@odata.nextLink" not in expanded


def test_replies_beyond_the_inline_limit_are_behind_a_link_to_the_replies_list() -> None:
    expanded = with_replies(request(), CHANNEL, ROOT, limit=3)

    link = urlsplit(expanded["replies@odata.nextLink"])
    token = decode_token(parse_qs(link.query)["$skiptoken"][0], replies_scope(ROOT["id"]))
    assert (link.netloc, link.path) == (
        "127.0.0.1:8080",
        f"/graph/v1.0/teams/{TEAM_ID}/channels/{CHANNEL_ID}/messages/{ROOT['id']}/replies",
    )
    assert (token.after, token.top) == (REPLIES[1]["id"], MAX_PAGE_SIZE)
    assert expanded["replies@odata.count"] == 3


def test_delta_items_are_typed_and_carry_their_history() -> None:
    item = delta_item(ROOT)

    assert (item["@odata.type"], item["messageHistory"], item["id"]) == (
        "#microsoft.graph.chatMessage",
        [],
        ROOT["id"],
    )
