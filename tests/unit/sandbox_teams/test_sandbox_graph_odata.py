"""The OData query options the directory and Teams share: $filter clauses, $select, refusals."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from starlette.requests import Request

from flywheel_sync.sandbox.graph.odata import (
    Clause,
    FilterPolicy,
    context_url,
    matches,
    parse_filter,
    refuse_unsupported_options,
    selected,
)
from flywheel_sync.sandbox.graph.wire import GraphError

POLICY = FilterPolicy(
    resource="Group",
    operators={
        "eq": frozenset({"displayName", "mailEnabled"}),
        "startswith": frozenset({"displayName"}),
        "any": frozenset({"groupTypes"}),
    },
    code="Request_UnsupportedQuery",
)
GROUP = {"displayName": "Northwind PMO", "mailEnabled": True, "groupTypes": ["Unified"]}


def request(**query: str) -> Request:
    scope = {"type": "http", "scheme": "http", "method": "GET", "path": "/graph/v1.0/users/x"}
    return Request(
        {
            **scope,
            "server": ("127.0.0.1", 8080),
            "root_path": "/graph/v1.0",
            "headers": [(b"host", b"127.0.0.1:8080")],
            "query_string": urlencode(query).encode(),
        }
    )


@pytest.mark.parametrize(
    ("expression", "clauses"),
    [
        (
            "displayName eq 'Northwind PMO'",
            [Clause(operator="eq", prop="displayName", value="Northwind PMO")],
        ),
        ("mailEnabled eq true", [Clause(operator="eq", prop="mailEnabled", value=True)]),
        (
            "startswith(displayName,'North')",
            [Clause(operator="startswith", prop="displayName", value="North")],
        ),
        (
            "groupTypes/any(c:c eq 'Unified')",
            [Clause(operator="any", prop="groupTypes", value="Unified")],
        ),
        ("displayName eq 'O''Brien'", [Clause(operator="eq", prop="displayName", value="O'Brien")]),
        (
            "displayName eq 'Sales and Marketing' and mailEnabled eq true",
            [
                Clause(operator="eq", prop="displayName", value="Sales and Marketing"),
                Clause(operator="eq", prop="mailEnabled", value=True),
            ],
        ),
    ],
    ids=["eq-string", "eq-bool", "startswith", "any", "escaped-quote", "and-outside-quotes"],
)
def test_filter_clauses_parse(expression: str, clauses: list[Clause]) -> None:
    assert parse_filter(expression, POLICY) == clauses


@pytest.mark.parametrize(
    ("expression", "code", "message"),
    [
        ("displayName ne 'x'", "BadRequest", "Invalid filter clause: 'displayName ne 'x''."),
        ("", "BadRequest", "Invalid filter clause: the $filter is empty."),
        (
            "theme eq 'Blue'",
            "Request_UnsupportedQuery",
            "Unsupported or invalid query filter clause specified for property 'theme' of "
            "resource 'Group'.",
        ),
        (
            "startswith(mailEnabled,'t')",
            "Request_UnsupportedQuery",
            "Unsupported or invalid query filter clause specified for property 'mailEnabled' of "
            "resource 'Group'.",
        ),
    ],
    ids=["unknown-operator", "empty", "unfilterable-property", "operator-not-allowed-there"],
)
def test_filters_the_endpoint_cannot_apply_are_a_400(
    expression: str, code: str, message: str
) -> None:
    with pytest.raises(GraphError) as refused:
        parse_filter(expression, POLICY)

    assert (refused.value.status, refused.value.code, refused.value.message) == (400, code, message)


@pytest.mark.parametrize(
    ("expression", "found"),
    [
        ("displayName eq 'northwind pmo'", True),
        ("displayName eq 'Northwind'", False),
        ("startswith(displayName,'NORTH')", True),
        ("groupTypes/any(c:c eq 'unified')", True),
        ("mailEnabled eq false", False),
    ],
)
def test_matching_ignores_case_like_entra(expression: str, found: bool) -> None:
    assert matches(GROUP, parse_filter(expression, POLICY)) is found


def test_unsupported_option_is_refused_in_odata_words() -> None:
    with pytest.raises(GraphError) as refused:
        refuse_unsupported_options(request(**{"$orderby": "displayName"}), ("$filter",))

    assert refused.value.message == (
        "The query specified in the URI is not valid. Query option 'OrderBy' is not allowed. To "
        "allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or "
        "QueryValidationSettings."
    )


def test_non_system_parameters_are_not_query_options() -> None:
    refuse_unsupported_options(request(**{"api-version": "1"}), ())


def test_select_spells_names_as_the_type_does() -> None:
    assert selected(request(**{"$select": "ID, department"}), ("id", "department"), "t", "c") == [
        "id",
        "department",
    ]


def test_select_of_an_unknown_property_is_a_400() -> None:
    with pytest.raises(GraphError) as refused:
        selected(request(**{"$select": "colour"}), ("id",), "microsoft.graph.user", "BadRequest")

    assert refused.value.message == (
        "Could not find a property named 'colour' on type 'microsoft.graph.user'."
    )


@pytest.mark.parametrize(
    ("fragment", "names", "url"),
    [
        ("users/$entity", [], "http://127.0.0.1:8080/graph/v1.0/$metadata#users/$entity"),
        (
            "users/$entity",
            ["id", "department"],
            "http://127.0.0.1:8080/graph/v1.0/$metadata#users(id,department)/$entity",
        ),
        ("groups", ["id"], "http://127.0.0.1:8080/graph/v1.0/$metadata#groups(id)"),
    ],
)
def test_context_url_points_at_the_sandbox(fragment: str, names: list[str], url: str) -> None:
    assert context_url(request(), fragment, names) == url
