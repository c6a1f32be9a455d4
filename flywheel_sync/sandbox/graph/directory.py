"""STUB (to be replaced): groups and users below ``/graph/v1.0``."""

from __future__ import annotations

from collections.abc import Callable

from starlette.routing import BaseRoute

from flywheel_sync.sandbox.demo import DemoOrganisation

__all__ = ["directory_routes"]


def directory_routes(organisation: Callable[[], DemoOrganisation]) -> list[BaseRoute]:
    """Routes relative to ``/graph/v1.0``; ``organisation`` gives the current seeded data."""
    return []
