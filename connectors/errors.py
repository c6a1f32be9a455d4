"""Connector errors, grouped by what the caller should do about them.

::

    ConnectorError                 something went wrong reading or writing a tool
    ├── RetryableError             transient (429, 5xx, timeouts, dropped connections):
    │                              retry, honouring ``retry_after`` when the tool sent one
    ├── RecordError                one record is unusable: skip it, report it, carry on
    ├── ConnectorConfigError       the configuration is wrong (unknown project, field, plan):
    │                              fix the configuration; retrying cannot help
    └── AuthenticationError        credentials refused or expired: re-authenticate

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
