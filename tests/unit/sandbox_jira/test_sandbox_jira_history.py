"""Changelog items for one field's change, and when a write is no change at all."""

from __future__ import annotations

from typing import Any

import pytest

from flywheel_sync.sandbox.jira.history import change_item, same_value
from flywheel_sync.sandbox.jira.store import JiraStore
from tests.unit.sandbox_jira.builders import CSAT, FLAGGED, SPRINT, SPRINT_7, STAGE, build_site

_FIELDS = JiraStore(build_site).catalog.by_id
_IMPEDIMENT = {"value": "Impediment", "id": "10019"}


@pytest.mark.parametrize(
    ("field_id", "old", "new", "item"),
    [
        ("summary", "Old", "New", ("summary", "jira", None, "Old", None, "New")),
        ("description", None, "Body", ("description", "jira", None, "", None, "Body")),
        (
            STAGE,
            {"value": "Awareness Building", "id": "10101"},
            {"value": "Needs Assessment", "id": "10102"},
            ("Flywheel Stage", "custom", "10101", "Awareness Building", "10102",
             "Needs Assessment"),
        ),
        ("labels", ["a"], ["a", "b"], ("labels", "jira", None, "a", None, "a b")),
        ("priority", {"id": "3", "name": "Medium"}, {"id": "2", "name": "High"},
         ("priority", "jira", "3", "Medium", "2", "High")),
        ("assignee", None, {"accountId": "acc-alice", "displayName": "Alice Adams"},
         ("assignee", "jira", None, "", "acc-alice", "Alice Adams")),
        ("duedate", None, "2026-06-30",
         ("duedate", "jira", None, "", "2026-06-30", "2026-06-30 00:00:00.0")),
        (CSAT, 4.1, 4.5, ("CSAT", "custom", None, "4.1", None, "4.5")),
        (FLAGGED, None, [_IMPEDIMENT], ("Flagged", "custom", None, "", "[10019]", "Impediment")),
        (SPRINT, None, (SPRINT_7,), ("Sprint", "custom", None, "", "7", "PMO Sprint 7")),
        ("parent", None, {"id": "10001", "key": "PMO-1", "fields": {}},
         ("IssueParentAssociation", "jira", None, "", "10001", "PMO-1")),
    ],
)  # fmt: skip
def test_change_item_names_the_field_and_both_values(
    field_id: str, old: Any, new: Any, item: tuple[Any, ...]
) -> None:
    written = change_item(_FIELDS[field_id], old, new)

    assert written == {
        "field": item[0],
        "fieldtype": item[1],
        "fieldId": field_id,
        "from": item[2],
        "fromString": item[3],
        "to": item[4],
        "toString": item[5],
    }


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        ({"value": "A", "id": "1"}, {"id": "1", "value": "A"}, True),
        ({"value": "A", "id": "1"}, {"value": "B", "id": "2"}, False),
        ({"accountId": "x", "timeZone": "UTC"}, {"accountId": "x", "timeZone": "Europe/Rome"},
         True),
        (None, [], True),
        (None, "", True),
        (["a", "b"], ["b", "a"], False),
        (4, 4.0, True),
        ("Old", "New", False),
    ],
)  # fmt: skip
def test_same_value_compares_what_a_reader_sees(old: Any, new: Any, same: bool) -> None:
    assert same_value(old, new) is same
