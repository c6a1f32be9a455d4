"""What a push sends through the Project Schedule API, and what it gets back.

A `ScheduleOperation` is one create, update or delete of a scheduling row (graph-wire.md §4,
schedule-api-preview.md "Supported operations"). Its id is always the caller's: for a create,
`record_id_for` derives it from the caller's idempotency key, so a create sent again after a
crash names the row the first attempt made, which a read finds (`ScheduleWriter.rows_exist`),
and Project refuses to make twice. Each operation is sent as Web API JSON::

    {"@odata.type": "Microsoft.Dynamics.CRM.msdyn_projectchecklist",
     "msdyn_projectchecklistid": "<caller's guid>", "msdyn_name": "Permit",
     "msdyn_ProjectTaskId@odata.bind": "/msdyn_projecttasks(<task guid>)"}

The builders (`move_task`, `describe_task`, `label_task`, `add_checklist_item`, ...) hold
the column and navigation names of the writes a push makes; navigation names are
case-sensitive and differ per table (``msdyn_projectbucket`` on a task, but
``msdyn_ProjectTaskId`` on a checklist item or a task label, community-validated).

An `OperationOutcome` says what became of one operation:

===============  ==========================================================================
status           meaning, and what the caller does
===============  ==========================================================================
``landed``       Project persisted it (or the row already was as asked): done
``failed``       Project refused it (``detail`` is its message): record it, do not resend
``unconfirmed``  sent, fate unknown (no answer, or not persisted in time): confirm later
                 with `ScheduleWriter.operation_set_status` or by reading the row
``skipped``      not applied and not pending (never sent, or its set was abandoned): safe to
                 send again
===============  ==========================================================================
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "MAX_OPERATIONS",
    "SCHEDULING_ENTITIES",
    "OperationKind",
    "OperationOutcome",
    "OperationSetState",
    "OperationSetStatus",
    "OutcomeStatus",
    "PssFailure",
    "ScheduleOperation",
    "SchedulingEntity",
    "add_checklist_item",
    "delete_checklist_item",
    "describe_task",
    "guid",
    "label_task",
    "move_task",
    "operation_set_responses",
    "pss_failure",
    "record_id_for",
    "unlabel_task",
    "update_checklist_item",
]

MAX_OPERATIONS = 200
"""Operations one operation set may hold (schedule-api-preview.md, "Limitations")."""

OperationKind = Literal["create", "update", "delete"]
OutcomeStatus = Literal["landed", "failed", "unconfirmed", "skipped"]
_CRM = "Microsoft.Dynamics.CRM"
_KEY_NAMESPACE = uuid.UUID("0b6f7f8e-5c1e-5d5e-9a43-6f2d1c0e7a11")
"""Namespace of `record_id_for`: fixed, so the same key gives the same id in every release."""


@dataclass(frozen=True, kw_only=True)
class SchedulingEntity:
    """A table the Schedule API writes: its entity set and primary key."""

    logical_name: str
    entity_set: str

    @property
    def primary_key(self) -> str:
        """``<logical name>id``, as every Dataverse table names its key."""
        return f"{self.logical_name}id"


def _entities(*names: str) -> Mapping[str, SchedulingEntity]:
    plural = {"msdyn_projecttaskdependency": "msdyn_projecttaskdependencies"}
    return MappingProxyType(
        {n: SchedulingEntity(logical_name=n, entity_set=plural.get(n, f"{n}s")) for n in names}
    )


SCHEDULING_ENTITIES = _entities(
    "msdyn_project",
    "msdyn_projecttask",
    "msdyn_projecttaskdependency",
    "msdyn_resourceassignment",
    "msdyn_projectbucket",
    "msdyn_projectteam",
    "msdyn_projectchecklist",
    "msdyn_projectlabel",
    "msdyn_projecttasktolabel",
    "msdyn_projectsprint",
)
"""The Project scheduling entities (schedule-api-preview.md), by logical name."""

TASK = SCHEDULING_ENTITIES["msdyn_projecttask"]
CHECKLIST = SCHEDULING_ENTITIES["msdyn_projectchecklist"]
TASK_LABEL = SCHEDULING_ENTITIES["msdyn_projecttasktolabel"]


def guid(value: str, *, what: str) -> str:
    """``value`` as Dataverse spells a GUID: lower case, hyphenated.

    Raises:
        ValueError: ``value`` is not a GUID.
    """
    try:
        return str(uuid.UUID(value))
    except (TypeError, ValueError, AttributeError):
        raise ValueError(f"{what} must be a GUID, not {value!r}") from None


def record_id_for(key: str) -> str:
    """The id a create with this idempotency key gives its row: the same key, the same id."""
    return str(uuid.uuid5(_KEY_NAMESPACE, key))


@dataclass(frozen=True, kw_only=True)
class ScheduleOperation:
    """One create, update or delete of a scheduling row.

    Attributes:
        kind: ``create``, ``update`` or ``delete``.
        entity: The table's logical name (``msdyn_projectchecklist``).
        record_id: The row's GUID; for a create the caller's choice (`record_id_for`).
        fields: Column values and ``<navigation>@odata.bind`` lookups; empty for a delete.
        key: The caller's idempotency key, handed back in the outcome.
    """

    kind: OperationKind
    entity: str
    record_id: str
    key: str
    fields: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.kind not in ("create", "update", "delete"):
            raise ValueError(f"{self.key}: unknown operation kind {self.kind!r}")
        table = SCHEDULING_ENTITIES.get(self.entity)
        if table is None:
            raise ValueError(f"{self.key}: {self.entity!r} is not a Project scheduling entity")
        object.__setattr__(self, "record_id", guid(self.record_id, what=f"{self.key} record id"))
        reserved = {"@odata.type", table.primary_key} & set(self.fields)
        if reserved:
            raise ValueError(f"{self.key}: {sorted(reserved)} are set by the writer, not fields")
        if self.kind == "delete" and self.fields:
            raise ValueError(f"{self.key}: a delete carries no fields")
        if self.kind == "update" and not self.fields:
            raise ValueError(f"{self.key}: an update needs at least one field")
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))

    @property
    def table(self) -> SchedulingEntity:
        """The table written."""
        return SCHEDULING_ENTITIES[self.entity]

    def payload(self) -> dict[str, Any]:
        """The entity as the Schedule API takes it (a delete: its type and key only)."""
        return {
            "@odata.type": f"{_CRM}.{self.entity}",
            self.table.primary_key: self.record_id,
            **self.fields,
        }


@dataclass(frozen=True, kw_only=True)
class OperationOutcome:
    """What became of one operation (module docstring: the statuses)."""

    key: str
    record_id: str
    status: OutcomeStatus
    detail: str = ""
    operation_set_id: str | None = None
    """The set that carried it last, when one did."""


class OperationSetStatus(StrEnum):
    """``msdyn_operationset.msdyn_status``, named."""

    OPEN = "open"
    PENDING = "pending"
    FAILED = "failed"
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    UNKNOWN = "unknown"

    @classmethod
    def from_code(cls, code: object) -> OperationSetStatus:
        """The status a choice value stands for (values as community clients poll them)."""
        return _STATUS_CODES.get(code, cls.UNKNOWN) if isinstance(code, int) else cls.UNKNOWN

    @property
    def settled(self) -> bool:
        """Nothing will change the set any more."""
        return self in (self.FAILED, self.COMPLETED, self.ABANDONED)


_STATUS_CODES: Mapping[int, OperationSetStatus] = MappingProxyType(
    {
        192350000: OperationSetStatus.OPEN,
        192350001: OperationSetStatus.PENDING,
        192350002: OperationSetStatus.FAILED,
        192350003: OperationSetStatus.COMPLETED,
        192350004: OperationSetStatus.ABANDONED,
    }
)


@dataclass(frozen=True, kw_only=True)
class OperationSetState:
    """An operation set as its ``msdyn_operationsets`` row shows it."""

    id: str
    status: OperationSetStatus
    code: int | None
    """The raw ``msdyn_status``."""
    executed_on: str | None = None
    completed_on: str | None = None
    error_log_id: str | None = None
    """``_msdyn_psserrorlog_value``: the PSS error log row of a failure, when one was written."""


@dataclass(frozen=True, kw_only=True)
class PssFailure:
    """Why Project failed an operation set, as ``msdyn_ExecuteOperationSetV1`` said."""

    index: int | None
    """The failing operation's position in the set, when Project named it."""
    key: str
    """PSS's ``errorKey`` (``E_RECORDNOTFOUND``), or ``""``."""
    message: str

    def text(self) -> str:
        """``E_KEY: message``."""
        return f"{self.key}: {self.message}" if self.key else self.message


