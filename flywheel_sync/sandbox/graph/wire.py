"""What the Graph endpoints share on the wire: error bodies, paging links, JSON bodies.

Graph answers every failure with ``{"error": {"code", "message", "innerError"}}``
(graph-wire.md §2); ``innerError.date`` carries no offset. Planner often sends an empty
``code``. Paging links are absolute URLs clients follow verbatim.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from flywheel_sync.sandbox.handlers import Handler, answering

__all__ = [
    "GraphError",
    "graph_error",
    "graph_error_body",
    "guarded",
    "json_object",
    "next_link",
]

JSONBody = dict[str, Any]


def graph_error_body(code: str, message: str) -> JSONBody:
    """Graph's error body, with the ``innerError`` Graph always adds."""
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": str(uuid.uuid4()),
                "client-request-id": str(uuid.uuid4()),
            },
        }
    }


def graph_error(status: int, code: str, message: str) -> Response:
    """A response carrying Graph's error body."""
    return JSONResponse(graph_error_body(code, message), status_code=status)


class GraphError(Exception):
    """A request Graph refuses: raised anywhere below a `guarded` handler."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> Response:
        """The error as Graph answers it."""
        return graph_error(self.status, self.code, self.message)


def guarded(handler: Handler) -> Handler:
    """``handler`` with every `GraphError` it raises answered as Graph's error body."""
    return answering(handler, {GraphError: GraphError.response})


async def json_object(request: Request) -> JSONBody:
    """The request's JSON object body.

    Raises:
        GraphError: 400 when the body is empty, not JSON or not an object.
    """
    try:
        body = await request.json()
    except ValueError:
        raise GraphError(400, "BadRequest", "Unable to read JSON request payload.") from None
    if not isinstance(body, dict):
        raise GraphError(400, "BadRequest", "The request payload must be a JSON object.")
    return body


def next_link(request: Request, query: Mapping[str, str]) -> str:
    """An absolute ``@odata.nextLink`` to this request's path with ``query``.

    It is built from the URL the client reached (host and port included), so clients that
    follow it verbatim, as the Graph SDKs do, come back to the same sandbox. ``$`` stays
    unescaped (``$skiptoken=``), as Graph writes it.
    """
    return str(request.url.replace(query=urlencode(query, safe="$")))
