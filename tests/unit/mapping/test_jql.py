"""The mapping's JQL matcher: Jira's semantics for the subset, refusals for the rest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from flywheel_sync.mapping import jql
from flywheel_sync.mapping.jql import JqlError, JqlMatcher, UnsupportedJql

# One stored Epic, as the mapping's caller presents it: every value a field answers to.
# "priority" is absent, so it is EMPTY.
ISSUE: Mapping[str, tuple[str, ...]] = {
    "project": ("PMO", "PMO Office"),
    "issuetype": ("Epic",),
    "labels": ("alpha", "Beta"),
    "assignee": ("Ada Lovelace", "acc-1", "ada@example.com"),
    "customfield_10010": ("Service Onboarding",),
    "flywheel stage": ("Service Onboarding",),
    "summary": ('say "hi"', "it's\tA"),
    "key": ("PMO-12",),
    "story points": ("5",),
}


def issue_values(field: str) -> Sequence[str]:
    return ISSUE.get(field, ())


def matches(query: str) -> bool:
    return JqlMatcher.compile(query).matches(issue_values)


def error_of(query: str) -> JqlError:
    with pytest.raises(JqlError) as caught:
        JqlMatcher.compile(query)
    return caught.value


def test_public_surface() -> None:
    assert jql.__all__ == ["JqlError", "JqlMatcher", "UnsupportedJql"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("project = PMO", True),
        ("project = pmo", True),
        ("project = 'pmo office'", True),
        ("project = OPS", False),
        ("labels = beta", True),
        ("project != OPS", True),
        ("project != PMO", False),
        ("labels != alpha", False),
        ("labels in (gamma, ALPHA)", True),
        ("labels in (gamma, delta)", False),
        ("labels not in (gamma, delta)", True),
        ("labels not in (gamma, beta)", False),
        ("priority is EMPTY", True),
        ("labels is empty", False),
        ("priority is not null", False),
        ("labels IS NOT EMPTY", True),
        ("priority = EMPTY", True),
        ("labels != EMPTY", True),
        ("assignee = ada@example.com", True),
    ],
)
def test_operator(query: str, expected: bool) -> None:
    assert matches(query) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("priority != High", False),
        ("priority not in (High, Low)", False),
        # NOT is the plain complement: unlike !=, it selects the record with no priority.
        ("NOT priority = High", True),
    ],
)
def test_empty_field_semantics(query: str, expected: bool) -> None:
    assert matches(query) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("project = PMO OR issuetype = Story AND labels = none", True),
        ("(project = PMO OR issuetype = Story) AND labels = none", False),
        ("NOT project = OPS AND issuetype = Story", False),
        ("NOT (project = OPS AND issuetype = Story)", True),
        ("project = OPS || issuetype = Epic && labels = alpha", True),
        ("! project = PMO", False),
        ("Project = PMO aNd TYPE = epic oR labels = none", True),
    ],
)
def test_precedence_and_keywords(query: str, expected: bool) -> None:
    assert matches(query) is expected


@pytest.mark.parametrize(
    "query",
    [
        'summary = "say \\"hi\\""',
        "summary = 'IT\\'S\\ta'",
        "summary = 'it\\u0027s\\u0009a'",
        '"Flywheel Stage" = "Service Onboarding"',
        "cf[10010] = 'service onboarding'",
        "type = Epic",
        "key = PMO-12",
        '"story points" = 5',
        "project = PMO\n  AND type = Epic",
    ],
)
def test_quoting_aliases_and_words_select_the_issue(query: str) -> None:
    assert matches(query) is True


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("", set()),
        ("project = PMO AND Type = Epic", {"project", "issuetype"}),
        ("cf[10010] = x OR CustomField_10020 is EMPTY", {"customfield_10010", "customfield_10020"}),
        ('"Flywheel Stage" in (a) AND NOT Labels = x', {"flywheel stage", "labels"}),
        ("project = PMO ORDER BY rank, created DESC", {"project"}),
    ],
)
def test_fields_are_normalised(query: str, fields: set[str]) -> None:
    assert JqlMatcher.compile(query).fields == frozenset(fields)


def test_repr_shows_the_query() -> None:
    assert repr(JqlMatcher.compile("type = Epic")) == "JqlMatcher.compile('type = Epic')"


def test_matches_reads_only_the_declared_fields() -> None:
    matcher = JqlMatcher.compile('type = Story OR (labels != x AND "Flywheel Stage" is EMPTY)')
    read: list[str] = []

    def recording(field: str) -> Sequence[str]:
        read.append(field)
        return issue_values(field)

    assert matcher.matches(recording) is False
    assert set(read) == matcher.fields == {"issuetype", "labels", "flywheel stage"}


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   \n ",
        "ORDER BY rank",
        "project = OPS OR type = Epic ORDER BY key",
    ],
)
def test_empty_where_or_order_by_alone_selects_the_issue(query: str) -> None:
    assert matches(query) is True


OPERATORS = "Use =, !=, IN, NOT IN or IS [NOT] EMPTY."
HISTORY = (
    "asks about the issue's history, which stored records do not keep. "
    f"Select on the current value instead. {OPERATORS}"
)
FUNCTION = "is evaluated by Jira at search time. List the values it stands for instead."


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("summary ~ hi", f"the operator '~' is not supported. {OPERATORS}"),
        ("summary !~ hi", f"the operator '!~' is not supported. {OPERATORS}"),
        ("created < -1d", f"the operator '<' is not supported. {OPERATORS}"),
        ('"story points" > 3', f"the operator '>' is not supported. {OPERATORS}"),
        ("created <= 2026-01-01", f"the operator '<=' is not supported. {OPERATORS}"),
        ("created >= -2w", f"the operator '>=' is not supported. {OPERATORS}"),
        ("status WAS Done", f"'WAS' {HISTORY}"),
        ("status was not in (Done) BY ada DURING (a, b)", f"'WAS' {HISTORY}"),
        ("status changed FROM a TO b", f"'CHANGED' {HISTORY}"),
        ("assignee = currentUser()", f"the function 'currentUser()' {FUNCTION}"),
        ("sprint in openSprints()", f"the function 'openSprints()' {FUNCTION}"),
        (
            "fixVersion in (v1, releasedVersions(PMO))",
            f"the function 'releasedVersions()' {FUNCTION}",
        ),
        (
            "labels in (a, EMPTY)",
            "EMPTY cannot be one of the listed values. "
            "Write it as 'f IS EMPTY OR f IN (...)' instead.",
        ),
    ],
)
def test_unsupported_jql_names_the_clause(query: str, why: str) -> None:
    error = error_of(query)
    assert isinstance(error, UnsupportedJql)
    assert str(error) == (
        f"Mapping rules cannot evaluate the JQL clause '{query}' at column 1 of {query!r}: {why}"
    )


def test_unsupported_jql_reports_the_first_refused_clause_in_the_query() -> None:
    query = "project = PMO AND (created < -1d OR status was Done)"
    error = error_of(query)
    assert isinstance(error, UnsupportedJql)
    assert str(error).startswith(
        f"Mapping rules cannot evaluate the JQL clause 'created < -1d' at column 20 of {query!r}:"
    )


def test_a_syntax_error_wins_over_an_unsupported_clause() -> None:
    error = error_of("summary ~ hi AND")
    assert type(error) is JqlError
    assert str(error) == "JQL syntax error at the end of 'summary ~ hi AND': expected a field name."


OPERATOR = "an operator (=, !=, IN, NOT IN or IS)"
JOINER = "AND, OR, ORDER BY or the end of the query"
ESCAPES = "Write \\\\ for a backslash; the others are \\\", \\', \\n, \\t, \\r, '\\ ' and \\uXXXX."


@pytest.mark.parametrize(
    ("query", "where", "problem"),
    [
        ("project", "the end", f"expected {OPERATOR}."),
        ("project Epic", "column 9", f"expected {OPERATOR} but found 'Epic'."),
        ("project =", "the end", "expected a value."),
        ("project = PMO type = Epic", "column 15", f"expected {JOINER} but found 'type'."),
        ("= PMO", "column 1", "expected a field name but found '='."),
        ("labels is alpha", "column 11", "expected EMPTY or NOT EMPTY but found 'alpha'."),
        ("labels not = a", "column 12", "expected IN but found '='."),
        (
            "labels in alpha",
            "the end",
            "expected '(' (IN and NOT IN take a list of values such as (A, B)).",
        ),
        ("labels in (a, b", "the end", "expected ',' or ')'."),
        ("labels in ()", "column 12", "expected a value but found ')'."),
        ("(type = Epic", "the end", "expected ')'."),
        ("type = Epic)", "column 12", "')' has no matching '('. Remove it."),
        ("cf[x] = 1", "column 4", "expected a custom field number, as in cf[10010] but found 'x'."),
        ("type = Epic ORDER rank", "column 19", "expected BY but found 'rank'."),
        (
            "ORDER BY rank DESC key",
            "column 20",
            "expected ',' or the end of the query but found 'key'.",
        ),
        (
            "cf = 1",
            "column 4",
            "expected '[' (cf[10010] names a custom field by its number) but found '='.",
        ),
        (
            "type = 'Epic",
            "column 8",
            "the quoted text that starts there is never closed. Add the closing '.",
        ),
        (
            "type = Epic$",
            "column 12",
            "'$' cannot appear outside quotes. Put the value or field name in quotes.",
        ),
        (
            '"" = x',
            "column 1",
            "a field name cannot be empty. Write the field's name inside the quotes.",
        ),
        (
            "type = Epic\nAND summary = 'a\\qb'",
            "line 2, column 17",
            f"'\\q' is not an escape sequence. {ESCAPES}",
        ),
    ],
)
def test_syntax_error_says_where_and_what_was_expected(
    query: str, where: str, problem: str
) -> None:
    error = error_of(query)
    assert type(error) is JqlError
    assert str(error) == f"JQL syntax error at {where} of {query!r}: {problem}"
