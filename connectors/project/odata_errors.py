"""What a Dataverse failure means for the caller: one table from HTTP status to error class.

Dataverse answers every failure with ``{"error": {"code": "0x...", "message": "..."}}``
(web-api-client-errors); the code and message are quoted in the error so a log line says what
the service objected to. The policy, by status:

=========  ======================  ==========================================================
status     error                   why
=========  ======================  ==========================================================
400        ConnectorConfigError    a configured query is wrong (unknown column in ``$select``)
401, 403   AuthenticationError     token refused or expired; 403 also means a missing read
                                   privilege, which only an administrator can grant
404        ConnectorConfigError    a configured project, or Project itself, is not there
408, 429   RetryableError          timeout / service protection limit (``Retry-After``)
5xx        RetryableError          transient server trouble (``Retry-After`` when sent)
other 4xx  ConnectorConfigError    the service refuses the request as configured
=========  ======================  ==========================================================

Transport failures (timeouts, refused or dropped connections) are retryable too; they are
classified where the request is sent (`connectors.project.odata`).
"""

from __future__ import annotations

import json

import httpx

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RetryableError,
)
from connectors.retry import retry_after_seconds

__all__ = ["STATUS_POLICY", "status_error"]

STATUS_POLICY: dict[int, type[ConnectorError]] = {
    400: ConnectorConfigError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: ConnectorConfigError,
    408: RetryableError,
    429: RetryableError,
}
"""Error class by status; any other 5xx is retryable and any other 4xx a configuration error."""

_SERVER_ERROR = 500
_MESSAGE_LIMIT = 300


def _error_class(status: int) -> type[ConnectorError]:
    if status in STATUS_POLICY:
        return STATUS_POLICY[status]
    return RetryableError if status >= _SERVER_ERROR else ConnectorConfigError


def _service_message(response: httpx.Response) -> str:
    """``0x80040217 Entity ... Does Not Exist`` from the error body, or the start of the text."""
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code, message = error.get("code") or "", error.get("message") or ""
        text = f"{code} {message}".strip()
    else:
        text = response.text.strip()
    return text[:_MESSAGE_LIMIT]


def status_error(
    response: httpx.Response, *, what: str, source: str, record: str | None = None
) -> ConnectorError:
    """The error a failed ``response`` to ``what`` (e.g. ``GET msdyn_projecttasks``) stands for."""
    status = response.status_code
    message = f"{what} answered {status}"
    detail = _service_message(response)
    if detail:
        message += f": {detail}"
    error_class = _error_class(status)
    if error_class is RetryableError:
        return RetryableError(
            message,
            source=source,
            record=record,
            status=status,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    return error_class(message, source=source, record=record)
