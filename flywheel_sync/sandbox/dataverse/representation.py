"""Rows as the Web API returns them: etag, selected columns, the primary key, annotations.

With ``$select`` a row carries the selected columns in the order asked and always its primary
key (select-columns.md); without it, every column. ``Prefer: odata.include-annotations``
adds, before each value (select-columns.md):

- ``@OData.Community.Display.V1.FormattedValue``: choice labels, ``Yes``/``No``, dates as
  ``4/7/2023 2:59 PM`` (the sandbox's users are in UTC), whole numbers with thousands
  separators, and a lookup's related primary name. Decimals get none in the sandbox: their
  format depends on each column's precision, which the sandbox does not model.
- ``@Microsoft.Dynamics.CRM.associatednavigationproperty`` and ``...lookuplogicalname`` on
  lookups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flywheel_sync.sandbox.dataverse.tables import Column, ColumnKind, Table
from flywheel_sync.sandbox.dataverse.wire import parse_time

__all__ = ["FORMATTED_VALUE", "RowView", "context_url"]

FORMATTED_VALUE = "OData.Community.Display.V1.FormattedValue"
_NAVIGATION = "Microsoft.Dynamics.CRM.associatednavigationproperty"
_LOGICAL_NAME = "Microsoft.Dynamics.CRM.lookuplogicalname"
_NOON = 12
NameOf = Callable[[str, str], str | None]


class RowView:
    """How one request wants rows rendered."""

    def __init__(
        self,
        table: Table,
        *,
        select: Sequence[Column] | None,
        wants: Callable[[str], bool],
        name_of: NameOf,
    ) -> None:
        self.table = table
        self.wants = wants
        self.name_of = name_of
        if select is None:
            self.columns: tuple[Column, ...] = table.columns
        else:
            key = table.column(table.primary_key)
            extra = () if key is None or key in select else (key,)
            self.columns = (*select, *extra)

    def render(self, row: Mapping[str, Any], version: int) -> dict[str, Any]:
        """One row, with ``@odata.etag`` first."""
        rendered: dict[str, Any] = {"@odata.etag": f'W/"{version}"'}
        for column in self.columns:
            value = row.get(column.name)
            if value is not None:
                rendered |= self._annotations(column, value)
            rendered[column.name] = value
        return rendered

    def _annotations(self, column: Column, value: Any) -> dict[str, Any]:
        found: dict[str, Any] = {}
        formatted = self._formatted(column, value)
        if formatted is not None and self.wants(FORMATTED_VALUE):
            found[f"{column.name}@{FORMATTED_VALUE}"] = formatted
        if column.kind is ColumnKind.LOOKUP:
            if self.wants(_NAVIGATION):
                found[f"{column.name}@{_NAVIGATION}"] = column.navigation
            if self.wants(_LOGICAL_NAME):
                found[f"{column.name}@{_LOGICAL_NAME}"] = column.target
        return found

    def _formatted(self, column: Column, value: Any) -> str | None:
        kind = column.kind
        if kind is ColumnKind.CHOICE:
            return column.choices.get(value)
        if kind is ColumnKind.BOOLEAN:
            return "Yes" if value else "No"
        if kind is ColumnKind.INTEGER:
            return f"{value:,}"
        if kind is ColumnKind.LOOKUP:
            return self.name_of(column.target, value)
        moment = parse_time(value) if kind is ColumnKind.DATETIME else None
        if moment is None:
            return None
        hour = moment.hour % 12 or 12
        meridiem = "AM" if moment.hour < _NOON else "PM"
        return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d} {meridiem}"


def context_url(root: str, table: Table, select: Sequence[Column] | None, *, entity: bool) -> str:
    """``@odata.context``: ``<root>/$metadata#msdyn_projects(msdyn_subject)[/$entity]``."""
    columns = "" if select is None else "(" + ",".join(c.name for c in select) + ")"
    return f"{root}/$metadata#{table.entity_set}{columns}{'/$entity' if entity else ''}"
