"""Text to `syntax.Query`: run the grammar, resolve escapes, refuse what Jira's lexer refuses."""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError

from flywheel_sync.sandbox.jira.jql.errors import ESCAPES, JqlError, syntax_error
from flywheel_sync.sandbox.jira.jql.grammar import JQL_GRAMMAR
from flywheel_sync.sandbox.jira.jql.syntax import (
    AllOf,
    AnyOf,
    Clause,
    Condition,
    EmptyOperand,
    FieldName,
    FunctionCall,
    Literal,
    Not,
    Operand,
    Operator,
    OrderTerm,
    Query,
)
from flywheel_sync.sandbox.jira.jql.syntax_errors import translate_syntax_error

__all__ = ["parse_jql"]

# Jira refuses these as unquoted words (JqlStringSupportImpl, as listed by Jira's own
# functional test of reserved words).
RESERVED_WORDS = frozenset(
    """
    abort access add alias all alter any as audit avg begin between boolean break byte catch
    char character check checkpoint collate collation column commit connect continue count
    create current date decimal declare decrement default defaults define delete delimiter
    difference distinct divide do double drop else encoding end equals escape exclusive exec
    execute exists explain false fetch file field first float for function go goto grant
    greater group having identified if immediate increment index initial inner inout input
    insert int integer intersect intersection into isempty isnull join last left less like
    limit lock long max min minus mode modify modulo more multiply next noaudit notin nowait
    number object of option outer output power previous prior privileges public raise raw
    remainder rename resource return returns revoke right row rowid rownum rows select
    session set share size sqrt start strict string subtract sum synonym table then trans
    transaction trigger true uid union unique update user validate values view when whenever
    where while with
    """.split()  # noqa: SIM905 - a word table reads better than 150 quoted strings
)
_SIMPLE_ESCAPES = {"'": "'", '"': '"', "t": "\t", "n": "\n", "r": "\r", "\\": "\\", " ": " "}
_HEX = frozenset("0123456789abcdefABCDEF")


def parse_jql(text: str) -> Query:
    """Parse ``text`` into a `Query`; an empty or blank text is a query with no clauses.

    Raises:
        JqlError: the text is not JQL; the one message says where and why, as Jira does.
    """
    try:
        query = cast(Query, _parser().parse(text))
    except LarkError as error:
        raise translate_syntax_error(error, text) from None
    return query


@cache
def _parser() -> Lark:
    """The shared parser; building it costs tens of milliseconds, so it is built once.

    The transformer runs inline, at each reduction, so a bad ``cf[...]`` id or a reserved word
    is reported where Jira's parser reports it: before any later syntax error.
    """
    return Lark(JQL_GRAMMAR, parser="lalr", lexer="basic", transformer=_ToSyntax())


def _position(token: Token, offset: int) -> tuple[int, int]:
    """Line and column of the character ``offset`` characters into ``token``."""
    before = str(token)[:offset]
    newlines = before.count("\n")
    if newlines == 0:
        return int(token.line or 1), int(token.column or 1) + offset
    return int(token.line or 1) + newlines, offset - before.rfind("\n")


