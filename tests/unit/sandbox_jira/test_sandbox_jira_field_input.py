"""Field values in: what the store keeps, and Jira's words when it refuses them."""

from __future__ import annotations

from typing import Any

import pytest

from flywheel_sync.sandbox.jira.field_input import FieldInput, FieldRejected
from flywheel_sync.sandbox.jira.store import JiraStore
from tests.unit.sandbox_jira.builders import (
    CSAT,
    FLAGGED,
    SPRINT,
    SPRINT_7,
    STAGE,
    build_site,
    doc,
)

_ALICE_REF = {
    "accountId": "acc-alice",
    "displayName": "Alice Adams",
    "emailAddress": "a@x.example",
    "active": True,
    "timeZone": "Europe/London",
    "accountType": "atlassian",
}


def inputs(*, version: str = "3", cloud: bool = True) -> FieldInput:
    return FieldInput(JiraStore(build_site), version=version, cloud=cloud)


def set_value(field_id: str, raw: Any, **dialect: Any) -> Any:
    found = inputs(**dialect)
    definition = found.definition(field_id)
    assert definition is not None
    return found.set(definition, raw)


@pytest.mark.parametrize(
    ("field_id", "raw", "kept"),
    [
        (STAGE, {"value": "Needs Assessment"}, {"value": "Needs Assessment", "id": "10102"}),
        (STAGE, {"id": "10102"}, {"value": "Needs Assessment", "id": "10102"}),
        (STAGE, {"id": 10101}, {"value": "Awareness Building", "id": "10101"}),
        (STAGE, None, None),
        (FLAGGED, [{"value": "Impediment"}], [{"value": "Impediment", "id": "10019"}]),
        (FLAGGED, [], None),
        ("labels", ["b", "a", "b"], ["b", "a"]),
        ("labels", None, []),
        ("priority", {"name": "High"}, {"id": "2", "name": "High"}),
        ("priority", {"id": "3"}, {"id": "3", "name": "Medium"}),
        ("assignee", {"accountId": "acc-alice"}, _ALICE_REF),
        ("assignee", None, None),
        ("duedate", "2026-06-30", "2026-06-30"),
        ("duedate", "", None),
        (CSAT, 4.5, 4.5),
        (SPRINT, 7, (SPRINT_7,)),
        ("description", doc("Line"), doc("Line")),  # v3 keeps the document as sent
        ("parent", {"none": True}, None),
    ],
)
def test_accepted_values_are_kept_as_jira_returns_them(field_id: str, raw: Any, kept: Any) -> None:
    assert set_value(field_id, raw) == kept


@pytest.mark.parametrize("raw", [{"key": "pmo-1"}, {"id": "10001"}, {"id": 10001}])
def test_a_parent_is_kept_as_its_id_key_and_headline_fields(raw: dict[str, Any]) -> None:
    link = set_value("parent", raw)

    headline = (link["id"], link["key"], link["fields"]["summary"])
    assert headline == ("10001", "PMO-1", "Seeded PMO-1")


