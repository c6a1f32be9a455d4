"""The parsed form of a ``$filter`` expression: what was written, before any name is looked up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = [
    "AllOf",
    "AnyOf",
    "Call",
    "Comparison",
    "Condition",
    "Literal",
    "LiteralType",
    "Not",
    "Operand",
    "Operator",
    "Property",
    "Truth",
]


class Operator(StrEnum):
    """A comparison operator, valued by the operator kind OData's messages name."""

    EQ = "Equal"
    NE = "NotEqual"
    GT = "GreaterThan"
    GE = "GreaterThanOrEqual"
    LT = "LessThan"
    LE = "LessThanOrEqual"


class LiteralType(StrEnum):
    """A literal's Edm type, as OData's messages spell it."""

    STRING = "Edm.String"
    INT32 = "Edm.Int32"
    DECIMAL = "Edm.Decimal"
    BOOLEAN = "Edm.Boolean"
    GUID = "Edm.Guid"
    DATETIME = "Edm.DateTimeOffset"
    DATE = "Edm.Date"
    NULL = "null"


@dataclass(frozen=True, kw_only=True, slots=True)
class Property:
    """A property name as written (``_msdyn_project_value``)."""

    name: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Literal:
    """A literal value: text with quotes resolved, numbers, booleans, timestamps, None."""

    type: LiteralType
    value: str | int | float | bool | datetime | None


Operand = Property | Literal


@dataclass(frozen=True, kw_only=True, slots=True)
class Comparison:
    """``left operator right``."""

    left: Operand
    operator: Operator
    right: Operand


@dataclass(frozen=True, kw_only=True, slots=True)
class Call:
    """``name(arguments)``: ``contains``, ``startswith``, ``endswith`` or an unknown function."""

    name: str
    arguments: tuple[Operand, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Truth:
    """An operand used as a condition on its own (``msdyn_ismilestone``, ``true``)."""

    operand: Operand


@dataclass(frozen=True, kw_only=True, slots=True)
class AllOf:
    """Conditions joined by ``and``."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class AnyOf:
    """Conditions joined by ``or``."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Not:
    """``not condition``."""

    part: Condition


Condition = Comparison | Call | Truth | AllOf | AnyOf | Not
