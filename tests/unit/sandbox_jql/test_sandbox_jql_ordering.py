"""ORDER BY: keys, directions, EMPTY placement, the default order; bounded queries."""

from __future__ import annotations

import pytest

from flywheel_sync.sandbox.jira.jql import FieldRef, OrderKey, compile_jql
from tests.unit.sandbox_jql.builders import ISSUES, NOW, Catalog, issue


def listed(jql: str, issues: tuple[dict[str, object], ...] = ISSUES) -> list[object]:
    query = compile_jql(jql, fields=Catalog())
    return [found["key"] for found in query.search(issues, now=NOW)]


@pytest.mark.parametrize(
    ("order", "keys"),
    [
        ("", ["PMO-1", "PMO-2", "PMO-3", "OPS-7"]),
        ("ORDER BY key", ["OPS-7", "PMO-1", "PMO-2", "PMO-3"]),
        ("ORDER BY key DESC", ["PMO-3", "PMO-2", "PMO-1", "OPS-7"]),
        ("ORDER BY created", ["OPS-7", "PMO-1", "PMO-2", "PMO-3"]),
        ("ORDER BY updated DESC", ["PMO-3", "PMO-2", "PMO-1", "OPS-7"]),
        ("ORDER BY summary", ["PMO-2", "OPS-7", "PMO-1", "PMO-3"]),
        ("ORDER BY status", ["PMO-3", "PMO-2", "OPS-7", "PMO-1"]),
        ("ORDER BY statusCategory DESC", ["PMO-1", "PMO-2", "OPS-7", "PMO-3"]),
        ("ORDER BY priority DESC", ["OPS-7", "PMO-1", "PMO-3", "PMO-2"]),
        ("ORDER BY priority ASC", ["PMO-2", "PMO-3", "PMO-1", "OPS-7"]),
        ("ORDER BY assignee", ["PMO-1", "OPS-7", "PMO-2", "PMO-3"]),
        ("ORDER BY project, key desc", ["OPS-7", "PMO-3", "PMO-2", "PMO-1"]),
        ('ORDER BY "Story Points" DESC', ["PMO-3", "OPS-7", "PMO-1", "PMO-2"]),
        ("ORDER BY cf[10010], created DESC", ["PMO-1", "OPS-7", "PMO-2", "PMO-3"]),
        ("ORDER BY labels", ["PMO-1", "PMO-3", "PMO-2", "OPS-7"]),
        ("ORDER BY issuetype", ["OPS-7", "PMO-1", "PMO-2", "PMO-3"]),
        ("ORDER BY Tier DESC", ["PMO-3", "OPS-7", "PMO-2", "PMO-1"]),
        ("ORDER BY Rank", ["PMO-1", "PMO-2", "PMO-3", "OPS-7"]),
        ("ORDER BY Rank DESC", ["OPS-7", "PMO-3", "PMO-2", "PMO-1"]),
    ],
)
def test_issues_are_listed_in_order_by_order(order: str, keys: list[str]) -> None:
    assert listed(f"project in (PMO, OPS) {order}") == keys


@pytest.mark.parametrize(
    ("order", "keys"),
    [
        ("ORDER BY duedate", ["PMO-1", "OPS-7", "PMO-2", "PMO-3"]),
        ("ORDER BY duedate ASC", ["PMO-1", "OPS-7", "PMO-2", "PMO-3"]),
        ("ORDER BY duedate DESC", ["PMO-2", "PMO-3", "OPS-7", "PMO-1"]),
        ("ORDER BY resolution DESC, key", ["OPS-7", "PMO-2", "PMO-3", "PMO-1"]),
        ('ORDER BY "Flywheel Stage" DESC', ["PMO-3", "PMO-2", "PMO-1", "OPS-7"]),
    ],
)
def test_empty_values_sort_last_ascending_and_first_descending(order: str, keys: list[str]) -> None:
    assert listed(f"project in (PMO, OPS) {order}") == keys


def test_ties_keep_creation_order_whatever_the_input_order() -> None:
    same = tuple(issue(f"PMO-{n}", 10000 + n, priority="Low") for n in range(1, 9))
    shuffled = [same[n] for n in (5, 2, 7, 0, 4, 1, 6, 3)]

    assert listed("project = PMO ORDER BY priority DESC", tuple(shuffled)) == [
        f"PMO-{n}" for n in range(1, 9)
    ]


def test_issues_without_a_numeric_id_come_last() -> None:
    odd: tuple[dict[str, object], ...] = (
        issue("PMO-5", 1),
        {"key": "PMO-6", "fields": {}},
        issue("PMO-4", 2),
    )

    assert listed("order by rank", odd) == ["PMO-5", "PMO-4", "PMO-6"]


def test_keys_sort_by_number_within_a_project() -> None:
    issues = tuple(issue(f"PMO-{n}", 20000 - n) for n in (2, 10, 1))

    assert listed("project = PMO ORDER BY key", issues) == ["PMO-1", "PMO-2", "PMO-10"]


def test_order_by_reports_the_fields_and_directions() -> None:
    query = compile_jql("project = PMO ORDER BY updated DESC, cf[10010]", fields=Catalog())

    assert query.order_by == (
        OrderKey(
            field=FieldRef(id="updated", name="Updated", schema_type="datetime"), descending=True
        ),
        OrderKey(
            field=FieldRef(id="customfield_10010", name="Flywheel Stage", schema_type="option"),
            descending=False,
        ),
    )


def test_sort_alone_orders_without_filtering() -> None:
    query = compile_jql("project = OPS ORDER BY key DESC", fields=Catalog())

    assert [found["key"] for found in query.sort(ISSUES)] == ["PMO-3", "PMO-2", "PMO-1", "OPS-7"]


@pytest.mark.parametrize(
    ("jql", "bounded"),
    [
        ("", False),
        ("   ", False),
        ("\n", False),
        ("order by key desc", False),
        ("ORDER BY updated ASC, key", False),
        ("project = PMO", True),
        ("project = PMO order by key", True),
        ("NOT status = Done", True),
        ("updated >= -1d", True),
    ],
)
def test_only_a_query_with_a_restriction_is_bounded(jql: str, bounded: bool) -> None:
    assert compile_jql(jql, fields=Catalog()).is_bounded is bounded
