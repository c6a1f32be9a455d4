"""The Planner emulator over real HTTP: paging, ETags, Prefer, open types, errors, resets.

The module's sandbox answers task lists in pages of five; tests that page create their own
plan with enough tasks.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from typing import Any

import httpx
import pytest

from flywheel_sync.sandbox.graph.planner.kinds import PlannerKind
from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer
from flywheel_sync.sandbox.services import SandboxCredentials

PAGE_SIZE = 5
TOKEN = SandboxCredentials().graph_token
ITEM_TYPE = "microsoft.graph.plannerChecklistItem"
_guids = count(1)
_titles = count(1)


def new_guid() -> str:
    return f"00000000-0000-4000-8000-{next(_guids):012d}"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxOptions(planner_page_size=PAGE_SIZE)) as server:
        yield server


@pytest.fixture(scope="module")
def graph(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=f"{sandbox.url}/graph/v1.0", headers=headers) as client:
        yield client


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def group_id(sandbox: SandboxServer) -> str:
    return sandbox.state.organisation.group_id


def new_plan(graph: httpx.Client, sandbox: SandboxServer) -> dict[str, Any]:
    container = {"containerId": group_id(sandbox), "type": "group"}
    body = {"title": f"Plan {next(_titles)}", "container": container}
    return dict(ok(graph.post("/planner/plans", json=body), 201))


def new_task(graph: httpx.Client, plan_id: str, **extra: Any) -> dict[str, Any]:
    body = {"planId": plan_id, "title": f"Task {next(_titles)}", **extra}
    return dict(ok(graph.post("/planner/tasks", json=body), 201))


def every_page(graph: httpx.Client, path: str, **params: str) -> list[dict[str, Any]]:
    """The first page and every page its ``@odata.nextLink`` chain leads to."""
    pages = [ok(graph.get(path, params=params))]
    while "@odata.nextLink" in pages[-1]:
        assert len(pages) < 50, "the nextLink chain does not end"
        pages.append(ok(graph.get(pages[-1]["@odata.nextLink"])))
    return pages


def ids(pages: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for page in pages for item in page["value"]]


# ---- paging


@pytest.fixture(scope="module")
def paged_plan(graph: httpx.Client, sandbox: SandboxServer) -> tuple[str, list[str]]:
    """A new plan holding two pages of tasks and one more: its id and the tasks' ids."""
    plan_id = new_plan(graph, sandbox)["id"]
    return plan_id, [new_task(graph, plan_id)["id"] for _ in range(2 * PAGE_SIZE + 1)]


def test_following_next_links_yields_every_task_of_a_plan_once(
    graph: httpx.Client, paged_plan: tuple[str, list[str]]
) -> None:
    plan_id, created = paged_plan

    pages = every_page(graph, f"/planner/plans/{plan_id}/tasks")

    assert ids(pages) == created
    assert [len(page["value"]) for page in pages] == [PAGE_SIZE, PAGE_SIZE, 1]


def test_a_users_tasks_are_paged_too(graph: httpx.Client, sandbox: SandboxServer) -> None:
    seeded = sandbox.state.organisation.planner.tasks
    assigned = {user for task in seeded for user in task["assignments"]}
    user = next(p.aad_id for p in sandbox.state.organisation.people if p.aad_id not in assigned)
    plan_id = new_plan(graph, sandbox)["id"]
    assignment = {user: {"@odata.type": "#microsoft.graph.plannerAssignment", "orderHint": " !"}}
    created = [new_task(graph, plan_id, assignments=assignment)["id"] for _ in range(PAGE_SIZE + 1)]

    pages = every_page(graph, f"/users/{user}/planner/tasks")

    assert ids(pages) == created
    assert len(pages) == 2


def test_plans_and_buckets_come_in_graphs_own_page_size(
    graph: httpx.Client, sandbox: SandboxServer
) -> None:
    tenant = sandbox.state.organisation.planner
    plan_id = tenant.plans[0]["id"]

    plans = every_page(graph, f"/groups/{group_id(sandbox)}/planner/plans")
    buckets = every_page(graph, f"/planner/plans/{plan_id}/buckets")

    assert (len(plans), len(buckets)) == (1, 1)
    assert {p["id"] for p in tenant.plans} <= set(ids(plans))
    assert ids(buckets) == [b["id"] for b in tenant.buckets if b["planId"] == plan_id]


