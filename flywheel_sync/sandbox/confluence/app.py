"""The Confluence emulator's routes over one `PageStore`.

v1 ``/rest/api/content`` (also under ``/wiki``, as on Cloud) and v2 ``/wiki/api/v2/pages``.

Error bodies follow each version: v1 ``{"statusCode", "data", "message"}``, v2
``{"errors": [{"status", "code", "title", "detail"}]}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flywheel_sync.sandbox.confluence.pages import ConfluenceError, PageStore
from flywheel_sync.sandbox.confluence.rendering import (
    v1_content,
    v1_history,
    v1_labels,
    v1_property,
    v2_page,
    v2_property,
)
from flywheel_sync.sandbox.handlers import Handler, answering

__all__ = ["confluence_routes"]

_V2_CODES = {400: "INVALID_REQUEST_PARAMETER", 404: "NOT_FOUND", 409: "CONFLICT"}


def _v1_error(error: ConfluenceError) -> Response:
    body = {
        "statusCode": error.status,
        "data": {
            "authorized": True,
            "valid": error.status != 400,
            "errors": [],
            "successful": False,
        },
        "message": error.message,
    }
    return JSONResponse(body, status_code=error.status)


def _v2_error(error: ConfluenceError) -> Response:
    code = _V2_CODES.get(error.status, "ERROR")
    body = {
        "errors": [{"status": error.status, "code": code, "title": error.message, "detail": None}]
    }
    return JSONResponse(body, status_code=error.status)


def _guarded(handler: Handler, on_error: Callable[[ConfluenceError], Response]) -> Handler:
    return answering(handler, {ConfluenceError: on_error})


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise ConfluenceError(400, "The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ConfluenceError(400, "The request body must be a JSON object")
    return body


def _required(body: dict[str, Any], *path: str) -> Any:
    value: Any = body
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if value in (None, ""):
        raise ConfluenceError(400, f"{'.'.join(path)} is required")
    return value


def _v2_body(body: dict[str, Any]) -> str:
    """The storage value of a v2 write body.

    The spec's shape is ``{"representation": "storage", "value": ...}``; atlassian-python-api
    sends ``{"storage": {"value": ...}}``, which Confluence Cloud accepts too.
    """
    written = body.get("body") or {}
    if "storage" in written:
        written = written["storage"] or {}
    return str(written.get("value", ""))


def _expand(request: Request) -> set[str]:
    return {part.strip() for part in request.query_params.get("expand", "").split(",") if part}


class _V1:
    """The v1 content API."""

    def __init__(self, store: PageStore) -> None:
        self.store = store

    def base(self, request: Request) -> str:
        return str(request.base_url).rstrip("/") + "/confluence"

    async def list_content(self, request: Request) -> Response:
        query = request.query_params
        pages = self.store.find(space_key=query.get("spaceKey"), title=query.get("title"))
        start, limit = int(query.get("start", 0)), min(int(query.get("limit", 25)), 200)
        chosen = pages[start : start + limit]
        results = [
            v1_content(p, self.store, base=self.base(request), expand=_expand(request))
            for p in chosen
        ]
        return JSONResponse(
            {
                "results": results,
                "start": start,
                "limit": limit,
                "size": len(results),
                "_links": {"base": self.base(request)},
            }
        )

    async def create_content(self, request: Request) -> Response:
        body = await _json_object(request)
        if body.get("type", "page") != "page":
            raise ConfluenceError(400, "Only pages are supported by the sandbox")
        ancestors = body.get("ancestors") or []
        page = self.store.create(
            space_key=_required(body, "space", "key"),
            title=_required(body, "title"),
            body=str((body.get("body") or {}).get("storage", {}).get("value", "")),
            parent_id=str(ancestors[-1]["id"]) if ancestors else None,
        )
        return JSONResponse(
            v1_content(
                page, self.store, base=self.base(request), expand={"body.storage", "ancestors"}
            )
        )

    async def get_content(self, request: Request) -> Response:
        page = self.store.page(request.path_params["page_id"])
        return JSONResponse(
            v1_content(page, self.store, base=self.base(request), expand=_expand(request))
        )

    async def update_content(self, request: Request) -> Response:
        body = await _json_object(request)
        _required(body, "type")
        storage = (body.get("body") or {}).get("storage")
        page = self.store.update(
            request.path_params["page_id"],
            title=_required(body, "title"),
            body=None if storage is None else str(storage.get("value", "")),
            version=int(_required(body, "version", "number")),
            message=str((body.get("version") or {}).get("message") or ""),
        )
        return JSONResponse(
            v1_content(
                page, self.store, base=self.base(request), expand={"body.storage", "ancestors"}
            )
        )

    async def history(self, request: Request) -> Response:
        return JSONResponse(v1_history(self.store.page(request.path_params["page_id"])))

    async def get_labels(self, request: Request) -> Response:
        return JSONResponse(v1_labels(self.store.page(request.path_params["page_id"])))

    async def add_labels(self, request: Request) -> Response:
        try:
            labels = await request.json()
        except ValueError:
            raise ConfluenceError(400, "The request body is not valid JSON") from None
        items = labels if isinstance(labels, list) else [labels]
        names = [str(item["name"]) for item in items if isinstance(item, dict) and "name" in item]
        if len(names) != len(items):
            raise ConfluenceError(400, "Each label needs a name")
        return JSONResponse(v1_labels(self.store.add_labels(request.path_params["page_id"], names)))

    async def delete_label(self, request: Request) -> Response:
        self.store.remove_label(request.path_params["page_id"], request.path_params["label"])
        return Response(status_code=204)

    async def get_property(self, request: Request) -> Response:
        page = self.store.page(request.path_params["page_id"])
        entry = page.properties.get(request.path_params["key"])
        if entry is None:
            raise ConfluenceError(
                404, f"Content property '{request.path_params['key']}' does not exist"
            )
        return JSONResponse(v1_property(page, entry, base=self.base(request)))

    async def create_property(self, request: Request) -> Response:
        body = await _json_object(request)
        page_id = request.path_params["page_id"]
        entry = self.store.set_property(
            page_id, str(_required(body, "key")), body.get("value"), None
        )
        return JSONResponse(v1_property(self.store.page(page_id), entry, base=self.base(request)))

    async def update_property(self, request: Request) -> Response:
        body = await _json_object(request)
        page_id, key = request.path_params["page_id"], request.path_params["key"]
        version = int(_required(body, "version", "number"))
        entry = self.store.set_property(page_id, key, body.get("value"), version)
        return JSONResponse(v1_property(self.store.page(page_id), entry, base=self.base(request)))

    def routes(self) -> list[Route]:
        """v1 routes, under both the Data Center and the Cloud (``/wiki``) roots."""
        v1 = [
            ("/content", self.list_content, ["GET"]),
            ("/content", self.create_content, ["POST"]),
            ("/content/{page_id}", self.get_content, ["GET"]),
            ("/content/{page_id}", self.update_content, ["PUT"]),
            ("/content/{page_id}/history", self.history, ["GET"]),
            ("/content/{page_id}/label", self.get_labels, ["GET"]),
            ("/content/{page_id}/label", self.add_labels, ["POST"]),
            ("/content/{page_id}/label/{label}", self.delete_label, ["DELETE"]),
            ("/content/{page_id}/property/{key}", self.get_property, ["GET"]),
            ("/content/{page_id}/property", self.create_property, ["POST"]),
            ("/content/{page_id}/property/{key}", self.update_property, ["PUT"]),
        ]
        return [
            Route(f"{root}{path}", _guarded(handler, _v1_error), methods=methods)
            for root in ("/rest/api", "/wiki/rest/api")
            for path, handler, methods in v1
        ]


class _V2:
    """The v2 pages API."""

    def __init__(self, store: PageStore) -> None:
        self.store = store

    async def list_spaces(self, request: Request) -> Response:
        keys = {k for k in request.query_params.get("keys", "").split(",") if k}
        spaces = [s for s in self.store.spaces.values() if not keys or s.key in keys]
        return JSONResponse(
            {
                "results": [
                    {
                        "id": s.id,
                        "key": s.key,
                        "name": s.name,
                        "type": "global",
                        "status": "current",
                    }
                    for s in spaces
                ],
                "_links": {},
            }
        )

    async def list_pages(self, request: Request) -> Response:
        query = request.query_params
        space_key = self.store.space_by_id(query["space-id"]).key if "space-id" in query else None
        pages = self.store.find(space_key=space_key, title=query.get("title"))
        limit = min(int(query.get("limit", 25)), 250)
        return JSONResponse(
            {
                "results": [
                    v2_page(p, body_format=query.get("body-format")) for p in pages[:limit]
                ],
                "_links": {},
            }
        )

    async def create_page(self, request: Request) -> Response:
        body = await _json_object(request)
        space = self.store.space_by_id(str(_required(body, "spaceId")))
        page = self.store.create(
            space_key=space.key,
            title=_required(body, "title"),
            body=_v2_body(body),
            parent_id=str(body["parentId"]) if body.get("parentId") else None,
        )
        return JSONResponse(v2_page(page, body_format="storage"))

    async def get_page(self, request: Request) -> Response:
        page = self.store.page(request.path_params["page_id"])
        return JSONResponse(v2_page(page, body_format=request.query_params.get("body-format")))

    async def update_page(self, request: Request) -> Response:
        body = await _json_object(request)
        for key in ("id", "status", "title", "version"):
            _required(body, key)
        page = self.store.update(
            request.path_params["page_id"],
            title=str(body["title"]),
            body=_v2_body(body) if "body" in body else None,
            version=int(_required(body, "version", "number")),
            message=str(body["version"].get("message") or ""),
        )
        return JSONResponse(v2_page(page, body_format="storage"))

    async def page_labels(self, request: Request) -> Response:
        page = self.store.page(request.path_params["page_id"])
        return JSONResponse(
            {
                "results": [
                    {"id": str(i), "name": n, "prefix": "global"}
                    for i, n in enumerate(page.labels, 1)
                ],
                "_links": {},
            }
        )

    async def list_properties(self, request: Request) -> Response:
        page = self.store.page(request.path_params["page_id"])
        return JSONResponse(
            {"results": [v2_property(e) for e in page.properties.values()], "_links": {}}
        )

    async def create_property(self, request: Request) -> Response:
        body = await _json_object(request)
        entry = self.store.set_property(
            request.path_params["page_id"], str(_required(body, "key")), body.get("value"), None
        )
        return JSONResponse(v2_property(entry))

    def _entry_key(self, page_id: str, property_id: str) -> str:
        for entry in self.store.page(page_id).properties.values():
            if entry.id == property_id:
                return entry.key
        raise ConfluenceError(404, f"Content property {property_id} does not exist")

    async def update_property(self, request: Request) -> Response:
        body = await _json_object(request)
        page_id = request.path_params["page_id"]
        key = self._entry_key(page_id, request.path_params["property_id"])
        version = int(_required(body, "version", "number"))
        return JSONResponse(
            v2_property(self.store.set_property(page_id, key, body.get("value"), version))
        )

    async def delete_property(self, request: Request) -> Response:
        page_id = request.path_params["page_id"]
        self.store.delete_property(
            page_id, self._entry_key(page_id, request.path_params["property_id"])
        )
        return Response(status_code=204)

    def routes(self) -> list[Route]:
        """v2 routes, under ``/wiki/api/v2`` as on Cloud."""
        v2 = [
            ("/spaces", self.list_spaces, ["GET"]),
            ("/pages", self.list_pages, ["GET"]),
            ("/pages", self.create_page, ["POST"]),
            ("/pages/{page_id}", self.get_page, ["GET"]),
            ("/pages/{page_id}", self.update_page, ["PUT"]),
            ("/pages/{page_id}/labels", self.page_labels, ["GET"]),
            ("/pages/{page_id}/properties", self.list_properties, ["GET"]),
            ("/pages/{page_id}/properties", self.create_property, ["POST"]),
            ("/pages/{page_id}/properties/{property_id}", self.update_property, ["PUT"]),
            ("/pages/{page_id}/properties/{property_id}", self.delete_property, ["DELETE"]),
        ]
        return [
            Route(f"/wiki/api/v2{path}", _guarded(handler, _v2_error), methods=methods)
            for path, handler, methods in v2
        ]


def confluence_routes(store: PageStore) -> list[Route]:
    """Routes relative to the Confluence prefix (``/confluence``)."""
    return _V1(store).routes() + _V2(store).routes()
