"""Unparsable JQL: Jira's exact messages and positions.

Expected texts come from Jira's own parser functional tests (``TestJqlParsing``), except
the ``IS`` rows, where this grammar accepts only EMPTY after ``IS`` and says so.
"""

from __future__ import annotations

import pytest

from flywheel_sync.sandbox.jira.jql import JqlError, compile_jql
from tests.unit.sandbox_jql.builders import Catalog

P = "Error in the JQL Query: "
OPERATORS = (
    "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', "
    "'IS' and 'IS NOT'."
)
ESCAPES = "The valid escape sequences are \\', \\\", \\t, \\n, \\r, \\\\, '\\ ' and \\uXXXX."


def message_of(jql: str) -> str:
    with pytest.raises(JqlError) as caught:
        compile_jql(jql, fields=Catalog())
    (message,) = caught.value.messages
    return message


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("a=b c=d", "Expecting either 'OR' or 'AND' but got 'c'. (line 1, character 5)"),
        ("a=b !c=d", "Expecting either 'OR' or 'AND' but got '!'. (line 1, character 5)"),
        (
            'comment !~ "x" jack = jill',
            "Expecting either 'OR' or 'AND' but got 'jack'. (line 1, character 16)",
        ),
        (
            'project = PMO "Flywheel Stage" = x',
            "Expecting either 'OR' or 'AND' but got 'Flywheel Stage'. (line 1, character 15)",
        ),
        ("a", f"Expecting operator before the end of the query. {OPERATORS}"),
        ("a blah >", f"Expecting operator but got 'blah'. {OPERATORS} (line 1, character 3)"),
        ("a =a and j not is empty", "Expecting 'IN' but got 'is'. (line 1, character 16)"),
        ("a not", "Expecting 'IN' before the end of the query."),
        ("a=", "Expecting either a value, list or function before the end of the query."),
        (
            "a=!",
            "Expecting either a value, list or function but got '!'. You must surround '!' in "
            "quotation marks to use it as a value. (line 1, character 3)",
        ),
        ("a in (x,", "Expecting either a value, list or function before the end of the query."),
        ("a in", "Expecting either a value, list or function before the end of the query."),
        ("status in Done", "Expecting '(' before the end of the query."),
        ("a is", "Expecting either 'NOT' or 'EMPTY' before the end of the query."),
        ("a is Done", "Expecting either 'NOT' or 'EMPTY' but got 'Done'. (line 1, character 6)"),
        ("a is not x", "Expecting 'EMPTY' but got 'x'. (line 1, character 10)"),
        ("a = 1 and", "Expecting a field name at the end of the query."),
        (
            ", a = b",
            "Expecting a field name but got ','. You must surround ',' in quotation marks to use "
            "it as a field name. (line 1, character 1)",
        ),
        (
            "[brenden] = a",
            "Expecting a field name but got '['. Did you mean 'cf['? (line 1, character 1)",
        ),
        (
            "a = b and [78] = q",
            "Expecting a field name but got '['. Did you mean 'cf['? (line 1, character 11)",
        ),
        ("'' = c", "A field name cannot be empty. (line 1, character 1)"),
        ("(a=b and c = d", "Expecting ')' before the end of the query."),
        ("a=b or (c=d and not l ~ kate", "Expecting ')' before the end of the query."),
        ("a in (x y)", "Expecting ')' or ',' but got 'y'. (line 1, character 9)"),
        ("cf", "Expecting '[' before the end of the query."),
        ("a = b and not (cf = 6)", "Expecting '[' but got '='. (line 1, character 19)"),
        ("cf[", "Expecting a custom field id (a positive number) before the end of the query."),
        (
            "cf[ = 9",
            "Expecting a custom field id (a positive number) but got '='. (line 1, character 5)",
        ),
        (
            "cf[] = 1",
            "Expecting a custom field id (a positive number) but got ']'. (line 1, character 4)",
        ),
        (
            "cf[29829k] = ",
            "Expecting a custom field id (a positive number) but got '29829k'. (line 1, "
            "character 4)",
        ),
        (
            "cf[-29829] = ",
            "Expecting a custom field id (a positive number) but got '-29829'. (line 1, "
            "character 4)",
        ),
        (
            "cf[0] = 1",
            "Expecting a custom field id (a positive number) but got '0'. (line 1, character 4)",
        ),
        ("cf[29829 = world", "Expecting ']' but got '='. (line 1, character 10)"),
        ("cf[29829", "Expecting ']' before the end of the query."),
        ("a = func(", "Expecting ')' before the end of the query."),
        ("a = func(, and not (a = x)", "Expecting ')' but got ','. (line 1, character 10)"),
        ("b=func(bad", "Expecting ')' before the end of the query."),
        ("bas=func(bad,)", "Function argument must be specified. (line 1, character 14)"),
        ("bas=func(bad,", "Expecting a function argument at the end of the query."),
        (
            "k = func(!",
            "Expecting a function argument but got '!'. You must surround '!' in quotation marks "
            "to use it as an argument. (line 1, character 10)",
        ),
        ("k = func(abc, jk!)", "Expecting ')' or ',' but got '!'. (line 1, character 17)"),
        ("a =b order", "Expecting 'by' before the end of the query."),
        ("a =b order summary", "Expecting 'by' but got 'summary'. (line 1, character 12)"),
        ("a =b order by", "Expecting a field name at the end of the query."),
        (
            "a =b order by asc",
            "Expecting a field name but got 'asc'. You must surround 'asc' in quotation marks to "
            "use it as a field name. (line 1, character 15)",
        ),
        (
            "a =b order by ajsks blah",
            "Expecting either 'ASC' or 'DESC' but got 'blah'. (line 1, character 21)",
        ),
        ('a =b order by "" desc', "A field name cannot be empty. (line 1, character 15)"),
        ("order by a desc d", "Expecting ',' but got 'd'. (line 1, character 17)"),
        (
            "project = PMO\nAND ) ",
            "Expecting a field name but got ')'. You must surround ')' in quotation marks to use "
            "it as a field name. (line 2, character 5)",
        ),
    ],
)
def test_grammar_errors_say_what_was_expected_and_where(jql: str, message: str) -> None:
    assert message_of(jql) == P + message


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        (
            "comment ~ 'test",
            "The quoted string 'test' has not been completed. (line 1, character 11)",
        ),
        (
            "comment ~ 'test\n",
            "The quoted string 'test ' has not been completed. (line 1, character 11)",
        ),
        (
            'priority="test\nword',
            "The quoted string 'test word' has not been completed. (line 1, character 10)",
        ),
        ("comment ~ '", "The quoted string has not been completed. (line 1, character 11)"),
        (
            "comme\\unt ~ 'test'",
            f"'\\un' is an illegal JQL escape sequence. {ESCAPES} (line 1, character 6)",
        ),
        (
            "a = 'x\\qy'",
            f"'\\q' is an illegal JQL escape sequence. {ESCAPES} (line 1, character 7)",
        ),
        (
            "a = 'x\\u00g1'",
            f"'\\u00g' is an illegal JQL escape sequence. {ESCAPES} (line 1, character 7)",
        ),
        (
            "a = 'x\n  y\\q'",
            f"'\\q' is an illegal JQL escape sequence. {ESCAPES} (line 2, character 4)",
        ),
        (
            "status =\n\n\\",
            f"The escape sequence has not been completed. {ESCAPES} (line 3, character 1)",
        ),
        (
            "mine{www = qwwr",
            "The character '{' is a reserved JQL character. You must enclose it in a string or "
            "use the escape '\\u007b' instead. (line 1, character 5)",
        ),
        (
            "minewww# = qwwr",
            "The character '#' is a reserved JQL character. You must enclose it in a string or "
            "use the escape '\\u0023' instead. (line 1, character 8)",
        ),
        (
            "minewww = qwwr}",
            "The character '}' is a reserved JQL character. You must enclose it in a string or "
            "use the escape '\\u007d' instead. (line 1, character 15)",
        ),
        (
            "assignee = bob@example.com",
            "The character '@' is a reserved JQL character. You must enclose it in a string or "
            "use the escape '\\u0040' instead. (line 1, character 15)",
        ),
        (
            "minewww =\u007fqwwr",
            "The character 'U+007F' on line 1 at position 10 must be escaped. Use the escape "
            "'\\u007f' instead. (line 1, character 10)",
        ),
        (
            "summary ~ select",
            "'select' is a reserved JQL word. You must surround it in quotation marks to use it "
            "in a query. (line 1, character 11)",
        ),
        (
            "user = x",
            "'user' is a reserved JQL word. You must surround it in quotation marks to use it in "
            "a query. (line 1, character 1)",
        ),
    ],
)
def test_lexical_errors_name_the_offending_text_and_where(jql: str, message: str) -> None:
    assert message_of(jql) == P + message


def test_reserved_words_are_accepted_in_quotes() -> None:
    query = compile_jql('summary ~ "select" AND labels = "user"', fields=Catalog())

    assert query.is_bounded is True
