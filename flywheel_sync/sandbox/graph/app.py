"""The Graph emulator's routes below ``/graph/v1.0``: Planner, Teams, the directory, ``$batch``."""

from __future__ import annotations

from collections.abc import Callable

from starlette.routing import BaseRoute

from flywheel_sync.sandbox.demo import DemoOrganisation
from flywheel_sync.sandbox.graph.directory import directory_routes
from flywheel_sync.sandbox.graph.planner.routes import planner_routes
from flywheel_sync.sandbox.graph.planner.store import PlannerStore
from flywheel_sync.sandbox.graph.teams.routes import teams_routes
from flywheel_sync.sandbox.graph.teams.store import TeamsStore

__all__ = ["GRAPH_ROOT", "graph_routes"]

GRAPH_ROOT = "/graph/v1.0"
"""Where the sandbox serves Graph: the SDK's ``base_url`` is the sandbox URL plus this."""


def graph_routes(
    *,
    planner: PlannerStore,
    teams: TeamsStore,
    organisation: Callable[[], DemoOrganisation],
    planner_page_size: int,
) -> list[BaseRoute]:
    """Routes relative to `GRAPH_ROOT`."""
    return [
        *directory_routes(organisation),
        *planner_routes(planner, page_size=planner_page_size),
        *teams_routes(teams),
    ]