def test_a_task_created_while_paging_is_seen_once_and_none_is_repeated(
    graph: httpx.Client, sandbox: SandboxServer
) -> None:
    plan = new_plan(graph, sandbox)
    created = [new_task(graph, plan["id"])["id"] for _ in range(PAGE_SIZE + 2)]
    first = ok(graph.get(f"/planner/plans/{plan['id']}/tasks"))

    created.append(new_task(graph, plan["id"])["id"])
    rest = ok(graph.get(first["@odata.nextLink"]))

    assert ids([first, rest]) == created


def test_top_filter_and_orderby_are_ignored_as_planner_ignores_them(
    graph: httpx.Client, paged_plan: tuple[str, list[str]]
) -> None:
    plan_id, created = paged_plan
    query = {"$top": "1", "$filter": "percentComplete eq 100", "$orderby": "title desc"}

    assert ids(every_page(graph, f"/planner/plans/{plan_id}/tasks", **query)) == created


def test_the_next_link_is_absolute_and_keeps_select(
    graph: httpx.Client, sandbox: SandboxServer, paged_plan: tuple[str, list[str]]
) -> None:
    plan_id, _ = paged_plan

    page = ok(graph.get(f"/planner/plans/{plan_id}/tasks", params={"$select": "title"}))
    following = ok(graph.get(page["@odata.nextLink"]))

    assert page["@odata.nextLink"].startswith(f"{sandbox.url}/graph/v1.0/")
    assert {key for item in following["value"] for key in item} == {"@odata.etag", "id", "title"}


def test_a_skiptoken_the_sandbox_did_not_issue_is_a_400(
    graph: httpx.Client, paged_plan: tuple[str, list[str]]
) -> None:
    plan_id, _ = paged_plan

    response = graph.get(f"/planner/plans/{plan_id}/tasks", params={"$skiptoken": "made-up"})

    assert response.status_code == 400


# ---- reads


def test_select_keeps_the_id_and_etag_and_names_the_selection_in_the_context(
    graph: httpx.Client, sandbox: SandboxServer
) -> None:
    task_id = sandbox.state.organisation.planner.tasks[0]["id"]

    task = ok(graph.get(f"/planner/tasks/{task_id}", params={"$select": "title,percentComplete"}))

    assert set(task) == {"@odata.context", "@odata.etag", "id", "title", "percentComplete"}
    assert task["@odata.context"].endswith("$metadata#planner/tasks(title,percentComplete)/$entity")


def test_select_of_a_property_the_type_lacks_is_a_400(
    graph: httpx.Client, sandbox: SandboxServer
) -> None:
    task_id = sandbox.state.organisation.planner.tasks[0]["id"]

    error = graph.get(f"/planner/tasks/{task_id}", params={"$select": "colour"}).json()["error"]

    assert error["code"] == "BadRequest"
    assert "colour" in error["message"]


def test_expand_details_embeds_the_details_with_their_own_etag(
    graph: httpx.Client, sandbox: SandboxServer
) -> None:
    task_id = sandbox.state.organisation.planner.tasks[0]["id"]

    task = ok(graph.get(f"/planner/tasks/{task_id}", params={"$expand": "details"}))
    details = ok(graph.get(f"/planner/tasks/{task_id}/details"))

    assert task["details"]["@odata.etag"] == details["@odata.etag"] != task["@odata.etag"]
    assert task["details"]["checklist"] == details["checklist"]


def test_a_single_read_carries_its_etag_in_a_header_too(
    graph: httpx.Client, sandbox: SandboxServer
) -> None:
    plan_id = sandbox.state.organisation.planner.plans[0]["id"]

    response = graph.get(f"/planner/plans/{plan_id}")

    assert response.headers["ETag"] == response.json()["@odata.etag"]


