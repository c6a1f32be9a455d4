"""A copy-on-write view of the tables while an operation set is tried.

Executing an operation set applies its operations one by one to a `Draft`; the tables
themselves change only if every operation passes, and only when the store commits the draft.
So a failed set leaves nothing behind, and validating a set before it persists costs no copy
of the tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Change", "Draft"]

Row = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Change:
    """One row's fate: ``row`` None means deleted."""

    table: str
    record_id: str
    row: Row | None


class Draft:
    """The tables as they would be after the operations applied so far."""

    def __init__(self, tables: Mapping[str, Mapping[str, Row]]) -> None:
        self._tables = tables
        self._changed: dict[str, dict[str, Row | None]] = {name: {} for name in tables}
        self._order: list[tuple[str, str]] = []
        self._counts: dict[tuple[str, str], Counter[Any]] = {}

    def get(self, table: str, record_id: object) -> Row | None:
        """The row with this id, or None (also for a row deleted in the draft)."""
        if not isinstance(record_id, str):
            return None
        changed = self._changed[table]
        if record_id in changed:
            return changed[record_id]
        return self._tables[table].get(record_id)

    def rows(self, table: str) -> Iterator[Row]:
        """Every row of a table: the existing ones in their order, then the new ones."""
        changed = self._changed[table]
        for record_id, row in self._tables[table].items():
            current = changed.get(record_id, row)
            if current is not None:
                yield current
        for record_id, added in changed.items():
            if added is not None and record_id not in self._tables[table]:
                yield added

    def put(self, table: str, record_id: str, row: Row) -> None:
        """Create or replace a row."""
        self._recount(table, self.get(table, record_id), row)
        self._remember(table, record_id)
        self._changed[table][record_id] = row

    def delete(self, table: str, record_id: str) -> None:
        """Remove a row."""
        self._recount(table, self.get(table, record_id), None)
        self._remember(table, record_id)
        self._changed[table][record_id] = None

    def count(self, table: str, column: str, value: object) -> int:
        """How many rows of ``table`` have ``value`` in ``column`` (counted once, then kept)."""
        key = (table, column)
        if key not in self._counts:
            self._counts[key] = Counter(row.get(column) for row in self.rows(table))
        return self._counts[key][value]

    def changes(self) -> list[Change]:
        """What to write, in the order rows were first touched; rows born and gone are skipped."""
        found = []
        for table, record_id in self._order:
            row = self._changed[table][record_id]
            if row is None and record_id not in self._tables[table]:
                continue
            found.append(Change(table=table, record_id=record_id, row=row))
        return found

    def _remember(self, table: str, record_id: str) -> None:
        if record_id not in self._changed[table]:
            self._order.append((table, record_id))

    def _recount(self, table: str, before: Row | None, after: Row | None) -> None:
        for (counted, column), counts in self._counts.items():
            if counted != table:
                continue
            if before is not None:
                counts[before.get(column)] -= 1
            if after is not None:
                counts[after.get(column)] += 1
