"""The grammar: every construct parses to the syntax tree it means."""

from __future__ import annotations

import pytest

from flywheel_sync.sandbox.jira.jql.parse import parse_jql
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
    Operator,
    OrderTerm,
    Query,
)

EMPTY = EmptyOperand()


def field(text: str, column: int = 1, line: int = 1) -> FieldName:
    return FieldName(text=text, line=line, column=column)


def clause(name: str, operator: Operator, *operands: str | EmptyOperand, column: int = 1) -> Clause:
    values = tuple(Literal(text=o) if isinstance(o, str) else o for o in operands)
    return Clause(field=field(name, column), operator=operator, operands=values)


def where(text: str) -> Condition | None:
    return parse_jql(text).where


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("project = PMO", clause("project", Operator.EQUALS, "PMO")),
        ("status != Done", clause("status", Operator.NOT_EQUALS, "Done")),
        ("created < -1d", clause("created", Operator.LESS, "-1d")),
        ("created <= 2026-05-01", clause("created", Operator.LESS_OR_EQUAL, "2026-05-01")),
        ("updated > 1d", clause("updated", Operator.GREATER, "1d")),
        ("updated >= -30m", clause("updated", Operator.GREATER_OR_EQUAL, "-30m")),
        ("summary ~ word", clause("summary", Operator.CONTAINS, "word")),
        ("summary !~ word", clause("summary", Operator.NOT_CONTAINS, "word")),
        ("status IN (Done, 'To Do')", clause("status", Operator.IN, "Done", "To Do")),
        ("status not in (Done)", clause("status", Operator.NOT_IN, "Done")),
        ("assignee IS EMPTY", clause("assignee", Operator.IS, EMPTY)),
        ("assignee is null", clause("assignee", Operator.IS, EMPTY)),
        ("assignee IS NOT EMPTY", clause("assignee", Operator.IS_NOT, EMPTY)),
        ("assignee = EMPTY", clause("assignee", Operator.EQUALS, EMPTY)),
        ("labels in (vip, EMPTY)", clause("labels", Operator.IN, "vip", EMPTY)),
        ("key = PMO-12", clause("key", Operator.EQUALS, "PMO-12")),
        ("id = 10001", clause("id", Operator.EQUALS, "10001")),
        ("Story=3.5", clause("Story", Operator.EQUALS, "3.5")),
        ("status!=Done", clause("status", Operator.NOT_EQUALS, "Done")),
    ],
)
def test_each_operator_parses_to_its_clause(jql: str, expected: Clause) -> None:
    assert where(jql) == expected


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ('"Flywheel Stage" = x', "Flywheel Stage"),
        ("'Flywheel Stage' = x", "Flywheel Stage"),
        ("cf[10010] = x", "cf[10010]"),
        ("CF[010010] = x", "cf[10010]"),
        ("Status = x", "Status"),
        ('"say \\"hi\\"" = x', 'say "hi"'),
    ],
)
def test_field_names_may_be_quoted_or_custom_field_ids(jql: str, expected: str) -> None:
    parsed = where(jql)

    assert isinstance(parsed, Clause)
    assert parsed.field.text == expected


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ('"In Progress"', "In Progress"),
        ("'In Progress'", "In Progress"),
        ("'it\\'s'", "it's"),
        ('"a\\"b"', 'a"b'),
        ('"tab\\there"', "tab\there"),
        ('"line\\nbreak"', "line\nbreak"),
        ('"back\\\\slash"', "back\\slash"),
        ('"\\u0041BC"', "ABC"),
        ("two\\ words", "two words"),
        ('"2026-05-01 10:00"', "2026-05-01 10:00"),
        ('"EMPTY"', "EMPTY"),
        ('"order"', "order"),
        ("PMO-12", "PMO-12"),
        ("-2w", "-2w"),
    ],
)
def test_values_are_unquoted_and_unescaped(written: str, value: str) -> None:
    assert where(f"summary ~ {written}") == clause("summary", Operator.CONTAINS, value)


