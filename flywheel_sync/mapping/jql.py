"""The JQL subset that mapping rules select with, decided locally against a stored issue.

A rule's JQL is sent to Jira by the pull, but several rules can select overlapping issues, so
the mapping must decide again, from one stored record, whether a rule applies. `JqlMatcher`
compiles the query once and answers for many records.

Supported: ``f = v``, ``f != v``, ``f IN (v, ...)``, ``f NOT IN (v, ...)``, ``f IS [NOT]
EMPTY|NULL`` (``f = EMPTY`` and ``f != EMPTY`` mean the same), ``AND``/``&&``, ``OR``/``||``,
``NOT``/``!`` and parentheses with Jira's precedence (NOT, then AND, then OR), and a trailing
``ORDER BY`` (ignored). Keywords are case-insensitive. The lexer is contextual, so a keyword
where only a name or value can stand (``labels = order``) is read as a word; Jira refuses that,
so rules should quote such values anyway. Field names are lower-cased, ``type`` is read as
``issuetype`` and ``cf[10010]`` as ``customfield_10010``.

Semantics are Jira's: values compare case-insensitively with any of the record's values;
``!=`` and ``NOT IN`` never match an EMPTY field; ``NOT`` is the plain complement (``NOT
assignee = bob`` matches unassigned issues, ``assignee != bob`` does not), as in the sandbox's
Jira emulator.

Errors::

    ValueError
     └── JqlError          the text is not JQL: fix the rule's query (message has the column)
          └── UnsupportedJql   valid JQL this module cannot evaluate on a stored record
                               (~, <, WAS, CHANGED, functions, EMPTY in a list): rewrite it
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedToken, VisitError
from lark.tree import Meta

__all__ = ["JqlError", "JqlMatcher", "UnsupportedJql"]

Values = Callable[[str], Sequence[str]]
"""A record's values for one normalised field name, as strings; empty means EMPTY."""
_Test = Callable[[Values], bool]

# Lark grammar for an LALR parser with the contextual lexer. It reads more than the subset (every
# comparator, WAS/CHANGED with their predicates, function calls) so that valid JQL is refused by
# name, as UnsupportedJql, rather than as a syntax error. UNQUOTED carries the "i" flag only so
# that Lark lets the case-insensitive keywords win over an equally long word.
_GRAMMAR: Final = r"""
start: [disjunction] [ordering]

?disjunction: conjunction ((OR | OR_SYMBOL) conjunction)*
?conjunction: negation ((AND | AND_SYMBOL) negation)*
?negation: (NOT | BANG) negation                 -> inverted
         | LPAR disjunction RPAR                 -> grouped
         | clause

?clause: field IS [NOT] empty                    -> emptiness
       | field COMPARATOR operand                -> comparison
       | field [NOT] IN collection               -> membership
       | field WAS [NOT] [IN] target predicate*  -> history
       | field CHANGED predicate*                -> history

field: UNQUOTED                                  -> named_field
     | STRING                                    -> quoted_field
     | CF LSQB CF_ID RSQB                        -> custom_field

?operand: value | empty | function
value: UNQUOTED | STRING
empty: EMPTY | NULL
function: UNQUOTED LPAR [argument (COMMA argument)*] RPAR
?argument: UNQUOTED | STRING
?collection: listed | function
listed: LPAR operand (COMMA operand)* RPAR
?target: operand | listed
predicate: (FROM | TO | BY | BEFORE | AFTER | ON | DURING) target

ordering: ORDER BY order_key (COMMA order_key)*
order_key: field [ASC | DESC]

AND: "and"i
AND_SYMBOL: "&&" | "&"
OR: "or"i
OR_SYMBOL: "||" | "|"
NOT: "not"i
BANG: "!"
IS: "is"i
IN: "in"i
EMPTY: "empty"i
NULL: "null"i
WAS: "was"i
CHANGED: "changed"i
FROM: "from"i
TO: "to"i
BY: "by"i
BEFORE: "before"i
AFTER: "after"i
ON: "on"i
DURING: "during"i
ORDER: "order"i
ASC: "asc"i
DESC: "desc"i
CF: "cf"i

COMPARATOR: /!=|!~|<=|>=|=|<|>|~/
LPAR: "("
RPAR: ")"
LSQB: "["
RSQB: "]"
COMMA: ","
CF_ID: /[0-9]+/
STRING: /"(?:[^"\\]|\\.)*"/s | /'(?:[^'\\]|\\.)*'/s
UNQUOTED: /[\w.@-]+/i

%ignore /\s+/
"""

