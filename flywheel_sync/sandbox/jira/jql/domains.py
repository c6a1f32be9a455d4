"""Per kind of field: how a value is normalised, how operands are read, how values compare.

A `Comparison` is declared once per `fields.Domain`. ``normalize`` turns a field's JSON value
into what the comparisons use (None meaning EMPTY); ``operand`` turns a written literal into
a `Resolver`, evaluated once per search (so ``-1d`` follows the request's clock);
``matcher`` answers "is the value any of these operands", ``ordered`` builds ``<``/``>``
tests, and ``sort_value`` gives ORDER BY a comparable form of a present value.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flywheel_sync.sandbox.jira.jql import errors
from flywheel_sync.sandbox.jira.jql.dates import date_literal
from flywheel_sync.sandbox.jira.jql.fields import Domain, NamedOrder, SearchField
from flywheel_sync.sandbox.jira.jql.syntax import Operator
from flywheel_sync.sandbox.jira.jql.values import (
    display_name,
    instant,
    issue_number,
    names_hit,
    number,
    plain_text,
    present,
)

__all__ = ["COMPARISONS", "Comparison", "Resolver", "SearchContext", "numeric_id"]


@dataclass(frozen=True, kw_only=True, slots=True)
class SearchContext:
    """What a search is evaluated against: the request's clock and caller."""

    now: datetime
    current_user: str | None


Resolver = Callable[[SearchContext], Any]
"""An operand's value for one search; None means it names nothing (``currentUser()`` when
anonymous)."""
ValueTest = Callable[[Any], bool]

_RANGE_TESTS: dict[Operator, Callable[[Any, Any], bool]] = {
    Operator.LESS: operator.lt,
    Operator.LESS_OR_EQUAL: operator.le,
    Operator.GREATER: operator.gt,
    Operator.GREATER_OR_EQUAL: operator.ge,
}
_CATEGORY_ORDER = {"new": 0, "indeterminate": 1, "done": 2}


@dataclass(frozen=True, kw_only=True, slots=True)
class Comparison:
    """The comparison rules of one `fields.Domain` (see the module docstring)."""

    normalize: Callable[[Any], Any]
    operand: Callable[[str, SearchField, str], Resolver | str]
    matcher: Callable[[SearchField, Sequence[Any]], ValueTest]
    ordered: Callable[[Operator, Any], ValueTest]
    sort_value: Callable[[SearchField], Callable[[Any], Any]]


def numeric_id(item: Any) -> float:
    """The numeric ``id`` of an issue, option or status (infinity when it has none).

    For issues this is creation order, and the final tie-break of every sort.
    """
    try:
        return float(item.get("id"))
    except (TypeError, ValueError):
        return math.inf


def _constant(value: Any) -> Resolver:
    return lambda context: value


def _in_set(field: SearchField, needles: Sequence[Any]) -> ValueTest:
    wanted = frozenset(needles)
    return wanted.__contains__


def _range(op: Operator, needle: Any) -> ValueTest:
    test = _RANGE_TESTS[op]
    return lambda value: test(value, needle)


def _no_ranges(op: Operator, needle: Any) -> ValueTest:
    raise AssertionError(f"{op} is refused for this field before a test is built")


# --------------------------------------------------------------------------- named values


def _named_operand(text: str, field: SearchField, name: str) -> Resolver | str:
    return _constant(text.casefold())


def _named_matcher(field: SearchField, needles: Sequence[Any]) -> ValueTest:
    wanted, keys = frozenset(needles), field.name_keys
    return lambda value: names_hit(value, keys, wanted)


def _named_sort(field: SearchField) -> Callable[[Any], Any]:
    order = field.named_order

    def sort_value(value: Any) -> tuple[float, str]:
        name = display_name(value).casefold()
        if order is NamedOrder.CATEGORY:
            key = str(value.get("key", "")) if isinstance(value, dict) else ""
            return float(_CATEGORY_ORDER.get(key, len(_CATEGORY_ORDER))), name
        if order is NamedOrder.NAME or not isinstance(value, dict):
            return 0.0, name
        rank = numeric_id(value)
        return (-rank if order is NamedOrder.ID_DESCENDING else rank), name

    return sort_value


# --------------------------------------------------------------------------- text


