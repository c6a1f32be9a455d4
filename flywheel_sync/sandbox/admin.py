"""``/_sandbox/*``: the operator's side of the sandbox (stats, faults, reset, inbox).

Admin routes need no credentials and are never throttled, faulted or counted, so tests and
benchmarks can always read and steer the sandbox, even while it is misbehaving on purpose.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flywheel_sync.sandbox.faults import Faults, FaultSettings
from flywheel_sync.sandbox.stats import RequestStats
from flywheel_sync.sandbox.workflows.inbox import WorkflowsInbox

__all__ = ["admin_routes"]


def admin_routes(
    *, stats: RequestStats, faults: Faults, inbox: WorkflowsInbox, reset: Callable[[], None]
) -> list[Route]:
    """The admin endpoints, bound to one sandbox's state."""

    async def get_inbox(request: Request) -> Response:
        return JSONResponse(inbox.snapshot())

    async def get_stats(request: Request) -> Response:
        return JSONResponse(stats.snapshot())

    async def post_reset(request: Request) -> Response:
        reset()
        stats.reset()
        return JSONResponse({"reset": True})

    async def get_faults(request: Request) -> Response:
        return JSONResponse(faults.settings.model_dump())

    async def post_faults(request: Request) -> Response:
        try:
            body = await request.json()
            changes = FaultSettings.model_validate(body)
        except ValueError as error:
            detail = (
                [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
                if isinstance(error, ValidationError)
                else ["the body must be a JSON object"]
            )
            return JSONResponse({"errors": detail}, status_code=400)
        return JSONResponse(faults.update(changes, changes.model_fields_set).model_dump())

    return [
        Route("/_sandbox/stats", get_stats, methods=["GET"]),
        Route("/_sandbox/reset", post_reset, methods=["POST"]),
        Route("/_sandbox/faults", get_faults, methods=["GET"]),
        Route("/_sandbox/faults", post_faults, methods=["POST"]),
        Route("/_sandbox/inbox", get_inbox, methods=["GET"]),
    ]
