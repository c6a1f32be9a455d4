"""Whether a rule selects a record is decided from the record itself, per tool."""

from __future__ import annotations

from typing import Any

import pytest

from flywheel_sync.mapping.selection import RuleSelector
from flywheel_sync.settings.rules import MappingRule
from tests.unit.mapping.microsoft_records import (
    PLANNER_CONTEXT,
    PROJECT_CONTEXT,
    planner_plan,
    planner_task,
    project_task,
    teams_message,
)
from tests.unit.mapping.records import (
    CHANNEL,
    GROUP,
    JIRA,
    JIRA_FIELDS,
    PLANNER,
    PROJECT,
    TEAM,
    TEAMS,
    jira_issue,
    reader,
    rule,
)

EPIC = jira_issue("PMO-10", issue_type="Epic", scope="jql-a")
STORY = jira_issue("PMO-11", issue_type="Story", scope="jql-b")
GRID_STORY = jira_issue("GRID-1", issue_type="Story")
ELSEWHERE = jira_issue("PMO-12", issue_type="Epic", source="jira:other")
TASK = planner_task("task-1", title="t")
OTHER_GROUP_TASK = planner_task("task-2", title="t", plan_id="plan-other")
MESSAGE = teams_message("m-1", html="hi")
OTHER_CHANNEL = teams_message("m-2", html="hi", channel_id="19:general@thread.tacv2")
GRID_TASK = project_task("t-1", subject="s")
HR_TASK = project_task("t-2", subject="s", project_id="proj-hr")

CONTEXT = (
    *JIRA_FIELDS,
    *PLANNER_CONTEXT,
    planner_plan("plan-other", "Other plan", group="group-other"),
    *PROJECT_CONTEXT,
)
EVERYTHING = (
    EPIC,
    STORY,
    GRID_STORY,
    ELSEWHERE,
    TASK,
    OTHER_GROUP_TASK,
    MESSAGE,
    OTHER_CHANNEL,
    GRID_TASK,
    HR_TASK,
    *CONTEXT,
)


def selector(source: str, **select: Any) -> RuleSelector:
    given = rule("r", "work_item", source=source, select=select)
    return RuleSelector.of(MappingRule.model_validate(given))


def selected(chosen: RuleSelector) -> list[str]:
    return [r.external_id for r in EVERYTHING if chosen.selects(reader(r, *CONTEXT))]


@pytest.mark.parametrize(
    ("source", "select", "expected"),
    [
        (JIRA, {"jql": "project = PMO AND issuetype = Epic"}, ["PMO-10"]),
        (JIRA, {"jql": "issuetype != Epic"}, ["PMO-11", "GRID-1"]),
        (JIRA, {"projects": ["pmo"]}, ["PMO-10", "PMO-11"]),
        (JIRA, {"projects": ["PMO Office"]}, ["PMO-10", "PMO-11"]),
        (JIRA, {"projects": ["PMO", "GRID"], "issue_types": ["story"]}, ["PMO-11", "GRID-1"]),
        (JIRA, {}, ["PMO-10", "PMO-11", "GRID-1"]),
        (PLANNER, {"groups": [GROUP]}, ["task-1"]),
        (PLANNER, {"plans": ["plan-other"]}, ["task-2"]),
        (TEAMS, {"channels": [{"team_id": TEAM, "channel_id": CHANNEL}]}, [f"{CHANNEL}/m-1"]),
        (PROJECT, {"projects": ["hrx"]}, ["t-2"]),
        (PROJECT, {"projects": ["proj-grid"]}, ["t-1"]),
    ],
    ids=[
        "jql",
        "jql-negated",
        "jira-project-key-any-case",
        "jira-project-name",
        "jira-projects-and-issue-types",
        "jira-everything-of-the-source",
        "planner-group",
        "planner-plan",
        "teams-channel",
        "project-by-name",
        "project-by-id",
    ],
)
def test_rule_selects(source: str, select: dict[str, Any], expected: list[str]) -> None:
    assert selected(selector(source, **select)) == expected


def test_jql_outside_the_subset_selects_the_records_its_scope_read() -> None:
    query = 'project = PMO AND text ~ "grid"'
    chosen = selector(JIRA, jql=query)
    in_scope = jira_issue("PMO-20", issue_type="Story", scope=query)

    assert chosen.matcher is None
    assert chosen.scope == query
    assert chosen.note is not None
    assert chosen.note.startswith("selected by Jira (the query is evaluated there: ")
    assert [r.external_id for r in (EPIC, in_scope) if chosen.selects(reader(r))] == ["PMO-20"]


def test_jql_with_issue_types_falls_back_to_the_combined_scope() -> None:
    chosen = selector(JIRA, jql='summary ~ "x"', issue_types=["Story"])
    in_scope = jira_issue(
        "PMO-21", issue_type="Story", scope='(summary ~ "x") AND issuetype in ("Story")'
    )

    assert chosen.scope == '(summary ~ "x") AND issuetype in ("Story")'
    assert chosen.selects(reader(in_scope))


def test_a_jql_the_mapping_evaluates_ignores_the_stored_scope() -> None:
    chosen = selector(JIRA, jql="issuetype = Epic")

    assert chosen.scope is None
    assert chosen.note is None
    assert chosen.selects(reader(jira_issue("PMO-30", scope="some other query")))
