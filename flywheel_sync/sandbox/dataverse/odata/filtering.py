"""A parsed ``$filter`` bound to a table: names checked, types checked, a test per row.

Semantics follow Dataverse (filter-rows.md): string comparisons are case-insensitive;
``contains``/``startswith``/``endswith`` take SQL ``LIKE`` wildcards (``%``, ``_``, ``[...]``);
a row is returned only when the expression is true, not when it is false or unknown. Unknown
is SQL's three-valued logic: comparing a null column with a value (``msdyn_description eq
'x'``, ``... ne 'x'``, ``... gt 'x'``) is unknown, ``not unknown`` is unknown, and only
``eq null``/``ne null`` test for null. A GUID column also accepts a quoted GUID, as Dataverse
does (``_owninguser_value eq '<guid>'`` in its docs); a timestamp column accepts a date
(midnight UTC).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flywheel_sync.sandbox.dataverse.odata.errors import binding_error, property_not_found
from flywheel_sync.sandbox.dataverse.odata.parse import parse_filter
from flywheel_sync.sandbox.dataverse.odata.syntax import (
    AllOf,
    Call,
    Comparison,
    Condition,
    Literal,
    LiteralType,
    Not,
    Operand,
    Operator,
    Property,
    Truth,
)
from flywheel_sync.sandbox.dataverse.tables import ColumnKind, Table
from flywheel_sync.sandbox.dataverse.wire import parse_time

__all__ = ["RowTest", "compile_filter"]

Row = Mapping[str, Any]
RowTest = Callable[[Row], bool]
_Tristate = Callable[[Row], bool | None]
_STRING_FUNCTIONS = ("contains", "startswith", "endswith")
_STRING_FUNCTION_ARITY = 2
_FAMILY = {
    "Edm.String": "text",
    "Edm.Guid": "guid",
    "Edm.DateTimeOffset": "time",
    "Edm.Date": "time",
    "Edm.Int32": "number",
    "Edm.Decimal": "number",
    "Edm.Boolean": "bool",
}
_COMPARE: dict[Operator, Callable[[Any, Any], bool]] = {
    Operator.EQ: operator.eq,
    Operator.NE: operator.ne,
    Operator.GT: operator.gt,
    Operator.GE: operator.ge,
    Operator.LT: operator.lt,
    Operator.LE: operator.le,
}


@dataclass(frozen=True, slots=True)
class _Bound:
    """An operand ready to evaluate: its Edm type and a getter of comparable values."""

    edm: str
    value: Callable[[Row], Any]
    is_property: bool = False
    is_null: bool = False


def compile_filter(text: str, table: Table) -> RowTest:
    """The test a ``$filter`` value makes of ``table``'s rows.

    Raises:
        DataverseError: 400 when the text does not parse (``0x80060888``) or does not bind:
            unknown names, incompatible operand types, unknown functions (``0x0``).
    """
    tristate = _condition(parse_filter(text), table)
    return lambda row: tristate(row) is True


def _condition(condition: Condition, table: Table) -> _Tristate:
    if isinstance(condition, Comparison):
        return _comparison(condition, table)
    if isinstance(condition, Call):
        return _call(condition, table)
    if isinstance(condition, Truth):
        return _truth(condition, table)
    if isinstance(condition, Not):
        part = _condition(condition.part, table)
        return lambda row: None if (found := part(row)) is None else not found
    parts = [_condition(p, table) for p in condition.parts]
    return _all(parts) if isinstance(condition, AllOf) else _any(parts)


def _all(parts: list[_Tristate]) -> _Tristate:
    def test(row: Row) -> bool | None:
        results = [part(row) for part in parts]
        if False in results:
            return False
        return None if None in results else True

    return test


def _any(parts: list[_Tristate]) -> _Tristate:
    def test(row: Row) -> bool | None:
        results = [part(row) for part in parts]
        if True in results:
            return True
        return None if None in results else False

    return test


def _comparison(comparison: Comparison, table: Table) -> _Tristate:
    left, right = _operand(comparison.left, table), _operand(comparison.right, table)
    if not _compatible(left, right):
        raise binding_error(
            "A binary operator with incompatible types was detected. Found operand types "
            f"'{left.edm}' and '{right.edm}' for operator kind '{comparison.operator.value}'."
        )
    compare = _COMPARE[comparison.operator]
    equality = comparison.operator in (Operator.EQ, Operator.NE)
    if equality and (left.is_null or right.is_null):
        wanted_null = comparison.operator is Operator.EQ
        tested = right if left.is_null else left
        return lambda row: (tested.value(row) is None) is wanted_null

    def test(row: Row) -> bool | None:
        a, b = left.value(row), right.value(row)
        if a is None or b is None:
            return None
        return bool(compare(a, b))

    return test


def _compatible(left: _Bound, right: _Bound) -> bool:
    if left.is_null or right.is_null:
        return True
    families = {_FAMILY[left.edm], _FAMILY[right.edm]}
    if len(families) == 1:
        return True
    # A quoted GUID against a GUID column, as Dataverse's own examples write it.
    one_property = left.is_property != right.is_property
    return families == {"guid", "text"} and one_property


def _call(call: Call, table: Table) -> _Tristate:
    if call.name not in _STRING_FUNCTIONS:
        if "." in call.name:
            raise binding_error(f"The sandbox does not emulate the query function '{call.name}'.")
        raise binding_error(
            f"An unknown function with name '{call.name}' was found. This may also be a function "
            "import or a key lookup on a navigation property, which is not allowed."
        )
    arguments = [_operand(a, table) for a in call.arguments]
    if len(arguments) != _STRING_FUNCTION_ARITY or any(a.edm != "Edm.String" for a in arguments):
        raise binding_error(
            f"No function signature for the function with name '{call.name}' matches the "
            f"specified arguments. The function signatures considered are: {call.name}"
            "(Edm.String Nullable=true, Edm.String Nullable=true)."
        )
    subject, pattern = arguments
    template = {"contains": "%{}%", "startswith": "{}%", "endswith": "%{}"}[call.name]

    def test(row: Row) -> bool | None:
        text, wanted = subject.value(row), pattern.value(row)
        if text is None or wanted is None:
            return None
        return _like(template.format(wanted)).fullmatch(text) is not None

    return test


def _like(pattern: str) -> re.Pattern[str]:
    """SQL ``LIKE`` (``%``, ``_``, ``[abc]``, ``[^abc]``) as a case-insensitive regex."""
    parts, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        closing = pattern.find("]", index + 1) if char == "[" else -1
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        elif closing > index + 1:
            inner = pattern[index + 1 : closing]
            negated = inner.startswith("^")
            body = re.escape(inner[1:] if negated else inner).replace("\\-", "-")
            parts.append(f"[{'^' if negated else ''}{body}]")
            index = closing
        else:
            parts.append(re.escape(char))
        index += 1
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _truth(truth: Truth, table: Table) -> _Tristate:
    bound = _operand(truth.operand, table)
    if bound.edm != "Edm.Boolean":
        raise binding_error("The $filter expression must evaluate to a single boolean value.")
    return bound.value


def _operand(operand: Operand, table: Table) -> _Bound:
    if isinstance(operand, Property):
        return _property(operand.name, table)
    return _literal(operand)


def _property(name: str, table: Table) -> _Bound:
    column = table.column(name)
    if column is None:
        raise property_not_found(table, name)
    kind = column.kind
    if kind in (ColumnKind.STRING, ColumnKind.GUID, ColumnKind.LOOKUP):
        return _Bound(column.kind.edm, lambda row: _folded(row.get(name)), is_property=True)
    if kind is ColumnKind.DATETIME:
        return _Bound(column.kind.edm, lambda row: parse_time(row.get(name)), is_property=True)
    return _Bound(column.kind.edm, lambda row: row.get(name), is_property=True)


def _literal(literal: Literal) -> _Bound:
    if literal.type is LiteralType.NULL:
        return _Bound("null", lambda row: None, is_null=True)
    value: Any = literal.value.casefold() if isinstance(literal.value, str) else literal.value
    return _Bound(literal.type.value, lambda row: value)


def _folded(value: object) -> str | None:
    return value.casefold() if isinstance(value, str) else None