_ESCAPE: Final = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_ESCAPED: Final = {"'": "'", '"': '"', "\\": "\\", " ": " ", "n": "\n", "t": "\t", "r": "\r"}
_SUPPORTED_OPERATORS: Final = "Use =, !=, IN, NOT IN or IS [NOT] EMPTY"
_ALIASES: Final = {"type": "issuetype"}


class JqlError(ValueError):
    """The text is not JQL; the message says what is wrong and at which column."""


class UnsupportedJql(JqlError):
    """Valid JQL that a stored record cannot answer; the message names the clause."""


class JqlMatcher:
    """One compiled query: `matches` decides, for one record, whether the query selects it.

    Build it with `compile`, once per query, and reuse it: `matches` reads each clause's field
    once and does one set lookup per value, with every constant already case-folded.
    """

    __slots__ = ("_fields", "_jql", "_test")

    def __init__(self, *, jql: str, test: _Test, fields: frozenset[str]) -> None:
        self._jql = jql
        self._test = test
        self._fields = fields

    @classmethod
    def compile(cls, jql: str) -> JqlMatcher:
        """Parse ``jql``; an empty or blank query (or only ``ORDER BY``) matches every record.

        Raises:
            UnsupportedJql: valid JQL outside the subset; the message names the clause.
            JqlError: the text is not JQL; the message gives the column.
        """
        try:
            tree = _parser().parse(jql)
        except LarkError as error:
            raise _syntax_error(error, jql) from None
        compiler = _Compiler(jql)
        try:
            test: _Test = compiler.transform(tree)
        except VisitError as error:
            if isinstance(error.orig_exc, JqlError):
                raise error.orig_exc from None
            raise
        return cls(jql=jql, test=test, fields=frozenset(compiler.fields))

    @property
    def fields(self) -> frozenset[str]:
        """The normalised names of the fields the query reads (ORDER BY keys excluded)."""
        return self._fields

    def matches(self, values: Values) -> bool:
        """Whether the query selects the record whose field values ``values`` returns."""
        return self._test(values)

    def __repr__(self) -> str:
        return f"JqlMatcher.compile({self._jql!r})"


@cache
def _parser() -> Lark:
    """The one shared parser (building it costs tens of milliseconds, parsing far less)."""
    return Lark(_GRAMMAR, parser="lalr", lexer="contextual", propagate_positions=True)


@dataclass(frozen=True)
class _Function:
    name: str


@dataclass(frozen=True)
class _Empty:
    pass


_Operand = str | _Function | _Empty


def _everything(values: Values) -> bool:
    return True


def _any_of(parts: tuple[_Test, ...]) -> _Test:
    def any_of(values: Values) -> bool:
        # A loop rather than any(...): no generator object per record.
        for part in parts:  # noqa: SIM110
            if part(values):
                return True
        return False

    return any_of


def _all_of(parts: tuple[_Test, ...]) -> _Test:
    def all_of(values: Values) -> bool:
        for part in parts:  # noqa: SIM110 - as in `_any_of`
            if not part(values):
                return False
        return True

    return all_of


def _complement(part: _Test) -> _Test:
    return lambda values: not part(values)


def _named(field: str, needles: frozenset[str]) -> _Test:
    """``f = v`` / ``f IN (...)``: some value of the field is one of ``needles``."""

    def named(values: Values) -> bool:
        for value in values(field):  # noqa: SIM110 - as in `_any_of`
            if value.casefold() in needles:
                return True
        return False

    return named


def _not_named(field: str, needles: frozenset[str]) -> _Test:
    """``f != v`` / ``f NOT IN (...)``: the field has values and none is in ``needles``."""

    def not_named(values: Values) -> bool:
        found = values(field)
        if len(found) == 0:
            return False
        for value in found:  # noqa: SIM110 - as in `_any_of`
            if value.casefold() in needles:
                return False
        return True

    return not_named


def _emptiness(field: str, *, empty: bool) -> _Test:
    if empty:
        return lambda values: len(values(field)) == 0
    return lambda values: len(values(field)) > 0


