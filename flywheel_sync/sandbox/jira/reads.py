"""Jira's read endpoints: fields, search (both generations), issues and their changelogs."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flywheel_sync.sandbox.handlers import Handler, answering
from flywheel_sync.sandbox.jira.catalog import field_json
from flywheel_sync.sandbox.jira.rendering import FieldSelection, issue_json
from flywheel_sync.sandbox.jira.search import IssueSearch, SearchError, SearchPage
from flywheel_sync.sandbox.jira.store import JiraStore
from flywheel_sync.sandbox.jira.wire import (
    BadRequest,
    api_version,
    base_url,
    issue_not_found,
    jira_error,
    json_body,
    page_bounds,
)

__all__ = ["JiraReads"]

_REMOVED_SEARCH = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at "
    "https://developer.atlassian.com/changelog/#CHANGE-2046"
)
_CHANGELOG_PAGE = 100
BULK_FETCH_LIMIT = 100


def _int(value: str | None, default: int, name: str) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise SearchError(f"The value '{value}' is not valid for the parameter '{name}'.") from None


class JiraReads:
    """Read handlers bound to one store; ``cloud`` selects Cloud or Data Center behaviour."""

    def __init__(self, store: JiraStore, search: IssueSearch, *, cloud: bool) -> None:
        self.store = store
        self.search = search
        self.cloud = cloud

    async def _params(self, request: Request) -> dict[str, Any]:
        """GET query parameters or a POST body, as one dict of lists/values."""
        if request.method == "POST":
            body = await json_body(request)
            if not isinstance(body, dict):
                raise SearchError("The request body must be a JSON object.")
            return body
        query = request.query_params
        return {
            "jql": query.get("jql", ""),
            "nextPageToken": query.get("nextPageToken"),
            "maxResults": query.get("maxResults"),
            "startAt": query.get("startAt"),
            "fields": query.getlist("fields"),
            "expand": query.get("expand", ""),
            "properties": query.getlist("properties"),
        }

    def _issues(
        self, page: SearchPage, params: dict[str, Any], request: Request, default_fields: str
    ) -> list[dict[str, Any]]:
        fields = params.get("fields") or []
        selection = FieldSelection.parse(
            [fields] if isinstance(fields, str) else fields, default=default_fields
        )
        expand_raw = params.get("expand") or ""
        expand = frozenset(
            part.strip()
            for part in (expand_raw if isinstance(expand_raw, list) else expand_raw.split(","))
            if part.strip()
        )
        properties_raw = params.get("properties") or []
        properties = tuple(
            key.strip() for item in properties_raw for key in str(item).split(",") if key.strip()
        )[:5]
        names = {d.id: d.name for d in self.store.site.fields} if "names" in expand else None
        base, version = base_url(request), api_version(request)
        with self.store.lock:
            issues = [self.store.issue(issue_id) or _gone(issue_id) for issue_id in page.ids]
            return [
                issue_json(
                    issue,
                    base=base,
                    version=version,
                    selection=selection,
                    expand=expand,
                    properties=properties,
                    names=names,
                    subtasks=(
                        self.store.subtasks_of(issue.id) if selection.wants("subtasks") else None
                    ),
                )
                for issue in issues
            ]

    async def fields(self, request: Request) -> Response:
        """``GET /field``: every field of the site, custom ones with their clause names."""
        return JSONResponse([field_json(d) for d in self.store.site.fields])

    async def search_jql(self, request: Request) -> Response:
        """``/search/jql``: Cloud's enhanced search, paged by ``nextPageToken``."""
        params = await self._params(request)
        fields = params.get("fields") or []
        tokens = {
            t.strip()
            for f in ([fields] if isinstance(fields, str) else fields)
            for t in str(f).split(",")
        }
        page = self.search.enhanced_page(
            str(params.get("jql") or ""),
            token=params.get("nextPageToken") or None,
            max_results=_int(_str(params.get("maxResults")), 50, "maxResults"),
            ids_only=tokens <= {"", "id", "key"},
            current_user=None,
        )
        body: dict[str, Any] = {"issues": self._issues(page, params, request, "id")}
        if page.next_token is not None:
            body["nextPageToken"] = page.next_token
        body["isLast"] = page.next_token is None
        return JSONResponse(body)

    async def legacy_search(self, request: Request) -> Response:
        """``/search``: removed on Cloud (410); Data Center pages it with ``startAt``."""
        if self.cloud:
            return jira_error(410, _REMOVED_SEARCH)
        params = await self._params(request)
        max_results = _int(_str(params.get("maxResults")), 50, "maxResults")
        page = self.search.legacy_page(
            str(params.get("jql") or ""),
            start_at=_int(_str(params.get("startAt")), 0, "startAt"),
            max_results=max_results,
            current_user=None,
        )
        return JSONResponse(
            {
                "expand": "schema,names",
                "startAt": page.start_at,
                "maxResults": min(max_results, 100),
                "total": page.total,
                "issues": self._issues(page, params, request, "*navigable"),
            }
        )

    async def issue(self, request: Request) -> Response:
        """``GET /issue/{key}``: one issue, all fields unless ``fields`` narrows them."""
        issue = self.store.issue(request.path_params["issue"])
        if issue is None:
            return issue_not_found()
        query = request.query_params
        params = {
            "fields": query.getlist("fields") or ["*all"],
            "expand": query.get("expand", ""),
            "properties": query.getlist("properties"),
        }
        page = SearchPage(ids=(issue.id,), next_token=None, start_at=0, total=1)
        return JSONResponse(self._issues(page, params, request, "*all")[0])

    async def bulk_fetch(self, request: Request) -> Response:
        """``POST /issue/bulkfetch`` (Cloud): up to 100 issues by id or key, ascending by id.

        Issues that do not exist are left out without an error, as the spec says of issues
        "not found or that the user doesn't have permission to view"; ``issueErrors`` is
        for transient failures, which the sandbox has none of. Fields default to
        ``*navigable``.
        """
        body = await json_body(request)
        wanted = body.get("issueIdsOrKeys") if isinstance(body, dict) else None
        if not isinstance(wanted, list) or not all(isinstance(w, str) for w in wanted):
            raise BadRequest("issueIdsOrKeys must be a list of issue ids or keys.")
        if len(wanted) > BULK_FETCH_LIMIT:
            raise BadRequest(f"You can request at most {BULK_FETCH_LIMIT} issues at a time.")
        with self.store.lock:
            found = {issue.id for w in wanted if (issue := self.store.issue(w)) is not None}
        ids = tuple(sorted(found, key=int))
        page = SearchPage(ids=ids, next_token=None, start_at=0, total=len(ids))
        params = {key: body.get(key) for key in ("fields", "expand", "properties")}
        issues = self._issues(page, params, request, "*navigable")
        return JSONResponse({"expand": "schema,names", "issues": issues, "issueErrors": []})

    def bulk_fetch_routes(self) -> list[Route]:
        """``/issue/bulkfetch`` for both REST versions (Cloud only).

        Listed before the write routes, so the request counters do not take it for
        ``/issue/{issue}``.
        """
        return [
            Route(
                f"/rest/api/{version}/issue/bulkfetch",
                _guarded(self.bulk_fetch),
                methods=["POST"],
            )
            for version in ("2", "3")
        ]

    async def changelog(self, request: Request) -> Response:
        """``GET /issue/{key}/changelog``: the full history, 100 entries a page."""
        issue = self.store.issue(request.path_params["issue"])
        if issue is None:
            return issue_not_found()
        start, limit = page_bounds(request, default=_CHANGELOG_PAGE, limit=_CHANGELOG_PAGE)
        values = issue.changelog[start : start + limit]
        return JSONResponse(
            {
                "self": str(request.url),
                "maxResults": limit,
                "startAt": start,
                "total": len(issue.changelog),
                "isLast": start + len(values) >= len(issue.changelog),
                "values": values,
            }
        )

    def routes(self) -> list[Route]:
        """Read routes, for both REST versions."""
        table: list[tuple[str, Handler, list[str]]] = [
            ("/field", self.fields, ["GET"]),
            ("/search/jql", self.search_jql, ["GET", "POST"]),
            ("/search", self.legacy_search, ["GET", "POST"]),
            ("/issue/{issue}", self.issue, ["GET"]),
            ("/issue/{issue}/changelog", self.changelog, ["GET"]),
        ]
        return [
            Route(f"/rest/api/{version}{path}", _guarded(handler), methods=methods)
            for version in ("2", "3")
            for path, handler, methods in table
        ]


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _gone(issue_id: str) -> Any:
    raise SearchError(f"Issue {issue_id} was deleted during the search.")


def _guarded(handler: Handler) -> Handler:
    return answering(
        handler,
        {
            SearchError: lambda error: jira_error(400, *error.messages),
            BadRequest: lambda problem: jira_error(400, problem.message),
        },
    )
