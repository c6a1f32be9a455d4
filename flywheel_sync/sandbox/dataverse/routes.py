"""The Dataverse emulator's routes, relative to ``/dataverse/api/data/v9.2``.

The service document (``GET /``) lists the entity sets; every table has a collection and a
row route; every Project Schedule API action has a ``POST`` route. Anything else is what
Dataverse answers for a name it does not know: 404 ``0x8006088a`` "Resource not found for
the segment 'x'." (web-api-client-errors); an action reached with another method than
``POST`` answers "No HTTP resource was found that matches the request URI" (same source).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from flywheel_sync.sandbox.dataverse.entity_sets import EntitySets
from flywheel_sync.sandbox.dataverse.schedule_api import ACTIONS, ScheduleApi
from flywheel_sync.sandbox.dataverse.store import DataverseStore
from flywheel_sync.sandbox.dataverse.tables import TABLES
from flywheel_sync.sandbox.dataverse.wire import DataverseError, guarded, odata_json, service_root
from flywheel_sync.sandbox.services import SandboxCredentials

__all__ = ["dataverse_routes"]

_OTHER_METHODS = ["GET", "PUT", "PATCH", "DELETE"]
_EVERY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def dataverse_routes(store: DataverseStore, *, credentials: SandboxCredentials) -> list[BaseRoute]:
    """Routes relative to ``/dataverse/api/data/v9.2``.

    ``credentials`` tell the licensed user's token from the application user's.
    """
    routes: list[BaseRoute] = [Route("/", service_document, methods=["GET"])]
    routes += EntitySets(store, credentials=credentials).routes()
    routes += ScheduleApi(store, credentials=credentials).routes()
    routes += [
        Route(f"/{action}", guarded(no_resource), methods=_OTHER_METHODS) for action in ACTIONS
    ]
    routes.append(Route("/{rest:path}", guarded(unknown_segment), methods=_EVERY_METHOD))
    return routes


async def service_document(request: Request) -> Response:
    """The entity sets the sandbox serves, as Dataverse's service document lists them."""
    root = service_root(request)
    sets = [
        {"name": table.entity_set, "kind": "EntitySet", "url": table.entity_set}
        for table in TABLES.values()
    ]
    return odata_json({"@odata.context": f"{root}/$metadata", "value": sets})


async def no_resource(request: Request) -> Response:
    """An action reached with a method it does not take."""
    raise DataverseError(
        404, "", f"No HTTP resource was found that matches the request URI '{request.url}'."
    )


async def unknown_segment(request: Request) -> Response:
    """A path naming no entity set or action the sandbox knows."""
    segment = request.path_params["rest"].split("/")[0].split("(")[0]
    raise DataverseError(404, "0x8006088a", f"Resource not found for the segment '{segment}'.")
