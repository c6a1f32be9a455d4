"""Queries that parse but cannot run: unknown fields, operators, values, functions."""

from __future__ import annotations

import pytest

from flywheel_sync.sandbox.jira.jql import FieldRef, JqlError, compile_jql
from tests.unit.sandbox_jql.builders import CUSTOM_FIELDS, Catalog

DATE_FORMATS = (
    "Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', "
    "'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
)


def messages_of(jql: str) -> tuple[str, ...]:
    with pytest.raises(JqlError) as caught:
        compile_jql(jql, fields=Catalog())
    return caught.value.messages


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        (
            '"Flywheel Stagee" = x',
            "Field 'Flywheel Stagee' does not exist or you do not have permission to view it.",
        ),
        (
            "cf[99999] = x",
            "Field 'cf[99999]' does not exist or you do not have permission to view it.",
        ),
        ("project = PMO ORDER BY nosuch", "Not able to sort using field 'nosuch'."),
        ("status > Done", "The operator '>' is not supported by the 'status' field."),
        ("status is empty", "The operator 'is' is not supported by the 'status' field."),
        (
            "statusCategory ~ done",
            "The operator '~' is not supported by the 'statusCategory' field.",
        ),
        ("text = export", "The operator '=' is not supported by the 'text' field."),
        ("text !~ export", "The operator '!~' is not supported by the 'text' field."),
        ("summary = x", "The operator '=' is not supported by the 'summary' field."),
        (
            '"Flywheel Stage" ~ x',
            "The operator '~' is not supported by the 'Flywheel Stage' field.",
        ),
        (
            "labels not in (a) and key is not empty",
            "The operator 'is not' is not supported by the 'key' field.",
        ),
        ("rank = 1", "The operator '=' is not supported by the 'rank' field."),
        ("key = EMPTY", "The field 'key' does not support searching for EMPTY values."),
        (
            '"Review Status" is empty',
            "The operator 'is' is not supported by the 'Review Status' field.",
        ),
        (
            "status in (Done, EMPTY)",
            "The field 'status' does not support searching for EMPTY values.",
        ),
        ("created > EMPTY", "The operator '>' does not support searching for EMPTY values."),
        (
            "updated >= yesterday",
            f"Date value 'yesterday' for field 'updated' is invalid. {DATE_FORMATS}",
        ),
        ("due = 2026-02-30", f"Date value '2026-02-30' for field 'due' is invalid. {DATE_FORMATS}"),
        (
            'updated >= "-100milestone"',
            f"Date value '-100milestone' for field 'updated' is invalid. {DATE_FORMATS}",
        ),
        (
            'updated >= "-4humor"',
            f"Date value '-4humor' for field 'updated' is invalid. {DATE_FORMATS}",
        ),
        ("created > 1y", f"Date value '1y' for field 'created' is invalid. {DATE_FORMATS}"),
        (
            '"Go-live" < "01/05/2026"',
            f"Date value '01/05/2026' for field 'Go-live' is invalid. {DATE_FORMATS}",
        ),
        (
            '"Story Points" > lots',
            "The value 'lots' is not a valid number for the field 'Story Points'.",
        ),
        (
            '"Story Points" = NaN',
            "The value 'NaN' is not a valid number for the field 'Story Points'.",
        ),
        ("key = foo", "The issue key 'foo' for field 'key' is invalid."),
        ("issuekey in (PMO-1, PMO)", "The issue key 'PMO' for field 'issuekey' is invalid."),
        ("assignee in membersOf(devs)", "Unable to find JQL function 'membersOf()'."),
        (
            "status = currentUser()",
            "A value provided by the function 'currentUser' is invalid for the field 'status'.",
        ),
        (
            "assignee = now()",
            "A value provided by the function 'now' is invalid for the field 'assignee'.",
        ),
        (
            "assignee = currentUser(x)",
            "Function 'currentUser' expected '0' arguments but received '1'.",
        ),
        ("updated > now(x)", "Function 'now' expected '0' arguments but received '1'."),
        (
            "updated > startOfDay(-1, x)",
            "Function 'startOfDay' expected between '0' and '1' arguments but received '2'.",
        ),
        (
            'updated > startOfDay("invalid")',
            "Duration for function 'startOfDay' should have the format (+/-)n(yMwdm), e.g -1M "
            "for 1 month earlier.",
        ),
        (
            "updated > ENDOFMONTH(1q)",
            "Duration for function 'endOfMonth' should have the format (+/-)n(yMwdm), e.g -1M "
            "for 1 month earlier.",
        ),
        ("project = PMO ORDER BY text", "Field 'text' does not support sorting."),
        (
            "project = PMO ORDER BY key, created, KEY",
            "The sort field 'KEY' is referenced multiple times in the JQL sort.",
        ),
        (
            "project = PMO ORDER BY key, issuekey",
            "The sort field 'issuekey' is referenced multiple times in the JQL sort. Field "
            "'issuekey' is an alias for field 'key'.",
        ),
        (
            'project = PMO ORDER BY "Flywheel Stage", cf[10010]',
            "The sort field 'cf[10010]' is referenced multiple times in the JQL sort. Field "
            "'cf[10010]' is an alias for field 'Flywheel Stage'.",
        ),
        (
            "project = PMO ORDER BY a, b, c, d, e, f, g, h",
            "The ORDER BY clause can contain at most 7 fields.",
        ),
    ],
)
def test_a_query_that_cannot_run_is_refused_with_jiras_message(jql: str, message: str) -> None:
    assert messages_of(jql)[0] == message


def test_every_problem_is_reported_once_in_query_order() -> None:
    jql = "nosuch = 1 AND (status > Done OR nosuch = 2) AND NOT updated > soon ORDER BY alsomissing"

    assert messages_of(jql) == (
        "Field 'nosuch' does not exist or you do not have permission to view it.",
        "The operator '>' is not supported by the 'status' field.",
        f"Date value 'soon' for field 'updated' is invalid. {DATE_FORMATS}",
        "Not able to sort using field 'alsomissing'.",
    )


def test_the_error_is_a_value_error_whose_text_joins_the_messages() -> None:
    with pytest.raises(ValueError, match=r"^Field 'x' does not exist .* Field 'y' does not"):
        compile_jql("x = 1 and y = 2", fields=Catalog())


@pytest.mark.parametrize(
    "jql",
    [
        "project = PMO ORDER BY a1, a2, a3, a4, a5, a6, a7",
        "updated >= '-10w, 3minutes'",
        'updated >= "4w 2d"',
        "updated >= -100minutes",
        "created >= '2026/05/01 9:05'",
        "updated > startOfWeek('+1M')",
        "customfield_10010 = x",
    ],
)
def test_the_limits_and_formats_jira_accepts_compile(jql: str) -> None:
    sortable = tuple(FieldRef(id=f"a{n}", name=f"a{n}", schema_type="string") for n in range(8))
    catalog = Catalog(CUSTOM_FIELDS + sortable)

    assert compile_jql(jql, fields=catalog).is_bounded is True


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        (
            "updated > startOfWeek(+1M)",
            "The character '+' is a reserved JQL character. You must enclose it in a string or "
            "use the escape '\\u002b' instead. (line 1, character 23)",
        ),
        (
            "due < 2026/05/01",
            "The character '/' is a reserved JQL character. You must enclose it in a string or "
            "use the escape '\\u002f' instead. (line 1, character 11)",
        ),
    ],
)
def test_signs_and_slashes_need_quotes_as_on_jira(jql: str, message: str) -> None:
    assert messages_of(jql) == ("Error in the JQL Query: " + message,)
