"""What every connector yields: pages of source records, each with the watermark it reaches.

A connector streams `RecordPage`s; the caller stores a page and its watermark together
(one transaction), so a crash between pages re-reads at most one page and never skips one.
An item the connector cannot read (no id, an unreadable update time, a field of the wrong
type where the connector needs it) is not a reason to fail the page: it rides on the page as
a `QuarantinedRecord`, and the page's watermark still moves past it, so one bad record never
blocks its scope (`connectors.quarantine` builds them). A page whose whole answer cannot be
read (not JSON, the wrong top-level shape) is still an error for the scope.
Connectors never import ``flywheel_sync``: these types are the whole contract.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

__all__ = ["QuarantinedRecord", "RecordPage", "RecordSource", "SourceRecord"]


@dataclass(frozen=True, kw_only=True, slots=True)
class SourceRecord:
    """One item as the tool returned it.

    ``(record_type, external_id)`` identifies it within its source (``issue``/``PMO-12``,
    ``planner_task``/``<id>``); ``payload`` is the tool's JSON, untouched; ``updated_at`` is
    the tool's last-modified time when it has one (timezone-aware).
    """

    record_type: str
    external_id: str
    payload: Mapping[str, Any]
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.updated_at is not None and self.updated_at.utcoffset() is None:
            raise ValueError(f"{self.record_type} {self.external_id}: updated_at must be aware")


@dataclass(frozen=True, kw_only=True, slots=True)
class QuarantinedRecord:
    """An item of a page the connector could not read, set aside with the reason.

    ``external_id`` is the record's id when the connector could tell it (None when the id is
    what cannot be read); ``reason`` says what is wrong in plain words; ``excerpt`` is a
    bounded JSON excerpt of what the tool sent, with secret-looking members masked (a few
    KB at most: see `connectors.quarantine.excerpt`).
    """

    record_type: str
    external_id: str | None
    reason: str
    excerpt: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordPage:
    """Records read from one scope in one request (or one small group of requests).

    ``watermark`` is where the next incremental read of ``scope`` starts once this page is
    stored; ``None`` keeps the previous one (a page that does not advance it).
    """

    scope: str
    records: tuple[SourceRecord, ...]
    watermark: str | None = None
    requests: int = 1
    """HTTP requests it took, for progress display and the "at most one request" checks."""
    details: Mapping[str, int] = field(default_factory=dict)
    quarantined: tuple[QuarantinedRecord, ...] = ()
    """Items of this page that could not be read; the watermark moves past them too."""


class RecordSource(Protocol):
    """A connector's read side: stream every scope's pages from the given watermarks."""

    name: str
    """The configured source name, e.g. ``jira:pmo``."""

    def scopes(self) -> list[str]:
        """The scopes this source reads (Jira projects, Planner plans, channels, ...)."""
        ...

    def pages(
        self, scope: str, watermark: str | None, *, full: bool = False
    ) -> Iterator[RecordPage]:
        """The scope's pages from ``watermark`` on (from the start when ``full``)."""
        ...
