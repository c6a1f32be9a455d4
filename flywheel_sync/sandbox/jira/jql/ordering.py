"""ORDER BY: resolving the sort fields and sorting issues the way Jira lists them.

- Keys apply left to right; ties fall through to the next key and finally to the numeric
  issue id, ascending, so paging over a sorted result is stable.
- EMPTY values sort after every value ascending, and so before every value descending.
- Without ORDER BY, issues are listed by numeric id, ascending: creation order (the
  emulator's choice; Jira documents no default).
- Named values sort by name, except select options and statuses (by id, standing in for
  their configured order), priorities (by id, reversed: ASC lists Lowest first, as on Jira
  where id 1 is Highest) and status categories (To Do, In Progress, Done). Issue keys sort
  by project key, then number; ``Rank`` sorts by creation order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flywheel_sync.sandbox.jira.jql import errors
from flywheel_sync.sandbox.jira.jql.domains import COMPARISONS, numeric_id
from flywheel_sync.sandbox.jira.jql.fields import FieldCatalog, FieldRef, resolve_field
from flywheel_sync.sandbox.jira.jql.syntax import OrderTerm

__all__ = ["OrderKey", "Sorter", "compile_ordering", "sort_issues"]

Issue = Mapping[str, Any]
SortKey = Callable[[Issue], tuple[int, Any]]


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderKey:
    """One ORDER BY key: the field and whether it sorts descending."""

    field: FieldRef
    descending: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class Sorter:
    """An `OrderKey` with the function giving each issue its place."""

    key: OrderKey
    place: SortKey


def compile_ordering(
    terms: tuple[OrderTerm, ...], catalog: FieldCatalog, problems: list[str]
) -> tuple[Sorter, ...]:
    """The sorters for ``terms``; problems (unknown, unsortable, repeated) are appended."""
    if len(terms) > errors.MAX_ORDER_KEYS:
        problems.append(errors.too_many_order_keys())
    sorters: list[Sorter] = []
    first_names: dict[str, str] = {}  # field id -> the name that first sorted by it
    for term in terms:
        name = term.field.text
        field = resolve_field(name, catalog)
        if field is None:
            problems.append(errors.not_able_to_sort(name))
        elif not field.sortable:
            problems.append(errors.not_sortable(name))
        elif field.ref.id in first_names:
            problems.append(errors.sorted_twice(name, first_names[field.ref.id]))
        else:
            first_names[field.ref.id] = name
            comparison = COMPARISONS[field.domain]
            place = _place(field.read, comparison.normalize, comparison.sort_value(field))
            sorters.append(
                Sorter(key=OrderKey(field=field.ref, descending=term.descending), place=place)
            )
    return tuple(sorters)


def _place(
    read: Callable[[Issue], Any], normalize: Callable[[Any], Any], sort_value: Callable[[Any], Any]
) -> SortKey:
    def place(issue: Issue) -> tuple[int, Any]:
        value = normalize(read(issue))
        # (1, 0) sorts after every (0, value): EMPTY last ascending, first descending.
        return (1, 0) if value is None else (0, sort_value(value))

    return place


def sort_issues(issues: Iterable[Issue], sorters: tuple[Sorter, ...]) -> list[Issue]:
    """``issues`` in ORDER BY order (see the module docstring for the rules)."""
    ordered = sorted(issues, key=numeric_id)
    # Stable sorts from the least to the most significant key; `reverse` keeps ties in order.
    for sorter in reversed(sorters):
        ordered.sort(key=sorter.place, reverse=sorter.key.descending)
    return ordered