def test_user_tasks_are_the_tasks_assigned_to_that_user_by_id_or_name(
    graph: httpx.Client, sandbox: SandboxServer
) -> None:
    tasks = sandbox.state.organisation.planner.tasks
    assignee = next(iter(tasks[0]["assignments"]))
    person = next(p for p in sandbox.state.organisation.people if p.aad_id == assignee)
    expected = {t["id"] for t in tasks if assignee in t["assignments"]}

    by_id = set(ids(every_page(graph, f"/users/{assignee}/planner/tasks")))
    by_name = set(ids(every_page(graph, f"/users/{person.email}/planner/tasks")))

    assert expected <= by_id == by_name


@pytest.mark.parametrize("path", ["/me/planner/tasks", "/me/planner/plans"])
def test_me_paths_are_refused_to_the_app_only_token(graph: httpx.Client, path: str) -> None:
    response = graph.get(path)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadRequest"
    assert response.json()["error"]["message"] == (
        "/me request is only valid with delegated authentication flow."
    )


@pytest.mark.parametrize(
    "path",
    [
        "/planner/plans/nope",
        "/planner/plans/nope/details",
        "/planner/plans/nope/buckets",
        "/planner/plans/nope/tasks",
        "/planner/buckets/nope",
        "/planner/buckets/nope/tasks",
        "/planner/tasks/nope",
        "/planner/tasks/nope/details",
        "/planner/tasks/nope/bucketTaskBoardFormat",
        "/groups/00000000-0000-4000-8000-999999999999/planner/plans",
        "/users/00000000-0000-4000-8000-999999999999/planner/tasks",
    ],
)
def test_unknown_ids_get_planners_404(graph: httpx.Client, path: str) -> None:
    response = graph.get(path)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == ""
    assert response.json()["error"]["message"] == "The requested item is not found."


def test_a_method_planner_does_not_offer_gets_a_graph_405(graph: httpx.Client) -> None:
    response = graph.put("/planner/tasks/nope", json={})

    assert response.status_code == 405
    assert "error" in response.json()


def test_a_request_without_the_token_is_a_401(sandbox: SandboxServer) -> None:
    response = httpx.get(f"{sandbox.url}/graph/v1.0/planner/tasks/nope")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"


# ---- writes


def test_a_patch_without_if_match_is_planners_412(
    graph: httpx.Client, sandbox: SandboxServer
) -> None:
    task = new_task(graph, new_plan(graph, sandbox)["id"])

    response = graph.patch(f"/planner/tasks/{task['id']}", json={"title": "x"})

    assert response.status_code == 412
    assert response.json()["error"] | {"innerError": None} == {
        "code": "",
        "message": "The If-Match header must be specified for this kind of request.",
        "innerError": None,
    }


def test_a_patch_answers_204_and_with_prefer_200_and_the_new_etag(
    graph: httpx.Client, sandbox: SandboxServer
) -> None:
    task = new_task(graph, new_plan(graph, sandbox)["id"])
    url = f"/planner/tasks/{task['id']}"

    plain = graph.patch(url, json={"title": "A"}, headers={"If-Match": task["@odata.etag"]})
    current = ok(graph.get(url))["@odata.etag"]
    prefer = {"If-Match": current, "Prefer": "return=representation"}
    represented = graph.patch(url, json={"title": "B"}, headers=prefer)

    assert (plain.status_code, plain.content) == (204, b"")
    assert represented.status_code == 200
    assert represented.headers["Preference-Applied"] == "return=representation"
    assert represented.json()["title"] == "B"
    assert represented.json()["@odata.etag"] > current > task["@odata.etag"]


def test_a_stale_etag_is_a_412_and_changes_nothing(
    graph: httpx.Client, sandbox: SandboxServer
) -> None:
    task = new_task(graph, new_plan(graph, sandbox)["id"])
    url = f"/planner/tasks/{task['id']}"
    ok(graph.patch(url, json={"title": "First"}, headers={"If-Match": task["@odata.etag"]}), 204)

    response = graph.patch(url, json={"title": "Second"}, headers={"If-Match": task["@odata.etag"]})

    assert response.status_code == 412
    assert ok(graph.get(url))["title"] == "First"


