"""Planner's write rules: required properties, service-owned fields, limits, cascades."""

from __future__ import annotations

from typing import Any

import pytest

from flywheel_sync.sandbox.graph.planner.errors import PlannerLimits
from flywheel_sync.sandbox.graph.planner.kinds import PlannerKind
from flywheel_sync.sandbox.graph.planner.plan_writes import PlanWrites
from flywheel_sync.sandbox.graph.planner.store import APPLICATION_ID, PlannerStore
from flywheel_sync.sandbox.graph.planner.task_writes import TaskWrites
from flywheel_sync.sandbox.graph.wire import GraphError
from tests.unit.sandbox_planner.builders import GUIDS, NOW_TEXT, checklist_item, first, store


@pytest.fixture
def planner() -> PlannerStore:
    return store()


def _plan_with_tasks(planner: PlannerStore) -> str:
    counts: dict[str, int] = {}
    for task in planner.objects(PlannerKind.TASK):
        counts[task.body["planId"]] = counts.get(task.body["planId"], 0) + 1
    return max(counts, key=lambda plan_id: counts[plan_id])


def _refusal(write: Any, *args: Any) -> GraphError:
    with pytest.raises(GraphError) as refused:
        write(*args)
    return refused.value


# ---- tasks


def test_a_new_task_carries_what_the_service_sets(planner: PlannerStore) -> None:
    plan_id = _plan_with_tasks(planner)

    created = TaskWrites(planner).create_task({"planId": plan_id, "title": "New"}).body

    assert {name: created[name] for name in (
        "percentComplete", "priority", "createdDateTime", "completedDateTime", "hasDescription",
        "checklistItemCount", "activeChecklistItemCount", "referenceCount", "previewType",
    )} == {
        "percentComplete": 0, "priority": 5, "createdDateTime": NOW_TEXT,
        "completedDateTime": None, "hasDescription": False, "checklistItemCount": 0,
        "activeChecklistItemCount": 0, "referenceCount": 0, "previewType": "automatic",
    }  # fmt: skip
    assert created["createdBy"]["application"]["id"] == APPLICATION_ID


def test_a_new_task_gets_its_own_details_and_board_format(planner: PlannerStore) -> None:
    created = TaskWrites(planner).create_task({"planId": _plan_with_tasks(planner), "title": "New"})

    details = planner.require(PlannerKind.TASK_DETAILS, created.id)
    board = planner.require(PlannerKind.BOARD_FORMAT, created.id)

    assert len({created.etag, details.etag, board.etag}) == 3


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"title": "New"}, 400),
        ({"planId": "{plan}"}, 400),
        ({"planId": "no-such-plan", "title": "New"}, 404),
        ({"planId": "{plan}", "title": "New", "bucketId": "{other_bucket}"}, 400),
        ({"planId": "{plan}", "title": "New", "bucketId": "no-such-bucket"}, 404),
        (
            {
                "planId": "{plan}",
                "title": "New",
                "startDateTime": "2026-04-02T00:00:00Z",
                "dueDateTime": "2026-04-01T00:00:00Z",
            },
            400,
        ),
    ],
    ids=["no-plan", "no-title", "unknown-plan", "bucket-of-other-plan", "unknown-bucket",
         "start-after-due"],
)  # fmt: skip
def test_task_creations_planner_refuses(
    planner: PlannerStore, body: dict[str, str], status: int
) -> None:
    plan_id = _plan_with_tasks(planner)
    other = next(b for b in planner.objects(PlannerKind.BUCKET) if b.body["planId"] != plan_id)
    filled = {k: v.format(plan=plan_id, other_bucket=other.id) for k, v in body.items()}

    assert _refusal(TaskWrites(planner).create_task, filled).status == status


def test_more_tasks_than_a_plan_holds_is_a_limit_403() -> None:
    planner = store(PlannerLimits(tasks_per_plan=3))
    plan_id = _plan_with_tasks(planner)

    refused = _refusal(TaskWrites(planner).create_task, {"planId": plan_id, "title": "4th"})

    assert (refused.status, refused.code) == (403, "MaximumTasksInProject")


@pytest.mark.parametrize(("percent", "completed"), [(100, True), (99, False), (0, False)])
def test_completion_follows_percent_complete(
    planner: PlannerStore, percent: int, completed: bool
) -> None:
    task = first(planner, PlannerKind.TASK, percentComplete=50)

    TaskWrites(planner).update_task(task.id, task.etag, {"percentComplete": percent})

    assert (task.body["completedDateTime"] == NOW_TEXT) is completed
    assert (task.body["completedBy"] is not None) is completed


