"""A Dataverse scope's watermark: per table, the newest ``modifiedon`` and the rows at the edge.

An incremental read asks for ``modifiedon ge <at - lookback>``: the lookback catches rows whose
transaction committed after a newer row was already read (the Schedule API persists operation
sets asynchronously, graph-wire.md §4). Rows inside that window may have been read already, so
the watermark also remembers them, and a row is yielded again only when its ``@odata.etag``
changed: a second read with nothing changed yields nothing.

The watermark is JSON (version 1)::

    {"v": 1, "tables": {
        "project_task": {"at": "2026-11-23T08:00:00Z",
                         "seen": {"2026-11-23T08:00:00Z": ["3f9a0c6e1b2d4a57", ...], ...}},
        ...}}

``at`` is the newest ``modifiedon`` read (whole seconds, UTC; ``null`` after a complete read
that found no rows; for checklist items after a full read, the service's clock when that read
began, see `connectors.project.dataverse_read`). ``seen`` groups, by ``modifiedon``, the
fingerprints (16 hex digits of SHA-256 over ``<id>|<etag>``) of the rows read with
``modifiedon >= at - lookback``, so it holds only the edge, never the table. A table missing
from ``tables`` has not been read to its end: the next read of it is a full one. A watermark
that cannot be read is treated as none, which costs a full read but never loses a change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from connectors.watermarks import decode_document, encode_document

__all__ = ["ScopeMark", "SeenWindow", "TableMark", "fingerprint"]

_VERSION = 1
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def _moment(text: str) -> datetime:
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)


def _whole_second(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def fingerprint(record_id: str, etag: str) -> str:
    """16 hex digits standing for one version of one row."""
    return hashlib.sha256(f"{record_id}|{etag}".encode()).hexdigest()[:16]


@dataclass(frozen=True, kw_only=True)
class TableMark:
    """How far one table of a scope has been read."""

    at: datetime | None
    """The newest ``modifiedon`` read; None after a complete read that found no rows."""
    seen: Mapping[datetime, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    """Fingerprints of the rows at the edge, by ``modifiedon``."""

    def to_json(self) -> dict[str, Any]:
        """The JSON object this mark is stored as."""
        return {
            "at": None if self.at is None else _text(self.at),
            "seen": {_text(when): sorted(prints) for when, prints in sorted(self.seen.items())},
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> TableMark:
        """The mark `to_json` wrote.

        Raises:
            ValueError: when ``value`` is not such a mark.
        """
        at, seen = value.get("at"), value.get("seen", {})
        if not (at is None or isinstance(at, str)) or not isinstance(seen, dict):
            raise ValueError("not a table mark")
        return cls(
            at=None if at is None else _moment(at),
            seen=MappingProxyType(
                {_moment(when): frozenset(str(p) for p in prints) for when, prints in seen.items()}
            ),
        )


@dataclass(frozen=True)
class ScopeMark:
    """The marks of every table of a scope read so far (see the module docstring)."""

    tables: Mapping[str, TableMark] = field(default_factory=lambda: MappingProxyType({}))

    def table(self, record_type: str) -> TableMark | None:
        """The mark of one table, or None when it has not been read to its end."""
        return self.tables.get(record_type)

    def with_table(self, record_type: str, mark: TableMark) -> ScopeMark:
        """This mark with one table's advanced."""
        return ScopeMark(MappingProxyType({**self.tables, record_type: mark}))

    def encode(self) -> str:
        """The watermark string stored with a page."""
        tables = {name: mark.to_json() for name, mark in sorted(self.tables.items())}
        return encode_document(_VERSION, {"tables": tables})

    @classmethod
    def decode(cls, watermark: str | None) -> ScopeMark:
        """The mark a watermark string holds; an empty one when absent or unreadable."""
        value = decode_document(watermark, _VERSION)
        if value is None:
            return cls()
        try:
            tables = value.get("tables")
            if not isinstance(tables, dict):
                return cls()
            marks = {str(name): TableMark.from_json(mark) for name, mark in tables.items()}
        except (ValueError, TypeError, AttributeError):
            return cls()
        return cls(MappingProxyType(marks))


class SeenWindow:
    """The edge of one table while it is read: which rows are new, and the mark they reach.

    Args:
        previous: The table's mark before this read (None for a full read).
        lookback: How far before ``at`` the next read starts.
    """

    def __init__(self, previous: TableMark | None, lookback: timedelta) -> None:
        self._lookback = lookback
        self._at = None if previous is None else previous.at
        self._seen: dict[datetime, set[str]] = {}
        self._known: set[str] = set()
        if previous is not None:
            for when, prints in previous.seen.items():
                self._seen[when] = set(prints)
                self._known |= prints

    @property
    def since(self) -> datetime | None:
        """The ``modifiedon`` an incremental read starts at, None to read everything."""
        if self._at is None:
            return None
        return _whole_second(self._at - self._lookback)

    def is_new(self, print_: str) -> bool:
        """Whether a row version has not been read before (at the edge or in this read)."""
        return print_ not in self._known

    def note(self, modified: datetime, print_: str) -> None:
        """Remember a row version just read."""
        when = _whole_second(modified)
        self._seen.setdefault(when, set()).add(print_)
        self._known.add(print_)
        if self._at is None or when > self._at:
            self._at = when

    def mark(self, *, at: datetime | None = None) -> TableMark:
        """The table's mark now; ``at`` overrides the newest ``modifiedon`` read."""
        newest = self._at if at is None else _whole_second(at)
        if newest is None:
            return TableMark(at=None)
        edge = _whole_second(newest - self._lookback)
        seen = {when: frozenset(p) for when, p in self._seen.items() if when >= edge}
        return TableMark(at=newest, seen=MappingProxyType(seen))
