"""Page sizes and page tokens of the channel message lists.

Teams pages newest first (a maintainer: "It's creation time. Latest message first",
microsoft-graph-docs#12646; every sample in channel-list-messages.md and
chatmessage-list-replies.md is newest first). A ``$skiptoken`` here names the last message a
page returned, not an offset, so a page never repeats or skips a message that arrived while a
caller was paging. Tokens are opaque to callers (base64url JSON); one minted for another
list, or edited by hand, is refused with a 400.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from starlette.requests import Request

from flywheel_sync.sandbox.graph.wire import GraphError

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "PageToken",
    "decode_token",
    "encode_token",
    "newest_first_page",
    "page_size",
]

DEFAULT_PAGE_SIZE = 20
"""Messages per page without ``$top`` (channel-list-messages.md)."""
MAX_PAGE_SIZE = 50
"""The largest ``$top`` the message, reply and delta lists take."""

JsonObject = dict[str, Any]


def page_size(request: Request, *, default: int = DEFAULT_PAGE_SIZE) -> int:
    """The request's ``$top``: a whole number up to `MAX_PAGE_SIZE`, else ``default``.

    ``$top=0`` is a valid OData page size: an empty page that has no next page.

    Raises:
        GraphError: 400 with OData's own wording for a value that is not a whole number, or
            one above the limit ("The limit of '50' for Top query has been exceeded.").
    """
    raw = request.query_params.get("$top")
    if raw is None:
        return default
    if not raw.isdigit():
        raise GraphError(
            400,
            "BadRequest",
            f"Invalid value '{raw}' for $top query option found. "
            "The $top query option requires a non-negative integer value.",
        )
    if int(raw) > MAX_PAGE_SIZE:
        raise GraphError(
            400,
            "BadRequest",
            "The query specified in the URI is not valid. "
            f"The limit of '{MAX_PAGE_SIZE}' for Top query has been exceeded. "
            f"The value from the incoming request is '{raw}'.",
        )
    return int(raw)


@dataclass(frozen=True, kw_only=True)
class PageToken:
    """Where the next page of one list starts.

    Attributes:
        scope: The list the token belongs to (``messages:<channel id>``,
            ``replies:<root id>``); a token is refused anywhere else.
        after: The id of the last message the previous page returned.
        top: The page size the first request asked for.
        expand: Whether the first request asked for ``$expand=replies``.
    """

    scope: str
    after: str
    top: int
    expand: bool = False


def encode_token(token: PageToken) -> str:
    """The token as an opaque, URL-safe string."""
    raw = json.dumps(asdict(token), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(text: str, scope: str) -> PageToken:
    """The token ``text`` carries, if it was minted for ``scope``.

    Raises:
        GraphError: 400 for a token that is not one of ours or belongs to another list.
    """
    refused = GraphError(400, "BadRequest", f"The $skiptoken '{text}' is not valid.")
    try:
        fields = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError):
        raise refused from None
    if not (
        isinstance(fields, dict)
        and fields.get("scope") == scope
        and isinstance(fields.get("after"), str)
        and fields["after"].isdigit()
        and type(fields.get("top")) is int
        and 0 < fields["top"] <= MAX_PAGE_SIZE
        and isinstance(fields.get("expand", False), bool)
    ):
        raise refused
    return PageToken(
        scope=scope, after=fields["after"], top=fields["top"], expand=fields.get("expand", False)
    )


def newest_first_page(
    oldest_first: Sequence[JsonObject], *, top: int, after: str | None
) -> tuple[list[JsonObject], bool]:
    """One page of ``oldest_first`` read newest first, and whether older messages remain.

    Args:
        oldest_first: Messages in ascending id order (ids are epoch milliseconds).
        top: The page size.
        after: The id of the last message of the previous page; None for the first page.
    """
    newest_first = sorted(oldest_first, key=lambda m: int(m["id"]), reverse=True)
    if after is not None:
        newest_first = [m for m in newest_first if int(m["id"]) < int(after)]
    # An empty page ($top=0) has no next page: a link to another empty page would never end.
    return newest_first[:top], 0 < top < len(newest_first)