def pss_failure(message: str) -> PssFailure:
    """Read the message of a failed execution: PSS's error as a JSON string, or plain text.

    PSS answers ``{"errorKey", "ErrorMessage", "failedBatchRequestIndex",
    "failedBatchRequestError": {"errorKey", "ErrorMessage"}}`` (the first three observed
    from ``msdyn_ExecuteOperationSetV1``, the last two as community clients read them).
    """
    try:
        found = json.loads(message)
    except ValueError:
        found = None
    if not isinstance(found, dict):
        return PssFailure(index=None, key="", message=message.strip())
    inner = found.get("failedBatchRequestError")
    inner = inner if isinstance(inner, dict) else {}
    index = found.get("failedBatchRequestIndex")
    key = inner.get("errorKey") or found.get("errorKey") or ""
    text = inner.get("ErrorMessage") or found.get("ErrorMessage") or message
    return PssFailure(
        index=index if isinstance(index, int) and not isinstance(index, bool) else None,
        key=str(key),
        message=str(text).strip(),
    )


def operation_set_responses(value: object) -> list[dict[str, Any]]:
    """The ``OperationSetResponse`` objects of an action's answer.

    The value is a JSON *string* to be parsed again (schedule-api-preview.md, the data
    contract); a V2 action's string holds a list of them. Anything unreadable gives ``[]``.
    """
    try:
        found = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return []
    items = found if isinstance(found, list) else [found]
    return [item for item in items if isinstance(item, dict)]


