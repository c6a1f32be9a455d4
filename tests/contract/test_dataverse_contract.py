"""Dataverse emulator exchanges against the Project scheduling subset.

Reads (the four scheduling tables, an operation set) and every Project Schedule API action,
each with its success and its main refusals. Rows that need an operation set start from a
clean slate (every open set abandoned), because a user may hold at most ten open sets.
Add an operation by adding a row: method, sandbox path, what to send, the expected status.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from itertools import count
from typing import Any

import pytest

from flywheel_sync.sandbox.services import SandboxCredentials
from tests.contract.calls import WRONG_BEARER, Bearer, Call, ContractClient, Setup, cases

ROOT = "/dataverse/api/data/v9.2"
APP = Bearer(SandboxCredentials().dataverse_app_token)
MISSING = "00000000-0000-0000-0000-0000000000aa"
TASK = "Microsoft.Dynamics.CRM.msdyn_projecttask"
_ids = count(1)


def _new_id() -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"contract/dataverse/{next(_ids)}"))


def _query(setup: Setup, entity_set: str, **options: str) -> list[dict[str, Any]]:
    """The rows of an unrecorded query; options are given without their ``$``."""
    params = {f"${name}": value for name, value in options.items()}
    response = setup.session.get(f"{setup.base_url}{ROOT}/{entity_set}", params=params, timeout=30)
    response.raise_for_status()
    rows: list[dict[str, Any]] = response.json()["value"]
    return rows


def _grid(setup: Setup) -> str:
    projects = _query(setup, "msdyn_projects", filter="msdyn_subject eq 'GRID'")
    return str(projects[0]["msdyn_projectid"])


def grid(setup: Setup) -> Mapping[str, str]:
    """``{project}``: the seeded GRID project, with one of its ``{bucket}``s and ``{task}``s.

    ``{new}`` is a fresh id for a row to create.
    """
    project = _grid(setup)
    where = {"filter": f"_msdyn_project_value eq {project}", "top": "1"}
    bucket = _query(setup, "msdyn_projectbuckets", **where)[0]
    task = _query(setup, "msdyn_projecttasks", **where)[0]
    return {
        "project": project,
        "bucket": bucket["msdyn_projectbucketid"],
        "task": task["msdyn_projecttaskid"],
        "new": _new_id(),
    }


def no_open_sets(setup: Setup) -> Mapping[str, str]:
    """Every open operation set abandoned; ``{project}`` etc. as `grid`."""
    for found in _query(setup, "msdyn_operationsets", filter="msdyn_status eq 192350000"):
        body = {"OperationSetId": found["msdyn_operationsetid"]}
        setup.call("POST", f"{ROOT}/msdyn_AbandonOperationSetV1", json=body)
    return grid(setup)


def _open(setup: Setup, project: str) -> str:
    body = {"ProjectId": project, "Description": "contract"}
    return str(
        setup.call("POST", f"{ROOT}/msdyn_CreateOperationSetV1", json=body)["OperationSetId"]
    )


def open_set(setup: Setup) -> Mapping[str, str]:
    """``{set}``: a fresh open operation set of GRID (the only open one)."""
    given = no_open_sets(setup)
    return {**given, "set": _open(setup, given["project"])}


def ten_open_sets(setup: Setup) -> Mapping[str, str]:
    """Ten open operation sets: the most one user may hold."""
    given = no_open_sets(setup)
    for _ in range(10):
        _open(setup, given["project"])
    return given


def _task(given: Mapping[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "@odata.type": TASK,
        "msdyn_projecttaskid": given["new"],
        "msdyn_subject": "Contract task",
        "msdyn_project@odata.bind": f"/msdyn_projects({given['project']})",
        "msdyn_projectbucket@odata.bind": f"/msdyn_projectbuckets({given['bucket']})",
        "msdyn_start": "2026-09-01T08:00:00Z",
        "msdyn_LinkStatus": 192350000,
        **extra,
    }


def staged_set(setup: Setup) -> Mapping[str, str]:
    """An open set holding one valid task create."""
    given = open_set(setup)
    body = {"OperationSetId": given["set"], "Entity": _task(given)}
    setup.call("POST", f"{ROOT}/msdyn_PssCreateV1", json=body)
    return given


def set_with_a_bad_reference(setup: Setup) -> Mapping[str, str]:
    """An open set holding a task create whose parent task does not exist."""
    given = open_set(setup)
    entity = _task(given, **{"msdyn_parenttask@odata.bind": f"/msdyn_projecttasks({MISSING})"})
    setup.call(
        "POST", f"{ROOT}/msdyn_PssCreateV1", json={"OperationSetId": given["set"], "Entity": entity}
    )
    return given


def executed_set(setup: Setup) -> Mapping[str, str]:
    """A set that has been executed (and, with no persist delay, completed)."""
    given = staged_set(setup)
    setup.call("POST", f"{ROOT}/msdyn_ExecuteOperationSetV1", json={"OperationSetId": given["set"]})
    return given


def _project_entity(**extra: Any) -> dict[str, Any]:
    return {
        "@odata.type": "Microsoft.Dynamics.CRM.msdyn_project",
        "msdyn_subject": "Contract",
        **extra,
    }


def _team_member(project: str) -> dict[str, Any]:
    return {
        "@odata.type": "Microsoft.Dynamics.CRM.msdyn_projectteam",
        "msdyn_name": "Contract member",
        "msdyn_project@odata.bind": f"/msdyn_projects({project})",
    }


READ_CALLS = [
    Call(
        name="projects-list-select-filter-order-top",
        method="GET",
        path=f"{ROOT}/msdyn_projects",
        params={
            "$select": "msdyn_subject,msdyn_start,msdyn_finish,msdyn_progress",
            "$filter": "statecode eq 0 and msdyn_finish ne null",
            "$orderby": "msdyn_subject desc",
            "$top": "5",
        },
    ),
    Call(
        name="projects-list-paged-with-annotations",
        method="GET",
        path=f"{ROOT}/msdyn_projects",
        params={"$count": "true"},
        headers={"Prefer": 'odata.maxpagesize=1, odata.include-annotations="*"'},
    ),
    Call(
        name="projects-list-401-wrong-token",
        method="GET",
        path=f"{ROOT}/msdyn_projects",
        auth=WRONG_BEARER,
        status=401,
    ),
    Call(
        name="projects-list-400-unknown-property",
        method="GET",
        path=f"{ROOT}/msdyn_projects",
        params={"$select": "msdyn_name"},
        status=400,
    ),
    Call(
        name="projects-list-400-filter-syntax",
        method="GET",
        path=f"{ROOT}/msdyn_projects",
        params={"$filter": "msdyn_subject eq"},
        status=400,
    ),
    Call(name="project-get", method="GET", path=f"{ROOT}/msdyn_projects({{project}})", given=grid),
    Call(
        name="project-get-select-as-application-user",
        method="GET",
        path=f"{ROOT}/msdyn_projects({{project}})",
        params={"$select": "msdyn_subject,_ownerid_value"},
        given=grid,
        auth=APP,
    ),
    Call(
        name="project-get-404-unknown",
        method="GET",
        path=f"{ROOT}/msdyn_projects({MISSING})",
        status=404,
    ),
    Call(
        name="tasks-list-of-a-project",
        method="GET",
        path=f"{ROOT}/msdyn_projecttasks",
        params={
            "$select": "msdyn_subject,msdyn_start,msdyn_finish,_msdyn_parenttask_value",
            "$filter": "_msdyn_project_value eq {project}",
            "$count": "true",
        },
        headers={"Prefer": "odata.maxpagesize=20"},
        given=grid,
    ),
    Call(
        name="tasks-list-400-incompatible-types",
        method="GET",
        path=f"{ROOT}/msdyn_projecttasks",
        params={"$filter": "msdyn_progress eq 'done'"},
        status=400,
    ),
    Call(
        name="buckets-list-of-a-project",
        method="GET",
        path=f"{ROOT}/msdyn_projectbuckets",
        params={"$filter": "_msdyn_project_value eq {project}", "$orderby": "msdyn_name"},
        given=grid,
    ),
    Call(
        name="buckets-list-400-unknown-property",
        method="GET",
        path=f"{ROOT}/msdyn_projectbuckets",
        params={"$orderby": "msdyn_subject"},
        status=400,
    ),
    Call(
        name="checklists-list-open-items",
        method="GET",
        path=f"{ROOT}/msdyn_projectchecklists",
        params={"$filter": "msdyn_projectchecklistcompleted eq false", "$top": "10"},
        headers={"Prefer": 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"'},
    ),
    Call(
        name="checklists-list-400-skip-not-supported",
        method="GET",
        path=f"{ROOT}/msdyn_projectchecklists",
        params={"$skip": "10"},
        status=400,
    ),
    Call(
        name="operationset-get",
        method="GET",
        path=f"{ROOT}/msdyn_operationsets({{set}})",
        params={"$select": "msdyn_status,msdyn_description"},
        given=open_set,
    ),
    Call(
        name="operationset-get-404-unknown",
        method="GET",
        path=f"{ROOT}/msdyn_operationsets({MISSING})",
        status=404,
    ),
]

PROJECT_CALLS = [
    Call(
        name="create-project",
        method="POST",
        path=f"{ROOT}/msdyn_CreateProjectV1",
        json={"Project": _project_entity(msdyn_description="Created by the contract tests")},
    ),
    Call(
        name="create-project-400-computed-column",
        method="POST",
        path=f"{ROOT}/msdyn_CreateProjectV1",
        json={"Project": _project_entity(msdyn_progress=0.5)},
        status=400,
    ),
    Call(
        name="create-project-403-application-user",
        method="POST",
        path=f"{ROOT}/msdyn_CreateProjectV1",
        json={"Project": _project_entity()},
        auth=APP,
        status=403,
    ),
    Call(
        name="create-team-member",
        method="POST",
        path=f"{ROOT}/msdyn_CreateTeamMemberV1",
        json={"TeamMember": _team_member("{project}")},
        given=grid,
    ),
    Call(
        name="create-team-member-404-unknown-project",
        method="POST",
        path=f"{ROOT}/msdyn_CreateTeamMemberV1",
        json={"TeamMember": _team_member(MISSING)},
        status=404,
    ),
]

SET_CALLS = [
    Call(
        name="create-operation-set",
        method="POST",
        path=f"{ROOT}/msdyn_CreateOperationSetV1",
        json={"ProjectId": "{project}", "Description": "contract"},
        given=no_open_sets,
    ),
    Call(
        name="create-operation-set-404-unknown-project",
        method="POST",
        path=f"{ROOT}/msdyn_CreateOperationSetV1",
        json={"ProjectId": MISSING, "Description": "contract"},
        status=404,
    ),
    Call(
        name="create-operation-set-400-eleventh-open-set",
        method="POST",
        path=f"{ROOT}/msdyn_CreateOperationSetV1",
        json={"ProjectId": "{project}", "Description": "contract"},
        given=ten_open_sets,
        status=400,
    ),
    Call(
        name="create-operation-set-403-application-user",
        method="POST",
        path=f"{ROOT}/msdyn_CreateOperationSetV1",
        json={"ProjectId": "{project}", "Description": "contract"},
        given=grid,
        auth=APP,
        status=403,
    ),
    Call(
        name="execute-v1",
        method="POST",
        path=f"{ROOT}/msdyn_ExecuteOperationSetV1",
        json={"OperationSetId": "{set}"},
        given=staged_set,
    ),
    Call(
        name="execute-v1-400-missing-reference",
        method="POST",
        path=f"{ROOT}/msdyn_ExecuteOperationSetV1",
        json={"OperationSetId": "{set}"},
        given=set_with_a_bad_reference,
        status=400,
    ),
    Call(
        name="execute-v1-400-already-executed",
        method="POST",
        path=f"{ROOT}/msdyn_ExecuteOperationSetV1",
        json={"OperationSetId": "{set}"},
        given=executed_set,
        status=400,
    ),
    Call(
        name="execute-v1-404-unknown-set",
        method="POST",
        path=f"{ROOT}/msdyn_ExecuteOperationSetV1",
        json={"OperationSetId": MISSING},
        status=404,
    ),
    Call(
        name="execute-v3",
        method="POST",
        path=f"{ROOT}/msdyn_ExecuteOperationSetV3",
        json={
            "ProjectId": "{project}",
            "OperationSetDescription": "contract v3",
            "CreateEntityCollection": [
                _task({"project": "{project}", "bucket": "{bucket}", "new": "{new}"})
            ],
            "UpdateEntityCollection": [
                {"@odata.type": TASK, "msdyn_projecttaskid": "{task}", "msdyn_subject": "Renamed"}
            ],
        },
        given=no_open_sets,
    ),
    Call(
        name="execute-v3-400-date-out-of-range",
        method="POST",
        path=f"{ROOT}/msdyn_ExecuteOperationSetV3",
        json={
            "ProjectId": "{project}",
            "UpdateEntityCollection": [
                {
                    "@odata.type": TASK,
                    "msdyn_projecttaskid": "{task}",
                    "msdyn_start": "1999-12-31T00:00:00Z",
                }
            ],
        },
        given=no_open_sets,
        status=400,
    ),
    Call(
        name="execute-v3-404-unknown-project",
        method="POST",
        path=f"{ROOT}/msdyn_ExecuteOperationSetV3",
        json={"ProjectId": MISSING, "CreateEntityCollection": []},
        given=no_open_sets,
        status=404,
    ),
    Call(
        name="abandon",
        method="POST",
        path=f"{ROOT}/msdyn_AbandonOperationSetV1",
        json={"OperationSetId": "{set}"},
        given=open_set,
    ),
    Call(
        name="abandon-400-not-open",
        method="POST",
        path=f"{ROOT}/msdyn_AbandonOperationSetV1",
        json={"OperationSetId": "{set}"},
        given=executed_set,
        status=400,
    ),
    Call(
        name="abandon-404-unknown-set",
        method="POST",
        path=f"{ROOT}/msdyn_AbandonOperationSetV1",
        json={"OperationSetId": MISSING},
        status=404,
    ),
]

STAGING_CALLS = [
    Call(
        name="pss-create-v1",
        method="POST",
        path=f"{ROOT}/msdyn_PssCreateV1",
        json={
            "OperationSetId": "{set}",
            "Entity": _task({"project": "{project}", "bucket": "{bucket}", "new": "{new}"}),
        },
        given=open_set,
    ),
    Call(
        name="pss-create-v1-400-unknown-property",
        method="POST",
        path=f"{ROOT}/msdyn_PssCreateV1",
        json={"OperationSetId": "{set}", "Entity": {"@odata.type": TASK, "msdyn_name": "x"}},
        given=open_set,
        status=400,
    ),
    Call(
        name="pss-create-v1-404-unknown-set",
        method="POST",
        path=f"{ROOT}/msdyn_PssCreateV1",
        json={"OperationSetId": MISSING, "Entity": {"@odata.type": TASK, "msdyn_subject": "x"}},
        status=404,
    ),
    Call(
        name="pss-create-v2",
        method="POST",
        path=f"{ROOT}/msdyn_PssCreateV2",
        json={
            "OperationSetId": "{set}",
            "EntityCollection": [
                {
                    "@odata.type": "Microsoft.Dynamics.CRM.msdyn_projectchecklist",
                    "msdyn_name": "Contract item",
                    "msdyn_ProjectTaskId@odata.bind": "/msdyn_projecttasks({task})",
                },
                {
                    "@odata.type": "Microsoft.Dynamics.CRM.msdyn_projectbucket",
                    "msdyn_name": "Contract bucket",
                    "msdyn_project@odata.bind": "/msdyn_projects({project})",
                },
            ],
        },
        given=open_set,
    ),
    Call(
        name="pss-create-v2-400-duplicate-entities",
        method="POST",
        path=f"{ROOT}/msdyn_PssCreateV2",
        json={
            "OperationSetId": "{set}",
            "EntityCollection": [
                {"@odata.type": TASK, "msdyn_projecttaskid": "{new}", "msdyn_subject": "Twice"},
                {"@odata.type": TASK, "msdyn_projecttaskid": "{new}", "msdyn_subject": "Twice"},
            ],
        },
        given=open_set,
        status=400,
    ),
    Call(
        name="pss-update-v1",
        method="POST",
        path=f"{ROOT}/msdyn_PssUpdateV1",
        json={
            "OperationSetId": "{set}",
            "Entity": {"@odata.type": TASK, "msdyn_projecttaskid": "{task}", "msdyn_progress": 0.5},
        },
        given=open_set,
    ),
    Call(
        name="pss-update-v1-400-without-id",
        method="POST",
        path=f"{ROOT}/msdyn_PssUpdateV1",
        json={"OperationSetId": "{set}", "Entity": {"@odata.type": TASK, "msdyn_subject": "x"}},
        given=open_set,
        status=400,
    ),
    Call(
        name="pss-update-v2",
        method="POST",
        path=f"{ROOT}/msdyn_PssUpdateV2",
        json={
            "OperationSetId": "{set}",
            "EntityCollection": [
                {
                    "@odata.type": TASK,
                    "msdyn_projecttaskid": "{task}",
                    "msdyn_finish": "2027-01-29T17:00:00Z",
                }
            ],
        },
        given=open_set,
    ),
    Call(
        name="pss-delete-v1",
        method="POST",
        path=f"{ROOT}/msdyn_PssDeleteV1",
        json={
            "OperationSetId": "{set}",
            "RecordId": "{task}",
            "EntityLogicalName": "msdyn_projecttask",
        },
        given=open_set,
    ),
    Call(
        name="pss-delete-v1-400-not-a-scheduling-table",
        method="POST",
        path=f"{ROOT}/msdyn_PssDeleteV1",
        json={"OperationSetId": "{set}", "RecordId": "{task}", "EntityLogicalName": "account"},
        given=open_set,
        status=400,
    ),
    Call(
        name="pss-delete-v2",
        method="POST",
        path=f"{ROOT}/msdyn_PssDeleteV2",
        json={
            "OperationSetId": "{set}",
            "EntityCollection": [
                {
                    "@odata.type": "Microsoft.Dynamics.CRM.msdyn_projectbucket",
                    "msdyn_projectbucketid": "{bucket}",
                }
            ],
        },
        given=open_set,
    ),
]

UNDECLARED_CALLS = [
    Call(
        name="task-get-by-key",
        method="GET",
        path=f"{ROOT}/msdyn_projecttasks({{task}})",
        given=grid,
        deviations=("D40",),
    ),
    Call(
        name="task-post-400-refused-outside-the-schedule-api",
        method="POST",
        path=f"{ROOT}/msdyn_projecttasks",
        json={"msdyn_subject": "Direct"},
        status=400,
        deviations=("D40",),
    ),
]


@pytest.mark.parametrize(
    "call", cases([*READ_CALLS, *PROJECT_CALLS, *SET_CALLS, *STAGING_CALLS, *UNDECLARED_CALLS])
)
def test_exchange_conforms_to_dataverse_subset(call: Call, dataverse: ContractClient) -> None:
    verdict = dataverse.perform(call)

    assert (verdict.status, verdict.violations, verdict.excused) == (
        call.status,
        (),
        call.deviations,
    )
