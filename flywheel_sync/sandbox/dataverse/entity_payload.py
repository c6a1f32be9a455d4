"""A scheduling entity in a request body, read into column values the tables store.

The Schedule APIs take entities in Web API JSON (schedule-api-preview.md, the V2/V3 samples)::

    {"@odata.type": "Microsoft.Dynamics.CRM.msdyn_projecttask",
     "msdyn_projecttaskid": "<client guid>", "msdyn_subject": "Task 1",
     "msdyn_project@odata.bind": "/msdyn_projects(<guid>)", "msdyn_start": "2026-09-01T08:00:00Z"}

What is refused here, before anything is staged, is what Dataverse refuses while reading the
payload: an unknown property or navigation (OData's messages, web-api-client-errors), a value
of the wrong type, a choice value outside the column's options (0x8004431a), and a column the
scheduling engine computes ("ScheduleAPI-AV-0001: Input to the column msdyn_progress in the
table msdyn_projecttask during create operation is not allowed.", an observed PSS message).
Whether referenced rows exist is checked when the set executes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeGuard

from flywheel_sync.sandbox.dataverse.operation_sets import OperationKind
from flywheel_sync.sandbox.dataverse.tables import (
    CRM_NAMESPACE,
    NOT_EMULATED_SCHEDULING_TABLES,
    TABLES,
    Column,
    ColumnKind,
    Table,
)
from flywheel_sync.sandbox.dataverse.wire import DataverseError, parse_guid, parse_time, wire_time

__all__ = ["EntityPayload", "read_entity"]

_BIND = "@odata.bind"
_REFERENCE = re.compile(r"(?:.*/)?(\w+)\(([^)]*)\)")
_VALIDATING = "An error occurred while validating input parameters: "


@dataclass(frozen=True, kw_only=True)
class EntityPayload:
    """What one entity in a request asks for."""

    table: Table
    record_id: str | None
    """The client-supplied primary key, if any."""
    values: dict[str, Any]


def read_entity(
    entity: object,
    *,
    kind: OperationKind,
    reference: str,
    table: Table | None = None,
) -> EntityPayload:
    """Read one entity of a Schedule API (or plain Web API) request.

    Args:
        entity: The JSON value sent.
        kind: What the entity is for; a delete reads only its type and key.
        reference: The id Schedule API messages quote (``ScheduleAPI-AV-0001:<id>: ...``).
        table: The table the entity must belong to; its ``@odata.type`` is then optional.

    Raises:
        DataverseError: 400 for an entity Dataverse would refuse to read (module docstring).
    """
    if not isinstance(entity, dict):
        raise DataverseError(400, "0x0", f"{_VALIDATING}an entity (a JSON object) was expected.")
    found = _table_of(entity, table)
    values: dict[str, Any] = {}
    record_id: str | None = None
    for key, value in entity.items():
        if key == "@odata.type":
            continue
        if key == found.primary_key:
            record_id = _primary_key(found, value)
        elif kind is OperationKind.DELETE:
            continue
        elif key.endswith(_BIND):
            lookup = _bound_lookup(found, key.removesuffix(_BIND))
            values[lookup.name] = _reference(lookup, key, value)
        elif "@" in key:
            continue  # instance annotations such as "x@OData.Community.Display.V1.FormattedValue"
        else:
            column = found.column(key)
            if column is None:
                raise DataverseError(
                    400,
                    "0x0",
                    f"{_VALIDATING}Microsoft.Crm.CrmException: Invalid property '{key}' was found "
                    f"in entity '{found.edm_type}'. ---> Microsoft.OData.ODataException: Does not "
                    "support untyped value in non-open type.",
                )
            if not column.writable or column.kind is ColumnKind.LOOKUP:
                raise DataverseError(
                    400,
                    "0x80040265",
                    f"ScheduleAPI-AV-0001:{reference}: Input to the column {column.attribute} in "
                    f"the table {found.logical_name} during {kind.lower()} operation is not "
                    "allowed.",
                )
            values[column.name] = _converted(found, column, value)
    return EntityPayload(table=found, record_id=record_id, values=values)


def _table_of(entity: dict[str, Any], expected: Table | None) -> Table:
    annotation = entity.get("@odata.type")
    if annotation is None and expected is not None:
        return expected
    if not isinstance(annotation, str):
        raise DataverseError(
            400,
            "0x0",
            f"{_VALIDATING}the entity has no @odata.type annotation naming its table "
            f"('{CRM_NAMESPACE}.msdyn_projecttask').",
        )
    logical = annotation.removeprefix("#").removeprefix(f"{CRM_NAMESPACE}.")
    if logical in NOT_EMULATED_SCHEDULING_TABLES:
        raise DataverseError(
            400, "0x80040265", f"The sandbox does not emulate the scheduling entity {logical}."
        )
    table = TABLES.get(logical)
    if table is None or not table.scheduling:
        accepted = ", ".join(t.logical_name for t in TABLES.values() if t.scheduling)
        raise DataverseError(
            400,
            "0x80040265",
            f"{logical} is not a Project scheduling entity. The Project Schedule APIs accept "
            f"{accepted}.",
        )
    if expected is not None and table is not expected:
        raise DataverseError(
            400, "0x0", f"{_VALIDATING}an entity of type '{expected.edm_type}' was expected."
        )
    return table


def _primary_key(table: Table, value: object) -> str:
    found = parse_guid(value)
    if found is None:
        raise _not_convertible(value, "Edm.Guid")
    return found


def _bound_lookup(table: Table, navigation: str) -> Column:
    column = table.by_navigation(navigation)
    if column is None:
        raise DataverseError(
            400,
            "0x0",
            f"An undeclared property '{navigation}' which only has property annotations in the "
            "payload but no property value was found in the payload. In OData, only declared "
            "navigation properties and declared named streams can be represented as properties "
            "without values.",
        )
    return column


def _reference(column: Column, key: str, value: object) -> str | None:
    """The id a ``<navigation>@odata.bind`` value names (``/msdyn_projects(<guid>)``)."""
    if value is None:
        return None
    target = TABLES.get(column.target)
    match = _REFERENCE.fullmatch(value) if isinstance(value, str) else None
    record_id = parse_guid(match.group(2)) if match else None
    if match is None or record_id is None or target is None:
        raise DataverseError(400, "0x0", f"{_VALIDATING}'{value}' is not a valid value for {key}.")
    if match.group(1) != target.entity_set:
        raise DataverseError(
            400,
            "0x0",
            f"{_VALIDATING}{key} must reference a row of {target.entity_set}, "
            f"not of {match.group(1)}.",
        )
    return record_id


def _converted(table: Table, column: Column, value: object) -> Any:
    if value is None:
        return None
    converted = _CONVERTERS[column.kind](value)
    if converted is _INVALID:
        raise _not_convertible(value, column.kind.edm)
    if column.kind is ColumnKind.CHOICE and converted not in column.choices:
        accepted = ",".join(str(option) for option in column.choices)
        raise DataverseError(
            400,
            "0x8004431a",
            f"A validation error occurred. The value {value} of '{column.attribute}' on record "
            f"of type '{table.logical_name}' is outside the valid range. "
            f"Accepted Values: {accepted}",
        )
    return converted


_INVALID = object()


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_text(value: object) -> object:
    return value if isinstance(value, str) else _INVALID


def _as_boolean(value: object) -> object:
    return value if isinstance(value, bool) else _INVALID


def _as_time(value: object) -> object:
    moment = parse_time(value)
    return _INVALID if moment is None else wire_time(moment)


def _as_guid(value: object) -> object:
    found = parse_guid(value)
    return _INVALID if found is None else found


def _as_decimal(value: object) -> object:
    return float(value) if _is_number(value) else _INVALID


def _as_integer(value: object) -> object:
    return int(value) if _is_number(value) and float(value).is_integer() else _INVALID


_CONVERTERS: dict[ColumnKind, Callable[[object], object]] = {
    ColumnKind.STRING: _as_text,
    ColumnKind.BOOLEAN: _as_boolean,
    ColumnKind.DATETIME: _as_time,
    ColumnKind.GUID: _as_guid,
    ColumnKind.LOOKUP: _as_guid,
    ColumnKind.DECIMAL: _as_decimal,
    ColumnKind.INTEGER: _as_integer,
    ColumnKind.CHOICE: _as_integer,
}


def _not_convertible(value: object, edm: str) -> DataverseError:
    return DataverseError(
        400,
        "0x0",
        f"{_VALIDATING}Microsoft.OData.ODataException: Cannot convert the literal '{value}' to "
        f"the expected type '{edm}'.",
    )
