"""What the Jira endpoints share on the wire.

Error bodies, request bodies, the REST version, links and paging parameters.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = [
    "BadRequest",
    "api_version",
    "base_url",
    "issue_not_found",
    "jira_error",
    "jira_error_body",
    "json_body",
    "page_bounds",
    "query_flag",
]


def jira_error_body(*messages: str, errors: dict[str, str] | None = None) -> dict[str, Any]:
    """Jira's error body: ``{"errorMessages": [...], "errors": {field: message}}``."""
    return {"errorMessages": list(messages), "errors": errors or {}}


def jira_error(status: int, *messages: str, errors: dict[str, str] | None = None) -> Response:
    """A response with Jira's error body."""
    return JSONResponse(jira_error_body(*messages, errors=errors), status_code=status)


def issue_not_found() -> Response:
    """Jira's 404 for an issue that does not exist (or that the caller may not see)."""
    return jira_error(404, "Issue does not exist or you do not have permission to see it.")


class BadRequest(Exception):
    """A request Jira refuses with 400 before looking at its content."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def base_url(request: Request) -> str:
    """The Jira prefix as the client reached it, e.g. ``http://127.0.0.1:5000/jira``."""
    return str(request.base_url).rstrip("/") + "/jira"


def api_version(request: Request) -> str:
    """The REST version of the path: "3" (ADF bodies) or "2" (wiki text)."""
    return "3" if "/rest/api/3/" in request.url.path else "2"


async def json_body(request: Request) -> Any:
    """The parsed JSON body.

    Raises:
        BadRequest: The body is empty or not JSON.
    """
    raw = await request.body()
    if not raw.strip():
        raise BadRequest("No content to map to Object due to end of input")
    try:
        return await request.json()
    except ValueError:
        raise BadRequest("The request body is not valid JSON.") from None


def query_flag(request: Request, name: str) -> bool:
    """A boolean query parameter (``?returnIssue=true``); absent is False."""
    return request.query_params.get(name, "").casefold() == "true"


def page_bounds(request: Request, *, default: int, limit: int) -> tuple[int, int]:
    """``startAt`` and ``maxResults`` of a paged list, the latter capped at ``limit``.

    Raises:
        BadRequest: A parameter is not a whole number.
    """
    values = []
    for name, fallback in (("startAt", 0), ("maxResults", default)):
        text = request.query_params.get(name)
        try:
            values.append(fallback if text in (None, "") else int(str(text)))
        except ValueError:
            message = f"The value '{text}' is not valid for the parameter '{name}'."
            raise BadRequest(message) from None
    start, size = values
    return max(0, start), max(0, min(size, limit))
