"""Jira pseudo-fields: changes read from an issue's changelog, members inside a field's value.

They give work items what the engine needs but no field holds: how often the priority
changed, when work started (the first status change), the start date of the issue's sprint.
The pull asks Jira for the field that holds each of them (`JIRA_FIELD_HOLDING`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from flywheel_sync.mapping.reading import JIRA_FIELD_HOLDING
from tests.unit.mapping.records import Payload, change, jira_field, jira_issue, reader

SPRINT, FLAGGED = "customfield_10020", "customfield_10021"
FIELDS = (jira_field(SPRINT, "Sprint"), jira_field(FLAGGED, "Flagged"))

T1 = datetime(2025, 2, 3, 9, 0, tzinfo=UTC)
T2 = datetime(2025, 2, 4, 10, 30, tzinfo=UTC)
T3 = datetime(2025, 2, 7, 16, 0, tzinfo=UTC)


def _sprint(name: str, start: str) -> Payload:
    return {"id": 1, "name": name, "state": "closed", "startDate": start}


HISTORIES = [
    # Listed out of order on purpose: Cloud's embedded changelog comes newest first.
    change("3", T3, "High", "Highest", field="priority"),
    change("1", T1, "To Do", "In Progress", field="status"),
    change("2", T2, "Medium", "High", field="priority"),
]
FIELD_VALUES: dict[str, Any] = {
    SPRINT: [
        _sprint("GRID Sprint 4", "2025-01-20T09:00:00.000Z"),
        _sprint("GRID Sprint 5", "2025-02-03T09:00:00.000Z"),
    ],
    "assignee": {"displayName": "Ada Lovelace", "accountId": "a-1"},
}
ISSUE = jira_issue("GRID-7", issue_type="Story", fields=FIELD_VALUES, changelog=HISTORIES)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("changes:priority", ("2",)),
        ("CHANGES: Priority", ("2",)),
        ("changes:status", ("1",)),
        ("changes:Flagged", ("0",)),
        ("first_change:priority", (T2.isoformat(),)),
        ("last_change:priority", (T3.isoformat(),)),
        ("first_change:status", (T1.isoformat(),)),
        ("last_change:Flagged", ()),
        ("Sprint.startDate", ("2025-01-20T09:00:00.000Z", "2025-02-03T09:00:00.000Z")),
        (f"{SPRINT}.name", ("GRID Sprint 4", "GRID Sprint 5")),
        ("assignee.accountId", ("a-1",)),
        ("Sprint.noSuchMember", ()),
    ],
    ids=[
        "count",
        "count-any-case-and-space",
        "count-other-field",
        "count-never-changed",
        "first-change",
        "last-change",
        "first-status-change",
        "never-changed-has-no-time",
        "member-of-each-list-element",
        "member-by-field-id",
        "member-of-an-object",
        "missing-member",
    ],
)
def test_pseudo_fields(name: str, expected: tuple[str, ...]) -> None:
    assert reader(ISSUE, *FIELDS).values(name) == expected


def test_a_field_renamed_in_the_changelog_is_matched_by_its_id() -> None:
    raised = change("9", T1, None, "Impediment", field="Flagged")
    raised["items"][0]["fieldId"] = FLAGGED
    raised["items"][0]["field"] = "Impediment flag"  # the name the history kept
    issue = jira_issue("GRID-8", issue_type="Story", changelog=[raised])

    assert reader(issue, *FIELDS).values("changes:Flagged") == ("1",)


def test_the_search_changelog_is_read_when_there_is_no_full_one() -> None:
    issue = jira_issue("GRID-9", issue_type="Story")
    issue.payload["changelog"] = {"histories": HISTORIES, "total": 3}

    assert reader(issue).values("changes:priority") == ("2",)
    assert reader(issue).values("first_change:priority") == (T2.isoformat(),)


def test_an_issue_without_any_changelog_changed_nothing() -> None:
    issue = jira_issue("GRID-10", issue_type="Story")

    assert reader(issue).values("changes:priority") == ("0",)
    assert reader(issue).values("last_change:priority") == ()


@pytest.mark.parametrize(
    ("name", "held_by"),
    [
        ("statuscategory", "status"),
        ("type", "issuetype"),
        ("changes:priority", "priority"),
        ("first_change:status", "status"),
        ("sprint.startdate", "sprint"),
        ("assignee.accountid", "assignee"),
    ],
)
def test_the_pull_asks_for_the_field_holding_a_pseudo_field(name: str, held_by: str) -> None:
    assert JIRA_FIELD_HOLDING.get(name, name) == held_by


@pytest.mark.parametrize("name", ["duedate", "flywheel stage", "changes", "a:b", "summary."])
def test_the_pull_asks_for_other_names_as_they_are(name: str) -> None:
    assert JIRA_FIELD_HOLDING.get(name, name) == name
    assert name not in JIRA_FIELD_HOLDING
