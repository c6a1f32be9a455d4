"""What a failed Graph request means for the caller: the status policy as a table.

Graph answers errors as ``{"error": {"code", "message", "innerError"}}`` (graph-wire.md §2);
kiota raises them as ``ODataError`` (an ``APIError``) carrying ``response_status_code`` and
``response_headers``. `graph_failure` turns a status into a `connectors.errors` class:

====================  =========================================================
status                error
====================  =========================================================
401, 403              `AuthenticationError` (refused, or a permission missing)
408, 429, 5xx         `RetryableError`, ``retry_after`` from ``Retry-After``
404                   the caller's ``missing`` class: `ConnectorConfigError` for a
                      configured scope (a group, a channel), `RecordError` for one record
410                   `ExpiredLinkError`: a stored delta link is too old, start over
other 4xx             `ConnectorConfigError` (a query Graph refuses: fix the configuration)
====================  =========================================================

Dropped connections, timeouts and unreadable answers are `RetryableError` too.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RetryableError,
)
from connectors.retry import retry_after_seconds

__all__ = ["STATUS_POLICY", "ExpiredLinkError", "GraphFailure", "graph_failure"]


class ExpiredLinkError(ConnectorConfigError):
    """A stored ``@odata.deltaLink`` or ``nextLink`` is no longer accepted (410 Gone)."""


STATUS_POLICY: Mapping[int, type[ConnectorError]] = MappingProxyType(
    {
        400: ConnectorConfigError,
        401: AuthenticationError,
        403: AuthenticationError,
        408: RetryableError,
        410: ExpiredLinkError,
        429: RetryableError,
    }
)


class GraphFailure:
    """One failed answer: status, Graph's error code and message, and the retry hint."""

    def __init__(
        self, status: int, *, code: str = "", message: str = "", retry_after: str | None = None
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    def describe(self, what: str) -> str:
        """``GET /path answered 404 (NotFound): The requested item is not found.``."""
        code = f" ({self.code})" if self.code else ""
        message = f": {self.message}" if self.message else ""
        return f"{what} answered {self.status}{code}{message}"


def graph_failure(
    failure: GraphFailure,
    *,
    what: str,
    source: str,
    record: str | None = None,
    missing: type[ConnectorError] = ConnectorConfigError,
) -> ConnectorError:
    """The connector error for ``failure`` of the request ``what`` (e.g. ``GET /groups/…``).

    Args:
        failure: The status and what Graph said.
        what: The request, named in the message.
        source: The source name, e.g. ``planner:northwind``.
        record: The record or scope the request was for.
        missing: What a 404 means here (see the module's table).
    """
    status = failure.status
    message = failure.describe(what)
    if status == 404:
        return missing(message, source=source, record=record)
    kind = STATUS_POLICY.get(status)
    if kind is None:
        kind = RetryableError if status >= 500 else ConnectorConfigError
    if kind is RetryableError:
        return RetryableError(
            message,
            source=source,
            record=record,
            retry_after=retry_after_seconds(failure.retry_after),
            status=status,
        )
    return kind(message, source=source, record=record)
