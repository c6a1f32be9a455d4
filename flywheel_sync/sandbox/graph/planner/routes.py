"""Planner's routes below ``/graph/v1.0``, and the handlers of its writes.

Writes answer as Planner does (graph-wire.md §1):

- ``POST`` → 201 with the new object (``@odata.context``, ``@odata.etag``).
- ``PATCH`` → 204 No Content; with ``Prefer: return=representation`` → 200 with the whole
  object, its new ETag and the service-computed order hints, and ``Preference-Applied``.
- ``DELETE`` → 204.

One route per path answers every method, so a method Planner does not offer there is Graph's
405 body rather than Starlette's plain text, and the request counters see one pattern per path.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from flywheel_sync.sandbox.graph.planner.plan_writes import PlanWrites
from flywheel_sync.sandbox.graph.planner.reads import PlannerReads, entity_body
from flywheel_sync.sandbox.graph.planner.store import PlannerObject, PlannerStore
from flywheel_sync.sandbox.graph.planner.task_writes import TaskWrites
from flywheel_sync.sandbox.graph.wire import GraphError, guarded, json_object
from flywheel_sync.sandbox.handlers import Handler

__all__ = ["planner_routes"]

_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]


def _prefers_representation(request: Request) -> bool:
    preferences = request.headers.get("prefer", "")
    return any(
        part.strip().replace(" ", "").casefold() == "return=representation"
        for part in preferences.split(",")
    )


class PlannerWriteHandlers:
    """The POST, PATCH and DELETE handlers over one store."""

    def __init__(self, store: PlannerStore) -> None:
        self.store = store
        self.plans = PlanWrites(store)
        self.tasks = TaskWrites(store)

    def _created(self, request: Request, found: PlannerObject, entity_set: str) -> Response:
        with self.store.lock:
            body = entity_body(self.store, request, found, f"{entity_set}/$entity")
            return JSONResponse(body, status_code=201, headers={"ETag": found.etag})

    def _updated(self, request: Request, found: PlannerObject, fragment: str) -> Response:
        if not _prefers_representation(request):
            return Response(status_code=204)
        with self.store.lock:
            body = entity_body(self.store, request, found, fragment)
            headers = {"ETag": found.etag, "Preference-Applied": "return=representation"}
            return JSONResponse(body, headers=headers)

    async def create_plan(self, request: Request) -> Response:
        """``POST /planner/plans``."""
        found = self.plans.create_plan(await json_object(request))
        return self._created(request, found, "planner/plans")

    async def update_plan(self, request: Request) -> Response:
        """``PATCH /planner/plans/{plan_id}``."""
        body = await json_object(request)
        found = self.plans.update_plan(_id(request, "plan_id"), _if_match(request), body)
        return self._updated(request, found, "planner/plans/$entity")

    async def delete_plan(self, request: Request) -> Response:
        """``DELETE /planner/plans/{plan_id}``."""
        self.plans.delete_plan(_id(request, "plan_id"), _if_match(request))
        return Response(status_code=204)

    async def update_plan_details(self, request: Request) -> Response:
        """``PATCH /planner/plans/{plan_id}/details``."""
        plan_id = _id(request, "plan_id")
        body = await json_object(request)
        found = self.plans.update_plan_details(plan_id, _if_match(request), body)
        return self._updated(request, found, f"planner/plans('{plan_id}')/details/$entity")

    async def create_bucket(self, request: Request) -> Response:
        """``POST /planner/buckets``."""
        found = self.plans.create_bucket(await json_object(request))
        return self._created(request, found, "planner/buckets")

    async def update_bucket(self, request: Request) -> Response:
        """``PATCH /planner/buckets/{bucket_id}``."""
        body = await json_object(request)
        found = self.plans.update_bucket(_id(request, "bucket_id"), _if_match(request), body)
        return self._updated(request, found, "planner/buckets/$entity")

    async def delete_bucket(self, request: Request) -> Response:
        """``DELETE /planner/buckets/{bucket_id}``."""
        self.plans.delete_bucket(_id(request, "bucket_id"), _if_match(request))
        return Response(status_code=204)

    async def create_task(self, request: Request) -> Response:
        """``POST /planner/tasks``."""
        found = self.tasks.create_task(await json_object(request))
        return self._created(request, found, "planner/tasks")

    async def update_task(self, request: Request) -> Response:
        """``PATCH /planner/tasks/{task_id}``."""
        body = await json_object(request)
        found = self.tasks.update_task(_id(request, "task_id"), _if_match(request), body)
        return self._updated(request, found, "planner/tasks/$entity")

    async def delete_task(self, request: Request) -> Response:
        """``DELETE /planner/tasks/{task_id}``."""
        self.tasks.delete_task(_id(request, "task_id"), _if_match(request))
        return Response(status_code=204)

    async def update_task_details(self, request: Request) -> Response:
        """``PATCH /planner/tasks/{task_id}/details``."""
        task_id = _id(request, "task_id")
        body = await json_object(request)
        found = self.tasks.update_details(task_id, _if_match(request), body)
        return self._updated(request, found, f"planner/tasks('{task_id}')/details/$entity")

    async def update_board_format(self, request: Request) -> Response:
        """``PATCH /planner/tasks/{task_id}/bucketTaskBoardFormat``."""
        task_id = _id(request, "task_id")
        body = await json_object(request)
        found = self.tasks.update_board_format(task_id, _if_match(request), body)
        fragment = f"planner/tasks('{task_id}')/bucketTaskBoardFormat/$entity"
        return self._updated(request, found, fragment)


def _id(request: Request, key: str) -> str:
    return str(request.path_params[key])


def _if_match(request: Request) -> str | None:
    return request.headers.get("if-match")


def _route(path: str, handlers: Mapping[str, Handler]) -> Route:
    """One path with a handler per method; other methods get Graph's 405."""

    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        handler = handlers.get(method)
        if handler is None:
            message = f"The requested resource does not support http method '{request.method}'."
            raise GraphError(405, "", message)
        return await handler(request)

    return Route(path, guarded(dispatch), methods=_METHODS)


