"""Lark's parse failures, reworded as Jira's "Error in the JQL Query: ..." messages.

The parser state is identified by the set of terminals it would have accepted (see the
terminal names in `grammar`): after a field it wants a ``COMPARATOR``, at a value it wants
``EMPTY`` among others, at a clause start ``CF``, and so on. The texts and the rule "end of
the query: no position" come from Jira's parser functional tests, except three *unverified*
ones: after ``IS`` this grammar accepts only ``[NOT] EMPTY`` (Jira parses any operand there
and refuses it later, in words no source showed) and says so, and ``IN`` followed by a bare
word asks for ``'('``.
"""

from __future__ import annotations

from collections.abc import Callable

from lark import Token
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedToken

from flywheel_sync.sandbox.jira.jql.errors import ESCAPES, OPERATORS, JqlError, syntax_error

__all__ = ["translate_syntax_error"]

_RESERVED_CHARACTERS = frozenset("{}*/%+^$#@?;")
_QUOTES = frozenset("\"'")
_ARGUMENT_START = frozenset({"UNQUOTED", "STRING"})

# (expected terminals, text at the end of the query, text when a token was found); the
# first row whose test accepts the expected set wins. ``{got}`` is the offending token.
_Test = Callable[[frozenset[str]], bool]
_STATES: tuple[tuple[_Test, str, str], ...] = (
    (
        lambda e: e == {"BY"},
        "Expecting 'by' before the end of the query.",
        "Expecting 'by' but got '{got}'.",
    ),
    (
        lambda e: e == {"LSQB"},
        "Expecting '[' before the end of the query.",
        "Expecting '[' but got '{got}'.",
    ),
    (
        lambda e: e == {"RSQB"},
        "Expecting ']' before the end of the query.",
        "Expecting ']' but got '{got}'.",
    ),
    (
        lambda e: e == {"LPAR"},
        "Expecting '(' before the end of the query.",
        "Expecting '(' but got '{got}'.",
    ),
    (
        lambda e: e == {"UNQUOTED"},
        "Expecting a custom field id (a positive number) before the end of the query.",
        "Expecting a custom field id (a positive number) but got '{got}'.",
    ),
    (
        lambda e: e == {"IN"},
        "Expecting 'IN' before the end of the query.",
        "Expecting 'IN' but got '{got}'.",
    ),
    (
        lambda e: "COMPARATOR" in e,
        f"Expecting operator before the end of the query. {OPERATORS}",
        f"Expecting operator but got '{{got}}'. {OPERATORS}",
    ),
    (
        lambda e: e == {"EMPTY", "NULL", "NOT"},
        "Expecting either 'NOT' or 'EMPTY' before the end of the query.",
        "Expecting either 'NOT' or 'EMPTY' but got '{got}'.",
    ),
    (
        lambda e: e == {"EMPTY", "NULL"},
        "Expecting 'EMPTY' before the end of the query.",
        "Expecting 'EMPTY' but got '{got}'.",
    ),
    (
        lambda e: "EMPTY" in e or e == {"LPAR", "UNQUOTED"},
        "Expecting either a value, list or function before the end of the query.",
        "Expecting either a value, list or function but got '{got}'. "
        "You must surround '{got}' in quotation marks to use it as a value.",
    ),
    (
        lambda e: e == _ARGUMENT_START,
        "Expecting a function argument at the end of the query.",
        "Expecting a function argument but got '{got}'. "
        "You must surround '{got}' in quotation marks to use it as an argument.",
    ),
    (
        lambda e: e == _ARGUMENT_START | {"RPAR"},
        "Expecting ')' before the end of the query.",
        "Expecting a function argument but got '{got}'. "
        "You must surround '{got}' in quotation marks to use it as an argument.",
    ),
    (
        lambda e: "CF" in e,
        "Expecting a field name at the end of the query.",
        "Expecting a field name but got '{got}'. "
        "You must surround '{got}' in quotation marks to use it as a field name.",
    ),
    (
        lambda e: {"RPAR", "COMMA"} <= e,
        "Expecting ')' before the end of the query.",
        "Expecting ')' or ',' but got '{got}'.",
    ),
    (
        lambda e: "RPAR" in e,
        "Expecting ')' before the end of the query.",
        "Expecting ')' but got '{got}'.",
    ),
    (
        lambda e: "ASC" in e,
        "Expecting either 'ASC' or 'DESC' before the end of the query.",
        "Expecting either 'ASC' or 'DESC' but got '{got}'.",
    ),
    (
        lambda e: "AND" in e,
        "Expecting either 'OR' or 'AND' before the end of the query.",
        "Expecting either 'OR' or 'AND' but got '{got}'.",
    ),
    (
        lambda e: "COMMA" in e,
        "Expecting ',' before the end of the query.",
        "Expecting ',' but got '{got}'.",
    ),
)


