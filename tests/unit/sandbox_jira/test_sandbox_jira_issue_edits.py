"""Creating and editing issues: what is stored, what history is written, what is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from flywheel_sync.sandbox.jira.issue_edits import EditRejected, jira_timestamp
from tests.unit.sandbox_jira.builders import BOT, SEEDED, STAGE, STAMP, editor, new_issue


def rejection(action: Any) -> dict[str, Any]:
    with pytest.raises(EditRejected) as refused:
        action()
    return refused.value.body()


def test_a_created_issue_gets_the_next_key_and_defaults() -> None:
    writer = editor()

    issue = writer.create(new_issue(), version="3")

    assert (issue.id, issue.key) == ("10004", "PMO-3")
    assert {k: issue.fields[k] for k in ("created", "updated", "reporter", "labels")} == {
        "created": STAMP,
        "updated": STAMP,
        "reporter": BOT,
        "labels": [],
    }
    assert (issue.fields["status"]["name"], issue.fields["priority"]["name"]) == ("To Do", "Medium")
    assert issue.changelog == []


def test_a_created_issue_is_found_by_key_and_searched_last() -> None:
    writer = editor()

    issue = writer.create(new_issue(), version="3")

    assert writer.store.issue("pmo-3") is issue
    assert writer.store.views[-1]["fields"] is issue.fields


def test_a_refused_create_reports_every_field_and_uses_no_key() -> None:
    writer = editor()

    body = rejection(
        lambda: writer.create(new_issue(summary="", **{STAGE: {"value": "X"}}), version="3")
    )
    issue = writer.create(new_issue(), version="3")

    assert body == {
        "errorMessages": [],
        "errors": {
            "summary": "You must specify a summary of the issue.",
            STAGE: "Option value 'X' is not valid",
        },
    }
    assert issue.key == "PMO-3"


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"project": None, "issuetype": None, "summary": None}, {
            "project": "Specify a valid project ID or key",
            "issuetype": "Specify an issue type",
            "summary": "You must specify a summary of the issue.",
        }),
        ({"issuetype": {"name": "Bug"}}, {"issuetype": "The issue type selected is invalid."}),
        ({"issuetype": {"name": "Sub-task"}}, {
            "issuetype": "Issue type is a sub-task but parent issue key or id not specified."
        }),
        ({"issuetype": {"name": "Sub-task"}, "parent": {"key": "OPS-1"}}, {
            "project": "Sub-tasks must be created in the same project as the parent."
        }),
        ({"parent": {"key": "PMO-2"}}, {
            "parent": "Given parent issue does not belong to appropriate hierarchy."
        }),
        ({"customfield_99999": "x"}, {
            "customfield_99999": "Field 'customfield_99999' cannot be set. It is not on the "
            "appropriate screen, or unknown."
        }),
    ],
)  # fmt: skip
def test_creates_jira_refuses(fields: dict[str, Any], errors: dict[str, str]) -> None:
    body = rejection(lambda: editor().create(new_issue(**fields), version="3"))

    assert body == {"errorMessages": [], "errors": errors}


@pytest.mark.parametrize(
    ("fields", "parent"),
    [
        ({"issuetype": {"name": "Sub-task"}, "parent": {"key": "PMO-2"}}, "PMO-2"),
        ({"issuetype": {"name": "Sub-task"}, "parent": {"key": "PMO-1"}}, "PMO-1"),
        ({"parent": {"id": "10001"}}, "PMO-1"),
    ],
)
def test_children_are_linked_to_their_parent(fields: dict[str, Any], parent: str) -> None:
    issue = editor().create(new_issue(**fields), version="3")

    assert issue.fields["parent"]["key"] == parent


def test_an_edit_records_one_history_and_moves_updated() -> None:
    writer = editor()
    issue = writer.store.issue("PMO-2")
    assert issue is not None

    changed = writer.edit(
        issue,
        {"fields": {STAGE: {"value": "Needs Assessment"}}, "update": {"labels": [{"add": "x"}]}},
        version="3",
    )

    assert changed is True
    assert issue.fields["updated"] == STAMP
    assert [(h["id"], h["author"], h["created"]) for h in issue.changelog] == [
        ("10001", BOT, STAMP)
    ]
    items = issue.changelog[0]["items"]
    assert [(i["fieldId"], i["fromString"], i["toString"]) for i in items] == [
        (STAGE, "Awareness Building", "Needs Assessment"),
        ("labels", "seeded", "seeded x"),
    ]


def test_an_edit_that_changes_nothing_leaves_no_trace() -> None:
    writer = editor()
    issue = writer.store.issue("PMO-2")
    assert issue is not None
    stage = issue.fields[STAGE]

    changed = writer.edit(
        issue,
        {"fields": {"summary": "Seeded PMO-2", STAGE: {"id": "10101"}},
         "update": {"labels": [{"add": "seeded"}]}},
        version="3",
    )  # fmt: skip

    assert changed is False
    assert (issue.fields["updated"], issue.changelog) == (SEEDED, [])
    assert issue.fields[STAGE] is stage


def test_an_edit_replaces_values_and_never_mutates_them() -> None:
    writer = editor()
    issue = writer.store.issue("PMO-2")
    assert issue is not None
    labels = issue.fields["labels"]

    writer.edit(issue, {"update": {"labels": [{"add": "new"}]}}, version="3")

    assert labels == ["seeded"]
    assert issue.fields["labels"] == ["seeded", "new"]


@pytest.mark.parametrize(
    ("body", "errors", "messages"),
    [
        ({"fields": {"labels": []}, "update": {"labels": [{"add": "a"}]}},
         {"labels": "Field 'labels' cannot be specified in both 'fields' and 'update'."}, []),
        ({"fields": {"project": {"key": "OPS"}}},
         {"project": "Field 'project' cannot be set. It is not on the appropriate screen, or "
          "unknown."}, []),
        ({"fields": {"issuetype": {"name": "Sub-task"}}},
         {"issuetype": "The issue type selected is invalid."}, []),
        ({"update": {"labels": ["a"]}}, {}, [
            "Can not instantiate value of type [simple type, class com.atlassian.jira.rest.api."
            "issue.FieldOperation] from JSON String; no single-String constructor/factory method"
        ]),
        ({"update": {"summary": [{"edit": "x"}]}},
         {"summary": "Field with id' summary' and name 'Summary' does not support operation "
          "'edit' Supported operation(s) are: 'set'"}, []),
        ([], {}, ["The request body must be a JSON object."]),
    ],
)  # fmt: skip
def test_edits_jira_refuses_change_nothing(
    body: Any, errors: dict[str, str], messages: list[str]
) -> None:
    writer = editor()
    issue = writer.store.issue("PMO-2")
    assert issue is not None

    refused = rejection(lambda: writer.edit(issue, body, version="3"))

    assert refused == {"errorMessages": messages, "errors": errors}
    assert (issue.fields["updated"], issue.changelog) == (SEEDED, [])


def test_properties_in_an_edit_are_stored_without_history() -> None:
    writer = editor()
    issue = writer.store.issue("PMO-2")
    assert issue is not None

    body = {"properties": [{"key": "sync", "value": {"rev": 1}}]}

    changed = writer.edit(issue, body, version="3")

    assert (changed, issue.properties) == (False, {"sync": {"rev": 1}})
    assert issue.fields["updated"] == SEEDED


def test_a_reset_forgets_created_issues_and_restarts_numbering() -> None:
    writer = editor()
    writer.create(new_issue(), version="3")

    writer.store.reset()

    assert writer.store.issue("PMO-3") is None
    assert writer.create(new_issue(), version="3").key == "PMO-3"


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 5, 1, 10, 0, 0, 999999, tzinfo=UTC), "2026-05-01T10:00:00.999+0000"),
        (datetime(2026, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))),
         "2026-05-01T10:00:00.000+0000"),
    ],
)  # fmt: skip
def test_jira_timestamps_are_utc_to_the_millisecond(moment: datetime, text: str) -> None:
    assert jira_timestamp(moment) == text