def test_reopening_a_completed_task_clears_its_completion(planner: PlannerStore) -> None:
    task = first(planner, PlannerKind.TASK)
    writes = TaskWrites(planner)
    writes.update_task(task.id, task.etag, {"percentComplete": 100})

    writes.update_task(task.id, task.etag, {"percentComplete": 50})

    assert (task.body["completedDateTime"], task.body["completedBy"]) == (None, None)


def test_an_update_making_the_dates_inconsistent_is_refused(planner: PlannerStore) -> None:
    task = first(planner, PlannerKind.TASK)
    late_start = {"startDateTime": "2099-01-01T00:00:00Z"}

    refused = _refusal(TaskWrites(planner).update_task, task.id, task.etag, late_start)

    assert "logically inconsistent" in refused.message


def test_every_change_gives_a_greater_etag_and_a_stale_one_is_refused(
    planner: PlannerStore,
) -> None:
    task = first(planner, PlannerKind.TASK)
    old = task.etag
    writes = TaskWrites(planner)

    writes.update_task(task.id, old, {"title": "Renamed"})
    refused = _refusal(writes.update_task, task.id, old, {"title": "Again"})

    assert task.etag > old
    assert (refused.status, task.body["title"]) == (412, "Renamed")


def test_moving_a_task_between_two_others_orders_it_between_them(planner: PlannerStore) -> None:
    plan_id = _plan_with_tasks(planner)
    tasks = sorted(
        planner.children(PlannerKind.TASK, "planId", plan_id), key=lambda t: t.body["orderHint"]
    )
    low, high, moved = tasks[0].body["orderHint"], tasks[1].body["orderHint"], tasks[2]

    TaskWrites(planner).update_task(moved.id, moved.etag, {"orderHint": f"{low} {high}!"})

    assert low < moved.body["orderHint"] < high


def test_a_checklist_change_updates_the_tasks_counts_and_etag(planner: PlannerStore) -> None:
    task = first(planner, PlannerKind.TASK, checklistItemCount=0)
    details = planner.require(PlannerKind.TASK_DETAILS, task.id)
    task_etag = task.etag
    patch = {"checklist": {GUIDS[0]: checklist_item(), GUIDS[1]: checklist_item(isChecked=True)}}

    TaskWrites(planner).update_details(task.id, details.etag, patch)

    assert (task.body["checklistItemCount"], task.body["activeChecklistItemCount"]) == (2, 1)
    assert task.etag > task_etag


def test_details_need_their_own_etag_not_the_tasks(planner: PlannerStore) -> None:
    task = first(planner, PlannerKind.TASK)

    refused = _refusal(TaskWrites(planner).update_details, task.id, task.etag, {"description": "x"})

    assert refused.status == 412


def test_the_preview_type_is_the_same_on_task_and_details(planner: PlannerStore) -> None:
    task = first(planner, PlannerKind.TASK)
    details = planner.require(PlannerKind.TASK_DETAILS, task.id)

    TaskWrites(planner).update_task(task.id, task.etag, {"previewType": "noPreview"})

    assert details.body["previewType"] == "noPreview"


def test_a_description_sets_has_description(planner: PlannerStore) -> None:
    created = TaskWrites(planner).create_task({"planId": _plan_with_tasks(planner), "title": "N"})
    details = planner.require(PlannerKind.TASK_DETAILS, created.id)

    TaskWrites(planner).update_details(created.id, details.etag, {"description": "Why"})

    assert created.body["hasDescription"] is True


def test_deleting_a_task_deletes_its_details_and_board_format(planner: PlannerStore) -> None:
    task = first(planner, PlannerKind.TASK)

    TaskWrites(planner).delete_task(task.id, task.etag)

    assert [planner.get(kind, task.id) for kind in (
        PlannerKind.TASK, PlannerKind.TASK_DETAILS, PlannerKind.BOARD_FORMAT
    )] == [None, None, None]  # fmt: skip


