"""``$orderby`` as Dataverse sorts: nulls first, text without case, lookups by related name.

A lookup column sorts by the primary name of the row it points to and a choice column by its
integer value (order-rows.md). Ties keep the table's own order (creation order in the
sandbox), which also makes paging stable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flywheel_sync.sandbox.dataverse.odata.errors import property_not_found, syntax_error
from flywheel_sync.sandbox.dataverse.tables import Column, ColumnKind, Table
from flywheel_sync.sandbox.dataverse.wire import parse_time

__all__ = ["NameOf", "OrderKey", "read_orderby", "sort_rows"]

Row = Mapping[str, Any]
_NAME_AND_DIRECTION = 2
NameOf = Callable[[str, str], str | None]
"""The primary name of a row, given its table's logical name and its id."""


@dataclass(frozen=True, kw_only=True)
class OrderKey:
    """One ``$orderby`` term."""

    column: Column
    descending: bool = False


def read_orderby(text: str, table: Table) -> tuple[OrderKey, ...]:
    """The terms of a ``$orderby`` value.

    Raises:
        DataverseError: 400 for an unknown column or a term that is not ``name [asc|desc]``.
    """
    keys = []
    for term in text.split(","):
        words = term.split()
        direction = words[1] if len(words) == _NAME_AND_DIRECTION else "asc"
        if len(words) not in (1, _NAME_AND_DIRECTION) or direction not in ("asc", "desc"):
            raise syntax_error(f"Syntax error at position {len(text)} in '{text}'.")
        column = table.column(words[0])
        if column is None:
            raise property_not_found(table, words[0])
        keys.append(OrderKey(column=column, descending=direction == "desc"))
    return tuple(keys)


def sort_rows(rows: Sequence[Row], keys: Sequence[OrderKey], name_of: NameOf) -> list[Row]:
    """``rows`` in ``keys`` order; a stable sort, so ties keep their order."""
    ordered = list(rows)
    for key in reversed(keys):
        ordered.sort(key=_sort_value(key.column, name_of), reverse=key.descending)
    return ordered


def _sort_value(column: Column, name_of: NameOf) -> Callable[[Row], tuple[int, Any]]:
    """Rows to comparable keys; a null sorts before every value, as SQL Server sorts it."""

    def value(row: Row) -> tuple[int, Any]:
        raw = row.get(column.name)
        if raw is None:
            return (0, 0)
        if column.kind is ColumnKind.LOOKUP:
            name = name_of(column.target, raw)
            return (0, 0) if name is None else (1, name.casefold())
        if column.kind in (ColumnKind.STRING, ColumnKind.GUID):
            return (1, str(raw).casefold())
        if column.kind is ColumnKind.DATETIME:
            return (1, parse_time(raw))
        return (1, raw)

    return value
