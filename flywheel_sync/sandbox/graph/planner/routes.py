"""STUB (to be replaced): Planner routes below ``/graph/v1.0``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from flywheel_sync.sandbox.graph.planner.store import PlannerStore

__all__ = ["planner_routes"]


def planner_routes(store: PlannerStore, *, page_size: int) -> list[BaseRoute]:
    """Routes relative to ``/graph/v1.0``."""
    return []