def planner_routes(store: PlannerStore, *, page_size: int) -> list[BaseRoute]:
    """Routes relative to ``/graph/v1.0``; task lists answer ``page_size`` tasks a page."""
    reads = PlannerReads(store, page_size=page_size)
    writes = PlannerWriteHandlers(store)
    table: dict[str, dict[str, Handler]] = {
        "/groups/{group_id}/planner/plans": {"GET": reads.group_plans},
        "/me/planner/tasks": {"GET": reads.my_planner},
        "/me/planner/plans": {"GET": reads.my_planner},
        "/users/{user_id}/planner/tasks": {"GET": reads.user_tasks},
        "/planner/plans": {"POST": writes.create_plan},
        "/planner/plans/{plan_id}": {
            "GET": reads.plan,
            "PATCH": writes.update_plan,
            "DELETE": writes.delete_plan,
        },
        "/planner/plans/{plan_id}/details": {
            "GET": reads.plan_details,
            "PATCH": writes.update_plan_details,
        },
        "/planner/plans/{plan_id}/buckets": {"GET": reads.plan_buckets},
        "/planner/plans/{plan_id}/tasks": {"GET": reads.plan_tasks},
        "/planner/buckets": {"POST": writes.create_bucket},
        "/planner/buckets/{bucket_id}": {
            "GET": reads.bucket,
            "PATCH": writes.update_bucket,
            "DELETE": writes.delete_bucket,
        },
        "/planner/buckets/{bucket_id}/tasks": {"GET": reads.bucket_tasks},
        "/planner/tasks": {"POST": writes.create_task},
        "/planner/tasks/{task_id}": {
            "GET": reads.task,
            "PATCH": writes.update_task,
            "DELETE": writes.delete_task,
        },
        "/planner/tasks/{task_id}/details": {
            "GET": reads.task_details,
            "PATCH": writes.update_task_details,
        },
        "/planner/tasks/{task_id}/bucketTaskBoardFormat": {
            "GET": reads.board_format,
            "PATCH": writes.update_board_format,
        },
    }
    return [_route(path, handlers) for path, handlers in table.items()]
