"""The engine's public surface, as the Jira emulator uses it."""

from __future__ import annotations

import pytest

from flywheel_sync.sandbox.jira import jql
from flywheel_sync.sandbox.jira.jql import FieldRef, ValueReference
from tests.unit.sandbox_jql.builders import ISSUES, NOW, Catalog

PROJECT = FieldRef(id="project", name="Project", schema_type="project")
STAGE = FieldRef(id="customfield_10010", name="Flywheel Stage", schema_type="option")
KEY = FieldRef(id="issuekey", name="Key", schema_type="issuekey")


def test_the_public_names_are_exactly_these() -> None:
    assert sorted(jql.__all__) == [
        "CompiledQuery",
        "FieldCatalog",
        "FieldRef",
        "JqlError",
        "OrderKey",
        "UNBOUNDED_QUERY_MESSAGE",
        "ValueReference",
        "compile_jql",
    ]


def test_the_unbounded_message_is_clouds() -> None:
    assert jql.UNBOUNDED_QUERY_MESSAGE == (
        "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
    )


def test_a_compiled_query_keeps_its_text_and_serves_many_searches() -> None:
    query = jql.compile_jql("project = PMO ORDER BY key DESC", fields=Catalog())

    first = [found["key"] for found in query.search(ISSUES, now=NOW)]
    second = [found["key"] for found in query.search(reversed(ISSUES), now=NOW)]

    assert query.text == "project = PMO ORDER BY key DESC"
    assert first == second == ["PMO-3", "PMO-2", "PMO-1"]


def test_a_jql_error_carries_jiras_error_messages() -> None:
    try:
        jql.compile_jql("project = PMO foo", fields=Catalog())
    except jql.JqlError as error:
        body = {"errorMessages": list(error.messages), "errors": {}}
    else:
        body = {}

    assert body == {
        "errorMessages": [
            "Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'foo'. "
            "(line 1, character 15)"
        ],
        "errors": {},
    }


def test_references_list_the_values_whose_existence_the_emulator_checks() -> None:
    query = jql.compile_jql(
        "project in (PMO, 'Ops Board') AND cf[10010] != Audits AND key = PMO-1 "
        "AND summary ~ x AND created > -1d AND assignee = currentUser() AND labels = EMPTY",
        fields=Catalog(),
    )

    assert query.references == (
        ValueReference(field=PROJECT, written_as="project", value="PMO"),
        ValueReference(field=PROJECT, written_as="project", value="Ops Board"),
        ValueReference(field=STAGE, written_as="cf[10010]", value="Audits"),
        ValueReference(field=KEY, written_as="key", value="PMO-1"),
    )


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (
            ValueReference(field=PROJECT, written_as="project", value="NOPE"),
            "The value 'NOPE' does not exist for the field 'project'.",
        ),
        (
            ValueReference(field=STAGE, written_as="Flywheel Stage", value="Nope"),
            "The value 'Nope' does not exist for the field 'Flywheel Stage'.",
        ),
        (
            ValueReference(field=KEY, written_as="issuekey", value="PMO-99"),
            "An issue with key 'PMO-99' does not exist for field 'issuekey'.",
        ),
    ],
)
def test_a_missing_value_is_refused_in_jiras_words(reference: ValueReference, message: str) -> None:
    assert reference.missing_message() == message
