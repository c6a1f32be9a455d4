"""No record is dropped silently: unmatched, conflicting and deleted records, counts, traces."""

from __future__ import annotations

from flywheel_sync.mapping import (
    RUN_COUNT_PREFIX,
    Conflict,
    RuleMatch,
    map_records,
    unplaced_counts,
)
from flywheel_sync.mapping.drafts import RecordKey
from flywheel_sync.store.rows import StoredRecord
from tests.unit.mapping.microsoft_records import (
    PLANNER_CONTEXT,
    directory_user,
    planner_plan_details,
    teams_message,
)
from tests.unit.mapping.records import (
    ENGAGEMENTS,
    JIRA,
    JIRA_FIELDS,
    NOW,
    PLANNER,
    PLANNER_ENGAGEMENTS,
    TEAMS,
    entity,
    epic,
    jira_issue,
    mapping,
    rule,
    run,
    stored,
)

WORK = rule("work", "work_item", select={"projects": ["PMO"]})
MORE_WORK = rule("more-work", "work_item", select={"jql": "issuetype = Story"})
STORY = jira_issue("PMO-20", issue_type="Story", summary="Draft the charter")


def test_a_record_no_rule_selects_is_unmatched() -> None:
    outcome = run([ENGAGEMENTS], epic("PMO-10"), STORY, *JIRA_FIELDS)

    (unmatched,) = outcome.unmatched
    assert unmatched.record == RecordKey(source=JIRA, record_type="issue", external_id="PMO-20")
    assert (unmatched.title, unmatched.matches) == ("Draft the charter", [])


def test_two_rules_of_one_kind_conflict_and_the_first_is_kept() -> None:
    outcome = run([WORK, MORE_WORK], STORY)

    (conflict,) = outcome.conflicts
    assert conflict == Conflict(
        record=RecordKey(source=JIRA, record_type="issue", external_id="PMO-20"),
        kind="work_item",
        rules=("work", "more-work"),
    )
    assert str(conflict) == (
        "jira:pmo issue PMO-20: rules work, more-work all produce work_item entities; "
        "'work' (first in mapping.yaml) was used, more-work set aside"
    )
    assert entity(outcome, "work_item", "PMO-20").payload["records"] == ["jira:pmo issue PMO-20"]


def test_the_set_aside_rule_is_traced_with_the_reason() -> None:
    matches = (
        run([WORK, MORE_WORK], STORY)
        .traces[RecordKey(source=JIRA, record_type="issue", external_id="PMO-20")]
        .matches
    )

    assert [(m.rule, m.set_aside, m.entities) for m in matches] == [
        ("more-work", "conflicts with rule 'work', listed first", ()),
        ("work", None, (("work_item", "PMO-20"),)),
    ]


def test_rules_of_different_kinds_may_read_one_record() -> None:
    outcome = run([ENGAGEMENTS, WORK], epic("PMO-10"), *JIRA_FIELDS)

    assert outcome.conflicts == []
    assert entity(outcome, "engagement", "PMO-10").flywheel_stage == "service_onboarding"
    assert entity(outcome, "work_item", "PMO-10").payload["customer_id"] is None


def test_tombstones_are_neither_mapped_nor_unmatched() -> None:
    removed = stored(
        PLANNER, "planner_task", "task-9", {"id": "task-9", "@removed": {"reason": "deleted"}}
    )
    deleted = teams_message("m-9", html="gone", deleted=True)
    symptoms = rule("requests", "symptom", source=TEAMS)

    outcome = run([PLANNER_ENGAGEMENTS, symptoms], removed, deleted, *PLANNER_CONTEXT)

    assert (outcome.records_read, outcome.unmatched, outcome.rejections) == (0, [], [])
    assert [e.kind for e in outcome.entities if e.kind not in {"customer", "service"}] == []


def test_context_records_are_never_unmatched() -> None:
    context = (
        *JIRA_FIELDS,
        *PLANNER_CONTEXT,
        planner_plan_details("plan-governance", {}),
        directory_user("u-1", department="Finance"),
    )

    outcome = run([], *context)

    assert (outcome.records_read, outcome.unmatched, outcome.traces) == (0, [], {})


def test_counts() -> None:
    outcome = run(
        [ENGAGEMENTS, WORK, MORE_WORK],
        epic("PMO-10"),
        epic("PMO-11", stage=None),
        STORY,
        jira_issue("OPS-1"),
        *JIRA_FIELDS,
    )

    assert outcome.counts() == {
        "records": 4,
        "unmatched": 1,
        "conflicts": 1,
        "rejected": 1,
        "disagreements": 0,
        "entities.customer": 2,
        "entities.engagement": 1,
        "entities.service": 2,
        "entities.work_item": 3,
    }


def test_trace_keeps_what_each_rule_read() -> None:
    outcome = run([ENGAGEMENTS], epic("PMO-10"), *JIRA_FIELDS)

    (match,) = outcome.traces[
        RecordKey(source=JIRA, record_type="issue", external_id="PMO-10")
    ].matches
    assert match == RuleMatch(
        rule="engagements",
        kind="engagement",
        readings=(
            "join_key: field 'key' = 'PMO-10'",
            "customer: field 'PMO Customer' = 'GRID'",
            "service: field 'PMO Service' = 'Portfolio Governance'",
            "flywheel_stage: field 'Flywheel Stage' = 'Service Onboarding'",
        ),
        problems=(),
        entities=(("engagement", "PMO-10"),),
    )


def test_records_are_streamed_twice() -> None:
    calls: list[int] = []

    def records() -> list[StoredRecord]:
        calls.append(1)
        return [epic("PMO-10"), *JIRA_FIELDS]

    outcome = map_records(mapping(ENGAGEMENTS), records, now=NOW)

    assert len(calls) == 2
    assert entity(outcome, "engagement", "PMO-10").updated_at == NOW


def test_unplaced_counts_lists_the_non_zero_ones_in_order_under_a_prefix() -> None:
    counts = {
        "mapped.records": 9,
        "mapped.unmatched": 2,
        "mapped.conflicts": 0,
        "mapped.disagreements": 1,
    }

    assert unplaced_counts(counts, RUN_COUNT_PREFIX) == ["2 unmatched", "1 disagreements"]
    assert unplaced_counts({"unmatched": 0, "rejected": 1_200}) == ["1,200 rejected"]