def test_a_board_format_move_orders_the_task_within_its_bucket(planner: PlannerStore) -> None:
    plan_id = _plan_with_tasks(planner)
    bucket = first(planner, PlannerKind.BUCKET, planId=plan_id)
    writes = TaskWrites(planner)
    created = [
        writes.create_task({"planId": plan_id, "title": f"T{n}", "bucketId": bucket.id})
        for n in range(3)
    ]
    hints = [planner.require(PlannerKind.BOARD_FORMAT, t.id).body["orderHint"] for t in created]
    board = planner.require(PlannerKind.BOARD_FORMAT, created[2].id)

    writes.update_board_format(created[2].id, board.etag, {"orderHint": f" {hints[0]}!"})

    assert board.body["orderHint"] < hints[0]


# ---- plans and buckets


def test_a_plan_is_created_in_a_known_group_with_empty_details(planner: PlannerStore) -> None:
    group_id = planner.organisation.group_id
    url = f"https://graph.microsoft.com/v1.0/groups/{group_id}"

    plan = PlanWrites(planner).create_plan({"title": "New plan", "container": {"url": url}})
    details = planner.require(PlannerKind.PLAN_DETAILS, plan.id).body

    assert plan.body["container"] == {"containerId": group_id, "type": "group", "url": url}
    assert set(details["categoryDescriptions"].values()) == {None}
    assert len(details["categoryDescriptions"]) == 25


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"container": {"containerId": "{group}", "type": "group"}}, 400),
        ({"title": "P"}, 400),
        ({"title": "P", "container": {"containerId": GUIDS[0], "type": "group"}}, 404),
        ({"title": "P", "container": {"containerId": "{group}", "type": "roster"}}, 400),
    ],
    ids=["no-title", "no-container", "unknown-group", "roster"],
)
def test_plan_creations_planner_refuses(
    planner: PlannerStore, body: dict[str, Any], status: int
) -> None:
    group = planner.organisation.group_id
    if "container" in body:
        container = body["container"]
        body = {**body, "container": {k: v.format(group=group) for k, v in container.items()}}

    assert _refusal(PlanWrites(planner).create_plan, body).status == status


def test_deleting_a_plan_deletes_everything_in_it(planner: PlannerStore) -> None:
    plan = planner.require(PlannerKind.PLAN, _plan_with_tasks(planner))

    PlanWrites(planner).delete_plan(plan.id, plan.etag)

    assert planner.children(PlannerKind.TASK, "planId", plan.id) == []
    assert planner.children(PlannerKind.BUCKET, "planId", plan.id) == []
    assert planner.get(PlannerKind.PLAN_DETAILS, plan.id) is None


def test_deleting_a_bucket_deletes_its_tasks(planner: PlannerStore) -> None:
    task = first(planner, PlannerKind.TASK)
    bucket = planner.require(PlannerKind.BUCKET, task.body["bucketId"])

    PlanWrites(planner).delete_bucket(bucket.id, bucket.etag)

    assert planner.get(PlannerKind.TASK, task.id) is None


def test_more_buckets_than_a_plan_holds_is_a_limit_403() -> None:
    planner = store(PlannerLimits(buckets_per_plan=10))
    plan_id = planner.objects(PlannerKind.PLAN)[0].id

    refused = _refusal(PlanWrites(planner).create_bucket, {"planId": plan_id, "name": "11th"})

    assert (refused.status, refused.code) == (403, "MaximumBucketsInProject")


def test_a_new_bucket_goes_last_in_its_plan(planner: PlannerStore) -> None:
    plan_id = planner.objects(PlannerKind.PLAN)[0].id
    hints = [b.body["orderHint"] for b in planner.children(PlannerKind.BUCKET, "planId", plan_id)]

    bucket = PlanWrites(planner).create_bucket({"planId": plan_id, "name": "Later"})

    assert bucket.body["orderHint"] > max(hints)


def test_a_returned_bucket_hint_sent_back_is_refused(planner: PlannerStore) -> None:
    bucket = planner.objects(PlannerKind.BUCKET)[0]
    echoed = {"orderHint": bucket.body["orderHint"]}

    assert _refusal(PlanWrites(planner).update_bucket, bucket.id, bucket.etag, echoed).status == 400


def test_plan_details_rename_a_label(planner: PlannerStore) -> None:
    details = planner.objects(PlannerKind.PLAN_DETAILS)[0]

    PlanWrites(planner).update_plan_details(
        details.id, details.etag, {"categoryDescriptions": {"category7": "Escalated"}}
    )

    assert details.body["categoryDescriptions"]["category7"] == "Escalated"