def test_an_if_match_that_is_no_etag_is_a_400(graph: httpx.Client, sandbox: SandboxServer) -> None:
    task = new_task(graph, new_plan(graph, sandbox)["id"])

    response = graph.delete(f"/planner/tasks/{task['id']}", headers={"If-Match": "*"})

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "The If-Match header contains an invalid value."


def test_a_checklist_item_added_to_the_details_changes_the_task_too(
    graph: httpx.Client, sandbox: SandboxServer
) -> None:
    task = new_task(graph, new_plan(graph, sandbox)["id"])
    details = ok(graph.get(f"/planner/tasks/{task['id']}/details"))
    key = new_guid()
    patch = {"checklist": {key: {"@odata.type": ITEM_TYPE, "title": "Kick-off"}}}
    headers = {"If-Match": details["@odata.etag"], "Prefer": "return=representation"}

    answered = ok(graph.patch(f"/planner/tasks/{task['id']}/details", json=patch, headers=headers))
    after = ok(graph.get(f"/planner/tasks/{task['id']}"))

    assert answered["checklist"][key]["@odata.type"] == "#microsoft.graph.plannerChecklistItem"
    assert answered["checklist"][key]["lastModifiedBy"]["application"]["displayName"]
    assert (after["checklistItemCount"], after["activeChecklistItemCount"]) == (1, 1)
    assert after["@odata.etag"] > task["@odata.etag"]


def test_the_twenty_first_checklist_item_is_a_limit_403(
    graph: httpx.Client, sandbox: SandboxServer
) -> None:
    task = new_task(graph, new_plan(graph, sandbox)["id"])
    details = ok(graph.get(f"/planner/tasks/{task['id']}/details"))
    items = {new_guid(): {"@odata.type": ITEM_TYPE, "title": f"Step {n}"} for n in range(21)}

    response = graph.patch(
        f"/planner/tasks/{task['id']}/details",
        json={"checklist": items},
        headers={"If-Match": details["@odata.etag"]},
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "MaximumChecklistItemsOnTask"


def test_a_created_task_is_attributed_to_the_application(
    graph: httpx.Client, sandbox: SandboxServer
) -> None:
    task = new_task(graph, new_plan(graph, sandbox)["id"])

    assert task["createdBy"]["user"] is None
    assert task["createdBy"]["application"]["displayName"] == "flywheel-sync"
    assert task["@odata.context"].endswith("$metadata#planner/tasks/$entity")


def test_a_task_starting_after_it_is_due_is_refused(
    graph: httpx.Client, sandbox: SandboxServer
) -> None:
    body = {
        "planId": new_plan(graph, sandbox)["id"],
        "title": "Backwards",
        "startDateTime": "2026-05-02T00:00:00Z",
        "dueDateTime": "2026-05-01T00:00:00Z",
    }

    response = graph.post("/planner/tasks", json=body)

    assert response.status_code == 400
    assert "logically inconsistent" in response.json()["error"]["message"]


def test_a_deleted_task_and_its_details_are_gone(
    graph: httpx.Client, sandbox: SandboxServer
) -> None:
    task = new_task(graph, new_plan(graph, sandbox)["id"])

    deleted = graph.delete(
        f"/planner/tasks/{task['id']}", headers={"If-Match": task["@odata.etag"]}
    )

    assert deleted.status_code == 204
    assert graph.get(f"/planner/tasks/{task['id']}").status_code == 404
    assert graph.get(f"/planner/tasks/{task['id']}/details").status_code == 404


def test_reset_restores_the_seeded_plans_and_forgets_writes() -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with SandboxServer() as server, httpx.Client(base_url=server.url, headers=headers) as client:
        seeded = server.state.organisation.planner.tasks[0]
        url = f"/graph/v1.0/planner/tasks/{seeded['id']}"
        task = ok(client.get(url))
        ok(client.delete(url, headers={"If-Match": task["@odata.etag"]}), 204)

        client.post("/_sandbox/reset").raise_for_status()

        assert ok(client.get(url)) == task
        seeded_count = len(server.state.organisation.planner.tasks)
        assert server.state.planner.count(PlannerKind.TASK) == seeded_count
