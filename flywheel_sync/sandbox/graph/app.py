"""The Graph emulator's routes below ``/graph/v1.0``: Planner, Teams, the directory, ``$batch``."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from flywheel_sync.sandbox.demo import DemoOrganisation
from flywheel_sync.sandbox.graph.batch import batch_routes
from flywheel_sync.sandbox.graph.directory import directory_routes
from flywheel_sync.sandbox.graph.planner.routes import planner_routes
from flywheel_sync.sandbox.graph.planner.store import PlannerStore
from flywheel_sync.sandbox.graph.teams.routes import teams_routes
from flywheel_sync.sandbox.graph.teams.store import TeamsStore
from flywheel_sync.sandbox.graph.wire import graph_error

__all__ = ["GRAPH_ROOT", "graph_routes"]

GRAPH_ROOT = "/graph/v1.0"
"""Where the sandbox serves Graph: the SDK's ``base_url`` is the sandbox URL plus this."""


def graph_routes(
    *,
    planner: PlannerStore,
    teams: TeamsStore,
    organisation: Callable[[], DemoOrganisation],
    planner_page_size: int,
    sandbox: Callable[[], ASGIApp],
) -> list[BaseRoute]:
    """Routes relative to `GRAPH_ROOT`; ``sandbox()`` serves the steps of a ``$batch``."""
    return [
        *batch_routes(sandbox, graph_root=GRAPH_ROOT),
        *directory_routes(organisation),
        *planner_routes(planner, page_size=planner_page_size),
        *teams_routes(teams),
        Route("/{segments:path}", _unknown_segment, methods=list(_ALL_METHODS)),
    ]


_ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


async def _unknown_segment(request: Request) -> Response:
    """Graph's answer to a path it has no resource for: 400, naming the segment."""
    segment = request.path_params["segments"].rstrip("/").rsplit("/", 1)[-1]
    return graph_error(400, "BadRequest", f"Resource not found for the segment '{segment}'.")
