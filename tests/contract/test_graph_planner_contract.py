"""Planner emulator exchanges against the Graph v1.0 subset (plans, buckets, tasks, details).

One row per operation and outcome: the success and the errors a client must handle (401,
404, 412 missing or stale If-Match, 400 for what Planner refuses, 403 for its limits). Rows
that write prepare their own plan, so they never depend on each other.
Add an operation by adding a row: method, sandbox path, what to send, the expected status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import count
from typing import Any

import pytest

from flywheel_sync.sandbox.demo.identifiers import guid
from tests.contract.calls import WRONG_BEARER, Call, ContractClient, Setup, cases

G = "/graph/v1.0"
GROUP = guid("group/enterprise-pmo")  # the demo's Microsoft 365 group (demo/organisation.py)
UNKNOWN_GUID = "00000000-0000-4000-8000-999999999999"
ITEM_TYPE = "microsoft.graph.plannerChecklistItem"
ASSIGNMENT_TYPE = "#microsoft.graph.plannerAssignment"
REPRESENTATION = {"Prefer": "return=representation"}
_numbers = count(1)

NO_IF_MATCH = "no If-Match header, the spec requires one: to see Planner's 412"


def _key(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def _if_match(**extra: str) -> dict[str, str]:
    return {"If-Match": "{etag}", **extra}


# ---- givens


def seeded(setup: Setup) -> Mapping[str, str]:
    """``{plan}``, ``{bucket}``, ``{task}`` and ``{user}`` (an assignee) from the seeded data."""
    plan = setup.call("GET", f"{G}/groups/{GROUP}/planner/plans")["value"][0]["id"]
    task = setup.call("GET", f"{G}/planner/plans/{plan}/tasks")["value"][0]
    return {
        "plan": plan,
        "bucket": task["bucketId"],
        "task": task["id"],
        "user": next(iter(task["assignments"])),
    }


def _plan(setup: Setup) -> dict[str, Any]:
    body = {"title": f"Contract plan {next(_numbers)}", "container": {"url": f"{G}/groups/{GROUP}"}}
    created: dict[str, Any] = setup.call("POST", f"{G}/planner/plans", json=body)
    return created


def fresh_plan(setup: Setup) -> Mapping[str, str]:
    """``{plan}`` new and unchanged, ``{etag}`` its ETag."""
    plan = _plan(setup)
    return {"plan": plan["id"], "etag": plan["@odata.etag"]}


def fresh_plan_details(setup: Setup) -> Mapping[str, str]:
    """``{plan}`` new, ``{etag}`` the ETag of its details."""
    plan = _plan(setup)
    details = setup.call("GET", f"{G}/planner/plans/{plan['id']}/details")
    return {"plan": plan["id"], "etag": details["@odata.etag"]}


def fresh_bucket(setup: Setup) -> Mapping[str, str]:
    """``{bucket}`` new in a new ``{plan}``, ``{etag}`` its ETag, ``{hint}`` its orderHint."""
    plan = _plan(setup)
    bucket = setup.call("POST", f"{G}/planner/buckets", json={"planId": plan["id"], "name": "B"})
    return {
        "plan": plan["id"],
        "bucket": bucket["id"],
        "etag": bucket["@odata.etag"],
        "hint": bucket["orderHint"],
    }


def _task(setup: Setup) -> dict[str, Any]:
    plan = _plan(setup)
    body = {"planId": plan["id"], "title": f"Contract task {next(_numbers)}"}
    created: dict[str, Any] = setup.call("POST", f"{G}/planner/tasks", json=body)
    return created


def fresh_task(setup: Setup) -> Mapping[str, str]:
    """``{task}`` new in a new ``{plan}``, ``{etag}`` its ETag."""
    task = _task(setup)
    return {"task": task["id"], "plan": task["planId"], "etag": task["@odata.etag"]}


def stale_task(setup: Setup) -> Mapping[str, str]:
    """``{task}`` changed after ``{etag}`` was read."""
    task = _task(setup)
    headers = {"If-Match": task["@odata.etag"]}
    setup.call("PATCH", f"{G}/planner/tasks/{task['id']}", json={"title": "x"}, headers=headers)
    return {"task": task["id"], "etag": task["@odata.etag"]}


def _companion(name: str) -> Callable[[Setup], Mapping[str, str]]:
    def given(setup: Setup) -> Mapping[str, str]:
        task = _task(setup)
        companion = setup.call("GET", f"{G}/planner/tasks/{task['id']}/{name}")
        return {
            "task": task["id"],
            "etag": companion["@odata.etag"],
            "task_etag": task["@odata.etag"],
        }

    given.__doc__ = f"``{{task}}`` new, ``{{etag}}`` the ETag of its {name}."
    return given


fresh_task_details = _companion("details")
fresh_board_format = _companion("bucketTaskBoardFormat")


def full_plan(setup: Setup) -> Mapping[str, str]:
    """``{plan}`` holding as many buckets as Planner allows (200)."""
    plan = _plan(setup)
    for n in range(200):
        setup.call("POST", f"{G}/planner/buckets", json={"planId": plan["id"], "name": f"B{n}"})
    return {"plan": plan["id"]}


def _items(number: int) -> dict[str, Any]:
    return {_key(n): {"@odata.type": ITEM_TYPE, "title": f"Step {n}"} for n in range(number)}


def _assignments(number: int) -> dict[str, Any]:
    return {_key(n): {"@odata.type": ASSIGNMENT_TYPE, "orderHint": " !"} for n in range(number)}


# ---- rows

READ_CALLS = [
    Call(name="group-plans", method="GET", path=f"{G}/groups/{GROUP}/planner/plans"),
    Call(
        name="group-plans-404-unknown-group",
        method="GET",
        path=f"{G}/groups/{UNKNOWN_GUID}/planner/plans",
        status=404,
    ),
    Call(
        name="group-plans-401-wrong-token",
        method="GET",
        path=f"{G}/groups/{GROUP}/planner/plans",
        auth=WRONG_BEARER,
        status=401,
    ),
    Call(name="plan-get", method="GET", path=f"{G}/planner/plans/{{plan}}", given=seeded),
    Call(
        name="plan-get-select-expand-details",
        method="GET",
        path=f"{G}/planner/plans/{{plan}}",
        params={"$select": "title,container", "$expand": "details"},
        given=seeded,
    ),
    Call(name="plan-get-404", method="GET", path=f"{G}/planner/plans/nope", status=404),
    Call(
        name="plan-details-get",
        method="GET",
        path=f"{G}/planner/plans/{{plan}}/details",
        given=seeded,
    ),
    Call(
        name="plan-details-get-404",
        method="GET",
        path=f"{G}/planner/plans/nope/details",
        status=404,
    ),
    Call(
        name="plan-buckets", method="GET", path=f"{G}/planner/plans/{{plan}}/buckets", given=seeded
    ),
    Call(name="plan-buckets-404", method="GET", path=f"{G}/planner/plans/nope/buckets", status=404),
    Call(
        name="plan-tasks-filter-top-ignored",
        method="GET",
        path=f"{G}/planner/plans/{{plan}}/tasks",
        params={"$filter": "percentComplete eq 100", "$top": "1", "$orderby": "title"},
        given=seeded,
    ),
    Call(name="plan-tasks-404", method="GET", path=f"{G}/planner/plans/nope/tasks", status=404),
    Call(name="bucket-get", method="GET", path=f"{G}/planner/buckets/{{bucket}}", given=seeded),
    Call(name="bucket-get-404", method="GET", path=f"{G}/planner/buckets/nope", status=404),
    Call(
        name="bucket-tasks",
        method="GET",
        path=f"{G}/planner/buckets/{{bucket}}/tasks",
        given=seeded,
    ),
    Call(name="bucket-tasks-404", method="GET", path=f"{G}/planner/buckets/nope/tasks", status=404),
    Call(name="task-get", method="GET", path=f"{G}/planner/tasks/{{task}}", given=seeded),
    Call(
        name="task-get-expand-details",
        method="GET",
        path=f"{G}/planner/tasks/{{task}}",
        params={"$expand": "details,bucketTaskBoardFormat"},
        given=seeded,
    ),
    Call(
        name="task-get-400-select-unknown-property",
        method="GET",
        path=f"{G}/planner/tasks/{{task}}",
        params={"$select": "colour"},
        given=seeded,
        status=400,
    ),
    Call(name="task-get-404", method="GET", path=f"{G}/planner/tasks/nope", status=404),
    Call(
        name="task-details-get",
        method="GET",
        path=f"{G}/planner/tasks/{{task}}/details",
        given=seeded,
    ),
    Call(
        name="task-details-get-404",
        method="GET",
        path=f"{G}/planner/tasks/nope/details",
        status=404,
    ),
    Call(
        name="board-format-get",
        method="GET",
        path=f"{G}/planner/tasks/{{task}}/bucketTaskBoardFormat",
        given=seeded,
    ),
    Call(
        name="board-format-get-404",
        method="GET",
        path=f"{G}/planner/tasks/nope/bucketTaskBoardFormat",
        status=404,
    ),
    Call(name="user-tasks", method="GET", path=f"{G}/users/{{user}}/planner/tasks", given=seeded),
    Call(
        name="user-tasks-404-unknown-user",
        method="GET",
        path=f"{G}/users/{UNKNOWN_GUID}/planner/tasks",
        status=404,
    ),
    Call(name="me-tasks-400-app-only", method="GET", path=f"{G}/me/planner/tasks", status=400),
    Call(name="me-plans-400-app-only", method="GET", path=f"{G}/me/planner/plans", status=400),
]

PLAN_WRITE_CALLS = [
    Call(
        name="plan-create",
        method="POST",
        path=f"{G}/planner/plans",
        json={"title": "Contract plan", "container": {"containerId": GROUP, "type": "group"}},
        status=201,
    ),
    Call(
        name="plan-create-400-no-title",
        method="POST",
        path=f"{G}/planner/plans",
        json={"container": {"containerId": GROUP, "type": "group"}},
        status=400,
    ),
    Call(
        name="plan-create-404-unknown-group",
        method="POST",
        path=f"{G}/planner/plans",
        json={"title": "P", "container": {"containerId": UNKNOWN_GUID, "type": "group"}},
        status=404,
    ),
    Call(
        name="plan-update",
        method="PATCH",
        path=f"{G}/planner/plans/{{plan}}",
        json={"title": "Renamed"},
        headers=_if_match(),
        given=fresh_plan,
        status=204,
    ),
    Call(
        name="plan-update-representation",
        method="PATCH",
        path=f"{G}/planner/plans/{{plan}}",
        json={"title": "Renamed"},
        headers=_if_match(**REPRESENTATION),
        given=fresh_plan,
    ),
    Call(
        name="plan-update-412-no-if-match",
        method="PATCH",
        path=f"{G}/planner/plans/{{plan}}",
        json={"title": "Renamed"},
        given=fresh_plan,
        status=412,
        invalid_request=NO_IF_MATCH,
    ),
    Call(
        name="plan-update-400-invalid-if-match",
        method="PATCH",
        path=f"{G}/planner/plans/{{plan}}",
        json={"title": "Renamed"},
        headers={"If-Match": "*"},
        given=fresh_plan,
        status=400,
    ),
    Call(
        name="plan-update-400-read-only-property",
        method="PATCH",
        path=f"{G}/planner/plans/{{plan}}",
        json={"createdDateTime": "2026-03-02T09:30:00Z"},
        headers=_if_match(),
        given=fresh_plan,
        status=400,
    ),
    Call(
        name="plan-delete",
        method="DELETE",
        path=f"{G}/planner/plans/{{plan}}",
        headers=_if_match(),
        given=fresh_plan,
        status=204,
    ),
    Call(
        name="plan-delete-404",
        method="DELETE",
        path=f"{G}/planner/plans/nope",
        headers={"If-Match": 'W/"JzEtUGxhbiAgAAAAAAAAABkulWXDJw=="'},
        status=404,
    ),
    Call(
        name="plan-details-update",
        method="PATCH",
        path=f"{G}/planner/plans/{{plan}}/details",
        json={"categoryDescriptions": {"category1": "Grid", "category25": "Ops"}},
        headers=_if_match(**REPRESENTATION),
        given=fresh_plan_details,
    ),
    Call(
        name="plan-details-update-400-category26",
        method="PATCH",
        path=f"{G}/planner/plans/{{plan}}/details",
        json={"categoryDescriptions": {"category26": "Too far"}},
        headers=_if_match(),
        given=fresh_plan_details,
        status=400,
    ),
    Call(
        name="plan-details-update-412-plan-etag",
        method="PATCH",
        path=f"{G}/planner/plans/{{plan}}/details",
        json={"categoryDescriptions": {"category1": "Grid"}},
        headers=_if_match(),
        given=fresh_plan,
        status=412,
    ),
    Call(
        name="bucket-create",
        method="POST",
        path=f"{G}/planner/buckets",
        json={"planId": "{plan}", "name": "Later", "orderHint": " !"},
        given=fresh_plan,
        status=201,
    ),
    Call(
        name="bucket-create-404-unknown-plan",
        method="POST",
        path=f"{G}/planner/buckets",
        json={"planId": "nope", "name": "Later"},
        status=404,
    ),
    Call(
        name="bucket-create-403-buckets-limit",
        method="POST",
        path=f"{G}/planner/buckets",
        json={"planId": "{plan}", "name": "One too many"},
        given=full_plan,
        status=403,
    ),
    Call(
        name="bucket-update",
        method="PATCH",
        path=f"{G}/planner/buckets/{{bucket}}",
        json={"name": "Renamed"},
        headers=_if_match(),
        given=fresh_bucket,
        status=204,
    ),
    Call(
        name="bucket-update-400-echoed-order-hint",
        method="PATCH",
        path=f"{G}/planner/buckets/{{bucket}}",
        json={"orderHint": "{hint}"},
        headers=_if_match(),
        given=fresh_bucket,
        status=400,
    ),
    Call(
        name="bucket-delete",
        method="DELETE",
        path=f"{G}/planner/buckets/{{bucket}}",
        headers=_if_match(),
        given=fresh_bucket,
        status=204,
    ),
    Call(
        name="bucket-delete-412-no-if-match",
        method="DELETE",
        path=f"{G}/planner/buckets/{{bucket}}",
        given=fresh_bucket,
        status=412,
        invalid_request=NO_IF_MATCH,
    ),
]

TASK_WRITE_CALLS = [
    Call(
        name="task-create",
        method="POST",
        path=f"{G}/planner/tasks",
        json={
            "planId": "{plan}",
            "title": "Contract task",
            "dueDateTime": "2026-06-30T17:00:00Z",
            "appliedCategories": {"category3": True},
            "assignments": _assignments(1),
        },
        given=fresh_plan,
        status=201,
    ),
    Call(
        name="task-create-400-start-after-due",
        method="POST",
        path=f"{G}/planner/tasks",
        json={
            "planId": "{plan}",
            "title": "Backwards",
            "startDateTime": "2026-06-30T00:00:00Z",
            "dueDateTime": "2026-06-01T00:00:00Z",
        },
        given=fresh_plan,
        status=400,
    ),
    Call(
        name="task-create-400-bucket-of-another-plan",
        method="POST",
        path=f"{G}/planner/tasks",
        json={"planId": "{plan}", "title": "Misplaced", "bucketId": "{bucket}"},
        given=lambda setup: {**fresh_plan(setup), "bucket": seeded(setup)["bucket"]},
        status=400,
    ),
    Call(
        name="task-create-400-assignment-without-odata-type",
        method="POST",
        path=f"{G}/planner/tasks",
        json={"planId": "{plan}", "title": "T", "assignments": {_key(1): {"orderHint": " !"}}},
        given=fresh_plan,
        status=400,
    ),
    Call(
        name="task-create-404-unknown-plan",
        method="POST",
        path=f"{G}/planner/tasks",
        json={"planId": "nope", "title": "Orphan"},
        status=404,
    ),
    Call(
        name="task-update",
        method="PATCH",
        path=f"{G}/planner/tasks/{{task}}",
        json={"percentComplete": 100, "appliedCategories": {"category1": True}},
        headers=_if_match(),
        given=fresh_task,
        status=204,
    ),
    Call(
        name="task-update-representation",
        method="PATCH",
        path=f"{G}/planner/tasks/{{task}}",
        json={"percentComplete": 50, "orderHint": " !", "assignments": _assignments(2)},
        headers=_if_match(**REPRESENTATION),
        given=fresh_task,
    ),
    Call(
        name="task-update-400-category26",
        method="PATCH",
        path=f"{G}/planner/tasks/{{task}}",
        json={"appliedCategories": {"category26": True}},
        headers=_if_match(),
        given=fresh_task,
        status=400,
    ),
    Call(
        name="task-update-403-assignees-limit",
        method="PATCH",
        path=f"{G}/planner/tasks/{{task}}",
        json={"assignments": _assignments(21)},
        headers=_if_match(),
        given=fresh_task,
        status=403,
    ),
    Call(
        name="task-update-412-stale-etag",
        method="PATCH",
        path=f"{G}/planner/tasks/{{task}}",
        json={"title": "Lost update"},
        headers=_if_match(),
        given=stale_task,
        status=412,
    ),
    Call(
        name="task-update-404",
        method="PATCH",
        path=f"{G}/planner/tasks/nope",
        json={"title": "Nobody"},
        headers={"If-Match": 'W/"JzEtVGFzayAgAAAAAAAAABxuUWAtJw=="'},
        status=404,
    ),
    Call(
        name="task-delete",
        method="DELETE",
        path=f"{G}/planner/tasks/{{task}}",
        headers=_if_match(),
        given=fresh_task,
        status=204,
    ),
    Call(
        name="task-delete-412-stale-etag",
        method="DELETE",
        path=f"{G}/planner/tasks/{{task}}",
        headers=_if_match(),
        given=stale_task,
        status=412,
    ),
    Call(
        name="task-details-update-checklist",
        method="PATCH",
        path=f"{G}/planner/tasks/{{task}}/details",
        json={
            "description": "Why this task exists",
            "previewType": "checklist",
            "checklist": _items(2),
            "references": {
                "https%3A//northwind%2Eatlassian%2Enet/browse/PMO-1": {
                    "@odata.type": "microsoft.graph.plannerExternalReference",
                    "alias": "PMO-1",
                    "type": "Other",
                }
            },
        },
        headers=_if_match(**REPRESENTATION),
        given=fresh_task_details,
    ),
    Call(
        name="task-details-update-400-checklist-key-not-guid",
        method="PATCH",
        path=f"{G}/planner/tasks/{{task}}/details",
        json={"checklist": {"step-1": {"@odata.type": ITEM_TYPE, "title": "Step"}}},
        headers=_if_match(),
        given=fresh_task_details,
        status=400,
    ),
    Call(
        name="task-details-update-403-checklist-limit",
        method="PATCH",
        path=f"{G}/planner/tasks/{{task}}/details",
        json={"checklist": _items(21)},
        headers=_if_match(),
        given=fresh_task_details,
        status=403,
    ),
    Call(
        name="task-details-update-412-task-etag",
        method="PATCH",
        path=f"{G}/planner/tasks/{{task}}/details",
        json={"description": "Wrong etag"},
        headers={"If-Match": "{task_etag}"},
        given=fresh_task_details,
        status=412,
    ),
    Call(
        name="board-format-update",
        method="PATCH",
        path=f"{G}/planner/tasks/{{task}}/bucketTaskBoardFormat",
        json={"orderHint": " !"},
        headers=_if_match(**REPRESENTATION),
        given=fresh_board_format,
    ),
    Call(
        name="board-format-update-412-no-if-match",
        method="PATCH",
        path=f"{G}/planner/tasks/{{task}}/bucketTaskBoardFormat",
        json={"orderHint": " !"},
        given=fresh_board_format,
        status=412,
        invalid_request=NO_IF_MATCH,
    ),
]


def _judged(call: Call, graph: ContractClient) -> None:
    verdict = graph.perform(call)

    assert (verdict.status, verdict.violations, verdict.excused) == (
        call.status,
        (),
        call.deviations,
    )


@pytest.mark.parametrize("call", cases(READ_CALLS))
def test_planner_read_conforms_to_graph_v1(call: Call, graph: ContractClient) -> None:
    _judged(call, graph)


@pytest.mark.parametrize("call", cases(PLAN_WRITE_CALLS))
def test_plan_and_bucket_write_conforms_to_graph_v1(call: Call, graph: ContractClient) -> None:
    _judged(call, graph)


@pytest.mark.parametrize("call", cases(TASK_WRITE_CALLS))
def test_task_write_conforms_to_graph_v1(call: Call, graph: ContractClient) -> None:
    _judged(call, graph)
