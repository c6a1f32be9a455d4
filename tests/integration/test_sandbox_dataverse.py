"""The Dataverse emulator over real HTTP: OData reads, the Project Schedule APIs, persistence."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer
from flywheel_sync.sandbox.services import SandboxCredentials
from tests.unit.sandbox_dataverse.builders import FakeClock

CREDENTIALS = SandboxCredentials()
TASK = "Microsoft.Dynamics.CRM.msdyn_projecttask"
CHECKLIST = "Microsoft.Dynamics.CRM.msdyn_projectchecklist"
PENDING, FAILED, COMPLETED = 192350001, 192350002, 192350003
NEW_TASK = "5b0f3c1e-0000-4000-8000-000000000001"
CHILD_TASK = "5b0f3c1e-0000-4000-8000-000000000002"


class Dataverse:
    """A thin Web API client: one session, one token."""

    def __init__(self, sandbox: SandboxServer, token: str = CREDENTIALS.dataverse_token) -> None:
        self.root = f"{sandbox.url}/dataverse/api/data/v9.2"
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "OData-MaxVersion": "4.0",
                "OData-Version": "4.0",
                "Accept": "application/json",
            }
        )

    def get(self, path: str, prefer: str | None = None, **options: str) -> requests.Response:
        """``GET <root>/<path>``; query options are given without their ``$``."""
        params = {f"${name}": value for name, value in options.items()}
        headers = {"Prefer": prefer} if prefer else None
        return self.session.get(f"{self.root}/{path}", params=params, headers=headers, timeout=10)

    def rows(self, entity_set: str, **options: str) -> list[dict[str, Any]]:
        response = self.get(entity_set, **options)
        response.raise_for_status()
        rows: list[dict[str, Any]] = response.json()["value"]
        return rows

    def call(self, action: str, body: dict[str, Any]) -> requests.Response:
        return self.session.post(f"{self.root}/{action}", json=body, timeout=10)

    def ok(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.call(action, body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def grid(self) -> str:
        return str(
            self.rows("msdyn_projects", filter="msdyn_subject eq 'GRID'")[0]["msdyn_projectid"]
        )

    def open_set(self, project_id: str) -> str:
        created = self.ok(
            "msdyn_CreateOperationSetV1", {"ProjectId": project_id, "Description": "it"}
        )
        return str(created["OperationSetId"])

    def status(self, operation_set: str) -> int:
        found = self.get(f"msdyn_operationsets({operation_set})", select="msdyn_status")
        return int(found.json()["msdyn_status"])


def task_entity(record_id: str, project_id: str, bucket_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "@odata.type": TASK,
        "msdyn_projecttaskid": record_id,
        "msdyn_subject": "Integration task",
        "msdyn_project@odata.bind": f"/msdyn_projects({project_id})",
        "msdyn_projectbucket@odata.bind": f"/msdyn_projectbuckets({bucket_id})",
        "msdyn_start": "2026-09-01T08:00:00Z",
        "msdyn_LinkStatus": 192350000,
        **extra,
    }


def first_bucket(client: Dataverse, project_id: str) -> str:
    where = {"filter": f"_msdyn_project_value eq {project_id}", "top": "1"}
    return str(client.rows("msdyn_projectbuckets", **where)[0]["msdyn_projectbucketid"])


def test_next_links_page_through_every_task_once(sandbox: SandboxServer) -> None:
    client = Dataverse(sandbox)
    prefer = {"Prefer": "odata.maxpagesize=50"}
    response = client.get(
        "msdyn_projecttasks", prefer["Prefer"], select="msdyn_subject", count="true"
    )
    first = response.json()
    ids, pages, page = [], 0, first
    while True:
        ids += [row["msdyn_projecttaskid"] for row in page["value"]]
        pages += 1
        link = page.get("@odata.nextLink")
        if link is None or pages > 20:
            break
        page = client.session.get(link, headers=prefer, timeout=10).json()

    assert (response.headers["OData-Version"], response.headers["Preference-Applied"]) == (
        "4.0",
        "odata.maxpagesize=50",
    )
    assert response.headers["Content-Type"] == "application/json; odata.metadata=minimal"
    assert len(ids) == len(set(ids)) == first["@odata.count"]
    assert pages == -(-first["@odata.count"] // 50)


def test_rows_carry_weak_etags_and_the_context_of_the_selection(sandbox: SandboxServer) -> None:
    client = Dataverse(sandbox)

    body = client.get("msdyn_projectbuckets", select="msdyn_name", top="1").json()

    assert body["@odata.context"] == f"{client.root}/$metadata#msdyn_projectbuckets(msdyn_name)"
    assert set(body["value"][0]) == {"@odata.etag", "msdyn_name", "msdyn_projectbucketid"}
    assert body["value"][0]["@odata.etag"].startswith('W/"')


@pytest.mark.parametrize(
    ("action", "body"),
    [
        (
            "msdyn_CreateProjectV1",
            {"Project": {"@odata.type": "Microsoft.Dynamics.CRM.msdyn_project"}},
        ),
        ("msdyn_CreateOperationSetV1", {"ProjectId": "{project}", "Description": "app"}),
        ("msdyn_ExecuteOperationSetV3", {"ProjectId": "{project}"}),
    ],
)
def test_the_application_user_reads_but_may_not_call_the_schedule_api(
    sandbox: SandboxServer, action: str, body: dict[str, Any]
) -> None:
    app = Dataverse(sandbox, CREDENTIALS.dataverse_app_token)
    project = app.grid()
    filled = json.loads(json.dumps(body).replace("{project}", project))

    response = app.call(action, filled)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "0x80040220"
    assert action in response.json()["error"]["message"]


def test_a_project_is_built_through_operation_sets(sandbox: SandboxServer) -> None:
    client = Dataverse(sandbox)
    project = client.ok(
        "msdyn_CreateProjectV1",
        {
            "Project": {
                "@odata.type": "Microsoft.Dynamics.CRM.msdyn_project",
                "msdyn_subject": "Meters",
            }
        },
    )["ProjectId"]
    bucket = first_bucket(client, project)
    member = {
        "@odata.type": "Microsoft.Dynamics.CRM.msdyn_projectteam",
        "msdyn_name": "Crew",
        "msdyn_project@odata.bind": f"/msdyn_projects({project})",
    }
    client.ok("msdyn_CreateTeamMemberV1", {"TeamMember": member})
    operation_set = client.open_set(project)

    staged = client.ok(
        "msdyn_PssCreateV1",
        {"OperationSetId": operation_set, "Entity": task_entity(NEW_TASK, project, bucket)},
    )
    client.ok(
        "msdyn_PssCreateV2",
        {
            "OperationSetId": operation_set,
            "EntityCollection": [
                task_entity(
                    CHILD_TASK,
                    project,
                    bucket,
                    **{"msdyn_parenttask@odata.bind": f"/msdyn_projecttasks({NEW_TASK})"},
                ),
                {
                    "@odata.type": CHECKLIST,
                    "msdyn_name": "Permit",
                    "msdyn_ProjectTaskId@odata.bind": f"/msdyn_projecttasks({CHILD_TASK})",
                },
            ],
        },
    )
    client.ok("msdyn_ExecuteOperationSetV1", {"OperationSetId": operation_set})

    tasks = client.rows(
        "msdyn_projecttasks",
        filter=f"_msdyn_project_value eq {project}",
        orderby="msdyn_outlinelevel",
    )
    assert [client.get(f"msdyn_projectbuckets({bucket})").json()["msdyn_name"]] == ["Bucket 1"]
    assert json.loads(staged["OperationSetResponse"])["recordId"] == NEW_TASK
    assert [(t["msdyn_projecttaskid"], t["msdyn_outlinelevel"]) for t in tasks] == [
        (NEW_TASK, 1),
        (CHILD_TASK, 2),
    ]
    assert [
        c["msdyn_name"]
        for c in client.rows(
            "msdyn_projectchecklists", filter=f"_msdyn_projecttaskid_value eq {CHILD_TASK}"
        )
    ] == ["Permit"]
    assert client.status(operation_set) == COMPLETED


def test_an_update_gives_the_row_a_new_etag(sandbox: SandboxServer) -> None:
    client = Dataverse(sandbox)
    project = client.grid()
    task = client.rows("msdyn_projecttasks", filter=f"_msdyn_project_value eq {project}", top="1")[
        0
    ]

    client.ok(
        "msdyn_ExecuteOperationSetV3",
        {
            "ProjectId": project,
            "UpdateEntityCollection": [
                {
                    "@odata.type": TASK,
                    "msdyn_projecttaskid": task["msdyn_projecttaskid"],
                    "msdyn_progress": 0.25,
                }
            ],
        },
    )

    after = client.get(f"msdyn_projecttasks({task['msdyn_projecttaskid']})").json()
    assert after["msdyn_progress"] == 0.25
    assert after["@odata.etag"] != task["@odata.etag"]
    assert after["modifiedon"] != task["modifiedon"]


def test_an_executed_set_stays_pending_until_it_persists(sandbox: SandboxServer) -> None:
    clock = FakeClock()
    sandbox.state.dataverse.configure(clock=clock, persist_delay=20)
    client = Dataverse(sandbox)
    project = client.grid()
    operation_set = client.open_set(project)
    client.ok(
        "msdyn_PssCreateV1",
        {
            "OperationSetId": operation_set,
            "Entity": task_entity(NEW_TASK, project, first_bucket(client, project)),
        },
    )

    client.ok("msdyn_ExecuteOperationSetV1", {"OperationSetId": operation_set})
    before = (
        client.status(operation_set),
        client.get(f"msdyn_projecttasks({NEW_TASK})").status_code,
    )
    clock.advance(20)
    after = (
        client.status(operation_set),
        client.get(f"msdyn_projecttasks({NEW_TASK})").status_code,
    )

    assert before == (PENDING, 404)
    assert after == (COMPLETED, 200)


def test_the_persist_delay_option_keeps_executed_sets_pending() -> None:
    with SandboxServer(SandboxOptions(project_persist_seconds=600)) as slow:
        client = Dataverse(slow)
        project = client.grid()
        operation_set = client.open_set(project)
        entity = task_entity(NEW_TASK, project, first_bucket(client, project))
        client.ok("msdyn_PssCreateV1", {"OperationSetId": operation_set, "Entity": entity})

        client.ok("msdyn_ExecuteOperationSetV1", {"OperationSetId": operation_set})

        assert client.status(operation_set) == PENDING
        assert client.get(f"msdyn_projecttasks({NEW_TASK})").status_code == 404


def test_execute_v3_deletes_then_creates_then_updates(sandbox: SandboxServer) -> None:
    client = Dataverse(sandbox)
    project = client.grid()
    bucket = first_bucket(client, project)
    leaf = client.rows(
        "msdyn_projecttasks",
        filter=f"_msdyn_project_value eq {project} and msdyn_outlinelevel eq 2",
        top="1",
    )[0]
    reused = leaf["msdyn_projecttaskid"]

    client.ok(
        "msdyn_ExecuteOperationSetV3",
        {
            "ProjectId": project,
            "OperationSetDescription": "replace",
            "UpdateEntityCollection": [
                {
                    "@odata.type": TASK,
                    "msdyn_projecttaskid": reused,
                    "msdyn_subject": "Updated last",
                }
            ],
            "CreateEntityCollection": [task_entity(reused, project, bucket)],
            "DeleteEntityCollection": [{"@odata.type": TASK, "msdyn_projecttaskid": reused}],
        },
    )

    replaced = client.get(f"msdyn_projecttasks({reused})").json()
    assert (replaced["msdyn_subject"], replaced["_msdyn_parenttask_value"]) == (
        "Updated last",
        None,
    )


def test_a_failed_execution_explains_itself_and_changes_nothing(sandbox: SandboxServer) -> None:
    client = Dataverse(sandbox)
    project = client.grid()
    before = client.rows("msdyn_projecttasks", select="msdyn_subject")
    operation_set = client.open_set(project)
    dependency = {
        "@odata.type": "Microsoft.Dynamics.CRM.msdyn_projecttaskdependency",
        "msdyn_projecttaskdependencyid": NEW_TASK,
        "msdyn_linktype": 1,
    }
    client.ok(
        "msdyn_PssCreateV1",
        {
            "OperationSetId": operation_set,
            "Entity": task_entity(CHILD_TASK, project, first_bucket(client, project)),
        },
    )
    client.ok("msdyn_PssUpdateV1", {"OperationSetId": operation_set, "Entity": dependency})

    response = client.call("msdyn_ExecuteOperationSetV1", {"OperationSetId": operation_set})

    error = response.json()["error"]
    assert (response.status_code, error["code"]) == (400, "0x80040265")
    assert json.loads(error["message"])["ErrorMessage"] == (
        "Request in batch at index 1 failed with error: Unsupported operation"
    )
    assert client.status(operation_set) == FAILED
    assert client.rows("msdyn_projecttasks", select="msdyn_subject") == before


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("POST", "msdyn_projecttasks", "Create"),
        ("POST", "msdyn_projectbuckets", "Create"),
        ("PATCH", "msdyn_projects({project})", "Update"),
        ("DELETE", "msdyn_projects({project})", "Delete"),
        ("PATCH", f"msdyn_projecttasks({NEW_TASK})", "Create"),
    ],
)
def test_plain_web_api_writes_to_scheduling_tables_are_refused(
    sandbox: SandboxServer, method: str, path: str, operation: str
) -> None:
    client = Dataverse(sandbox)
    url = f"{client.root}/{path.replace('{project}', client.grid())}"

    response = client.session.request(method, url, json={"msdyn_subject": "x"}, timeout=10)

    logical = path.split("(")[0].removesuffix("s")
    assert (response.status_code, response.json()["error"]) == (
        400,
        {
            "code": "0x80040265",
            "message": f"We\u2019re sorry. You cannot directly do '{operation}' operation to "
            f"'{logical}'. Try editing it through the Resource editing UI via Project.",
        },
    )


def test_a_plain_post_creates_a_project_without_a_default_bucket(sandbox: SandboxServer) -> None:
    client = Dataverse(sandbox)

    created = client.session.post(
        f"{client.root}/msdyn_projects", json={"msdyn_subject": "Plain"}, timeout=10
    )
    shown = client.session.post(
        f"{client.root}/msdyn_projects",
        json={"msdyn_subject": "Shown"},
        headers={"Prefer": "return=representation"},
        timeout=10,
    )

    project = created.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")
    assert (created.status_code, created.content) == (204, b"")
    assert client.get(f"msdyn_projects({project})").json()["msdyn_subject"] == "Plain"
    assert client.rows("msdyn_projectbuckets", filter=f"_msdyn_project_value eq {project}") == []
    assert (shown.status_code, shown.json()["msdyn_subject"]) == (201, "Shown")


def test_reset_restores_the_seeded_rows_and_forgets_operation_sets(sandbox: SandboxServer) -> None:
    client = Dataverse(sandbox)
    project = client.grid()
    before = client.rows("msdyn_projecttasks", select="msdyn_subject")
    operation_set = client.open_set(project)
    client.ok(
        "msdyn_ExecuteOperationSetV3",
        {
            "ProjectId": project,
            "CreateEntityCollection": [
                task_entity(NEW_TASK, project, first_bucket(client, project))
            ],
        },
    )

    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=10).raise_for_status()

    assert client.rows("msdyn_projecttasks", select="msdyn_subject") == before
    assert client.get(f"msdyn_operationsets({operation_set})").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "status", "error"),
    [
        (
            "GET",
            "Msdyn_projects",
            404,
            {
                "code": "0x8006088a",
                "message": "Resource not found for the segment 'Msdyn_projects'.",
            },
        ),
        (
            "GET",
            "msdyn_projects(42)",
            400,
            {"code": "0x80060888", "message": "Bad Request - Error in query syntax."},
        ),
        (
            "PUT",
            "msdyn_projects",
            405,
            {"code": "", "message": "The requested resource does not support http method 'PUT'."},
        ),
        (
            "GET",
            "msdyn_ExecuteOperationSetV1",
            404,
            {
                "code": "",
                "message": "No HTTP resource was found that matches the request URI "
                "'{root}/msdyn_ExecuteOperationSetV1'.",
            },
        ),
    ],
)
def test_unknown_resources_get_dataverse_errors(
    sandbox: SandboxServer, method: str, path: str, status: int, error: dict[str, str]
) -> None:
    client = Dataverse(sandbox)

    response = client.session.request(method, f"{client.root}/{path}", timeout=10)

    expected = {key: value.replace("{root}", client.root) for key, value in error.items()}
    assert (response.status_code, response.json()["error"]) == (status, expected)
