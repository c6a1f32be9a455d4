"""Issue entity properties: the ownership markers a sync leaves on the issues it writes.

``GET /issue/{key}/properties`` lists keys; ``GET``/``PUT``/``DELETE …/properties/{key}``
read, set (201 when created, 200 when replaced) and remove (204) one value, any non-empty JSON
of at most 32,768 bytes under a key of at most 255 characters. Properties are not fields:
setting one records no changelog history and leaves ``updated`` alone (Jira stores them
apart from the issue and signals them with their own ``issue_property_set`` event).
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flywheel_sync.sandbox.handlers import Handler
from flywheel_sync.sandbox.jira.store import JiraStore
from flywheel_sync.sandbox.jira.wire import (
    BadRequest,
    api_version,
    base_url,
    issue_not_found,
    jira_error,
    json_body,
)
from flywheel_sync.sandbox.jira.writes import guarded

__all__ = ["PROPERTY_KEY_LIMIT", "PROPERTY_VALUE_LIMIT", "IssueProperties"]

PROPERTY_KEY_LIMIT = 255
PROPERTY_VALUE_LIMIT = 32768


class IssueProperties:
    """Property handlers over one store."""

    def __init__(self, store: JiraStore) -> None:
        self.store = store

    async def keys(self, request: Request) -> Response:
        """``GET /issue/{issue}/properties``: ``{"keys": [{"key", "self"}]}``."""
        issue = self.store.issue(request.path_params["issue"])
        if issue is None:
            return issue_not_found()
        link = f"{base_url(request)}/rest/api/{api_version(request)}/issue/{issue.key}/properties"
        with self.store.lock:
            names = list(issue.properties)
        return JSONResponse({"keys": [{"key": k, "self": f"{link}/{k}"} for k in names]})

    async def one(self, request: Request) -> Response:
        """``GET …/properties/{key}``: ``{"key", "value"}``, or 404."""
        issue = self.store.issue(request.path_params["issue"])
        if issue is None:
            return issue_not_found()
        key = request.path_params["key"]
        with self.store.lock:
            if key not in issue.properties:
                return _missing(key)
            return JSONResponse({"key": key, "value": issue.properties[key]})

    async def put(self, request: Request) -> Response:
        """``PUT …/properties/{key}``: 201 when created, 200 when an old value was replaced."""
        issue = self.store.issue(request.path_params["issue"])
        if issue is None:
            return issue_not_found()
        key = request.path_params["key"]
        if len(key) > PROPERTY_KEY_LIMIT:
            raise BadRequest(
                f"The property key cannot be longer than {PROPERTY_KEY_LIMIT} characters."
            )
        value = await json_body(request)
        if value is None:
            raise BadRequest("The property value must be a valid, non-empty JSON.")
        if len(json.dumps(value, separators=(",", ":")).encode()) > PROPERTY_VALUE_LIMIT:
            raise BadRequest(
                f"The property value cannot be longer than {PROPERTY_VALUE_LIMIT} bytes."
            )
        with self.store.lock:
            existed = key in issue.properties
            issue.properties = {**issue.properties, key: value}
        return Response(status_code=200 if existed else 201)

    async def delete(self, request: Request) -> Response:
        """``DELETE …/properties/{key}``: 204, or 404 when there is no such property."""
        issue = self.store.issue(request.path_params["issue"])
        if issue is None:
            return issue_not_found()
        key = request.path_params["key"]
        with self.store.lock:
            if key not in issue.properties:
                return _missing(key)
            issue.properties = {k: v for k, v in issue.properties.items() if k != key}
        return Response(status_code=204)

    def routes(self) -> list[Route]:
        """Property routes, for both REST versions."""
        table: list[tuple[str, Handler, str]] = [
            ("/issue/{issue}/properties", self.keys, "GET"),
            ("/issue/{issue}/properties/{key}", self.one, "GET"),
            ("/issue/{issue}/properties/{key}", self.put, "PUT"),
            ("/issue/{issue}/properties/{key}", self.delete, "DELETE"),
        ]
        return [
            Route(f"/rest/api/{version}{path}", guarded(handler), methods=[method])
            for version in ("2", "3")
            for path, handler, method in table
        ]


def _missing(key: str) -> Response:
    return jira_error(404, f"The property with key '{key}' does not exist.")
