"""Jira's issue write endpoints: create (one or in bulk) and edit.

- ``POST /issue`` → 201 ``{"id", "key", "self"}``.
- ``POST /issue/bulk`` → 201 with every created issue and each refused element's errors
  (``{"status": 400, "elementErrors": {...}, "failedElementNumber": n}``) when any element was
  created; 400 with the same body when none was.
- ``PUT /issue/{key}`` → 204, or 200 with the issue when ``returnIssue=true``.
  ``notifyUsers=false`` is accepted: the sandbox's bot is an administrator, so neither
  Cloud (which ignores it for others) nor Data Center (which refuses it with 403) objects.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flywheel_sync.sandbox.demo.jira_model import JiraIssue, JsonObject
from flywheel_sync.sandbox.handlers import Handler, answering
from flywheel_sync.sandbox.jira.issue_edits import EditRejected, IssueEditor
from flywheel_sync.sandbox.jira.rendering import FieldSelection, issue_json
from flywheel_sync.sandbox.jira.wire import (
    BadRequest,
    api_version,
    base_url,
    issue_not_found,
    jira_error,
    json_body,
    query_flag,
)

__all__ = ["BULK_CREATE_LIMIT", "IssueWrites", "guarded"]

BULK_CREATE_LIMIT = 50


def guarded(handler: Handler) -> Handler:
    """``handler`` with refused requests answered as Jira answers them (400)."""
    return answering(
        handler,
        {
            BadRequest: lambda problem: jira_error(400, problem.message),
            EditRejected: lambda rejected: JSONResponse(rejected.body(), status_code=400),
        },
    )


def _created_json(issue: JiraIssue, request: Request) -> JsonObject:
    """The ``CreatedIssue`` answer for a new issue."""
    link = f"{base_url(request)}/rest/api/{api_version(request)}/issue/{issue.id}"
    return {"id": issue.id, "key": issue.key, "self": link}


class IssueWrites:
    """Create and edit handlers over one `IssueEditor`."""

    def __init__(self, editor: IssueEditor) -> None:
        self.editor = editor

    async def create(self, request: Request) -> Response:
        """``POST /issue``."""
        body = await json_body(request)
        issue = self.editor.create(body, version=api_version(request))
        return JSONResponse(_created_json(issue, request), status_code=201)

    async def create_bulk(self, request: Request) -> Response:
        """``POST /issue/bulk``: each element on its own; the others still go ahead."""
        body = await json_body(request)
        updates = body.get("issueUpdates") if isinstance(body, dict) else None
        if not isinstance(updates, list):
            raise BadRequest("issueUpdates must be a list of issues to create.")
        if len(updates) > BULK_CREATE_LIMIT:
            raise BadRequest(f"Bulk create is limited to {BULK_CREATE_LIMIT} issues.")
        issues: list[JsonObject] = []
        errors: list[JsonObject] = []
        version = api_version(request)
        with self.editor.store.lock:
            for number, update in enumerate(updates):
                try:
                    issue = self.editor.create(update, version=version)
                    issues.append(_created_json(issue, request))
                except EditRejected as rejected:
                    errors.append(
                        {
                            "status": 400,
                            "elementErrors": rejected.body(),
                            "failedElementNumber": number,
                        }
                    )
        status = 400 if errors and not issues else 201
        return JSONResponse({"issues": issues, "errors": errors}, status_code=status)

    async def edit(self, request: Request) -> Response:
        """``PUT /issue/{issue}``."""
        issue = self.editor.store.issue(request.path_params["issue"])
        if issue is None:
            return issue_not_found()
        body = await json_body(request)
        version = api_version(request)
        self.editor.edit(issue, body, version=version)
        if not query_flag(request, "returnIssue"):
            return Response(status_code=204)
        expand = frozenset(
            part.strip() for part in request.query_params.get("expand", "").split(",") if part
        )
        with self.editor.store.lock:
            rendered = issue_json(
                issue,
                base=base_url(request),
                version=version,
                selection=FieldSelection.parse([], default="*all"),
                expand=expand,
                subtasks=self.editor.store.subtasks_of(issue.id),
            )
        return JSONResponse(rendered)

    def routes(self) -> list[Route]:
        """The write routes, for both REST versions."""
        table: list[tuple[str, Handler, str]] = [
            ("/issue", self.create, "POST"),
            ("/issue/bulk", self.create_bulk, "POST"),
            ("/issue/{issue}", self.edit, "PUT"),
        ]
        return [
            Route(f"/rest/api/{version}{path}", guarded(handler), methods=[method])
            for version in ("2", "3")
            for path, handler, method in table
        ]
