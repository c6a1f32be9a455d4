"""What the user should do about a tool's failure, in one vocabulary for pull and push.

A connector error is classified once, here: the pull names why a scope stopped, the planner
why a target was left out, and the applier why a tool's writes were not made, in the same
words, so a refused credential reads "re-authenticate" wherever it is met.
"""

from __future__ import annotations

from enum import StrEnum

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RecordError,
    RetryableError,
)

__all__ = ["FailureKind", "failure_kind"]


class FailureKind(StrEnum):
    """Why a read or a write stopped, named after what the user should do."""

    RETRY_LATER = "retry later"
    FIX_CONFIGURATION = "fix the configuration"
    REAUTHENTICATE = "re-authenticate"
    BAD_RECORD = "bad record"


_FAILURES: tuple[tuple[type[ConnectorError], FailureKind], ...] = (
    (RetryableError, FailureKind.RETRY_LATER),
    (ConnectorConfigError, FailureKind.FIX_CONFIGURATION),
    (AuthenticationError, FailureKind.REAUTHENTICATE),
    (RecordError, FailureKind.BAD_RECORD),
)


def failure_kind(error: ConnectorError) -> FailureKind:
    """What to do about ``error``.

    Anything unclassified (an answer that made no sense, a tool failing) is worth retrying.
    """
    return next(
        (kind for cls, kind in _FAILURES if isinstance(error, cls)), FailureKind.RETRY_LATER
    )
