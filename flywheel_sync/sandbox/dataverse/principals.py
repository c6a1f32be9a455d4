"""Who is calling: the Project-licensed user or the application user, told by their token.

Dataverse knows both as ``systemuser`` rows. Only a user with a Project licence may call the
Project Schedule APIs; application, system and integration users may not
(schedule-api-preview.md, "Limitations"). Both may read the tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from flywheel_sync.sandbox.demo.identifiers import guid
from flywheel_sync.sandbox.services import SandboxCredentials

__all__ = ["APPLICATION_USER", "LICENSED_USER", "Principal", "caller"]


@dataclass(frozen=True, kw_only=True)
class Principal:
    """A Dataverse user."""

    name: str
    systemuser_id: str
    aad_id: str
    """The Microsoft Entra object id (``msdyn_operationset.msdyn_useraadid``)."""
    licensed: bool


LICENSED_USER = Principal(
    name="PMO Sync",
    systemuser_id=guid("dataverse/systemuser/pmo-sync"),
    aad_id=guid("entra/user/pmo-sync"),
    licensed=True,
)
APPLICATION_USER = Principal(
    name="# flywheel-sync",
    systemuser_id=guid("dataverse/systemuser/flywheel-sync-app"),
    aad_id=guid("entra/serviceprincipal/flywheel-sync"),
    licensed=False,
)


def caller(request: Request, credentials: SandboxCredentials) -> Principal:
    """The user behind the request's bearer token (the edge has already checked it)."""
    _, _, token = request.headers.get("authorization", "").partition(" ")
    return APPLICATION_USER if token == credentials.dataverse_app_token else LICENSED_USER
