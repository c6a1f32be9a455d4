"""Why a JQL query was refused, worded as Jira words it.

```
ValueError
└── JqlError        the query cannot be run: answer 400 with
                    {"errorMessages": list(error.messages), "errors": {}}
```

A syntax error is one message, prefixed ``Error in the JQL Query:`` and ending with its
``(line L, character C)`` position (1-based, as Jira counts) unless it is about the end of
the query. Validation errors (unknown field, operator, value, function) are collected over the
whole query and reported together, without prefix or position, as Jira's validators do. The
texts are Jira's where a public source shows them (the Jira functional tests for parser
errors and relative dates, Jira's validator tests); the ones marked *unverified* below are
Jira-styled inventions for cases no source showed.
"""

from __future__ import annotations

__all__ = ["JqlError"]

_SYNTAX_PREFIX = "Error in the JQL Query: "
DATE_FORMATS = (
    "Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', "
    "'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
)
ESCAPES = "The valid escape sequences are \\', \\\", \\t, \\n, \\r, \\\\, '\\ ' and \\uXXXX."
OPERATORS = (
    "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', "
    "'IS' and 'IS NOT'."
)
MAX_ORDER_KEYS = 7


class JqlError(ValueError):
    """The query cannot be parsed or validated; the caller answers 400 with ``messages``.

    Attributes:
        messages: Jira's ``errorMessages``: one for a syntax error, one per problem found
            when validating.
    """

    def __init__(self, *messages: str) -> None:
        super().__init__(" ".join(messages))
        self.messages: tuple[str, ...] = messages


def syntax_error(detail: str, *, line: int | None = None, column: int | None = None) -> JqlError:
    """A parser error; ``line``/``column`` are omitted when it concerns the end of the query."""
    where = "" if line is None else f" (line {line}, character {column})"
    return JqlError(f"{_SYNTAX_PREFIX}{detail}{where}")


def unknown_field(name: str) -> str:
    """No system clause and no field in the catalog answers to ``name``."""
    return f"Field '{name}' does not exist or you do not have permission to view it."


def unsupported_operator(operator: str, name: str) -> str:
    """The field cannot be searched with this operator (``status > x``, ``text = x``)."""
    return f"The operator '{operator}' is not supported by the '{name}' field."


def empty_not_supported(name: str) -> str:
    """The field has no empty state to search for (``key``, ``status``, ``text``)."""
    return f"The field '{name}' does not support searching for EMPTY values."


def empty_not_ordered(operator: str) -> str:
    """An ordered comparison with EMPTY (``created > EMPTY``); *unverified* text."""
    return f"The operator '{operator}' does not support searching for EMPTY values."


def invalid_date(value: str, name: str) -> str:
    """A date operand that is neither an absolute date nor a period."""
    return f"Date value '{value}' for field '{name}' is invalid. {DATE_FORMATS}"


def invalid_number(value: str, name: str) -> str:
    """A number field compared with text; *unverified* text."""
    return f"The value '{value}' is not a valid number for the field '{name}'."


def invalid_issue_key(value: str, name: str) -> str:
    """An issue key operand that is neither ``PROJ-123`` nor a numeric id."""
    return f"The issue key '{value}' for field '{name}' is invalid."


def unknown_function(name: str) -> str:
    """A function this emulator does not implement."""
    return f"Unable to find JQL function '{name}()'."


def function_not_for_field(function: str, name: str) -> str:
    """A function whose values cannot apply to the field (``status = now()``)."""
    return f"A value provided by the function '{function}' is invalid for the field '{name}'."


def wrong_argument_count(function: str, most: int, received: int) -> str:
    """A function called with too many arguments."""
    if most == 0:
        return f"Function '{function}' expected '0' arguments but received '{received}'."
    return (
        f"Function '{function}' expected between '0' and '{most}' arguments "
        f"but received '{received}'."
    )


def invalid_duration(function: str) -> str:
    """A date function's increment that is not ``(+/-)n(yMwdm)``."""
    return (
        f"Duration for function '{function}' should have the format (+/-)n(yMwdm), "
        "e.g -1M for 1 month earlier."
    )


def not_able_to_sort(name: str) -> str:
    """An ORDER BY field that does not exist."""
    return f"Not able to sort using field '{name}'."


def not_sortable(name: str) -> str:
    """An ORDER BY field with no order (``text``, ``description``)."""
    return f"Field '{name}' does not support sorting."


def sorted_twice(name: str, first: str) -> str:
    """An ORDER BY field given twice, possibly under an alias (``key, issuekey``)."""
    repeated = f"The sort field '{name}' is referenced multiple times in the JQL sort."
    if name.casefold() == first.casefold():
        return repeated
    return f"{repeated} Field '{name}' is an alias for field '{first}'."


def too_many_order_keys() -> str:
    """More ORDER BY fields than Cloud accepts; *unverified* text."""
    return f"The ORDER BY clause can contain at most {MAX_ORDER_KEYS} fields."
