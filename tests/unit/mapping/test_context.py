"""The record types the mapping reads are the connectors' own, and context records index once."""

from __future__ import annotations

import pytest

import connectors.graph
import connectors.jira
from connectors.project import dataverse_tables
from flywheel_sync.mapping.context import CONTEXT_TYPES, PRIMARY_TYPES, RecordContext, RecordType
from flywheel_sync.mapping.history import FULL_CHANGELOG
from tests.unit.mapping.microsoft_records import (
    checklist_row,
    project_bucket,
    project_row,
)
from tests.unit.mapping.records import (
    JIRA,
    PMO_CUSTOMER,
    PROJECT,
    jira_field,
)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (RecordType.JIRA_ISSUE, connectors.jira.ISSUE),
        (RecordType.JIRA_FIELD, connectors.jira.FIELD),
        (RecordType.PLANNER_PLAN, connectors.graph.PLANNER_PLAN),
        (RecordType.PLANNER_PLAN_DETAILS, connectors.graph.PLANNER_PLAN_DETAILS),
        (RecordType.PLANNER_BUCKET, connectors.graph.PLANNER_BUCKET),
        (RecordType.PLANNER_TASK, connectors.graph.PLANNER_TASK),
        (RecordType.CHANNEL_MESSAGE, connectors.graph.CHANNEL_MESSAGE),
        (RecordType.CHANNEL_REPLY, connectors.graph.CHANNEL_REPLY),
        (RecordType.DIRECTORY_USER, connectors.graph.DIRECTORY_USER),
        (RecordType.PROJECT, dataverse_tables.PROJECT.record_type),
        (RecordType.PROJECT_BUCKET, dataverse_tables.BUCKET.record_type),
        (RecordType.PROJECT_TASK, dataverse_tables.TASK.record_type),
        (RecordType.PROJECT_CHECKLIST_ITEM, dataverse_tables.CHECKLIST.record_type),
    ],
)
def test_record_type_is_the_connectors_constant(ours: str, theirs: str) -> None:
    assert ours == theirs


def test_changelog_key_is_the_jira_connectors() -> None:
    assert connectors.jira.FULL_CHANGELOG_KEY == FULL_CHANGELOG


def test_id_keys_are_the_dataverse_primary_keys() -> None:
    # RecordContext indexes Project rows by their primary key column, not the external id.
    context = RecordContext.of([project_row("p-1", "GRID"), project_bucket("b-1", "Onboarding")])

    assert dataverse_tables.PROJECT.key == "msdyn_projectid"
    assert dataverse_tables.BUCKET.key == "msdyn_projectbucketid"
    assert context.lookup(PROJECT, RecordType.PROJECT, "p-1") == {
        "msdyn_projectid": "p-1",
        "msdyn_subject": "GRID",
    }
    assert context.lookup(PROJECT, RecordType.PROJECT_BUCKET, "b-1") is not None


def test_primary_and_context_types_are_disjoint() -> None:
    primary = frozenset().union(*PRIMARY_TYPES.values())

    assert not primary & CONTEXT_TYPES
    assert set(PRIMARY_TYPES) == {"jira", "planner", "teams", "project", "mspdi"}


@pytest.mark.parametrize("name", ["PMO Customer", "pmo customer", "cf[10010]", "CF[10010]"])
def test_jira_field_id_by_name_or_clause_name_in_any_case(name: str) -> None:
    context = RecordContext.of([jira_field(PMO_CUSTOMER, "PMO Customer")])

    assert context.jira_field_id(JIRA, name) == PMO_CUSTOMER


def test_jira_fields_are_per_source() -> None:
    context = RecordContext.of([jira_field(PMO_CUSTOMER, "PMO Customer", source="jira:other")])

    assert context.jira_field_id(JIRA, "PMO Customer") is None
    assert context.jira_field_name(JIRA, PMO_CUSTOMER) == PMO_CUSTOMER
    assert context.jira_field_name("jira:other", PMO_CUSTOMER) == "PMO Customer"


def test_checklist_rows_come_in_display_order() -> None:
    context = RecordContext.of(
        [
            checklist_row("c-2", task_id="t-1", name="second", order=2.0),
            checklist_row("c-9", task_id="t-2", name="other task", order=0.5),
            checklist_row("c-1", task_id="t-1", name="first", order=1.0),
        ]
    )

    assert [row["msdyn_name"] for row in context.checklist_rows(PROJECT, "t-1")] == [
        "first",
        "second",
    ]


def test_lookup_of_nothing_is_none() -> None:
    context = RecordContext.of([project_row("p-1", "GRID")])

    assert context.lookup(PROJECT, RecordType.PROJECT, None) is None
    assert context.lookup(PROJECT, RecordType.PROJECT, "p-2") is None