def _text_normalize(value: Any) -> str | None:
    if not value:
        return None
    return plain_text(value).casefold() or None


def _text_operand(text: str, field: SearchField, name: str) -> Resolver | str:
    """A ``~`` term: case-insensitive containment; ``*`` and ``?`` are wildcards."""
    term = text.strip().strip('"').casefold()
    if "*" not in term and "?" not in term:
        return _constant(lambda value: term in value)
    pattern = re.escape(term).replace(r"\*", r"\S*").replace(r"\?", r"\S")
    return _constant(re.compile(pattern).search)


def _text_matcher(field: SearchField, needles: Sequence[Any]) -> ValueTest:
    tests = tuple(needles)
    return lambda value: any(test(value) for test in tests)


def _text_sort(field: SearchField) -> Callable[[Any], Any]:
    return lambda value: value


# --------------------------------------------------------------------------- dates, numbers


def _date_operand(text: str, field: SearchField, name: str) -> Resolver | str:
    resolve = date_literal(text)
    if resolve is None:
        return errors.invalid_date(text, name)
    return lambda context: resolve(context.now)


def _number_operand(text: str, field: SearchField, name: str) -> Resolver | str:
    try:
        value = float(text)
    except ValueError:
        return errors.invalid_number(text, name)
    if not math.isfinite(value):
        return errors.invalid_number(text, name)
    return _constant(value)


def _plain_sort(field: SearchField) -> Callable[[Any], Any]:
    return lambda value: value


# --------------------------------------------------------------------------- issue keys


def _key_operand(text: str, field: SearchField, name: str) -> Resolver | str:
    """``PMO-12`` (any case) or a numeric issue id."""
    parts = issue_number(text)
    if parts is not None:
        return _constant(("key", parts))
    if text.isdigit():
        return _constant(("id", float(text)))
    return errors.invalid_issue_key(text, name)


def _key_parts(issue: Any) -> tuple[str, int] | None:
    return issue_number(str(issue.get("key", "")))


def _key_matcher(field: SearchField, needles: Sequence[Any]) -> ValueTest:
    keys = frozenset(parts for kind, parts in needles if kind == "key")
    ids = frozenset(value for kind, value in needles if kind == "id")
    return lambda issue: _key_parts(issue) in keys or numeric_id(issue) in ids


def _key_range(op: Operator, needle: Any) -> ValueTest:
    """``key > PMO-10``: later issues of project PMO; ``id > 10010``: by numeric id."""
    test = _RANGE_TESTS[op]
    kind, target = needle
    if kind == "id":
        return lambda issue: test(numeric_id(issue), target)
    project, sequence = target

    def later(issue: Any) -> bool:
        parts = _key_parts(issue)
        return parts is not None and parts[0] == project and test(parts[1], sequence)

    return later


def _key_sort(field: SearchField) -> Callable[[Any], Any]:
    return lambda issue: _key_parts(issue) or ("", 0)


def _rank_sort(field: SearchField) -> Callable[[Any], Any]:
    return numeric_id


COMPARISONS: dict[Domain, Comparison] = {
    Domain.NAMED: Comparison(
        normalize=present, operand=_named_operand, matcher=_named_matcher,
        ordered=_no_ranges, sort_value=_named_sort,
    ),
    Domain.TEXT: Comparison(
        normalize=_text_normalize, operand=_text_operand, matcher=_text_matcher,
        ordered=_no_ranges, sort_value=_text_sort,
    ),
    Domain.DATE: Comparison(
        normalize=instant, operand=_date_operand, matcher=_in_set,
        ordered=_range, sort_value=_plain_sort,
    ),
    Domain.NUMBER: Comparison(
        normalize=number, operand=_number_operand, matcher=_in_set,
        ordered=_range, sort_value=_plain_sort,
    ),
    Domain.KEY: Comparison(
        normalize=present, operand=_key_operand, matcher=_key_matcher,
        ordered=_key_range, sort_value=_key_sort,
    ),
    Domain.RANK: Comparison(
        # No operator applies to Rank (fields.py); only its sort order is used.
        normalize=present, operand=_named_operand, matcher=_in_set,
        ordered=_no_ranges, sort_value=_rank_sort,
    ),
}  # fmt: skip
