"""Planner's read endpoints: single objects and server-paged lists.

Single reads answer the object with ``@odata.context`` and ``@odata.etag`` in the body and the
ETag in an ``ETag`` header. Lists answer ``{"@odata.context", "@odata.nextLink"?, "value"}``.
An unknown plan, bucket, task, group or user is Planner's 404.

The sandbox's Graph token is app-only (client credentials), so ``/me/planner/...`` answers
what Graph answers an application: 400 ``BadRequest`` "/me request is only valid with delegated
authentication flow." (msgraph-sdk-php#1163); ``/users/{id}/planner/tasks`` is the app-only way.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from flywheel_sync.sandbox.graph.planner.errors import not_found
from flywheel_sync.sandbox.graph.planner.kinds import PlannerKind
from flywheel_sync.sandbox.graph.planner.queries import (
    ReadOptions,
    context_url,
    page_of,
    read_options,
    render,
)
from flywheel_sync.sandbox.graph.planner.store import JsonObject, PlannerObject, PlannerStore
from flywheel_sync.sandbox.graph.wire import GraphError

__all__ = ["DELEGATED_ONLY", "GRAPH_PAGE_SIZE", "PlannerReads", "entity_body"]

DELEGATED_ONLY = "/me request is only valid with delegated authentication flow."
GRAPH_PAGE_SIZE = 400
"""Graph's own page size (graph-wire.md §1): plans and buckets never reach it (limits 200-400)."""

Items = Callable[[], list[PlannerObject]]


def entity_body(
    store: PlannerStore,
    request: Request,
    found: PlannerObject,
    fragment: str,
    options: ReadOptions | None = None,
) -> JsonObject:
    """One object with its ``@odata.context`` (the caller holds the lock)."""
    options = options or ReadOptions()
    context = context_url(request, fragment, options)
    return {"@odata.context": context, **render(store, found, options)}


class PlannerReads:
    """The GET handlers over one store.

    Task lists answer ``page_size`` tasks a page (the sandbox's knob, 400 by default as in
    Graph); plan and bucket lists use Graph's size, which their limits never reach.
    """

    def __init__(self, store: PlannerStore, *, page_size: int) -> None:
        self.store = store
        self.page_size = page_size

    def _single(self, request: Request, kind: PlannerKind, fragment: str, key: str) -> Response:
        options = read_options(request, kind)
        with self.store.lock:
            found = self.store.require(kind, request.path_params[key])
            body = entity_body(self.store, request, found, fragment, options)
            return JSONResponse(body, headers={"ETag": found.etag})

    def _list(self, request: Request, kind: PlannerKind, fragment: str, items: Items) -> Response:
        options = read_options(request, kind)
        size = self.page_size if kind is PlannerKind.TASK else GRAPH_PAGE_SIZE
        with self.store.lock:
            page, link = page_of(items(), request, size)
            body: JsonObject = {"@odata.context": context_url(request, fragment, options)}
            if link is not None:
                body["@odata.nextLink"] = link
            body["value"] = [render(self.store, found, options) for found in page]
            return JSONResponse(body)

    # ---- single objects

    async def plan(self, request: Request) -> Response:
        """``GET /planner/plans/{plan_id}``."""
        return self._single(request, PlannerKind.PLAN, "planner/plans/$entity", "plan_id")

    async def plan_details(self, request: Request) -> Response:
        """``GET /planner/plans/{plan_id}/details``."""
        plan_id = request.path_params["plan_id"]
        fragment = f"planner/plans('{plan_id}')/details/$entity"
        return self._single(request, PlannerKind.PLAN_DETAILS, fragment, "plan_id")

    async def bucket(self, request: Request) -> Response:
        """``GET /planner/buckets/{bucket_id}``."""
        return self._single(request, PlannerKind.BUCKET, "planner/buckets/$entity", "bucket_id")

    async def task(self, request: Request) -> Response:
        """``GET /planner/tasks/{task_id}``."""
        return self._single(request, PlannerKind.TASK, "planner/tasks/$entity", "task_id")

    async def task_details(self, request: Request) -> Response:
        """``GET /planner/tasks/{task_id}/details``."""
        task_id = request.path_params["task_id"]
        fragment = f"planner/tasks('{task_id}')/details/$entity"
        return self._single(request, PlannerKind.TASK_DETAILS, fragment, "task_id")

    async def board_format(self, request: Request) -> Response:
        """``GET /planner/tasks/{task_id}/bucketTaskBoardFormat``."""
        task_id = request.path_params["task_id"]
        fragment = f"planner/tasks('{task_id}')/bucketTaskBoardFormat/$entity"
        return self._single(request, PlannerKind.BOARD_FORMAT, fragment, "task_id")

    # ---- lists

    def _owned(self, parent: PlannerKind, parent_id: str, kind: PlannerKind, field: str) -> Items:
        def items() -> list[PlannerObject]:
            self.store.require(parent, parent_id)
            return self.store.children(kind, field, parent_id)

        return items

    async def group_plans(self, request: Request) -> Response:
        """``GET /groups/{group_id}/planner/plans``: the plans the group contains."""
        group_id = request.path_params["group_id"]

        def items() -> list[PlannerObject]:
            if group_id not in self.store.groups:
                raise not_found()
            plans = self.store.objects(PlannerKind.PLAN)
            return [
                p for p in plans if (p.body.get("container") or {}).get("containerId") == group_id
            ]

        fragment = f"groups('{group_id}')/planner/plans"
        return self._list(request, PlannerKind.PLAN, fragment, items)

    async def plan_buckets(self, request: Request) -> Response:
        """``GET /planner/plans/{plan_id}/buckets``."""
        plan_id = request.path_params["plan_id"]
        items = self._owned(PlannerKind.PLAN, plan_id, PlannerKind.BUCKET, "planId")
        return self._list(request, PlannerKind.BUCKET, f"planner/plans('{plan_id}')/buckets", items)

    async def plan_tasks(self, request: Request) -> Response:
        """``GET /planner/plans/{plan_id}/tasks``."""
        plan_id = request.path_params["plan_id"]
        items = self._owned(PlannerKind.PLAN, plan_id, PlannerKind.TASK, "planId")
        return self._list(request, PlannerKind.TASK, f"planner/plans('{plan_id}')/tasks", items)

    async def bucket_tasks(self, request: Request) -> Response:
        """``GET /planner/buckets/{bucket_id}/tasks``."""
        bucket_id = request.path_params["bucket_id"]
        items = self._owned(PlannerKind.BUCKET, bucket_id, PlannerKind.TASK, "bucketId")
        fragment = f"planner/buckets('{bucket_id}')/tasks"
        return self._list(request, PlannerKind.TASK, fragment, items)

    async def user_tasks(self, request: Request) -> Response:
        """``GET /users/{user_id}/planner/tasks``: tasks assigned to the user (id or UPN)."""
        named = request.path_params["user_id"]

        def items() -> list[PlannerObject]:
            user_id = self.store.user_id(named)
            if user_id is None:
                raise not_found()
            tasks = self.store.objects(PlannerKind.TASK)
            return [t for t in tasks if user_id in (t.body.get("assignments") or {})]

        return self._list(request, PlannerKind.TASK, f"users('{named}')/planner/tasks", items)

    async def my_planner(self, request: Request) -> Response:
        """``GET /me/planner/tasks`` and ``/me/planner/plans``: refused to an app-only token."""
        raise GraphError(400, "BadRequest", DELEGATED_ONLY)