# ---- the writes a push makes


def _bind(entity: SchedulingEntity | str, record_id: str) -> str:
    entity_set = entity.entity_set if isinstance(entity, SchedulingEntity) else entity
    return f"/{entity_set}({guid(record_id, what=entity_set + ' id')})"


def move_task(*, key: str, task_id: str, bucket_id: str) -> ScheduleOperation:
    """Put a task in another bucket of its project."""
    bucket = _bind("msdyn_projectbuckets", bucket_id)
    return ScheduleOperation(
        kind="update",
        entity=TASK.logical_name,
        record_id=task_id,
        key=key,
        fields={"msdyn_projectbucket@odata.bind": bucket},
    )


def describe_task(*, key: str, task_id: str, description: str | None) -> ScheduleOperation:
    """Set a task's notes (``msdyn_description``); None clears them."""
    return ScheduleOperation(
        kind="update",
        entity=TASK.logical_name,
        record_id=task_id,
        key=key,
        fields={"msdyn_description": description},
    )


def label_task(*, key: str, task_id: str, label_id: str) -> ScheduleOperation:
    """Apply one of the project's labels to a task: a ``msdyn_projecttasktolabel`` row.

    Labels themselves cannot be created through the API (Project makes them when the project
    is first opened); a task-to-label row can only be created and deleted.
    """
    return ScheduleOperation(
        kind="create",
        entity=TASK_LABEL.logical_name,
        record_id=record_id_for(key),
        key=key,
        fields={
            "msdyn_ProjectTaskId@odata.bind": _bind(TASK, task_id),
            "msdyn_ProjectLabelId@odata.bind": _bind("msdyn_projectlabels", label_id),
        },
    )


def unlabel_task(*, key: str, link_id: str) -> ScheduleOperation:
    """Take a label off a task: delete its ``msdyn_projecttasktolabel`` row."""
    return ScheduleOperation(
        kind="delete", entity=TASK_LABEL.logical_name, record_id=link_id, key=key
    )


def add_checklist_item(
    *, key: str, task_id: str, name: str, completed: bool = False, order: float | None = None
) -> ScheduleOperation:
    """A new checklist row on a task (at most 20 per task; project-and-task-limitations.md)."""
    fields: dict[str, Any] = {
        "msdyn_name": name,
        "msdyn_projectchecklistcompleted": completed,
        "msdyn_ProjectTaskId@odata.bind": _bind(TASK, task_id),
    }
    if order is not None:
        fields["msdyn_projectchecklistorder"] = order
    return ScheduleOperation(
        kind="create",
        entity=CHECKLIST.logical_name,
        record_id=record_id_for(key),
        key=key,
        fields=fields,
    )


def update_checklist_item(
    *,
    key: str,
    item_id: str,
    name: str | None = None,
    completed: bool | None = None,
    order: float | None = None,
) -> ScheduleOperation:
    """Change the given columns of a checklist row (None leaves a column as it is)."""
    given = {
        "msdyn_name": name,
        "msdyn_projectchecklistcompleted": completed,
        "msdyn_projectchecklistorder": order,
    }
    return ScheduleOperation(
        kind="update",
        entity=CHECKLIST.logical_name,
        record_id=item_id,
        key=key,
        fields={column: value for column, value in given.items() if value is not None},
    )


def delete_checklist_item(*, key: str, item_id: str) -> ScheduleOperation:
    """Remove a checklist row."""
    return ScheduleOperation(
        kind="delete", entity=CHECKLIST.logical_name, record_id=item_id, key=key
    )
