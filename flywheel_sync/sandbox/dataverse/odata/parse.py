"""``$filter`` text to a `syntax.Condition`, with OData's messages for text it cannot read.

The whole text is lexed before it is parsed, so an unterminated literal is reported as such
wherever it is, as OData does ("There is an unterminated literal at position 21 in
'lastname eq 'O'Bryan''.", filter-rows.md). Positions are zero-based character offsets.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from flywheel_sync.sandbox.dataverse.odata.errors import syntax_error
from flywheel_sync.sandbox.dataverse.odata.grammar import FILTER_GRAMMAR
from flywheel_sync.sandbox.dataverse.odata.syntax import (
    AllOf,
    AnyOf,
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
from flywheel_sync.sandbox.dataverse.wire import DataverseError

__all__ = ["parse_filter"]

_OPERATORS = {
    "EQ": Operator.EQ,
    "NE": Operator.NE,
    "GT": Operator.GT,
    "GE": Operator.GE,
    "LT": Operator.LT,
    "LE": Operator.LE,
}


def parse_filter(text: str) -> Condition:
    """Parse a ``$filter`` value.

    Raises:
        DataverseError: 400 ``0x80060888`` with OData's message when the text is not a filter.
    """
    parser = _parser()
    try:
        for _ in parser.lex(text):
            pass
        tree = parser.parse(text)
    except UnexpectedInput as error:
        raise _translated(error, text) from None
    condition: Condition = _ToSyntax().transform(tree)
    return condition


@cache
def _parser() -> Lark:
    """The shared parser, built once (building costs tens of milliseconds)."""
    return Lark(FILTER_GRAMMAR, parser="lalr", lexer="basic")


def _translated(error: UnexpectedInput, text: str) -> DataverseError:
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream or 0
        if text[position] == "'":
            return syntax_error(
                f"There is an unterminated literal at position {len(text)} in '{text}'."
            )
        return syntax_error(
            f"Syntax error: character '{text[position]}' is not valid at position "
            f"{position} in '{text}'."
        )
    token = error.token if isinstance(error, UnexpectedToken) else None
    if token is None or token.type == "$END":
        expected = error.expected if isinstance(error, UnexpectedToken) else set()
        if "RPAR" in expected:
            return syntax_error(f"')' or operator expected at position {len(text)} in '{text}'.")
        return syntax_error(f"Expression expected at position {len(text)} in '{text}'.")
    return syntax_error(f"Syntax error at position {token.start_pos} in '{text}'.")


def _flattened(kind: type[AllOf] | type[AnyOf], left: Condition, right: Condition) -> Any:
    parts = (*left.parts, right) if isinstance(left, kind) else (left, right)
    return kind(parts=parts)


class _ToSyntax(Transformer[Token, Condition]):
    """Parse tree to syntax objects; a chain of ``and``/``or`` becomes one flat node."""

    def any_of(self, children: list[Any]) -> AnyOf:
        left, _, right = children
        result: AnyOf = _flattened(AnyOf, left, right)
        return result

    def all_of(self, children: list[Any]) -> AllOf:
        left, _, right = children
        result: AllOf = _flattened(AllOf, left, right)
        return result

    def inverted(self, children: list[Any]) -> Not:
        return Not(part=children[1])

    def grouped(self, children: list[Any]) -> Condition:
        inner: Condition = children[1]
        return inner

    def comparison(self, children: list[Any]) -> Comparison:
        left, operator, right = children
        return Comparison(left=left, operator=operator, right=right)

    def comparator(self, children: list[Token]) -> Operator:
        return _OPERATORS[children[0].type]

    def call(self, children: list[Any]) -> Call:
        name = str(children[0])
        arguments = tuple(c for c in children[2:-1] if isinstance(c, Property | Literal))
        return Call(name=name, arguments=arguments)

    def truth(self, children: list[Operand]) -> Truth:
        return Truth(operand=children[0])

    def property(self, children: list[Token]) -> Property:
        return Property(name=str(children[0]))

    def text(self, children: list[Token]) -> Literal:
        return Literal(type=LiteralType.STRING, value=str(children[0])[1:-1].replace("''", "'"))

    def number(self, children: list[Token]) -> Literal:
        raw = str(children[0])
        if raw.lstrip("-").isdigit():
            return Literal(type=LiteralType.INT32, value=int(raw))
        return Literal(type=LiteralType.DECIMAL, value=float(raw))

    def guid(self, children: list[Token]) -> Literal:
        return Literal(type=LiteralType.GUID, value=str(children[0]).lower())

    def timestamp(self, children: list[Token]) -> Literal:
        moment = datetime.fromisoformat(str(children[0])).astimezone(UTC)
        return Literal(type=LiteralType.DATETIME, value=moment)

    def date(self, children: list[Token]) -> Literal:
        moment = datetime.fromisoformat(str(children[0])).replace(tzinfo=UTC)
        return Literal(type=LiteralType.DATE, value=moment)

    def true(self, children: list[Token]) -> Literal:
        return Literal(type=LiteralType.BOOLEAN, value=True)

    def false(self, children: list[Token]) -> Literal:
        return Literal(type=LiteralType.BOOLEAN, value=False)

    def null(self, children: list[Token]) -> Literal:
        return Literal(type=LiteralType.NULL, value=None)
