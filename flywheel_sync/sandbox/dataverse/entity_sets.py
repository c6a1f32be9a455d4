"""The tables over OData: collections, rows by key, and plain Web API writes.

Reads are open to both users. A collection pages with ``Prefer: odata.maxpagesize`` (5,000
rows by default) and an ``@odata.nextLink`` carrying a ``$skiptoken``; ``$top`` limits the
rows instead of paging (query/overview.md: "Don't use $top when you request pages");
``$count=true`` adds ``@odata.count`` (at most 5,000, count-rows.md).

Writes to scheduling tables must go through the Project Schedule APIs: a plain ``POST``,
``PATCH`` or ``DELETE`` is refused by Project's plug-in, 400 ``0x80040265`` "We're sorry. You
cannot directly do 'Update' operation to 'msdyn_project'. Try editing it through the Re..."
(observed, with a typographic apostrophe; the end of the sentence is completed from memory).
The documented exceptions are a ``POST`` of a project (created without a default bucket) or
of a team member (schedule-api-preview.md). A ``PATCH`` of a missing row is an upsert, so it
is refused as a 'Create'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from flywheel_sync.sandbox.dataverse.entity_payload import read_entity
from flywheel_sync.sandbox.dataverse.odata.options import (
    CollectionQuery,
    read_collection_query,
    read_entity_select,
)
from flywheel_sync.sandbox.dataverse.odata.ordering import sort_rows
from flywheel_sync.sandbox.dataverse.odata.paging import PageCookie
from flywheel_sync.sandbox.dataverse.odata.preferences import DEFAULT_PAGE_SIZE, Preferences
from flywheel_sync.sandbox.dataverse.operation_sets import OperationKind
from flywheel_sync.sandbox.dataverse.principals import caller
from flywheel_sync.sandbox.dataverse.representation import RowView, context_url
from flywheel_sync.sandbox.dataverse.store import DataverseStore
from flywheel_sync.sandbox.dataverse.tables import PROJECT, TABLES, Table
from flywheel_sync.sandbox.dataverse.wire import (
    DataverseError,
    Handler,
    guarded,
    odata_json,
    parse_guid,
    read_json,
    record_not_found,
    service_root,
)
from flywheel_sync.sandbox.services import SandboxCredentials

__all__ = ["EntitySets", "method_not_allowed"]

Row = Mapping[str, Any]
_TOTAL = "Microsoft.Dynamics.CRM.totalrecordcount"
_TOTAL_EXCEEDED = "Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"
_LINK_SAFE = "$,()'=:@/"


def method_not_allowed(request: Request) -> DataverseError:
    """405 for a method a resource does not support (ASP.NET Web API's wording)."""
    return DataverseError(
        405, "", f"The requested resource does not support http method '{request.method}'."
    )


class EntitySets:
    """Routes of every emulated table: ``/<set>`` and ``/<set>(<key>)``."""

    def __init__(self, store: DataverseStore, *, credentials: SandboxCredentials) -> None:
        self.store = store
        self.credentials = credentials

    def routes(self) -> list[Route]:
        """Two paths per table; methods a path does not serve answer 405."""
        routes: list[Route] = []
        for table in TABLES.values():
            collection, row = f"/{table.entity_set}", f"/{table.entity_set}({{key}})"
            routes += [
                Route(collection, guarded(self._list(table)), methods=["GET"]),
                Route(collection, guarded(self._create(table)), methods=["POST"]),
                Route(row, guarded(self._get(table)), methods=["GET"]),
                Route(row, guarded(self._change(table)), methods=["PATCH", "DELETE"]),
                Route(collection, guarded(_refuse), methods=["PUT", "PATCH", "DELETE"]),
                Route(row, guarded(_refuse), methods=["PUT", "POST"]),
            ]
        return routes

    def _list(self, table: Table) -> Handler:
        async def list_rows(request: Request) -> Response:
            query = read_collection_query(request.query_params.multi_items(), table)
            preferences = Preferences.read(request.headers.getlist("prefer"))
            wants = preferences.wants()
            view = RowView(table, select=query.select, wants=wants, name_of=self.store.name_of)
            with self.store.lock:
                rows = self.store.rows(table)
                matched = [row for row in rows if query.test is None or query.test(row)]
                ordered = sort_rows(matched, query.order, self.store.name_of)
                page, cookie = _page(ordered, query, preferences, table)
                value = [
                    view.render(r, self.store.version(table, r[table.primary_key])) for r in page
                ]
            root = service_root(request)
            body: dict[str, Any] = {
                "@odata.context": context_url(root, table, query.select, entity=False)
            }
            if query.count:
                body["@odata.count"] = min(len(ordered), DEFAULT_PAGE_SIZE)
            if wants(_TOTAL):
                body[f"@{_TOTAL}"] = min(len(ordered), DEFAULT_PAGE_SIZE) if query.count else -1
            if wants(_TOTAL_EXCEEDED):
                body[f"@{_TOTAL_EXCEEDED}"] = query.count and len(ordered) > DEFAULT_PAGE_SIZE
            body["value"] = value
            if cookie is not None:
                body["@odata.nextLink"] = _next_link(request, cookie.token(table.primary_key))
            applied = preferences.applied(paged=query.top is None)
            return odata_json(body, headers={"Preference-Applied": applied} if applied else None)

        return list_rows

    def _get(self, table: Table) -> Handler:
        async def get_row(request: Request) -> Response:
            record_id = _key(request)
            select = read_entity_select(request.query_params.multi_items(), table)
            preferences = Preferences.read(request.headers.getlist("prefer"))
            view = RowView(
                table, select=select, wants=preferences.wants(), name_of=self.store.name_of
            )
            with self.store.lock:
                row = self.store.row(table, record_id)
                if row is None:
                    raise record_not_found(table.logical_name, record_id)
                rendered = view.render(row, self.store.version(table, record_id))
            context = context_url(service_root(request), table, select, entity=True)
            applied = preferences.applied(paged=False)
            return odata_json(
                {"@odata.context": context, **rendered},
                headers={"Preference-Applied": applied} if applied else None,
            )

        return get_row

    def _create(self, table: Table) -> Handler:
        async def create_row(request: Request) -> Response:
            if not table.scheduling:
                raise method_not_allowed(request)
            if not table.web_api_create:
                raise _plug_in_refusal("Create", table)
            body = await read_json(request)
            payload = read_entity(
                body, kind=OperationKind.CREATE, reference=self.store.new_id("detail"), table=table
            )
            user = caller(request, self.credentials)
            with self.store.lock:
                record_id = payload.record_id or self.store.new_id(table.logical_name)
                if table is PROJECT:
                    row = self.store.create_project(
                        payload.values, project_id=record_id, owner=user, with_bucket=False
                    )
                else:
                    row = self.store.create_team_member(payload.values, member_id=record_id)
                rendered = RowView(
                    table, select=None, wants=lambda term: False, name_of=self.store.name_of
                ).render(row, self.store.version(table, record_id))
            root = service_root(request)
            headers = {"OData-EntityId": f"{root}/{table.entity_set}({record_id})"}
            if not Preferences.read(request.headers.getlist("prefer")).return_representation:
                return Response(status_code=204, headers={"OData-Version": "4.0", **headers})
            context = context_url(root, table, None, entity=True)
            headers["Preference-Applied"] = "return=representation"
            return odata_json({"@odata.context": context, **rendered}, status=201, headers=headers)

        return create_row

    def _change(self, table: Table) -> Handler:
        async def change_row(request: Request) -> Response:
            record_id = _key(request)
            if not table.scheduling:
                raise method_not_allowed(request)
            with self.store.lock:
                exists = self.store.row(table, record_id) is not None
            if request.method == "DELETE":
                if not exists:
                    raise record_not_found(table.logical_name, record_id)
                raise _plug_in_refusal("Delete", table)
            raise _plug_in_refusal("Update" if exists else "Create", table)

        return change_row


async def _refuse(request: Request) -> Response:
    raise method_not_allowed(request)


def _plug_in_refusal(operation: str, table: Table) -> DataverseError:
    return DataverseError(
        400,
        "0x80040265",
        f"We\u2019re sorry. You cannot directly do '{operation}' operation to "
        f"'{table.logical_name}'. Try editing it through the Resource editing UI via Project.",
    )


def _key(request: Request) -> str:
    record_id = parse_guid(request.path_params["key"])
    if record_id is None:
        raise DataverseError(400, "0x80060888", "Bad Request - Error in query syntax.")
    return record_id


def _page(
    ordered: Sequence[Row], query: CollectionQuery, preferences: Preferences, table: Table
) -> tuple[Sequence[Row], PageCookie | None]:
    """This request's rows, and the cookie of the next page if there is one."""
    if query.top is not None:
        return ordered[: min(query.top, DEFAULT_PAGE_SIZE)], None
    size = preferences.max_page_size or DEFAULT_PAGE_SIZE
    start, page_number = 0, 1
    if query.cookie is not None:
        page_number = query.cookie.page
        ids = [row[table.primary_key] for row in ordered]
        last = query.cookie.last
        start = ids.index(last) + 1 if last in ids else (page_number - 1) * size
    page = ordered[start : start + size]
    if not page or start + size >= len(ordered):
        return page, None
    key = table.primary_key
    return page, PageCookie(page=page_number + 1, last=page[-1][key], first=page[0][key])


def _next_link(request: Request, token: str) -> str:
    """This request's absolute URL with the next ``$skiptoken`` (``$count`` is not repeated)."""
    kept = [
        (name, value)
        for name, value in request.query_params.multi_items()
        if name not in ("$skiptoken", "$count")
    ]
    query = urlencode([*kept, ("$skiptoken", token)], quote_via=quote, safe=_LINK_SAFE)
    return str(request.url.replace(query=query))
