"""The system query options of one request, read and checked against a table.

Dataverse supports ``$select``, ``$filter``, ``$orderby``, ``$top``, ``$count`` and
``$skiptoken`` here, refuses ``$skip``, ``$search`` and ``$format`` (query/overview.md,
"Unsupported OData query options") and treats option names case-sensitively. The sandbox also
refuses ``$expand`` and ``$apply``, which it does not emulate. Parameters that are not system
query options (parameter aliases such as ``@p1``) are left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flywheel_sync.sandbox.dataverse.odata.errors import property_not_found, syntax_error
from flywheel_sync.sandbox.dataverse.odata.filtering import RowTest, compile_filter
from flywheel_sync.sandbox.dataverse.odata.ordering import OrderKey, read_orderby
from flywheel_sync.sandbox.dataverse.odata.paging import PageCookie
from flywheel_sync.sandbox.dataverse.tables import Column, Table

__all__ = ["CollectionQuery", "read_collection_query", "read_entity_select"]

_COLLECTION_OPTIONS = frozenset({"$select", "$filter", "$orderby", "$top", "$count", "$skiptoken"})
_NOT_SUPPORTED = frozenset({"$skip", "$search", "$format"})
_NOT_EMULATED = frozenset({"$expand", "$apply"})
Params = Sequence[tuple[str, str]]


@dataclass(frozen=True, kw_only=True)
class CollectionQuery:
    """What a collection request asks for."""

    select: tuple[Column, ...] | None = None
    """The selected columns in the order asked, or None for every column."""
    test: RowTest | None = None
    order: tuple[OrderKey, ...] = ()
    top: int | None = None
    count: bool = False
    cookie: PageCookie | None = None


def read_collection_query(params: Params, table: Table) -> CollectionQuery:
    """The query options of a collection request.

    Raises:
        DataverseError: 400 with OData's (or Dataverse's) message for the first bad option.
    """
    options = _options(params, allowed=_COLLECTION_OPTIONS)
    top = options.get("$top")
    count = options.get("$count")
    if top is not None and not top.isdigit():
        raise syntax_error(
            f"Invalid value '{top}' for $top query option found. "
            "The $top query option requires a non-negative integer value."
        )
    if count is not None and count not in ("true", "false"):
        raise syntax_error(f"'{count}' is not a valid count option.")
    token = options.get("$skiptoken")
    text = options.get("$filter")
    order = options.get("$orderby")
    return CollectionQuery(
        select=_select(options.get("$select"), table),
        test=None if text is None else compile_filter(text, table),
        order=() if order is None else read_orderby(order, table),
        top=None if top is None else int(top),
        count=count == "true",
        cookie=None if token is None else PageCookie.read(token),
    )


def read_entity_select(params: Params, table: Table) -> tuple[Column, ...] | None:
    """The ``$select`` of a request for one row; other collection options are ignored."""
    options = _options(params, allowed=_COLLECTION_OPTIONS)
    return _select(options.get("$select"), table)


def _options(params: Params, *, allowed: frozenset[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for name, value in params:
        if not name.startswith("$"):
            continue
        if name in _NOT_EMULATED:
            raise syntax_error(f"The sandbox does not emulate the {name} query option.")
        if name in _NOT_SUPPORTED or name not in allowed:
            raise syntax_error(f"The query parameter '{name}' is not supported.")
        if name in options:
            raise syntax_error(
                f"Query option '{name}' was specified more than once, "
                "but it must be specified at most once."
            )
        options[name] = value
    return options


def _select(text: str | None, table: Table) -> tuple[Column, ...] | None:
    if text is None or text.strip() == "*":
        return None
    columns: list[Column] = []
    for name in (part.strip() for part in text.split(",")):
        if not name:
            raise syntax_error(f"Syntax error at position {len(text)} in '{text}'.")
        column = table.column(name)
        if column is None:
            raise property_not_found(table, name)
        if column not in columns:
            columns.append(column)
    return tuple(columns)