def translate_syntax_error(error: LarkError, text: str) -> JqlError:
    """The Jira message for a failure of the JQL parser on ``text``."""
    if isinstance(error, UnexpectedToken):
        return _unexpected_token(error)
    if isinstance(error, UnexpectedCharacters):
        return _unexpected_character(error, text)
    return syntax_error(f"The query could not be read: {error}")


def _unexpected_token(error: UnexpectedToken) -> JqlError:
    token: Token = error.token
    # The LALR state's own `expected` merges lookaheads of similar contexts (after a field in
    # a clause or in ORDER BY); `accepts()` replays the reductions and answers exactly.
    accepted: set[str] = error.interactive_parser.accepts()  # type: ignore[no-untyped-call]
    expected = frozenset(accepted) - {"$END"}
    at_end = token.type == "$END"
    if token.type == "RPAR" and expected == _ARGUMENT_START:
        return syntax_error(
            "Function argument must be specified.", line=token.line, column=token.column
        )
    if token.type == "COMMA" and expected == _ARGUMENT_START | {"RPAR"}:
        return syntax_error("Expecting ')' but got ','.", line=token.line, column=token.column)
    if token.type == "LSQB" and "CF" in expected:
        return syntax_error(
            "Expecting a field name but got '['. Did you mean 'cf['?",
            line=token.line,
            column=token.column,
        )
    for accepts, end_text, found_text in _STATES:
        if accepts(expected):
            if at_end:
                return syntax_error(end_text)
            got = _shown(token)
            return syntax_error(found_text.format(got=got), line=token.line, column=token.column)
    names = ", ".join(sorted(expected))
    if at_end:
        return syntax_error(f"Expecting one of {names} before the end of the query.")
    return syntax_error(
        f"Expecting one of {names} but got '{_shown(token)}'.",
        line=token.line,
        column=token.column,
    )


def _shown(token: Token) -> str:
    """The token as Jira quotes it: a quoted string without its quotes."""
    text = str(token)
    return text[1:-1] if token.type == "STRING" else text


def _unexpected_character(error: UnexpectedCharacters, text: str) -> JqlError:
    char = error.char
    where = {"line": error.line, "column": error.column}
    if char in _QUOTES:
        rest = text[(error.pos_in_stream or 0) + 1 :].replace("\r", " ").replace("\n", " ")
        if not rest:
            return syntax_error("The quoted string has not been completed.", **where)
        return syntax_error(f"The quoted string '{rest}' has not been completed.", **where)
    if char == "\\":
        return syntax_error(f"The escape sequence has not been completed. {ESCAPES}", **where)
    escape = f"\\u{ord(char):04x}"
    if char in _RESERVED_CHARACTERS:
        return syntax_error(
            f"The character '{char}' is a reserved JQL character. "
            f"You must enclose it in a string or use the escape '{escape}' instead.",
            **where,
        )
    return syntax_error(
        f"The character 'U+{ord(char):04X}' on line {error.line} at position {error.column} "
        f"must be escaped. Use the escape '{escape}' instead.",
        **where,
    )
