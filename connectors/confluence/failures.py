"""What a failed Confluence request means for the caller: the status policy as a table.

===================  ==========================================================
status               error
===================  ==========================================================
401, 403             `AuthenticationError` (refused, or no permission on the space)
404                  a lookup answers None; a write raises `WriteRejectedError`
409                  `StaleWriteError`: the page or property changed (its version
                     moved on since it was read): read it again
400, 413, other 4xx  `WriteRejectedError` with Confluence's messages (413: the
                     body is over 5 MB)
429, 5xx             `RetryableError`, ``retry_after`` from ``Retry-After``
===================  ==========================================================

Dropped connections, timeouts and answers cut short are `RetryableError` too. Error bodies
come in two dialects (jira-wire.md §6): v1 ``{"statusCode", "data": {"errors"}, "message"}``
and v2 ``{"errors": [{"status", "code", "title", "detail"}]}``; both are read for reasons,
and v2's ``code`` (``CONFLICT``, ``INVALID_REQUEST_PARAMETER``) is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RetryableError,
    StaleWriteError,
    WriteRejectedError,
)
from connectors.retry import retry_after_seconds

__all__ = ["STATUS_POLICY", "http_failure", "network_failure"]

STATUS_POLICY: Mapping[int, type[ConnectorError]] = {
    400: WriteRejectedError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: WriteRejectedError,
    409: StaleWriteError,
    413: WriteRejectedError,
    429: RetryableError,
}
"""By status; any other 4xx is `WriteRejectedError`, any 5xx `RetryableError`."""

_TRANSIENT_NETWORK = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


def _v1_reasons(body: Mapping[str, Any]) -> list[str]:
    data = body.get("data")
    errors = data.get("errors") if isinstance(data, Mapping) else None
    found = []
    for error in errors or ():
        message = error.get("message") if isinstance(error, Mapping) else error
        if isinstance(message, Mapping):  # {"key", "translation", "args"}
            message = message.get("translation") or message.get("key")
        if message:
            found.append(str(message))
    return found


def _reasons(body: Any) -> tuple[tuple[str, ...], str]:
    """Confluence's messages in either dialect, and v2's error ``code``."""
    if not isinstance(body, Mapping):
        return (), ""
    reasons = [str(body["message"])] if body.get("message") else []
    reasons += _v1_reasons(body)
    code = ""
    errors = body.get("errors")
    for error in errors if isinstance(errors, list) else ():
        if isinstance(error, Mapping):
            code = code or str(error.get("code") or "")
            reasons += [str(error[k]) for k in ("title", "detail") if error.get(k)]
    return tuple(dict.fromkeys(reasons)), code


def http_failure(
    status: int,
    body: Any,
    *,
    what: str,
    source: str,
    record: str | None,
    retry_after: str | None = None,
) -> ConnectorError:
    """The connector error for an error answer to the request ``what`` (``PUT /pages/1``).

    Args:
        status: The HTTP status.
        body: The answer's JSON, if it had any.
        what: The request, named in the message.
        source: The source name, e.g. ``confluence:pmo``.
        record: The page (or page and property) the request was about.
        retry_after: The ``Retry-After`` header, if sent.
    """
    reasons, code = _reasons(body)
    said = f": {'; '.join(reasons)}" if reasons else ""
    kind = STATUS_POLICY.get(status)
    if kind is None:
        kind = RetryableError if status >= 500 else WriteRejectedError
    message = f"{what} answered {status}{said}"
    if kind is RetryableError:
        seconds = retry_after_seconds(retry_after)
        return RetryableError(
            message, source=source, record=record, retry_after=seconds, status=status
        )
    if kind is WriteRejectedError:
        return WriteRejectedError(
            message, source=source, record=record, status=status, code=code, reasons=reasons
        )
    if kind is StaleWriteError:
        return StaleWriteError(
            f"{message}: read it again", source=source, record=record, status=status
        )
    return kind(message, source=source, record=record)


def network_failure(
    error: Exception, *, what: str, source: str, record: str | None
) -> ConnectorError | None:
    """The connector error for a request that got no usable answer; None if not one of ours."""
    name = type(error).__name__
    not_json = RetryableError(
        f"{what}: the answer was not valid JSON", source=source, record=record
    )
    if isinstance(error, requests.exceptions.JSONDecodeError):
        return not_json  # a body cut short by a dropped connection: ask again
    if isinstance(error, requests.exceptions.SSLError):
        return ConnectorConfigError(
            f"{what}: TLS failed ({name}): check the URL", source=source, record=record
        )
    if isinstance(error, _TRANSIENT_NETWORK):
        return RetryableError(f"{what}: network failure ({name})", source=source, record=record)
    if isinstance(error, requests.exceptions.RequestException):
        # InvalidURL, MissingSchema and friends (ValueErrors too): the configured URL is wrong.
        return ConnectorConfigError(
            f"{what}: cannot send the request ({name}): check the URL",
            source=source,
            record=record,
        )
    if isinstance(error, ValueError):
        return not_json  # json's own decoder error
    return None
