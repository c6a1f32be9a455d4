"""Stored payloads a rule cannot read are rejected with the reason; the mapping goes on.

The connectors store what the tools sent once they could read its id and update time, so a
member a rule reads may still hold anything (a number where an object belongs, a list of
strings where histories were). Mapping such a record must not stop the mapping of every
other: it is rejected, counted and explained like any record that could not become an entity.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flywheel_sync.mapping import MappingOutcome, map_records
from flywheel_sync.mapping.drafts import RecordKey
from flywheel_sync.store.rows import StoredRecord
from tests.unit.connectors.hostile_records import EVERY_RUN, mutated
from tests.unit.mapping.microsoft_records import (
    PLANNER_CONTEXT,
    PROJECT_CONTEXT,
    checklist_row,
    directory_user,
    planner_check,
    planner_task,
    project_task,
    teams_message,
)
from tests.unit.mapping.records import (
    ENGAGEMENTS,
    JIRA_FIELDS,
    NOW,
    PLANNER_ENGAGEMENTS,
    PROJECT,
    TEAMS,
    change,
    epic,
    mapping,
    rule,
    subtask,
)

UNREADABLE = "its stored payload cannot be read"
RULES = (
    ENGAGEMENTS,
    rule(
        "onboarding-subtasks",
        "checklist_item",
        select={"jql": "issuetype = Sub-task"},
        engagement={"field": "parent"},
        done={"field": "statusCategory"},
    ),
    PLANNER_ENGAGEMENTS | {"checklist": True},
    rule(
        "project-engagements",
        "engagement",
        source=PROJECT,
        customer={"field": "projectName"},
        service={"constant": "Portfolio Governance"},
        flywheel_stage={"bucket": True},
        checklist=True,
    ),
    rule(
        "requests",
        "symptom",
        source=TEAMS,
        customer={"field": "from.department"},
        attributes={"text": {"field": "body"}},
    ),
)
WITNESS = epic("PMO-99", changelog=[change("1", NOW, None, "Service Onboarding")])
RECORDS = (
    epic("PMO-10", changelog=[change("2", NOW, None, "Service Onboarding")]),
    subtask("PMO-11", parent="PMO-10", summary="Agree the intake criteria"),
    planner_task(
        "task-1",
        title="Onboarding for GRID [PMO-12]",
        checklist=[planner_check("c1", "Agree the intake criteria")],
    ),
    project_task("pt-1", subject="GRID onboarding"),
    checklist_row("r-1", task_id="pt-1", name="First portfolio review", order=1),
    teams_message("m-1", html="<p>Please help</p>", author_id="user-1"),
)
CONTEXT = (
    *JIRA_FIELDS,
    *PLANNER_CONTEXT,
    *PROJECT_CONTEXT,
    directory_user("user-1", department="Grid Operations"),
)


def map_all(*records: StoredRecord) -> MappingOutcome:
    return map_records(mapping(*RULES), lambda: records, now=NOW)


SELECTABLE = map_all(WITNESS, *RECORDS, *CONTEXT).records_read
"""Records the rules may select (the others are context): every one is read, garbled or not."""


def garbled(record: StoredRecord, payload: dict[str, Any]) -> StoredRecord:
    return dataclasses.replace(record, payload=payload)


def _key(record: StoredRecord) -> RecordKey:
    return RecordKey(
        source=record.source, record_type=record.record_type, external_id=record.external_id
    )


@settings(EVERY_RUN)
@given(data=st.data(), victims=st.sets(st.integers(0, len(RECORDS) - 1), min_size=1, max_size=2))
def test_garbled_payloads_never_stop_the_mapping_of_the_others(
    data: st.DataObject, victims: set[int]
) -> None:
    records = [
        garbled(record, data.draw(mutated(record.payload))) if index in victims else record
        for index, record in enumerate(RECORDS)
    ]

    outcome = map_all(WITNESS, *records, *CONTEXT)

    assert outcome.entities_of(("engagement", "PMO-99")) is not None
    for rejection in outcome.rejections:
        if any(UNREADABLE in reason for reason in rejection.reasons):
            assert rejection.record in {_key(records[index]) for index in victims}


@settings(EVERY_RUN)
@given(data=st.data(), victim=st.integers(0, len(CONTEXT) - 1))
def test_garbled_context_records_never_stop_the_mapping(data: st.DataObject, victim: int) -> None:
    context = list(CONTEXT)
    context[victim] = garbled(context[victim], data.draw(mutated(context[victim].payload)))

    outcome = map_all(WITNESS, *RECORDS, *context)

    assert outcome.records_read == SELECTABLE


def _changelog_of_floats() -> StoredRecord:
    record = epic("PMO-10")
    return garbled(record, record.payload | {"fullChangelog": [1.5, 2.5]})


def _status_category_of_a_number() -> StoredRecord:
    record = subtask("PMO-11", parent="PMO-10", summary="Intake")
    fields = record.payload["fields"] | {"status": {"name": "Open", "statusCategory": 7.0}}
    return garbled(record, record.payload | {"fields": fields})


def _checklist_of_text() -> StoredRecord:
    record = planner_task("task-1", title="Onboarding for GRID [PMO-12]")
    return garbled(record, record.payload | {"details": {"checklist": "none"}})


@pytest.mark.parametrize(
    ("record", "rule_name"),
    [
        (_changelog_of_floats(), "engagements"),
        (_status_category_of_a_number(), "onboarding-subtasks"),
        (_checklist_of_text(), "planner-engagements"),
    ],
)
def test_a_payload_a_rule_cannot_read_is_rejected_with_the_rule_and_why(
    record: StoredRecord, rule_name: str
) -> None:
    outcome = map_all(WITNESS, record, *CONTEXT)

    (rejection,) = [r for r in outcome.rejections if r.record == _key(record)]
    (reason,) = rejection.reasons
    assert rejection.rule == rule_name
    assert reason.startswith(f"{UNREADABLE} (")
    assert outcome.counts()["rejected"] >= 1
    assert outcome.entities_of(("engagement", "PMO-99")) is not None
    (match,) = outcome.traces[_key(record)].matches  # explain REF shows why
    assert match.problems == (reason,)


def test_a_field_definition_that_cannot_be_indexed_is_left_out_and_rejected() -> None:
    broken = garbled(JIRA_FIELDS[0], JIRA_FIELDS[0].payload | {"clauseNames": 5})

    outcome = map_all(WITNESS, broken, *JIRA_FIELDS[1:])

    (rejection,) = [r for r in outcome.rejections if r.record == _key(broken)]
    assert rejection.rule == "(reading the record)"
    assert rejection.reasons[0].startswith(UNREADABLE)


def test_nul_characters_never_reach_an_entity_s_text() -> None:
    named = epic("PMO-99", summary="Grid\x00 onboarding")

    outcome = map_all(named, *CONTEXT)

    engagement = outcome.entities_of(("engagement", "PMO-99"))
    assert engagement is not None
    assert engagement.name == "Grid onboarding"
