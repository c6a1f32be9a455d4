"""One engagement across tools: joined by join key, the first rule authoritative, drift reported."""

from __future__ import annotations

from typing import Any

import pytest

from flywheel_sync.mapping import Disagreement, MappingOutcome
from flywheel_sync.store.rows import StoredRecord
from tests.unit.mapping.microsoft_records import (
    PLANNER_CONTEXT,
    planner_task,
)
from tests.unit.mapping.records import (
    ENGAGEMENTS,
    JIRA_FIELDS,
    PLANNER_ENGAGEMENTS,
    entity,
    epic,
    jira_issue,
    rule,
    run,
)

TITLE = "Onboarding for Grid Operations [PMO-10]"


def joined(
    *records: StoredRecord, rules: tuple[dict[str, Any], ...] | None = None
) -> MappingOutcome:
    chosen = rules or (ENGAGEMENTS, PLANNER_ENGAGEMENTS)
    return run(list(chosen), *records, *JIRA_FIELDS, *PLANNER_CONTEXT)


def test_jira_epic_and_planner_task_with_its_key_are_one_engagement() -> None:
    outcome = joined(epic("PMO-10"), planner_task("task-1", title=TITLE))

    found = entity(outcome, "engagement", "PMO-10")
    assert [e.entity_id for e in outcome.entities if e.kind == "engagement"] == ["PMO-10"]
    assert found.payload["external_refs"] == [
        {"tool": "jira", "ref": "PMO-10", "url": None},
        {"tool": "planner", "ref": "task-1", "url": None},
    ]
    assert found.payload["records"] == [
        "jira:pmo issue PMO-10",
        "planner:northwind planner_task task-1",
    ]
    assert found.payload["etags"] == {"task-1": 'W/"etag-1"'}
    assert outcome.disagreements == []


def test_the_rule_listed_first_gives_the_id_and_values() -> None:
    task = planner_task("task-1", title=TITLE, bucket_id="bucket-operation")

    outcome = joined(epic("PMO-10"), task, rules=(PLANNER_ENGAGEMENTS, ENGAGEMENTS))

    found = entity(outcome, "engagement", "task-1")
    assert found.flywheel_stage == "service_operation"
    assert outcome.entities_of(("engagement", "PMO-10")) is None


def test_a_planner_task_in_another_bucket_is_a_disagreement() -> None:
    task = planner_task("task-1", title=TITLE, bucket_id="bucket-operation")

    outcome = joined(epic("PMO-10"), task)

    assert entity(outcome, "engagement", "PMO-10").flywheel_stage == "service_onboarding"
    assert outcome.disagreements == [
        Disagreement(
            entity=("engagement", "PMO-10"),
            attribute="flywheel_stage",
            values=(("PMO-10", "service_onboarding"), ("task-1", "service_operation")),
        )
    ]
    assert str(outcome.disagreements[0]) == (
        "engagement PMO-10: flywheel_stage is 'service_onboarding' per PMO-10; "
        "task-1 says 'service_operation'"
    )


def test_a_planner_task_naming_another_customer_is_a_disagreement() -> None:
    task = planner_task("task-1", title="Onboarding for FIN [PMO-10]")

    (found,) = joined(epic("PMO-10"), task).disagreements

    assert (
        str(found)
        == "engagement PMO-10: customer_id is 'grid-ops' per PMO-10; task-1 says 'finance'"
    )


def test_records_without_a_join_key_stay_separate() -> None:
    task = planner_task("task-2", title="Onboarding for Grid Operations [no epic yet]")

    outcome = joined(epic("PMO-10"), task)

    engagements = sorted(e.entity_id for e in outcome.entities if e.kind == "engagement")
    assert engagements == ["PMO-10", "task-2"]
    assert entity(outcome, "engagement", "task-2").payload["join_key"] is None


def test_join_keys_match_in_any_case() -> None:
    any_case = {
        **PLANNER_ENGAGEMENTS,
        "join_key": {"field": "title", "pattern": r"\[(?P<value>.+)\]"},
    }
    task = planner_task("task-1", title=TITLE.replace("PMO", "pmo"))

    outcome = joined(epic("PMO-10"), task, rules=(ENGAGEMENTS, any_case))

    assert [e.entity_id for e in outcome.entities if e.kind == "engagement"] == ["PMO-10"]


def test_a_rejected_first_record_leaves_the_group_to_the_others() -> None:
    # The epic cannot be read, but the Planner task says everything an engagement needs.
    outcome = joined(epic("PMO-10", customer=None), planner_task("task-1", title=TITLE))

    found = entity(outcome, "engagement", "PMO-10")
    assert found.payload["customer_id"] == "grid-ops"
    assert outcome.rejections == []


@pytest.mark.parametrize(
    ("label", "expected"), [("eng:PMO-10", "PMO-10"), ("eng:task-1", "PMO-10"), ("eng:OPS-1", None)]
)
def test_work_items_point_at_an_engagement_by_any_of_its_keys(
    label: str, expected: str | None
) -> None:
    work = rule(
        "work",
        "work_item",
        select={"jql": "issuetype = Story"},
        engagement={"label_prefix": "eng:"},
    )
    story = jira_issue("PMO-50", issue_type="Story", fields={"labels": [label]})

    outcome = joined(
        epic("PMO-10"),
        planner_task("task-1", title=TITLE),
        story,
        rules=(ENGAGEMENTS, PLANNER_ENGAGEMENTS, work),
    )

    assert entity(outcome, "work_item", "PMO-50").payload["engagement_id"] == expected
