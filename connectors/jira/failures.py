"""What a failed Jira call means for the caller: library exceptions mapped onto ours.

The jira library raises `JIRAError` (``status_code``, ``response``) for every HTTP error and
lets requests' exceptions through for network trouble (libraries.md §2). `translate` maps
both onto `connectors.errors` with the table below. What a refusal means depends on what the
call was about: a search runs a *configured* query, so a 400 or 404 there is the
configuration's fault (`ConnectorConfigError` naming the scope); a per-issue call (changelog,
properties) is about one record, so the same refusal is a `RecordError` for that issue.

Writes have their own table (`translate_write`), because a refused write is about that one
write, never about the configuration:

==========================  =====================================================
status                      error
==========================  =====================================================
400, 403, 404, 413, 422     `WriteRejectedError` with Jira's ``errorMessages`` and
                            ``errors`` (field → message) as reasons, the first
                            refused field id as ``code``: record it, carry on
409                         `StaleWriteError`: the issue changed meanwhile
401                         `AuthenticationError`
429, 5xx, network           `RetryableError` (``Retry-After`` honoured)
==========================  =====================================================

A 403 on a write is a permission Jira withholds for this write (a field, disabling
notifications on Data Center), not refused credentials: those are 401.

``str(JIRAError)`` includes the request headers, Authorization among them: messages are
built from the status and Jira's ``errorMessages`` (``JIRAError.text``) or error body only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

import requests
from jira.exceptions import JIRAError

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RecordError,
    RetryableError,
    StaleWriteError,
    WriteRejectedError,
)
from connectors.retry import retry_after_seconds

__all__ = ["Subject", "translate", "translate_write", "write_rejection"]


class _Meaning(Enum):
    RETRY = "retry"
    REAUTHENTICATE = "re-authenticate"
    REFUSED = "refused"
    """Jira refused what we asked for: the configured query, or the one issue."""
    STALE = "stale"
    """The issue changed since it was read (writes only)."""


_STATUS_MEANINGS: dict[int, _Meaning] = {
    400: _Meaning.REFUSED,  # malformed JQL, unknown field or value
    401: _Meaning.REAUTHENTICATE,
    403: _Meaning.REAUTHENTICATE,  # a token without the scope or permission to read
    404: _Meaning.REFUSED,  # unknown project/filter, or an issue deleted since the search
    410: _Meaning.REFUSED,  # legacy search removed: a Cloud site configured as datacenter
    429: _Meaning.RETRY,
}
"""HTTP statuses by what they mean; every 5xx means retry, any other 4xx means refused."""

_WRITE_MEANINGS: dict[int, _Meaning] = {
    400: _Meaning.REFUSED,  # a value or option not allowed, a field not on the screen
    401: _Meaning.REAUTHENTICATE,
    403: _Meaning.REFUSED,  # no permission for this field or for notifyUsers=false
    404: _Meaning.REFUSED,  # the issue (or comment, property) is gone
    409: _Meaning.STALE,  # a conflicting update
    413: _Meaning.REFUSED,  # the comment or attachment limit
    422: _Meaning.REFUSED,  # the project's configuration refuses it
    429: _Meaning.RETRY,
}
"""The write table: every 5xx means retry, any other 4xx means this write is refused."""

_MIN_RETRY_AFTER = 1.0
"""Data Center may send ``Retry-After: 0``; retrying at once only earns another 429."""

_TRANSIENT_NETWORK = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Subject:
    """What a call was about: a configured scope's query, or one issue (its key)."""

    source: str
    scope: str | None = None
    record: str | None = None

    def describe(self, what: str) -> str:
        """``what`` prefixed with the scope, when the call ran a scope's query."""
        return f"scope {self.scope!r}: {what}" if self.scope is not None else what


def _meaning(status: int | None, table: Mapping[int, _Meaning] = _STATUS_MEANINGS) -> _Meaning:
    if status is None or status >= 500:
        return _Meaning.RETRY
    return table.get(status, _Meaning.REFUSED)


def _retry_after(error: JIRAError) -> float | None:
    if error.response is None:
        return None
    seconds = retry_after_seconds(error.response.headers.get("Retry-After"))
    return None if seconds is None else max(_MIN_RETRY_AFTER, seconds)


def _from_http(error: JIRAError, subject: Subject) -> ConnectorError:
    status = error.status_code
    said = f": {error.text}" if error.text else ""
    source, record = subject.source, subject.record
    meaning = _meaning(status)
    if meaning is _Meaning.RETRY:
        detail = f"Jira answered HTTP {status}{said}" if status else f"Jira failed{said}"
        return RetryableError(
            subject.describe(detail),
            source=source,
            record=record,
            retry_after=_retry_after(error),
            status=status,
        )
    if meaning is _Meaning.REAUTHENTICATE:
        detail = f"Jira refused the credentials (HTTP {status}){said}"
        return AuthenticationError(subject.describe(detail), source=source, record=record)
    if record is not None:
        detail = f"Jira refused to read the issue (HTTP {status}){said}"
        return RecordError(detail, source=source, record=record)
    detail = f"Jira refused the query (HTTP {status}){said}"
    return ConnectorConfigError(subject.describe(detail), source=source)


