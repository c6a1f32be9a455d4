"""Bulk edit requests read as ordinary edits, and the submissions Jira refuses outright."""

from __future__ import annotations

from typing import Any

import pytest

from flywheel_sync.sandbox.jira.bulk_input import BulkEditRequest, BulkRejected
from flywheel_sync.sandbox.jira.field_input import FieldInput
from flywheel_sync.sandbox.jira.store import JiraStore
from tests.unit.sandbox_jira.builders import CSAT, FLAGGED, STAGE, build_site, doc

_INPUTS = FieldInput(JiraStore(build_site), version="3", cloud=True)


def submission(actions: list[str], edited: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "selectedIssueIdsOrKeys": ["PMO-1", "PMO-2"],
        "selectedActions": actions,
        "editedFieldsInput": edited,
    } | extra


def _labels(option: str, *names: str) -> dict[str, Any]:
    entry = {"fieldId": "labels", "bulkEditMultiSelectFieldOption": option}
    return {"labelsFields": [entry | {"labels": [{"name": n} for n in names]}]}


@pytest.mark.parametrize(
    ("edited", "update"),
    [
        (_labels("ADD", "a", "b"), {"labels": [{"add": "a"}, {"add": "b"}]}),
        (_labels("REMOVE", "a"), {"labels": [{"remove": "a"}]}),
        (_labels("REPLACE", "a", "b"), {"labels": [{"set": ["a", "b"]}]}),
        (_labels("REMOVE_ALL"), {"labels": [{"set": []}]}),
        ({"singleSelectFields": [{"fieldId": STAGE, "option": {"optionId": 10102}}]},
         {STAGE: [{"set": {"id": "10102"}}]}),
        ({"singleSelectFields": [{"fieldId": STAGE, "option": {"optionId": -1}}]},
         {STAGE: [{"set": None}]}),
        ({"multipleSelectFields": [{"fieldId": FLAGGED, "options": [{"optionId": 10019}]}]},
         {FLAGGED: [{"set": [{"id": "10019"}]}]}),
        ({"clearableNumberFields": [{"fieldId": CSAT, "value": 4.5}]}, {CSAT: [{"set": 4.5}]}),
        ({"singleLineTextFields": [{"fieldId": "summary", "text": "New"}]},
         {"summary": [{"set": "New"}]}),
        ({"richTextFields": [{"fieldId": "description", "richText": {"adfValue": doc("x")}}]},
         {"description": [{"set": doc("x")}]}),
        ({"datePickerFields": [{"fieldId": "duedate", "date": {"formattedDate": "3/Jun/26"}}]},
         {"duedate": [{"set": "2026-06-03"}]}),
        ({"datePickerFields": [{"fieldId": "duedate", "date": {"formattedDate": ""}}]},
         {"duedate": [{"set": None}]}),
        ({"priority": {"priorityId": "2"}}, {"priority": [{"set": {"id": "2"}}]}),
        ({"singleSelectClearableUserPickerFields": [
            {"fieldId": "assignee", "user": {"accountId": "acc-alice"}}]},
         {"assignee": [{"set": {"accountId": "acc-alice"}}]}),
    ],
)  # fmt: skip
def test_each_input_kind_becomes_edit_operations(
    edited: dict[str, Any], update: dict[str, Any]
) -> None:
    request = BulkEditRequest.parse(submission(list(update), edited), _INPUTS)

    assert (request.issues, request.update) == (("PMO-1", "PMO-2"), update)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (submission(["labels"], _labels("ADD", "a") | {"priority": {"priorityId": "2"}}),
         "The following editedFieldInput values are not listed as selectedActions : priority"),
        (submission(["labels", "duedate"], _labels("ADD", "a")),
         "The following selectedActions values have no editedFieldInput : duedate"),
        (submission(["colour"], {"colorFields": [{"fieldId": "colour"}]}),
         "The sandbox does not emulate bulk editing of colorFields."),
        (submission(["status"], {"singleLineTextFields": [{"fieldId": "status", "text": "x"}]}),
         "The field 'status' cannot be bulk edited."),
        (submission(["labels"], _labels("SHUFFLE", "a")),
         "Unknown bulkEditMultiSelectFieldOption 'SHUFFLE'."),
        (submission(["labels"], _labels("ADD"), selectedIssueIdsOrKeys=[]),
         "selectedIssueIdsOrKeys must list at least one issue id or key."),
        (submission(["labels"], _labels("ADD"), selectedIssueIdsOrKeys=["PMO-1"] * 1001),
         "You can bulk edit at most 1000 issues."),
        ({"selectedIssueIdsOrKeys": ["PMO-1"]},
         "selectedActions and editedFieldsInput are required."),
    ],
)  # fmt: skip
def test_submissions_jira_refuses_outright(body: dict[str, Any], message: str) -> None:
    with pytest.raises(BulkRejected) as refused:
        BulkEditRequest.parse(body, _INPUTS)

    assert refused.value.body() == {"errors": [{"message": message}]}
