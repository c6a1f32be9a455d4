"""Connector errors, grouped by what the caller should do about them.

::

    ConnectorError                 something went wrong reading or writing a tool
    ├── RetryableError             transient (429, 5xx, timeouts, dropped connections):
    │                              retry, honouring ``retry_after`` when the tool sent one
    ├── RecordError                one record is unusable: skip it, report it, carry on
    ├── ConnectorConfigError       the configuration is wrong (unknown project, field, plan):
    │                              fix the configuration; retrying cannot help
    ├── AuthenticationError        credentials refused or expired: re-authenticate
    ├── WriteRejectedError         the tool refused this one write (400 invalid value or option
    │                              not allowed, 403 limit such as MaximumChecklistItemsOnTask,
    │                              404 gone, 413 too large): record it with its reasons and
    │                              carry on with the rest
    └── StaleWriteError            the item changed since it was read (412 ETag mismatch, 409
                                   version conflict): re-read it and decide again

Every error names its source (``jira:pmo``) and, where there is one, the record
(``PMO-12``), so a message in a log line says where to look.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "ConnectorConfigError",
    "ConnectorError",
    "RecordError",
    "RetryableError",
    "StaleWriteError",
    "WriteRejectedError",
]


class ConnectorError(Exception):
    """Base of every connector error."""

    def __init__(self, message: str, *, source: str, record: str | None = None) -> None:
        where = f"{source} {record}" if record else source
        super().__init__(f"{where}: {message}")
        self.source = source
        self.record = record
        self.detail = message


class RetryableError(ConnectorError):
    """A transient failure: the same request may succeed later."""

    def __init__(
        self,
        message: str,
        *,
        source: str,
        record: str | None = None,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, source=source, record=record)
        self.retry_after = retry_after
        """Seconds the tool asked us to wait (``Retry-After``), if it said."""
        self.status = status


class RecordError(ConnectorError):
    """One record cannot be read or mapped: skip it and report it."""


class ConnectorConfigError(ConnectorError):
    """The configuration points at something the tool does not have or refuses."""


class AuthenticationError(ConnectorError):
    """The tool refused the credentials (401) or they expired."""


class WriteRejectedError(ConnectorError):
    """The tool refused one write for good: record it with its reasons, carry on with the rest.

    Retrying the same write cannot succeed: the value, the item or the request must change.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        record: str | None = None,
        status: int | None = None,
        code: str = "",
        reasons: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, source=source, record=record)
        self.status = status
        """The HTTP status of the refusal, when there was one."""
        self.code = code
        """What the tool named: a Graph error code (``MaximumChecklistItemsOnTask``), the Jira
        field refused (``customfield_10010``), or ``""``."""
        self.reasons = reasons
        """The tool's own messages, each naming its field where the tool said which."""


class StaleWriteError(ConnectorError):
    """The item changed since it was read (412, 409): re-read it and decide the write again."""

    def __init__(
        self, message: str, *, source: str, record: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, source=source, record=record)
        self.status = status
