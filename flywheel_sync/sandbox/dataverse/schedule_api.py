"""The Project Schedule APIs: unbound actions that create projects and run operation sets.

``msdyn_CreateProjectV1`` and ``msdyn_CreateTeamMemberV1`` write at once (the project with
its default bucket "Bucket 1"). Everything else goes through an operation set: open it
(``msdyn_CreateOperationSetV1``), stage creates, updates and deletes one entity at a time
(``msdyn_Pss*V1``) or as an ``EntityCollection`` (``...V2``), then execute or abandon it.
``msdyn_ExecuteOperationSetV3`` does all of it in one call, deletes first, then creates, then
updates (scheduling-apis-powerautomate-v3.md). Execution and persistence are the store's.

Only a Project-licensed user may call these actions; the application user gets 403
(schedule-api-preview.md: application, system and integration users cannot use them; the
message is the sandbox's, Dataverse's own was not found).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from flywheel_sync.sandbox.dataverse.actions import (
    action_response,
    guid_parameter,
    operation_result,
    parameters,
    staged_result,
    text_parameter,
)
from flywheel_sync.sandbox.dataverse.entity_payload import read_entity
from flywheel_sync.sandbox.dataverse.operation_sets import Operation, OperationKind, OperationSet
from flywheel_sync.sandbox.dataverse.principals import Principal, caller
from flywheel_sync.sandbox.dataverse.store import DataverseStore
from flywheel_sync.sandbox.dataverse.tables import PROJECT, PROJECT_TEAM, TABLES
from flywheel_sync.sandbox.dataverse.wire import DataverseError, Handler, guarded, read_json
from flywheel_sync.sandbox.services import SandboxCredentials

__all__ = ["ACTIONS", "ScheduleApi"]

ACTIONS = (
    "msdyn_CreateProjectV1",
    "msdyn_CreateTeamMemberV1",
    "msdyn_CreateOperationSetV1",
    "msdyn_PssCreateV1",
    "msdyn_PssCreateV2",
    "msdyn_PssUpdateV1",
    "msdyn_PssUpdateV2",
    "msdyn_PssDeleteV1",
    "msdyn_PssDeleteV2",
    "msdyn_ExecuteOperationSetV1",
    "msdyn_ExecuteOperationSetV3",
    "msdyn_AbandonOperationSetV1",
)
_SET = "OperationSetId"
_KIND_OF = {
    "Create": OperationKind.CREATE,
    "Update": OperationKind.UPDATE,
    "Delete": OperationKind.DELETE,
}


class ScheduleApi:
    """Handlers of the Project Schedule API actions."""

    def __init__(self, store: DataverseStore, *, credentials: SandboxCredentials) -> None:
        self.store = store
        self.credentials = credentials

    def routes(self) -> list[Route]:
        """One ``POST`` route per action."""
        handlers: dict[str, Handler] = {
            "msdyn_CreateProjectV1": self.create_project,
            "msdyn_CreateTeamMemberV1": self.create_team_member,
            "msdyn_CreateOperationSetV1": self.create_operation_set,
            "msdyn_ExecuteOperationSetV1": self.execute,
            "msdyn_ExecuteOperationSetV3": self.execute_v3,
            "msdyn_AbandonOperationSetV1": self.abandon,
            "msdyn_PssDeleteV1": self.delete_v1,
        }
        for kind in ("Create", "Update"):
            handlers[f"msdyn_Pss{kind}V1"] = self._stage_one(kind)
        for kind in _KIND_OF:
            handlers[f"msdyn_Pss{kind}V2"] = self._stage_many(kind)
        return [
            Route(f"/{action}", guarded(handlers[action]), methods=["POST"]) for action in ACTIONS
        ]

    async def _call(
        self,
        request: Request,
        action: str,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> tuple[Mapping[str, Any], Principal]:
        """The action's parameters and its licensed caller.

        Raises:
            DataverseError: 400 for bad parameters; 403 for an unlicensed caller.
        """
        values = parameters(await read_json(request), action, required=required, optional=optional)
        user = caller(request, self.credentials)
        if not user.licensed:
            raise DataverseError(
                403,
                "0x80040220",
                "The Project Schedule APIs can only be used by users with a Microsoft Project "
                f"license; application users, system users and integration users cannot call "
                f"{action}.",
            )
        return values, user

    async def create_project(self, request: Request) -> Response:
        """``msdyn_CreateProjectV1 {Project}`` → ``{ProjectId}``."""
        values, user = await self._call(request, "msdyn_CreateProjectV1", ("Project",))
        with self.store.lock:
            payload = read_entity(
                values["Project"],
                kind=OperationKind.CREATE,
                reference=self.store.new_id("detail"),
                table=PROJECT,
            )
            project_id = payload.record_id or self.store.new_id("project")
            self.store.create_project(
                payload.values, project_id=project_id, owner=user, with_bucket=True
            )
        return action_response(request, "msdyn_CreateProjectV1", {"ProjectId": project_id})

    async def create_team_member(self, request: Request) -> Response:
        """``msdyn_CreateTeamMemberV1 {TeamMember}`` → ``{TeamMemberId}``."""
        values, _ = await self._call(request, "msdyn_CreateTeamMemberV1", ("TeamMember",))
        with self.store.lock:
            payload = read_entity(
                values["TeamMember"],
                kind=OperationKind.CREATE,
                reference=self.store.new_id("detail"),
                table=PROJECT_TEAM,
            )
            member_id = payload.record_id or self.store.new_id("teammember")
            self.store.create_team_member(payload.values, member_id=member_id)
        return action_response(request, "msdyn_CreateTeamMemberV1", {"TeamMemberId": member_id})

    async def create_operation_set(self, request: Request) -> Response:
        """``msdyn_CreateOperationSetV1 {ProjectId, Description}`` → ``{OperationSetId}``."""
        action = "msdyn_CreateOperationSetV1"
        values, user = await self._call(request, action, ("ProjectId", "Description"))
        project_id = guid_parameter(values, "ProjectId")
        description = text_parameter(values, "Description")
        with self.store.lock:
            operation_set = self.store.open_operation_set(project_id, description, user)
        return action_response(request, action, {"OperationSetId": operation_set.id})

    def _stage_one(self, kind: str) -> Handler:
        action = f"msdyn_Pss{kind}V1"

        async def stage_one(request: Request) -> Response:
            values, _ = await self._call(request, action, ("Entity", _SET))
            with self.store.lock:
                operation_set = self._open_set(values)
                operation = self._operation(values["Entity"], _KIND_OF[kind])
                self._stage(operation_set, [operation])
            result = staged_result(operation_set, operation)
            return action_response(request, action, {"OperationSetResponse": result})

        return stage_one

    def _stage_many(self, kind: str) -> Handler:
        action = f"msdyn_Pss{kind}V2"

        async def stage_many(request: Request) -> Response:
            values, _ = await self._call(request, action, ("EntityCollection", _SET))
            with self.store.lock:
                operation_set = self._open_set(values)
                entities = _collection(values, "EntityCollection")
                operations = [self._operation(e, _KIND_OF[kind]) for e in entities]
                self._stage(operation_set, operations)
            results = [staged_result(operation_set, operation) for operation in operations]
            return action_response(request, action, {"OperationSetResponse": results})

        return stage_many

    async def delete_v1(self, request: Request) -> Response:
        """``msdyn_PssDeleteV1 {RecordId, EntityLogicalName, OperationSetId}``."""
        action = "msdyn_PssDeleteV1"
        values, _ = await self._call(request, action, ("RecordId", "EntityLogicalName", _SET))
        record_id = guid_parameter(values, "RecordId")
        logical_name = text_parameter(values, "EntityLogicalName")
        table = TABLES.get(logical_name)
        entity = {"@odata.type": logical_name}
        if table is not None:
            entity[table.primary_key] = record_id
        with self.store.lock:
            operation_set = self._open_set(values)
            operation = self._operation(entity, OperationKind.DELETE)
            self._stage(operation_set, [operation])
        result = staged_result(operation_set, operation)
        return action_response(request, action, {"OperationSetResponse": result})

    async def execute(self, request: Request) -> Response:
        """``msdyn_ExecuteOperationSetV1 {OperationSetId}``: validate, accept, persist later."""
        action = "msdyn_ExecuteOperationSetV1"
        values, _ = await self._call(request, action, (_SET,))
        with self.store.lock:
            operation_set = self.store.operation_set(guid_parameter(values, _SET))
            self.store.execute(operation_set)
        result = operation_result(operation_set, operation_type="Execute")
        return action_response(request, action, {"OperationSetResponse": result})

    async def execute_v3(self, request: Request) -> Response:
        """``msdyn_ExecuteOperationSetV3``: open, stage (deletes, creates, updates), execute."""
        action = "msdyn_ExecuteOperationSetV3"
        collections = ("DeleteEntityCollection", "CreateEntityCollection", "UpdateEntityCollection")
        values, user = await self._call(
            request, action, ("ProjectId",), ("OperationSetDescription", *collections)
        )
        project_id = guid_parameter(values, "ProjectId")
        description = text_parameter(values, "OperationSetDescription")
        with self.store.lock:
            operation_set = self.store.open_operation_set(project_id, description, user)
            try:
                operations = [
                    self._operation(entity, _KIND_OF[name.removesuffix("EntityCollection")])
                    for name in collections
                    for entity in _collection(values, name, required=False)
                ]
                self._stage(operation_set, operations)
            except DataverseError:
                self.store.abandon(operation_set)
                raise
            self.store.execute(operation_set)
        result = operation_result(operation_set, operation_type="Execute")
        return action_response(request, action, {"OperationSetResponse": result})

    async def abandon(self, request: Request) -> Response:
        """``msdyn_AbandonOperationSetV1 {OperationSetId}``."""
        action = "msdyn_AbandonOperationSetV1"
        values, _ = await self._call(request, action, (_SET,))
        with self.store.lock:
            operation_set = self.store.operation_set(guid_parameter(values, _SET))
            self.store.abandon(operation_set)
        result = operation_result(operation_set, operation_type="Abandon")
        return action_response(request, action, {"OperationSetResponse": result})

    def _open_set(self, values: Mapping[str, Any]) -> OperationSet:
        operation_set = self.store.operation_set(guid_parameter(values, _SET))
        operation_set.require_open("accepts no more operations")
        return operation_set

    def _operation(self, entity: object, kind: OperationKind) -> Operation:
        detail_id = self.store.new_id("operationsetdetail")
        payload = read_entity(entity, kind=kind, reference=detail_id)
        record_id = payload.record_id
        if record_id is None and kind is not OperationKind.CREATE:
            raise DataverseError(400, "0x80040203", f"Entity Id must be specified for {kind}")
        return Operation(
            kind=kind,
            table=payload.table,
            record_id=record_id or self.store.new_id(payload.table.logical_name),
            values=payload.values,
            detail_id=detail_id,
        )

    def _stage(self, operation_set: OperationSet, operations: Sequence[Operation]) -> None:
        operation_set.stage(operations)
        operation_set.modified_on = self.store.now()
        self.store.save(operation_set)


def _collection(values: Mapping[str, Any], name: str, *, required: bool = True) -> list[Any]:
    found = values.get(name)
    if found is None and not required:
        return []
    if not isinstance(found, list):
        raise DataverseError(
            400, "0x0", f"The parameter '{name}' must be a collection of entities (a JSON array)."
        )
    return found
