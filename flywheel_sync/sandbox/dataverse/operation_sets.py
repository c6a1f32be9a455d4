"""Operation sets: the Project Schedule APIs' unit of work, from open to completed.

An operation set is opened for one project (``msdyn_CreateOperationSetV1``), collects staged
creates, updates and deletes (``msdyn_Pss*``), and is then executed or abandoned. Executing
validates the whole batch at once and either fails it (nothing applied) or accepts it; an
accepted set is persisted later, asynchronously, and only then do the tables change
(project-schedule-api-performance.md, "ACCEPT" and "PERSIST" phases)::

    Open --execute, valid--> Pending --persisted--> Completed
    Open --execute, invalid--> Failed
    Pending --persist fails--> Failed
    Open --abandon--> Abandoned

Limits (schedule-api-preview.md): at most 200 operations per set and 10 open sets per user.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from flywheel_sync.sandbox.dataverse.tables import OPERATION_SET_STATUS_LABELS, Table
from flywheel_sync.sandbox.dataverse.wire import DataverseError, wire_time

__all__ = [
    "MAX_OPEN_SETS_PER_USER",
    "MAX_OPERATIONS",
    "Operation",
    "OperationKind",
    "OperationSet",
    "OperationSetStatus",
]

MAX_OPERATIONS = 200
MAX_OPEN_SETS_PER_USER = 10
Row = dict[str, Any]


class OperationKind(StrEnum):
    """What an operation does, spelled as ``OperationSetResponse.operationType`` spells it."""

    CREATE = "Create"
    UPDATE = "Update"
    DELETE = "Delete"


class OperationSetStatus(IntEnum):
    """``msdyn_operationset.msdyn_status`` values."""

    OPEN = 192350000
    PENDING = 192350001
    FAILED = 192350002
    COMPLETED = 192350003
    ABANDONED = 192350004

    @property
    def label(self) -> str:
        """The choice label (``Open``, ``Pending``, ...)."""
        return OPERATION_SET_STATUS_LABELS[self.value]


@dataclass(frozen=True, kw_only=True)
class Operation:
    """One staged create, update or delete of a scheduling row.

    ``values`` holds column values as rows store them; lookups under their ``_x_value``
    names, set from ``<navigation>@odata.bind``.
    """

    kind: OperationKind
    table: Table
    record_id: str
    values: Mapping[str, Any]
    detail_id: str
    """The ``msdyn_operationsetdetail`` row the staging created (``operationSetDetailId``)."""


@dataclass(kw_only=True)
class OperationSet:
    """One operation set and what happened to it."""

    id: str
    project_id: str
    description: str
    user_aad_id: str
    correlation_id: str
    created_on: datetime
    status: OperationSetStatus = OperationSetStatus.OPEN
    operations: list[Operation] = field(default_factory=list)
    executed_on: datetime | None = None
    completed_on: datetime | None = None
    persist_at: datetime | None = None
    """When an accepted (pending) set is persisted."""
    failure: str | None = None
    """Why the set failed (the execution error's message), for tests and logs."""
    modified_on: datetime | None = None

    def stage(self, operations: Sequence[Operation]) -> None:
        """Add operations, all or none.

        Raises:
            DataverseError: 400 when the set is not open, would exceed 200 operations, or
                would create the same row twice.
        """
        self.require_open("accepts no more operations")
        total = len(self.operations) + len(operations)
        if total > MAX_OPERATIONS:
            raise DataverseError(
                400,
                "0x80040265",
                f"An operation set can have at most {MAX_OPERATIONS} operations; "
                f"operation set {self.id} would have {total}.",
            )
        created = {(o.table.logical_name, o.record_id) for o in self.operations if _creates(o)}
        for operation in operations:
            key = (operation.table.logical_name, operation.record_id)
            if _creates(operation) and key in created:
                raise DataverseError(
                    400,
                    "0x80040265",
                    "The operation set contains duplicate entities: "
                    f"{key[0]} {key[1]} is already staged for Create.",
                )
            if _creates(operation):
                created.add(key)
        self.operations.extend(operations)

    def require_open(self, doing: str) -> None:
        """Refuse what only an open set may do.

        Raises:
            DataverseError: 400 naming the set's status.
        """
        if self.status is not OperationSetStatus.OPEN:
            raise DataverseError(
                400,
                "0x80040265",
                f"The operation set {self.id} is {self.status.label} and {doing}; "
                "only an Open operation set can be changed, executed or abandoned.",
            )

    def row(self) -> Row:
        """The set as a ``msdyn_operationset`` row."""
        return {
            "msdyn_operationsetid": self.id,
            "msdyn_description": self.description,
            "msdyn_status": int(self.status),
            "msdyn_executedon": _time(self.executed_on),
            "msdyn_completedon": _time(self.completed_on),
            "msdyn_correlationid": self.correlation_id,
            "msdyn_useraadid": self.user_aad_id,
            "createdon": wire_time(self.created_on),
            "modifiedon": wire_time(self.modified_on or self.created_on),
            "_msdyn_project_value": self.project_id,
            "_msdyn_psserrorlog_value": None,
        }


def _creates(operation: Operation) -> bool:
    return operation.kind is OperationKind.CREATE


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else wire_time(moment)
