"""Issue comments: ``GET``/``POST /issue/{key}/comment`` and ``GET …/comment/{id}``.

Bodies are ADF on REST v3 and wiki text on v2, both ways; the store keeps plain text (see
`documents`). Adding a comment moves the issue's ``updated`` but records no changelog
history, as in Jira.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flywheel_sync.sandbox.demo.jira_model import JiraIssue, JsonObject
from flywheel_sync.sandbox.handlers import Handler
from flywheel_sync.sandbox.jira.documents import BodyRejected, stored_text
from flywheel_sync.sandbox.jira.issue_edits import EditRejected, IssueEditor
from flywheel_sync.sandbox.jira.rendering import adf
from flywheel_sync.sandbox.jira.wire import (
    BadRequest,
    api_version,
    base_url,
    issue_not_found,
    jira_error,
    json_body,
    page_bounds,
)
from flywheel_sync.sandbox.jira.writes import guarded

__all__ = ["IssueComments", "comment_json"]

COMMENT_PAGE = 100
COMMENT_PAGE_LIMIT = 5000
_ORDERS = {"created": False, "+created": False, "-created": True}


def comment_json(issue: JiraIssue, comment: JsonObject, *, base: str, version: str) -> JsonObject:
    """One comment as Jira returns it; the body in the REST version's format."""
    text = str(comment.get("body") or "")
    rendered: JsonObject = {
        "self": f"{base}/rest/api/{version}/issue/{issue.id}/comment/{comment['id']}",
        "id": comment["id"],
        "author": comment.get("author"),
        "body": adf(text) if version == "3" else text,
        "updateAuthor": comment.get("updateAuthor", comment.get("author")),
        "created": comment["created"],
        "updated": comment.get("updated", comment["created"]),
        "jsdPublic": True,
    }
    if comment.get("visibility") is not None:
        rendered["visibility"] = comment["visibility"]
    return rendered


def _new_body(body: Any, version: str) -> tuple[str, JsonObject | None]:
    """The text and visibility of a ``POST …/comment`` body, or `EditRejected`."""
    if not isinstance(body, dict):
        raise EditRejected(messages=["The request body must be a JSON object."])
    try:
        text = stored_text(body.get("body"), version=version)
    except BodyRejected as error:
        raise EditRejected({"comment": error.message}) from None
    if text is None or not text.strip():
        raise EditRejected({"comment": "Comment body can not be empty!"})
    visibility = body.get("visibility")
    if visibility is not None and not isinstance(visibility, dict):
        raise EditRejected({"visibility": "data was not an object"})
    return text, None if visibility is None else dict(visibility)


class IssueComments:
    """Comment handlers; new comments are written by the editor's author."""

    def __init__(self, editor: IssueEditor) -> None:
        self.editor = editor

    async def page(self, request: Request) -> Response:
        """``GET /issue/{issue}/comment``: ``startAt``/``maxResults`` paging, oldest first."""
        issue = self.editor.store.issue(request.path_params["issue"])
        if issue is None:
            return issue_not_found()
        order = request.query_params.get("orderBy", "created")
        if order not in _ORDERS:
            raise BadRequest(f"The value '{order}' is not valid for the parameter 'orderBy'.")
        start, size = page_bounds(request, default=COMMENT_PAGE, limit=COMMENT_PAGE_LIMIT)
        base, version = base_url(request), api_version(request)
        with self.editor.store.lock:
            ordered = list(reversed(issue.comments)) if _ORDERS[order] else list(issue.comments)
            chosen = ordered[start : start + size]
            comments = [comment_json(issue, c, base=base, version=version) for c in chosen]
            total = len(ordered)
        return JSONResponse(
            {"comments": comments, "maxResults": size, "total": total, "startAt": start}
        )

    async def one(self, request: Request) -> Response:
        """``GET /issue/{issue}/comment/{id}``."""
        issue = self.editor.store.issue(request.path_params["issue"])
        if issue is None:
            return issue_not_found()
        wanted = request.path_params["comment"]
        found = next((c for c in issue.comments if c["id"] == wanted), None)
        if found is None:
            return jira_error(404, f"Can not find a comment for the id: {wanted}.")
        rendered = comment_json(issue, found, base=base_url(request), version=api_version(request))
        return JSONResponse(rendered)

    async def add(self, request: Request) -> Response:
        """``POST /issue/{issue}/comment`` → 201 with the new comment."""
        issue = self.editor.store.issue(request.path_params["issue"])
        if issue is None:
            return issue_not_found()
        version = api_version(request)
        text, visibility = _new_body(await json_body(request), version)
        with self.editor.store.lock:
            now = self.editor.stamp()
            comment: JsonObject = {
                "id": self.editor.store.next_comment_id(),
                "author": self.editor.author,
                "body": text,
                "created": now,
                "updated": now,
            }
            if visibility is not None:
                comment["visibility"] = visibility
            issue.comments.append(comment)
            issue.fields["updated"] = now
            self.editor.store.touch()
        rendered = comment_json(issue, comment, base=base_url(request), version=version)
        return JSONResponse(rendered, status_code=201)

    def routes(self) -> list[Route]:
        """Comment routes, for both REST versions."""
        table: list[tuple[str, Handler, str]] = [
            ("/issue/{issue}/comment", self.page, "GET"),
            ("/issue/{issue}/comment", self.add, "POST"),
            ("/issue/{issue}/comment/{comment}", self.one, "GET"),
        ]
        return [
            Route(f"/rest/api/{version}{path}", guarded(handler), methods=[method])
            for version in ("2", "3")
            for path, handler, method in table
        ]
