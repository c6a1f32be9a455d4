"""Groups, users and the team behind the group, below ``/graph/v1.0``.

The sandbox's Graph token is app-only (client credentials), so every ``/me`` path answers
what Graph answers such a token: 400 ``BadRequest`` "/me request is only valid with delegated
authentication flow." Callers read users by id or userPrincipalName instead (graph-wire.md
§5). The demo has one Microsoft 365 group, the one behind the PMO team.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from flywheel_sync.sandbox.demo import DemoOrganisation
from flywheel_sync.sandbox.graph.directory_objects import (
    GROUP,
    USER,
    JsonObject,
    group_of,
    team_of,
    users_of,
)
from flywheel_sync.sandbox.graph.odata import (
    FilterPolicy,
    context_url,
    matches,
    parse_filter,
    project,
    refuse_unsupported_options,
    selected,
)
from flywheel_sync.sandbox.graph.wire import GraphError, guarded

__all__ = ["directory_routes", "team_not_found"]

_ME_IS_DELEGATED = "/me request is only valid with delegated authentication flow."
_GROUP_FILTERS = FilterPolicy(
    resource="Group",
    operators={
        "eq": frozenset(
            {"displayName", "mail", "mailNickname", "id", "mailEnabled", "securityEnabled"}
        ),
        "startswith": frozenset({"displayName", "mail", "mailNickname"}),
        "any": frozenset({"groupTypes", "resourceProvisioningOptions", "proxyAddresses"}),
    },
    code="Request_UnsupportedQuery",
)
_DIRECTORY_PAGE_SIZES = range(1, 1000)
"""Directory lists take ``$top`` from 1 to 999."""
_NOT_EMULATED = ("$count", "$search", "$orderby", "$expand")
"""Options Graph's directory honours (some only with ``ConsistencyLevel: eventual``) and the
sandbox does not: refused in the sandbox's own words rather than silently ignored."""


def _not_found(key: str) -> GraphError:
    return GraphError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{key}' does not exist or one of its queried reference-property objects "
        "are not present.",
    )


def team_not_found(team_id: str) -> GraphError:
    """Teams' 404 for an id that is no team (also an id that is a group without one)."""
    return GraphError(404, "ItemNotFound", f"No team found with Group Id {team_id}")


def _refuse_not_emulated(request: Request) -> None:
    for name in request.query_params:
        if name.lower() in _NOT_EMULATED:
            raise GraphError(
                400,
                "Request_UnsupportedQuery",
                f"The sandbox does not emulate {name} on {request.url.path}.",
            )


def _top(request: Request) -> int | None:
    raw = request.query_params.get("$top")
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) not in _DIRECTORY_PAGE_SIZES:
        raise GraphError(
            400,
            "Request_BadRequest",
            f"Invalid page size specified: '{raw}'. Must be between 1 and 999 inclusive.",
        )
    return int(raw)


class _Directory:
    """The handlers, over whichever organisation the sandbox holds at the time of a request."""

    def __init__(self, organisation: Callable[[], DemoOrganisation]) -> None:
        self.organisation = organisation

    async def list_groups(self, request: Request) -> Response:
        _refuse_not_emulated(request)
        refuse_unsupported_options(request, ("$filter", "$select", "$top"))
        names = selected(request, GROUP.known, GROUP.name, "Request_BadRequest")
        raw_filter = request.query_params.get("$filter")
        clauses = [] if raw_filter is None else parse_filter(raw_filter, _GROUP_FILTERS)
        top = _top(request)
        groups = [group_of(self.organisation())]
        found = [GROUP.shape(g, names) for g in groups if matches(g, clauses)][:top]
        return JSONResponse(
            {"@odata.context": context_url(request, "groups", names), "value": found}
        )

    def _group(self, group_id: str) -> JsonObject:
        group = group_of(self.organisation())
        if group_id.lower() != str(group["id"]).lower():
            raise _not_found(group_id)
        return group

    async def get_group(self, request: Request) -> Response:
        _refuse_not_emulated(request)
        refuse_unsupported_options(request, ("$select",))
        names = selected(request, GROUP.known, GROUP.name, "Request_BadRequest")
        group = self._group(request.path_params["group_id"])
        return JSONResponse(
            {
                "@odata.context": context_url(request, "groups/$entity", names),
                **GROUP.shape(group, names),
            }
        )

    def _team(self, team_id: str) -> JsonObject:
        organisation = self.organisation()
        if team_id.lower() != organisation.group_id.lower():
            raise team_not_found(team_id)
        return team_of(organisation)

    def _team_response(self, request: Request, team_id: str, fragment: str) -> Response:
        _refuse_not_emulated(request)
        refuse_unsupported_options(request, ("$select",))
        team = self._team(team_id)
        names = selected(request, team, "microsoft.graph.team", "BadRequest")
        return JSONResponse(
            {"@odata.context": context_url(request, fragment, names), **project(team, names)}
        )

    async def get_group_team(self, request: Request) -> Response:
        group_id = request.path_params["group_id"]
        return self._team_response(request, group_id, f"groups('{group_id}')/team/$entity")

    async def get_team(self, request: Request) -> Response:
        return self._team_response(request, request.path_params["team_id"], "teams/$entity")

    async def get_user(self, request: Request) -> Response:
        _refuse_not_emulated(request)
        refuse_unsupported_options(request, ("$select",))
        names = selected(request, USER.known, USER.name, "Request_BadRequest")
        key = request.path_params["user_id"]
        user = next(
            (
                u
                for u in users_of(self.organisation())
                if key.lower() in (str(u["id"]).lower(), str(u["userPrincipalName"]).lower())
            ),
            None,
        )
        if user is None:
            raise _not_found(key)
        return JSONResponse(
            {
                "@odata.context": context_url(request, "users/$entity", names),
                **USER.shape(user, names),
            }
        )

    async def me(self, request: Request) -> Response:
        raise GraphError(400, "BadRequest", _ME_IS_DELEGATED)


def directory_routes(organisation: Callable[[], DemoOrganisation]) -> list[BaseRoute]:
    """Routes relative to ``/graph/v1.0``; ``organisation`` gives the current seeded data."""
    directory = _Directory(organisation)
    return [
        Route("/groups", guarded(directory.list_groups), methods=["GET"]),
        Route("/groups/{group_id}", guarded(directory.get_group), methods=["GET"]),
        Route("/groups/{group_id}/team", guarded(directory.get_group_team), methods=["GET"]),
        Route("/teams/{team_id}", guarded(directory.get_team), methods=["GET"]),
        Route("/users/{user_id}", guarded(directory.get_user), methods=["GET"]),
        Route("/me", guarded(directory.me), methods=["GET"]),
        Route("/me/joinedTeams", guarded(directory.me), methods=["GET"]),
    ]
