"""STUB (to be replaced): Dataverse routes below ``/dataverse/api/data/v9.2``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from flywheel_sync.sandbox.dataverse.store import DataverseStore
from flywheel_sync.sandbox.services import SandboxCredentials

__all__ = ["dataverse_routes"]


def dataverse_routes(store: DataverseStore, *, credentials: SandboxCredentials) -> list[BaseRoute]:
    """Routes relative to ``/dataverse/api/data/v9.2``.

    ``credentials`` tell the licensed user's token from the application user's.
    """
    return []
