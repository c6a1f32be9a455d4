"""Reading Schedule API entities: types, binds, writable columns and value conversions."""

from __future__ import annotations

from typing import Any

import pytest

from flywheel_sync.sandbox.dataverse.entity_payload import read_entity
from flywheel_sync.sandbox.dataverse.operation_sets import OperationKind
from flywheel_sync.sandbox.dataverse.tables import PROJECT, PROJECT_CHECKLIST, PROJECT_TASK
from flywheel_sync.sandbox.dataverse.wire import DataverseError
from tests.unit.sandbox_dataverse.builders import BUCKET, GRID, NEW, ROOT

TASK = "Microsoft.Dynamics.CRM.msdyn_projecttask"


def read(entity: Any, kind: OperationKind = OperationKind.CREATE, **options: Any) -> Any:
    return read_entity(entity, kind=kind, reference="ref-1", **options)


def refusal(entity: Any, kind: OperationKind = OperationKind.CREATE) -> tuple[int, str, str]:
    with pytest.raises(DataverseError) as raised:
        read(entity, kind)
    return raised.value.status, raised.value.code, raised.value.message


def test_a_task_payload_becomes_column_values() -> None:
    payload = read(
        {
            "@odata.type": TASK,
            "msdyn_projecttaskid": NEW.upper(),
            "msdyn_subject": "Task 1",
            "msdyn_project@odata.bind": f"/msdyn_projects({GRID})",
            "msdyn_projectbucket@odata.bind": f"msdyn_projectbuckets({BUCKET})",
            "msdyn_parenttask@odata.bind": None,
            "msdyn_start": "2026-09-01T10:00:00+02:00",
            "msdyn_effort": 16,
            "msdyn_outlinelevel": 1.0,
            "msdyn_LinkStatus": 192350000,
            "msdyn_subject@OData.Community.Display.V1.FormattedValue": "ignored",
        }
    )

    assert (payload.table, payload.record_id) == (PROJECT_TASK, NEW)
    assert payload.values == {
        "msdyn_subject": "Task 1",
        "_msdyn_project_value": GRID,
        "_msdyn_projectbucket_value": BUCKET,
        "_msdyn_parenttask_value": None,
        "msdyn_start": "2026-09-01T08:00:00Z",
        "msdyn_effort": 16.0,
        "msdyn_outlinelevel": 1,
        "msdyn_LinkStatus": 192350000,
    }


def test_a_checklist_binds_its_task_through_the_mixed_case_navigation() -> None:
    payload = read(
        {
            "@odata.type": "#Microsoft.Dynamics.CRM.msdyn_projectchecklist",
            "msdyn_name": "Sign-off",
            "msdyn_ProjectTaskId@odata.bind": f"/msdyn_projecttasks({ROOT})",
        }
    )

    assert (payload.table, payload.record_id) == (PROJECT_CHECKLIST, None)
    assert payload.values == {"msdyn_name": "Sign-off", "_msdyn_projecttaskid_value": ROOT}


def test_a_delete_reads_only_the_type_and_the_key() -> None:
    payload = read(
        {"@odata.type": TASK, "msdyn_projecttaskid": ROOT, "nonsense": 1}, OperationKind.DELETE
    )

    assert (payload.record_id, payload.values) == (ROOT, {})


def test_a_plain_web_api_create_names_its_table_by_the_entity_set() -> None:
    payload = read({"msdyn_subject": "Direct"}, table=PROJECT)

    assert (payload.table, payload.values) == (PROJECT, {"msdyn_subject": "Direct"})


_VALIDATING = "An error occurred while validating input parameters: "


