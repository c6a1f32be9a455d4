"""Schedule API operations: payloads, the caller's ids, and reading what Project answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connectors.project.schedule_operations import (
    OperationSetStatus,
    PssFailure,
    ScheduleOperation,
    add_checklist_item,
    delete_checklist_item,
    describe_task,
    label_task,
    move_task,
    operation_set_responses,
    pss_failure,
    record_id_for,
    unlabel_task,
    update_checklist_item,
)

TASK = "6f1c2a3b-0000-4000-8000-000000000001"
BUCKET = "6f1c2a3b-0000-4000-8000-0000000000b1"
LABEL = "6f1c2a3b-0000-4000-8000-0000000000c1"
ITEM = "6F1C2A3B-0000-4000-8000-0000000000D1"


def test_record_ids_are_stable_uuid5s_of_the_key() -> None:
    # Ids already written to Project depend on this value: it must never change.
    assert record_id_for("engagement-7/checklist/permit") == record_id_for(
        "engagement-7/checklist/permit"
    )
    assert record_id_for("a") != record_id_for("b")
    assert record_id_for("a") == "fd75631e-a0c4-52f1-bba6-7c495a395070"


@pytest.mark.parametrize(
    ("operation", "kind", "payload"),
    [
        (
            move_task(key="k", task_id=TASK, bucket_id=BUCKET),
            "update",
            {
                "@odata.type": "Microsoft.Dynamics.CRM.msdyn_projecttask",
                "msdyn_projecttaskid": TASK,
                "msdyn_projectbucket@odata.bind": f"/msdyn_projectbuckets({BUCKET})",
            },
        ),
        (
            describe_task(key="k", task_id=TASK, description=None),
            "update",
            {
                "@odata.type": "Microsoft.Dynamics.CRM.msdyn_projecttask",
                "msdyn_projecttaskid": TASK,
                "msdyn_description": None,
            },
        ),
        (
            label_task(key="k", task_id=TASK, label_id=LABEL),
            "create",
            {
                "@odata.type": "Microsoft.Dynamics.CRM.msdyn_projecttasktolabel",
                "msdyn_projecttasktolabelid": record_id_for("k"),
                "msdyn_ProjectTaskId@odata.bind": f"/msdyn_projecttasks({TASK})",
                "msdyn_ProjectLabelId@odata.bind": f"/msdyn_projectlabels({LABEL})",
            },
        ),
        (
            unlabel_task(key="k", link_id=LABEL),
            "delete",
            {
                "@odata.type": "Microsoft.Dynamics.CRM.msdyn_projecttasktolabel",
                "msdyn_projecttasktolabelid": LABEL,
            },
        ),
        (
            add_checklist_item(key="k", task_id=TASK, name="Permit", order=2.0),
            "create",
            {
                "@odata.type": "Microsoft.Dynamics.CRM.msdyn_projectchecklist",
                "msdyn_projectchecklistid": record_id_for("k"),
                "msdyn_name": "Permit",
                "msdyn_projectchecklistcompleted": False,
                "msdyn_ProjectTaskId@odata.bind": f"/msdyn_projecttasks({TASK})",
                "msdyn_projectchecklistorder": 2.0,
            },
        ),
        (
            update_checklist_item(key="k", item_id=ITEM, completed=True),
            "update",
            {
                "@odata.type": "Microsoft.Dynamics.CRM.msdyn_projectchecklist",
                "msdyn_projectchecklistid": ITEM.lower(),
                "msdyn_projectchecklistcompleted": True,
            },
        ),
        (
            delete_checklist_item(key="k", item_id=ITEM),
            "delete",
            {
                "@odata.type": "Microsoft.Dynamics.CRM.msdyn_projectchecklist",
                "msdyn_projectchecklistid": ITEM.lower(),
            },
        ),
    ],
    ids=["move", "describe", "label", "unlabel", "add-item", "update-item", "delete-item"],
)
def test_builders_speak_the_schedule_apis_json(
    operation: ScheduleOperation, kind: str, payload: dict[str, Any]
) -> None:
    assert (operation.kind, operation.key) == (kind, "k")
    assert operation.payload() == payload


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "upsert"}, "unknown operation kind"),
        ({"entity": "account"}, "not a Project scheduling entity"),
        ({"record_id": "42"}, "record id must be a GUID"),
        ({"fields": {"msdyn_projecttaskid": TASK}}, "set by the writer"),
        ({"fields": {"@odata.type": "x"}}, "set by the writer"),
        ({"kind": "delete"}, "a delete carries no fields"),
        ({"kind": "update", "fields": {}}, "an update needs at least one field"),
    ],
)
def test_operations_refuse_what_project_would_not_read(
    options: dict[str, Any], message: str
) -> None:
    given: dict[str, Any] = {
        "kind": "create",
        "entity": "msdyn_projecttask",
        "record_id": TASK,
        "key": "k",
        "fields": {"msdyn_subject": "x"},
    } | options

    with pytest.raises(ValueError, match=message):
        ScheduleOperation(**given)


def test_a_builder_refuses_an_id_that_is_not_a_guid() -> None:
    with pytest.raises(ValueError, match="msdyn_projectbuckets id must be a GUID"):
        move_task(key="k", task_id=TASK, bucket_id="Bucket 1")


def test_fields_are_frozen_copies() -> None:
    fields = {"msdyn_subject": "before"}
    operation = ScheduleOperation(
        kind="update", entity="msdyn_projecttask", record_id=TASK, key="k", fields=fields
    )
    fields["msdyn_subject"] = "after"

    assert operation.fields["msdyn_subject"] == "before"
    with pytest.raises(TypeError):
        operation.fields["msdyn_subject"] = "changed"  # type: ignore[index]


def pss_message(index: int, key: str, detail: str) -> str:
    return json.dumps(
        {
            "errorId": -1,
            "errorKey": key,
            "ErrorMessage": f"Request in batch at index {index} failed with error: {detail}",
            "failedBatchRequestIndex": index,
            "failedBatchRequestError": {"errorKey": key, "ErrorMessage": detail},
        }
    )


@pytest.mark.parametrize(
    ("message", "failure"),
    [
        (
            pss_message(3, "E_RECORDNOTFOUND", "Entity 'x' Does Not Exist"),
            PssFailure(index=3, key="E_RECORDNOTFOUND", message="Entity 'x' Does Not Exist"),
        ),
        (
            json.dumps({"errorKey": "E_BATCHFAILED", "ErrorMessage": "The batch failed"}),
            PssFailure(index=None, key="E_BATCHFAILED", message="The batch failed"),
        ),
        (
            json.dumps({"failedBatchRequestIndex": True, "ErrorMessage": "odd"}),
            PssFailure(index=None, key="", message="odd"),
        ),
        ("Plain text failure ", PssFailure(index=None, key="", message="Plain text failure")),
        ('["a list"]', PssFailure(index=None, key="", message='["a list"]')),
    ],
    ids=["pss-json", "no-index", "bool-index", "text", "json-not-an-object"],
)
def test_execution_failures_name_their_operation_when_pss_does(
    message: str, failure: PssFailure
) -> None:
    assert pss_failure(message) == failure


def test_a_failure_reads_as_key_and_message() -> None:
    assert PssFailure(index=None, key="E_X", message="m").text() == "E_X: m"
    assert PssFailure(index=None, key="", message="m").text() == "m"


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ('{"operationSetId": "s", "recordId": "r"}', [{"operationSetId": "s", "recordId": "r"}]),
        ('[{"recordId": "a"}, {"recordId": "b"}]', [{"recordId": "a"}, {"recordId": "b"}]),
        ({"recordId": "already parsed"}, [{"recordId": "already parsed"}]),
        ("not json", []),
        (None, []),
    ],
)
def test_operation_set_responses_are_json_strings_parsed_again(
    value: object, found: list[dict[str, Any]]
) -> None:
    assert operation_set_responses(value) == found


@pytest.mark.parametrize(
    ("code", "status", "settled"),
    [
        (192350000, OperationSetStatus.OPEN, False),
        (192350001, OperationSetStatus.PENDING, False),
        (192350002, OperationSetStatus.FAILED, True),
        (192350003, OperationSetStatus.COMPLETED, True),
        (192350004, OperationSetStatus.ABANDONED, True),
        (7, OperationSetStatus.UNKNOWN, False),
        ("192350003", OperationSetStatus.UNKNOWN, False),
    ],
)
def test_operation_set_status_codes(
    code: object, status: OperationSetStatus, settled: bool
) -> None:
    assert OperationSetStatus.from_code(code) is status
    assert status.settled is settled