def _unescape(token: Token, body_start: int, body_end: int) -> str:
    """Resolve Jira's escapes in ``token[body_start:body_end]``."""
    raw = str(token)
    out: list[str] = []
    index = body_start
    while index < body_end:
        char = raw[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        follower = raw[index + 1] if index + 1 < body_end else ""
        if follower in _SIMPLE_ESCAPES and follower:
            out.append(_SIMPLE_ESCAPES[follower])
            index += 2
        elif (
            follower == "u"
            and all(c in _HEX for c in raw[index + 2 : index + 6])
            and (index + 6 <= body_end)
        ):
            out.append(chr(int(raw[index + 2 : index + 6], 16)))
            index += 6
        else:
            raise _illegal_escape(token, raw, index, body_end)
    return "".join(out)


def _illegal_escape(token: Token, raw: str, index: int, body_end: int) -> JqlError:
    sequence = raw[index : index + 2]
    if sequence == "\\u":
        # Jira quotes the escape up to and including its first non-hex character.
        tail = raw[index + 2 : min(index + 6, body_end)]
        bad = next((i for i, c in enumerate(tail) if c not in _HEX), len(tail) - 1)
        sequence = raw[index : index + 3 + bad]
    line, column = _position(token, index)
    return syntax_error(
        f"'{sequence}' is an illegal JQL escape sequence. {ESCAPES}", line=line, column=column
    )


def _word(token: Token) -> str:
    """The text of an unquoted word or a quoted string, escapes resolved."""
    if token.type == "STRING":
        return _unescape(token, 1, len(token) - 1)
    if token.lower() in RESERVED_WORDS:
        raise syntax_error(
            f"'{token}' is a reserved JQL word. "
            "You must surround it in quotation marks to use it in a query.",
            line=token.line,
            column=token.column,
        )
    return _unescape(token, 0, len(token))


def _parts(children: list[Any]) -> tuple[Condition, ...]:
    return tuple(child for child in children if not isinstance(child, Token))


class _ToSyntax(Transformer[Token, Query]):
    """Builds `syntax` values bottom-up; every callback receives the node's children."""

    def start(self, children: list[Any]) -> Query:
        where, ordering = children
        return Query(where=where, order_by=ordering or ())

    def disjunction(self, children: list[Any]) -> Condition:
        return AnyOf(parts=_parts(children))

    def conjunction(self, children: list[Any]) -> Condition:
        return AllOf(parts=_parts(children))

    def inverted(self, children: list[Any]) -> Condition:
        return Not(part=children[-1])

    def grouped(self, children: list[Any]) -> Condition:
        condition: Condition = children[1]
        return condition

    def is_empty(self, children: list[Any]) -> Clause:
        return Clause(field=children[0], operator=Operator.IS, operands=(EmptyOperand(),))

    def is_not_empty(self, children: list[Any]) -> Clause:
        return Clause(field=children[0], operator=Operator.IS_NOT, operands=(EmptyOperand(),))

    def comparison(self, children: list[Any]) -> Clause:
        field, operator, operand = children
        return Clause(field=field, operator=Operator(str(operator)), operands=(operand,))

    def inclusion(self, children: list[Any]) -> Clause:
        return Clause(field=children[0], operator=Operator.IN, operands=children[-1])

    def exclusion(self, children: list[Any]) -> Clause:
        return Clause(field=children[0], operator=Operator.NOT_IN, operands=children[-1])

    def named_field(self, children: list[Any]) -> FieldName:
        (token,) = children
        name = _word(token)
        if not name.strip():
            raise syntax_error(
                "A field name cannot be empty.", line=token.line, column=token.column
            )
        return FieldName(text=name, line=token.line, column=token.column)

    def custom_field(self, children: list[Any]) -> FieldName:
        prefix, _, number, _ = children
        if not (number.isdigit() and int(number) > 0):
            raise syntax_error(
                f"Expecting a custom field id (a positive number) but got '{number}'.",
                line=number.line,
                column=number.column,
            )
        return FieldName(text=f"cf[{int(number)}]", line=prefix.line, column=prefix.column)

    def value(self, children: list[Any]) -> Literal:
        return Literal(text=_word(children[0]))

    def empty(self, children: list[Any]) -> EmptyOperand:
        return EmptyOperand()

    def function(self, children: list[Any]) -> FunctionCall:
        name, _, arguments, _ = children
        return FunctionCall(name=_word(name), arguments=arguments or ())

    def arguments(self, children: list[Any]) -> tuple[str, ...]:
        return tuple(_word(child) for child in children if child.type != "COMMA")

    def listed(self, children: list[Any]) -> tuple[Operand, ...]:
        return tuple(child for child in children if not isinstance(child, Token))

    def collection(self, children: list[Any]) -> tuple[Operand, ...]:
        return (children[0],)

    def ordering(self, children: list[Any]) -> tuple[OrderTerm, ...]:
        return tuple(child for child in children if isinstance(child, OrderTerm))

    def order_key(self, children: list[Any]) -> OrderTerm:
        field, direction = children
        descending = direction is not None and direction.type == "DESC"
        return OrderTerm(field=field, descending=descending)