@pytest.mark.parametrize(
    ("entity", "expected"),
    [
        (
            [{"@odata.type": TASK}],
            (400, "0x0", f"{_VALIDATING}an entity (a JSON object) was expected."),
        ),
        (
            {"msdyn_subject": "x"},
            (
                400,
                "0x0",
                f"{_VALIDATING}the entity has no @odata.type annotation naming its table "
                "('Microsoft.Dynamics.CRM.msdyn_projecttask').",
            ),
        ),
        (
            {"@odata.type": "Microsoft.Dynamics.CRM.account", "name": "x"},
            (
                400,
                "0x80040265",
                "account is not a Project scheduling entity. The Project Schedule "
                "APIs accept msdyn_project, msdyn_projecttask, msdyn_projectbucket, "
                "msdyn_projectchecklist, msdyn_projectlabel, msdyn_projecttasktolabel, "
                "msdyn_projectteam, msdyn_projecttaskdependency, msdyn_resourceassignment.",
            ),
        ),
        (
            {"@odata.type": "Microsoft.Dynamics.CRM.msdyn_projectsprint"},
            (
                400,
                "0x80040265",
                "The sandbox does not emulate the scheduling entity msdyn_projectsprint.",
            ),
        ),
        (
            {"@odata.type": TASK, "msdyn_name": "x"},
            (
                400,
                "0x0",
                f"{_VALIDATING}Microsoft.Crm.CrmException: Invalid property 'msdyn_name' was "
                "found in entity 'Microsoft.Dynamics.CRM.msdyn_projecttask'. ---> "
                "Microsoft.OData.ODataException: Does not support untyped value in non-open type.",
            ),
        ),
        (
            {"@odata.type": TASK, "msdyn_Project@odata.bind": f"/msdyn_projects({GRID})"},
            (
                400,
                "0x0",
                "An undeclared property 'msdyn_Project' which only has property annotations in "
                "the payload but no property value was found in the payload. In OData, only "
                "declared navigation properties and declared named streams can be represented as "
                "properties without values.",
            ),
        ),
        (
            {"@odata.type": TASK, "msdyn_project@odata.bind": f"/msdyn_projecttasks({GRID})"},
            (
                400,
                "0x0",
                f"{_VALIDATING}msdyn_project@odata.bind must reference a row of "
                "msdyn_projects, not of msdyn_projecttasks.",
            ),
        ),
        (
            {"@odata.type": TASK, "msdyn_project@odata.bind": "/msdyn_projects(GRID)"},
            (
                400,
                "0x0",
                f"{_VALIDATING}'/msdyn_projects(GRID)' is not a valid value for "
                "msdyn_project@odata.bind.",
            ),
        ),
        (
            {"@odata.type": TASK, "msdyn_baselinestart": "2026-01-01T00:00:00Z"},
            (
                400,
                "0x80040265",
                "ScheduleAPI-AV-0001:ref-1: Input to the column msdyn_baselinestart "
                "in the table msdyn_projecttask during create operation is not allowed.",
            ),
        ),
        (
            {"@odata.type": TASK, "_msdyn_project_value": GRID},
            (
                400,
                "0x80040265",
                "ScheduleAPI-AV-0001:ref-1: Input to the column msdyn_project in the "
                "table msdyn_projecttask during create operation is not allowed.",
            ),
        ),
        (
            {"@odata.type": TASK, "msdyn_LinkStatus": 5},
            (
                400,
                "0x8004431a",
                "A validation error occurred. The value 5 of 'msdyn_LinkStatus' on "
                "record of type 'msdyn_projecttask' is outside the valid range. Accepted Values: "
                "192350000,192350001",
            ),
        ),
        (
            {"@odata.type": TASK, "msdyn_LinkStatus": "192350000"},
            (
                400,
                "0x0",
                f"{_VALIDATING}Microsoft.OData.ODataException: Cannot convert the literal "
                "'192350000' to the expected type 'Edm.Int32'.",
            ),
        ),
        (
            {"@odata.type": TASK, "msdyn_start": "2026-09-01"},
            (
                400,
                "0x0",
                f"{_VALIDATING}Microsoft.OData.ODataException: Cannot convert the literal "
                "'2026-09-01' to the expected type 'Edm.DateTimeOffset'.",
            ),
        ),
        (
            {"@odata.type": TASK, "msdyn_effort": True},
            (
                400,
                "0x0",
                f"{_VALIDATING}Microsoft.OData.ODataException: Cannot convert the literal "
                "'True' to the expected type 'Edm.Decimal'.",
            ),
        ),
        (
            {"@odata.type": TASK, "msdyn_projecttaskid": "{" + NEW + "}"},
            (
                400,
                "0x0",
                f"{_VALIDATING}Microsoft.OData.ODataException: Cannot convert the literal "
                "'{" + NEW + "}' to the expected type 'Edm.Guid'.",
            ),
        ),
    ],
)
def test_entities_dataverse_cannot_read_are_refused(
    entity: Any, expected: tuple[int, str, str]
) -> None:
    assert refusal(entity) == expected


def test_a_computed_column_is_refused_on_update_too() -> None:
    entity = {
        "@odata.type": "Microsoft.Dynamics.CRM.msdyn_project",
        "msdyn_projectid": GRID,
        "msdyn_finish": None,
    }

    assert refusal(entity, OperationKind.UPDATE)[2] == (
        "ScheduleAPI-AV-0001:ref-1: Input to the column msdyn_finish in the table msdyn_project "
        "during update operation is not allowed."
    )


def test_an_entity_of_another_table_than_expected_is_refused() -> None:
    with pytest.raises(DataverseError) as raised:
        read({"@odata.type": TASK, "msdyn_subject": "x"}, table=PROJECT)

    assert raised.value.message == (
        f"{_VALIDATING}an entity of type 'Microsoft.Dynamics.CRM.msdyn_project' was expected."
    )