@pytest.mark.parametrize(
    ("field_id", "raw", "message"),
    [
        (STAGE, {"value": "Nope"}, "Option value 'Nope' is not valid"),
        (STAGE, {"id": "999"}, "Option id '999' is not valid"),
        (STAGE, "Nope", "Could not find valid 'id' or 'value' in the Parent Option object."),
        (STAGE, {"name": "x"}, "Could not find valid 'id' or 'value' in the Parent Option object."),
        (FLAGGED, {"value": "Impediment"}, "data was not an array"),
        ("summary", "", "You must specify a summary of the issue."),
        ("summary", "a\nb", "The summary is invalid because it contains newline characters."),
        ("summary", "x" * 256, "Summary must be less than 255 characters."),
        ("summary", 3, "Operation value must be a string"),
        ("labels", ["two words"], "The label 'two words' contains spaces which is invalid."),
        ("labels", "solo", "data was not an array"),
        ("priority", {"name": "Urgent"}, "Specify a valid 'id' or 'name' for Priority"),
        ("assignee", {"accountId": "nobody"}, "User 'nobody' does not exist."),
        ("assignee", "alice", "data was not an object"),
        ("duedate", "30/06/2026", "Error parsing date string: 30/06/2026"),
        ("duedate", "2026-02-30", "Error parsing date string: 2026-02-30"),
        (CSAT, "4", "Operation value must be a number"),
        (SPRINT, 99, "Sprint with id 99 does not exist."),
        ("description", "plain", "Operation value must be an Atlassian Document (see the "
         "Atlassian Document Format)"),
        ("parent", "PMO-1", "data was not an object"),
        ("parent", {"key": "PMO-404"}, "Could not find issue by id or key."),
        ("issuetype", {"name": "Story"}, "The issue type selected is invalid."),
        ("project", {"key": "NOPE"}, "Specify a valid project ID or key"),
        ("status", {"name": "Done"}, "Field 'status' cannot be set. It is not on the appropriate "
         "screen, or unknown."),
        ("updated", "2026-01-01T00:00:00.000+0000", "Field 'updated' cannot be set. It is not "
         "on the appropriate screen, or unknown."),
    ],
)  # fmt: skip
def test_refused_values_carry_jiras_message(field_id: str, raw: Any, message: str) -> None:
    with pytest.raises(FieldRejected) as refused:
        set_value(field_id, raw)

    assert refused.value.message == message


@pytest.mark.parametrize(
    ("cloud", "raw", "outcome"),
    [
        (True, {"id": "acc-alice"}, "Alice Adams"),
        (True, {"name": "alice"}, "Specify the user's accountId for Assignee."),
        (False, {"name": "alice"}, "Alice Adams"),
        (False, {"name": "acc-alice"}, "User 'acc-alice' does not exist."),
        (False, {"accountId": "acc-alice"}, "Specify the user's name for Assignee."),
    ],
)
def test_users_are_named_by_account_id_on_cloud_and_name_on_data_center(
    cloud: bool, raw: dict[str, str], outcome: str
) -> None:
    try:
        found = set_value("assignee", raw, cloud=cloud)["displayName"]
    except FieldRejected as refused:
        found = refused.message

    assert found == outcome


@pytest.mark.parametrize(
    ("field_id", "current", "operation", "raw", "after"),
    [
        ("labels", ["a"], "add", "b", ["a", "b"]),
        ("labels", ["a", "b"], "add", "a", ["b", "a"]),
        ("labels", ["a", "b"], "remove", "a", ["b"]),
        ("labels", None, "remove", "a", []),
        ("labels", ["a"], "set", ["c"], ["c"]),
        (FLAGGED, None, "add", {"value": "Impediment"}, [{"value": "Impediment", "id": "10019"}]),
        (FLAGGED, [{"value": "Impediment", "id": "10019"}], "remove", {"id": "10019"}, []),
    ],
)
def test_list_fields_take_add_and_remove(
    field_id: str, current: Any, operation: str, raw: Any, after: Any
) -> None:
    found = inputs()
    definition = found.definition(field_id)
    assert definition is not None

    assert found.operate(definition, operation, current, raw) == after


def test_single_valued_fields_only_take_set() -> None:
    found = inputs()
    definition = found.definition("summary")
    assert definition is not None

    with pytest.raises(FieldRejected) as refused:
        found.operate(definition, "add", "old", "new")

    assert refused.value.message == (
        "Field with id' summary' and name 'Summary' does not support operation 'add' "
        "Supported operation(s) are: 'set'"
    )


def test_stored_values_are_fresh_objects() -> None:
    found = inputs()
    definition = found.definition(STAGE)
    assert definition is not None

    first = found.set(definition, {"value": "Needs Assessment"})
    second = found.set(definition, {"value": "Needs Assessment"})

    assert first == second
    assert first is not second
