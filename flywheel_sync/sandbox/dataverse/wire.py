"""What every Dataverse endpoint shares on the wire: errors, JSON responses, URLs, ids, times.

Dataverse answers every failure with ``{"error": {"code": "0x...", "message": "..."}}``
(web-api-client-errors). The codes used here:

    0x8006088a  404  unknown entity set, action or segment ("Resource not found for the
                     segment 'x'.", documented)
    0x80040217  404  no row with that key ("Entity 'x' With Id = ... Does Not Exist")
    0x0         400  a name OData's binder cannot find or a type it cannot use (documented
                     for "Could not find a property named ...")
    0x80060888  400  query syntax: $filter, $top, $skiptoken, key literals
    0x80040265  400  refused by a plug-in: the Project scheduling rules
    0x80040220  403  the caller lacks the right (here: a Project licence)
    0x8004431a  400  a choice value outside the column's options
    0x80040237  400  a create with an id a row already has
    0x80040203  400  an update or delete without the row's id
    ""          404  an action reached with another method; 405 a method a path lacks

Every response carries ``OData-Version: 4.0`` and Dataverse's JSON media type.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from flywheel_sync.sandbox.handlers import Handler, answering

__all__ = [
    "MEDIA_TYPE",
    "DataverseError",
    "Handler",
    "guarded",
    "odata_json",
    "parse_guid",
    "parse_time",
    "read_json",
    "record_not_found",
    "service_root",
    "wire_time",
]

JSONBody = dict[str, Any]
MEDIA_TYPE = "application/json; odata.metadata=minimal"


class DataverseError(Exception):
    """A request Dataverse refuses: raised anywhere below a `guarded` handler."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> Response:
        """The error as Dataverse answers it."""
        body = {"error": {"code": self.code, "message": self.message}}
        return odata_json(body, status=self.status)


def record_not_found(logical_name: str, record_id: str) -> DataverseError:
    """404 for a key no row has (the wording the Web API uses for a missing row)."""
    message = f"Entity '{logical_name}' With Id = {record_id} Does Not Exist"
    return DataverseError(404, "0x80040217", message)


def odata_json(
    body: Mapping[str, Any], *, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON response with Dataverse's media type and ``OData-Version`` header."""
    return Response(
        json.dumps(body, ensure_ascii=False).encode("utf-8"),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers={"OData-Version": "4.0", **(headers or {})},
    )


def guarded(handler: Handler) -> Handler:
    """``handler`` with every `DataverseError` it raises answered as Dataverse's error body."""
    return answering(handler, {DataverseError: DataverseError.response})


async def read_json(request: Request) -> JSONBody:
    """The request's JSON object body.

    Raises:
        DataverseError: 400 when the body is empty, not JSON or not an object.
    """
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise DataverseError(
            400, "0x0", "The request body is not a valid JSON object (the payload is invalid)."
        )
    return body


def service_root(request: Request) -> str:
    """The Web API root the client reached, e.g. ``http://127.0.0.1:5000/dataverse/api/data/v9.2``.

    Annotations and paging links are absolute, so clients that follow them verbatim come back
    to the same sandbox.
    """
    return str(request.url.replace(path=request.scope.get("root_path", ""), query=""))


def parse_guid(text: object) -> str | None:
    """``text`` as a lower-case hyphenated GUID, or None when it is not one (braces refused)."""
    if not isinstance(text, str) or len(text) != 36:
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def parse_time(text: object) -> datetime | None:
    """An ISO 8601 timestamp with an offset (``2026-05-01T08:00:00Z``), else None."""
    if not isinstance(text, str) or "T" not in text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC)


def wire_time(moment: datetime) -> str:
    """Dataverse's UTC spelling, whole seconds: ``2026-05-01T08:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