def _normalised(name: str) -> str:
    """The name the caller looks values up by: lower case, ``type`` read as ``issuetype``."""
    lowered = name.lower()
    return _ALIASES.get(lowered, lowered)


def _tests(children: list[Any]) -> tuple[_Test, ...]:
    return tuple(child for child in children if not isinstance(child, Token))


class _Compiler(Transformer[Token, _Test]):
    """Parse tree to one test; refuses, in query order, the first clause outside the subset."""

    def __init__(self, jql: str) -> None:
        super().__init__()
        self._jql = jql
        self.fields: set[str] = set()

    def start(self, children: list[Any]) -> _Test:
        where: _Test | None = children[0]
        return _everything if where is None else where

    def disjunction(self, children: list[Any]) -> _Test:
        return _any_of(_tests(children))

    def conjunction(self, children: list[Any]) -> _Test:
        return _all_of(_tests(children))

    def inverted(self, children: list[Any]) -> _Test:
        return _complement(children[-1])

    def grouped(self, children: list[Any]) -> _Test:
        inner: _Test = children[1]
        return inner

    def emptiness(self, children: list[Any]) -> _Test:
        field, _, negated, _ = children
        self.fields.add(field)
        return _emptiness(field, empty=negated is None)

    @v_args(meta=True)
    def comparison(self, meta: Meta, children: list[Any]) -> _Test:
        field, operator, operand = children
        if operator not in {"=", "!="}:
            raise self._unsupported(
                meta, f"the operator '{operator}' is not supported", f"{_SUPPORTED_OPERATORS}."
            )
        self._refuse_function(meta, (operand,))
        self.fields.add(field)
        if isinstance(operand, _Empty):
            return _emptiness(field, empty=operator == "=")
        needles = frozenset({operand.casefold()})
        return _named(field, needles) if operator == "=" else _not_named(field, needles)

    @v_args(meta=True)
    def membership(self, meta: Meta, children: list[Any]) -> _Test:
        field, negated, _, members = children
        if isinstance(members, _Function):
            members = (members,)
        self._refuse_function(meta, members)
        if any(isinstance(member, _Empty) for member in members):
            raise self._unsupported(
                meta,
                "EMPTY cannot be one of the listed values",
                "Write it as 'f IS EMPTY OR f IN (...)' instead.",
            )
        self.fields.add(field)
        needles = frozenset(member.casefold() for member in members)
        return _named(field, needles) if negated is None else _not_named(field, needles)

    @v_args(meta=True)
    def history(self, meta: Meta, children: list[Any]) -> _Test:
        keyword = str(children[1]).upper()
        raise self._unsupported(
            meta,
            f"'{keyword}' asks about the issue's history, which stored records do not keep",
            f"Select on the current value instead. {_SUPPORTED_OPERATORS}.",
        )

    def named_field(self, children: list[Token]) -> str:
        return _normalised(str(children[0]))

    def quoted_field(self, children: list[Token]) -> str:
        token = children[0]
        name = _unquoted(token, self._jql)
        if not name.strip():
            raise JqlError(
                f"JQL syntax error at {_where(self._jql, token.line, token.column)}: "
                "a field name cannot be empty. Write the field's name inside the quotes."
            )
        return _normalised(name)

    def custom_field(self, children: list[Token]) -> str:
        return f"customfield_{int(children[2])}"

    def value(self, children: list[Token]) -> str:
        token = children[0]
        return _unquoted(token, self._jql) if token.type == "STRING" else str(token)

    def empty(self, children: list[Token]) -> _Empty:
        return _Empty()

    def function(self, children: list[Any]) -> _Function:
        return _Function(name=str(children[0]))

    def listed(self, children: list[Any]) -> tuple[_Operand, ...]:
        return tuple(child for child in children if not isinstance(child, Token))

    def _refuse_function(self, meta: Meta, operands: Sequence[_Operand]) -> None:
        for operand in operands:
            if isinstance(operand, _Function):
                raise self._unsupported(
                    meta,
                    f"the function '{operand.name}()' is evaluated by Jira at search time",
                    "List the values it stands for instead.",
                )

    def _unsupported(self, meta: Meta, reason: str, advice: str) -> UnsupportedJql:
        clause = self._jql[meta.start_pos : meta.end_pos]
        where = _where(self._jql, meta.line, meta.column)
        return UnsupportedJql(
            f"Mapping rules cannot evaluate the JQL clause '{clause}' at {where}: "
            f"{reason}. {advice}"
        )