@pytest.mark.parametrize(
    ("jql", "call"),
    [
        ("updated > now()", FunctionCall(name="now", arguments=())),
        ("updated > startOfDay(-1)", FunctionCall(name="startOfDay", arguments=("-1",))),
        ('updated > endOfDay("+2d")', FunctionCall(name="endOfDay", arguments=("+2d",))),
        ("updated > f(a, 'b c')", FunctionCall(name="f", arguments=("a", "b c"))),
        ("assignee = currentUser()", FunctionCall(name="currentUser", arguments=())),
    ],
)
def test_functions_carry_their_arguments_as_strings(jql: str, call: FunctionCall) -> None:
    parsed = where(jql)

    assert isinstance(parsed, Clause)
    assert parsed.operands == (call,)


def test_in_accepts_a_function_in_place_of_a_list() -> None:
    parsed = where("assignee in currentUser()")

    assert parsed == Clause(
        field=field("assignee"),
        operator=Operator.IN,
        operands=(FunctionCall(name="currentUser", arguments=()),),
    )


A = clause("a", Operator.EQUALS, "1")


def at(name: str, column: int) -> Clause:
    return clause(name, Operator.EQUALS, "1", column=column)


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("a = 1 AND b = 1", AllOf(parts=(A, at("b", 11)))),
        ("a = 1 and b = 1", AllOf(parts=(A, at("b", 11)))),
        ("a = 1 && b = 1", AllOf(parts=(A, at("b", 10)))),
        ("a = 1 & b = 1", AllOf(parts=(A, at("b", 9)))),
        ("a = 1 OR b = 1", AnyOf(parts=(A, at("b", 10)))),
        ("a = 1 || b = 1", AnyOf(parts=(A, at("b", 10)))),
        ("a = 1 | b = 1", AnyOf(parts=(A, at("b", 9)))),
        ("NOT a = 1", Not(part=at("a", 5))),
        ("! a = 1", Not(part=at("a", 3))),
        ("not not a = 1", Not(part=Not(part=at("a", 9)))),
        (
            "a = 1 OR b = 1 AND c = 1",
            AnyOf(parts=(A, AllOf(parts=(at("b", 10), at("c", 20))))),
        ),
        (
            "(a = 1 OR b = 1) AND c = 1",
            AllOf(parts=(AnyOf(parts=(at("a", 2), at("b", 11))), at("c", 22))),
        ),
        ("NOT a = 1 AND b = 1", AllOf(parts=(Not(part=at("a", 5)), at("b", 15)))),
        ("NOT (a = 1 OR b = 1)", Not(part=AnyOf(parts=(at("a", 6), at("b", 15))))),
        ("a = 1 AND b = 1 AND c = 1", AllOf(parts=(A, at("b", 11), at("c", 21)))),
    ],
)
def test_not_binds_tighter_than_and_which_binds_tighter_than_or(
    jql: str, expected: Condition
) -> None:
    assert where(jql) == expected


@pytest.mark.parametrize(
    ("jql", "order_by"),
    [
        ("a = 1 ORDER BY key", (OrderTerm(field=field("key", 16), descending=False),)),
        ("a = 1 order by key asc", (OrderTerm(field=field("key", 16), descending=False),)),
        ("a = 1 Order By Key DESC", (OrderTerm(field=field("Key", 16), descending=True),)),
        (
            'a = 1 ORDER BY updated DESC, "Flywheel Stage", cf[10010] asc',
            (
                OrderTerm(field=field("updated", 16), descending=True),
                OrderTerm(field=field("Flywheel Stage", 30), descending=False),
                OrderTerm(field=field("cf[10010]", 48), descending=False),
            ),
        ),
    ],
)
def test_order_by_lists_fields_with_directions(jql: str, order_by: tuple[OrderTerm, ...]) -> None:
    assert parse_jql(jql) == Query(where=A, order_by=order_by)


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("", Query(where=None, order_by=())),
        ("   \n\t", Query(where=None, order_by=())),
        (
            "order by key desc",
            Query(where=None, order_by=(OrderTerm(field=field("key", 10), descending=True),)),
        ),
    ],
)
def test_a_query_may_have_no_where_part(jql: str, expected: Query) -> None:
    assert parse_jql(jql) == expected


def test_positions_count_lines_and_characters_from_one() -> None:
    parsed = where("a = 1\n  AND status = Done")

    assert isinstance(parsed, AllOf)
    assert parsed.parts[1] == Clause(
        field=FieldName(text="status", line=2, column=7),
        operator=Operator.EQUALS,
        operands=(Literal(text="Done"),),
    )
