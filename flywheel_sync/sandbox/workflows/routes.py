"""STUB (to be replaced): Workflows webhook routes below ``/workflows``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from flywheel_sync.sandbox.workflows.inbox import WorkflowsInbox

__all__ = ["workflows_routes"]


def workflows_routes(inbox: WorkflowsInbox, *, signature: str) -> list[BaseRoute]:
    """Routes relative to ``/workflows``."""
    return []