def _unquoted(token: Token, jql: str) -> str:
    """The text inside a quoted string, with its backslash escapes resolved."""

    def resolve(match: re.Match[str]) -> str:
        escape = match.group(1)
        if len(escape) == 5:
            return chr(int(escape[1:], 16))
        if escape in _ESCAPED:
            return _ESCAPED[escape]
        column = (token.column or 1) + 1 + match.start()
        raise JqlError(
            f"JQL syntax error at {_where(jql, token.line, column)}: '\\{escape}' is not an "
            "escape sequence. Write \\\\ for a backslash; the others are \\\", \\', \\n, \\t, "
            "\\r, '\\ ' and \\uXXXX."
        )

    return _ESCAPE.sub(resolve, str(token)[1:-1])


def _where(jql: str, line: int | None, column: int | None) -> str:
    """``column 7`` (with the line when the query has several) of ``jql``, for messages."""
    position = f"column {column or 1}"
    if "\n" in jql:
        position = f"line {line or 1}, {position}"
    return f"{position} of {jql!r}"


# What the parser wanted, in an admin's words: the first row whose terminals it would all
# have accepted wins. Order matters: after a value the parser also accepts LPAR (the value
# could be a function's name), so the AND rows come before the LPAR ones.
_EXPECTATIONS: Final[tuple[tuple[frozenset[str], str], ...]] = tuple(
    (frozenset(terminals.split()), text)
    for terminals, text in (
        ("COMPARATOR", "an operator (=, !=, IN, NOT IN or IS)"),
        ("CF_ID", "a custom field number, as in cf[10010]"),
        ("CF", "a field name"),
        ("UNQUOTED EMPTY", "a value"),
        ("NOT EMPTY", "EMPTY or NOT EMPTY"),
        ("EMPTY", "EMPTY"),
        ("IN", "IN"),
        ("AND RPAR", "AND, OR or ')'"),
        ("AND", "AND, OR, ORDER BY or the end of the query"),
        ("LPAR UNQUOTED", "a list of values in parentheses, such as (A, B)"),
        ("LPAR", "'(' (IN and NOT IN take a list of values such as (A, B))"),
        ("BY", "BY"),
        ("LSQB", "'[' (cf[10010] names a custom field by its number)"),
        ("RSQB", "']'"),
        ("ASC", "ASC, DESC, ',' or the end of the query"),
        ("COMMA RPAR", "',' or ')'"),
        ("RPAR STRING", "a function argument or ')'"),
        ("RPAR", "')'"),
        ("COMMA", "',' or the end of the query"),
        ("ORDER", "ORDER BY or the end of the query"),
        ("STRING", "a function argument"),
    )
)


def _syntax_error(error: LarkError, jql: str) -> JqlError:
    """Lark's failure on ``jql`` as a message saying where, what was wanted and what was found."""
    if isinstance(error, UnexpectedCharacters):
        where = _where(jql, error.line, error.column)
        if error.char in "\"'":
            return JqlError(
                f"JQL syntax error at {where}: the quoted text that starts there is never "
                f"closed. Add the closing {error.char}."
            )
        return JqlError(
            f"JQL syntax error at {where}: {error.char!r} cannot appear outside quotes. "
            "Put the value or field name in quotes."
        )
    if not isinstance(error, UnexpectedToken):
        return JqlError(f"JQL syntax error in {jql!r}: {error}. Correct the query.")
    token: Token = error.token
    accepted: set[str] = error.interactive_parser.accepts()  # type: ignore[no-untyped-call]
    expected = frozenset(accepted) - {"$END"}
    if token.type == "$END":
        wanted = _wanted(expected)
        return JqlError(f"JQL syntax error at the end of {jql!r}: expected {wanted}.")
    where = _where(jql, token.line, token.column)
    if token.type == "RPAR" and expected <= {"ORDER"}:
        return JqlError(f"JQL syntax error at {where}: ')' has no matching '('. Remove it.")
    return JqlError(
        f"JQL syntax error at {where}: expected {_wanted(expected)} but found '{token}'."
    )


def _wanted(expected: frozenset[str]) -> str:
    for terminals, text in _EXPECTATIONS:
        if terminals <= expected:
            return text
    return "one of " + ", ".join(sorted(expected)) if expected else "the end of the query"
