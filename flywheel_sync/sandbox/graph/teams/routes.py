"""STUB (to be replaced): Teams routes below ``/graph/v1.0``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from flywheel_sync.sandbox.graph.teams.store import TeamsStore

__all__ = ["teams_routes"]


def teams_routes(store: TeamsStore) -> list[BaseRoute]:
    """Routes relative to ``/graph/v1.0``."""
    return []
