"""What the unbound actions share: reading their parameters and shaping their responses.

An action's body is a JSON object of named parameters. OData refuses a missing parameter or
one the action does not declare, with its own messages; Project's plug-ins then parse GUIDs
with .NET's ``Guid.Parse`` ("Guid should contain 32 digits with 4 dashes ..."). A response
is the action's complex type, with ``@odata.context`` naming it
(``$metadata#Microsoft.Dynamics.CRM.msdyn_CreateOperationSetV1Response``).

``OperationSetResponse`` is a JSON *string* to be parsed again, carrying ``operationSetId``,
``operationSetDetailId``, ``operationType``, ``recordId`` and ``correlationId``
(schedule-api-preview.md, the ``OperationSetResponse`` data contract).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from flywheel_sync.sandbox.dataverse.operation_sets import Operation, OperationSet
from flywheel_sync.sandbox.dataverse.tables import CRM_NAMESPACE
from flywheel_sync.sandbox.dataverse.wire import (
    DataverseError,
    odata_json,
    parse_guid,
    service_root,
)

__all__ = [
    "NO_DETAIL",
    "action_response",
    "guid_parameter",
    "operation_result",
    "parameters",
    "staged_result",
    "text_parameter",
]

NO_DETAIL = "00000000-0000-0000-0000-000000000000"
"""``operationSetDetailId`` of a response that concerns the whole set."""


def parameters(
    body: Mapping[str, Any],
    action: str,
    *,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
) -> Mapping[str, Any]:
    """The action's parameters, all declared and the required ones present.

    Raises:
        DataverseError: 400 naming the first undeclared parameter, or every missing one.
    """
    declared = (*required, *optional)
    for name in body:
        if name not in declared and not name.startswith("@"):
            raise DataverseError(
                400,
                "0x0",
                f"The parameter '{name}' in the request payload is not a valid parameter for the "
                f"operation '{action}'.",
            )
    missing = [name for name in required if body.get(name) is None]
    if missing:
        raise DataverseError(
            400,
            "0x0",
            f"One or more parameters of the operation '{action}' are missing from the request "
            f"payload. The missing parameters are: {', '.join(missing)}.",
        )
    return body


def text_parameter(values: Mapping[str, Any], name: str, *, default: str = "") -> str:
    """A string parameter (``Description``).

    Raises:
        DataverseError: 400 when it is not a string.
    """
    value = values.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise DataverseError(
            400,
            "0x0",
            f"Cannot convert the literal '{value}' to the expected type 'Edm.String' "
            f"(parameter '{name}').",
        )
    return value


def guid_parameter(values: Mapping[str, Any], name: str) -> str:
    """A GUID passed as a string parameter (``OperationSetId``, ``ProjectId``, ``RecordId``).

    Raises:
        DataverseError: 400 with .NET's parse error when it is not a GUID.
    """
    found = parse_guid(text_parameter(values, name))
    if found is None:
        raise DataverseError(
            400,
            "0x80040265",
            f"{name}: Guid should contain 32 digits with 4 dashes "
            "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).",
        )
    return found


def operation_result(
    operation_set: OperationSet,
    *,
    operation_type: str,
    detail_id: str = NO_DETAIL,
    record_id: str | None = None,
) -> dict[str, Any]:
    """One ``OperationSetResponse`` object (before it is serialised into a string)."""
    return {
        "operationSetId": operation_set.id,
        "operationSetDetailId": detail_id,
        "operationType": operation_type,
        "recordId": record_id,
        "correlationId": operation_set.correlation_id,
    }


def staged_result(operation_set: OperationSet, operation: Operation) -> dict[str, Any]:
    """The ``OperationSetResponse`` object of one staged operation."""
    return operation_result(
        operation_set,
        operation_type=operation.kind.value,
        detail_id=operation.detail_id,
        record_id=operation.record_id,
    )


def action_response(request: Request, action: str, body: Mapping[str, Any]) -> Response:
    """200 with the action's response type; ``OperationSetResponse`` values become strings."""
    context = f"{service_root(request)}/$metadata#{CRM_NAMESPACE}.{action}Response"
    rendered = {
        name: json.dumps(value) if name == "OperationSetResponse" else value
        for name, value in body.items()
    }
    return odata_json({"@odata.context": context, **rendered})