def _body(error: JIRAError) -> Any:
    if error.response is None:
        return None
    try:
        return error.response.json()
    except ValueError:
        return None


def _reasons(body: Any) -> tuple[tuple[str, ...], str]:
    """Jira's messages, each field's prefixed with its id, and the first field id refused.

    Handles the usual ``{"errorMessages": [...], "errors": {field: message}}`` and the bulk
    endpoints' ``{"errors": [{"message": ...}]}``.
    """
    if not isinstance(body, Mapping):
        return (), ""
    messages = [str(m) for m in body.get("errorMessages") or () if m]
    errors = body.get("errors")
    code = ""
    if isinstance(errors, Mapping):
        messages += [f"{field}: {message}" for field, message in errors.items()]
        code = str(next(iter(errors), ""))
    elif isinstance(errors, list):
        messages += [str(e.get("message", e)) if isinstance(e, Mapping) else str(e) for e in errors]
    return tuple(messages), code


def write_rejection(status: int | None, body: Any, subject: Subject) -> WriteRejectedError:
    """The `WriteRejectedError` for a refusal Jira answered with ``body`` (its error JSON).

    Also reads one element's ``elementErrors`` of a bulk create.
    """
    reasons, code = _reasons(body)
    said = f": {'; '.join(reasons)}" if reasons else ""
    where = f" (HTTP {status})" if status is not None else ""
    return WriteRejectedError(
        f"Jira refused the write{where}{said}",
        source=subject.source,
        record=subject.record,
        status=status,
        code=code,
        reasons=reasons,
    )


def _from_http_write(error: JIRAError, subject: Subject) -> ConnectorError:
    status = error.status_code
    meaning = _meaning(status, _WRITE_MEANINGS)
    if meaning is _Meaning.REFUSED:
        return write_rejection(status, _body(error), subject)
    said = f": {error.text}" if error.text else ""
    source, record = subject.source, subject.record
    if meaning is _Meaning.STALE:
        detail = f"the issue changed while we wrote it (HTTP {status}){said}: read it again"
        return StaleWriteError(detail, source=source, record=record, status=status)
    return _from_http(error, subject)


def _from_network(error: Exception, subject: Subject) -> ConnectorError | None:
    name = type(error).__name__
    source, record = subject.source, subject.record
    if isinstance(error, requests.exceptions.JSONDecodeError):
        # A body cut short (a dropped connection) does not parse as JSON: ask again.
        detail = "Jira's answer was not valid JSON"
        return RetryableError(subject.describe(detail), source=source, record=record)
    if isinstance(error, requests.exceptions.SSLError):
        # A certificate problem does not heal by waiting: the CA bundle needs fixing.
        detail = f"TLS failed ({name}): check the URL and ca_bundle"
        return ConnectorConfigError(subject.describe(detail), source=source, record=record)
    if isinstance(error, _TRANSIENT_NETWORK):
        detail = f"network failure ({name})"
        return RetryableError(subject.describe(detail), source=source, record=record)
    if isinstance(error, requests.exceptions.RequestException):
        # InvalidURL, MissingSchema and friends: the configured URL is wrong.
        detail = f"cannot send the request ({name}): check the URL"
        return ConnectorConfigError(subject.describe(detail), source=source, record=record)
    if isinstance(error, ValueError):
        # json's own decoder error, for a body the library parsed itself.
        detail = "Jira's answer was not valid JSON"
        return RetryableError(subject.describe(detail), source=source, record=record)
    return None


def translate(error: Exception, subject: Subject) -> ConnectorError | None:
    """The connector error ``error`` stands for, or None when it is not a call failure.

    Args:
        error: What the jira library (or requests underneath it) raised.
        subject: The scope or issue the call was about, for the message and the error class.
    """
    if isinstance(error, ConnectorError):
        return error
    if isinstance(error, JIRAError):
        return _from_http(error, subject)
    return _from_network(error, subject)


def translate_write(error: Exception, subject: Subject) -> ConnectorError | None:
    """`translate` for a write (or a read made for one): the module's write table.

    Args:
        error: What the jira library (or requests underneath it) raised.
        subject: The issue the write was about (``record``), for the message.
    """
    if isinstance(error, ConnectorError):
        return error
    if isinstance(error, JIRAError):
        return _from_http_write(error, subject)
    return _from_network(error, subject)
