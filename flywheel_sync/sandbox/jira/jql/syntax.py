"""The parsed form of a JQL query: what was written, before any field is looked up."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "AllOf",
    "AnyOf",
    "Clause",
    "Condition",
    "EmptyOperand",
    "FieldName",
    "FunctionCall",
    "Literal",
    "Not",
    "Operand",
    "Operator",
    "OrderTerm",
    "Query",
]


class Operator(StrEnum):
    """A clause's operator, valued as Jira spells it in messages (lower case words)."""

    EQUALS = "="
    NOT_EQUALS = "!="
    LESS = "<"
    LESS_OR_EQUAL = "<="
    GREATER = ">"
    GREATER_OR_EQUAL = ">="
    CONTAINS = "~"
    NOT_CONTAINS = "!~"
    IN = "in"
    NOT_IN = "not in"
    IS = "is"
    IS_NOT = "is not"


@dataclass(frozen=True, kw_only=True, slots=True)
class FieldName:
    """A field as written: a name (``status``, ``"Flywheel Stage"``) or ``cf[10010]``."""

    text: str
    line: int
    column: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Literal:
    """A value: unquoted words, numbers and keys, or a quoted string (escapes resolved)."""

    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class EmptyOperand:
    """``EMPTY`` or ``NULL``."""


@dataclass(frozen=True, kw_only=True, slots=True)
class FunctionCall:
    """``now()``, ``startOfDay(-1)``, ``currentUser()``: arguments are always strings."""

    name: str
    arguments: tuple[str, ...]


Operand = Literal | EmptyOperand | FunctionCall


@dataclass(frozen=True, kw_only=True, slots=True)
class Clause:
    """``field operator operand``; ``IN``/``NOT IN`` carry every list member as an operand."""

    field: FieldName
    operator: Operator
    operands: tuple[Operand, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class AllOf:
    """Conditions joined by ``AND``."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class AnyOf:
    """Conditions joined by ``OR``."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Not:
    """``NOT condition``."""

    part: Condition


Condition = Clause | AllOf | AnyOf | Not


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderTerm:
    """One ``ORDER BY`` field and its direction."""

    field: FieldName
    descending: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class Query:
    """A whole query; ``where`` is None for an empty or ordering-only (unbounded) query."""

    where: Condition | None
    order_by: tuple[OrderTerm, ...]
