"""Channel messages as each Teams endpoint shapes them.

The lists and single reads return a message as stored; ``$expand=replies`` adds up to 1,000
replies inline, newest first, with ``replies@odata.count`` and, past 1,000, a
``replies@odata.nextLink`` to the replies list (channel-list-messages.md, example 3). Delta
items also carry ``"@odata.type": "#microsoft.graph.chatMessage"`` and ``messageHistory``, as
chatmessage-delta.md's samples show and the plain lists' samples do not.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from flywheel_sync.sandbox.graph.teams.paging import (
    MAX_PAGE_SIZE,
    PageToken,
    encode_token,
    newest_first_page,
)
from flywheel_sync.sandbox.graph.teams.store import ChannelThreads

__all__ = ["INLINE_REPLY_LIMIT", "delta_item", "replies_scope", "with_replies"]

INLINE_REPLY_LIMIT = 1000
"""Replies ``$expand=replies`` returns inline before it hands out a next link."""

JsonObject = dict[str, Any]


def replies_scope(root_id: str) -> str:
    """The token scope of one root post's replies list."""
    return f"replies:{root_id}"


def _replies_url(request: Request, threads: ChannelThreads, root_id: str, token: str) -> str:
    path = (
        f"{request.scope.get('root_path', '')}/teams/{threads.team_id}"
        f"/channels/{threads.channel_id}/messages/{root_id}/replies"
    )
    return str(request.url.replace(path=path, query=urlencode({"$skiptoken": token})))


def with_replies(
    request: Request,
    threads: ChannelThreads,
    message: JsonObject,
    *,
    limit: int = INLINE_REPLY_LIMIT,
) -> JsonObject:
    """``message`` with its replies inline, as ``$expand=replies`` returns it."""
    root_id = str(message["id"])
    inline, more = newest_first_page(threads.replies_to(root_id), top=limit, after=None)
    expanded: JsonObject = {**message, "replies@odata.count": len(inline)}
    if more:
        token = PageToken(
            scope=replies_scope(root_id), after=str(inline[-1]["id"]), top=MAX_PAGE_SIZE
        )
        expanded["replies@odata.nextLink"] = _replies_url(
            request, threads, root_id, encode_token(token)
        )
    expanded["replies"] = inline
    return expanded


def delta_item(message: JsonObject) -> JsonObject:
    """A message as delta returns it: typed, with its (here always empty) edit history."""
    return {"@odata.type": "#microsoft.graph.chatMessage", **message, "messageHistory": []}
