"""Writes to tasks, their details and their bucket board format.

- ``POST /planner/tasks`` needs a ``title`` and the ``planId`` of an existing plan (404
  otherwise; more than the limit per plan → 403 ``MaximumTasksInProject``); a ``bucketId`` must
  name a bucket of that plan (400). The task's details and board format are created with it.
- A task whose ``startDateTime`` is later than its ``dueDateTime`` is "logically inconsistent"
  (400, planner-overview.md).
- The service owns ``createdBy``/``createdDateTime``, ``completedBy``/``completedDateTime``
  (set when ``percentComplete`` reaches 100, cleared below it), ``hasDescription``,
  ``checklistItemCount``, ``activeChecklistItemCount`` (unchecked items) and
  ``referenceCount``. A PATCH of the details that changes them changes the task too, so the
  task gets a new ETag as well; ``previewType`` is kept the same on both.
- Every PATCH and DELETE needs the ETag of the object it names: the details have their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flywheel_sync.sandbox.graph.planner.errors import invalid_request, limit_exceeded
from flywheel_sync.sandbox.graph.planner.etags import check_if_match
from flywheel_sync.sandbox.graph.planner.fields import WRITABLE, parse_date_time
from flywheel_sync.sandbox.graph.planner.kinds import PlannerKind
from flywheel_sync.sandbox.graph.planner.open_types import (
    EditContext,
    merge_applied_categories,
    merge_assignments,
    merge_checklist,
    merge_references,
)
from flywheel_sync.sandbox.graph.planner.order_hints import append_hint, placed_client_hint
from flywheel_sync.sandbox.graph.planner.plan_writes import delete_task_objects
from flywheel_sync.sandbox.graph.planner.store import JsonObject, PlannerObject, PlannerStore

__all__ = ["TaskWrites"]

_DETAIL_MERGES: Mapping[str, Callable[[JsonObject | None, Any, EditContext], JsonObject]] = {
    "checklist": merge_checklist,
    "references": merge_references,
}
_HINTED = (("orderHint", "planId"), ("assigneePriority", None))
"""Task hints and the property whose value groups their siblings (None: every task)."""


def _check_dates(task: JsonObject) -> None:
    start, due = task.get("startDateTime"), task.get("dueDateTime")
    if (
        start
        and due
        and parse_date_time("startDateTime", start) > parse_date_time("dueDateTime", due)
    ):
        raise invalid_request(
            "The data is logically inconsistent: startDateTime is later than dueDateTime."
        )


def _details_summary(details: JsonObject) -> JsonObject:
    """What the task shows of its details."""
    checklist = details.get("checklist") or {}
    return {
        "hasDescription": bool(details.get("description")),
        "checklistItemCount": len(checklist),
        "activeChecklistItemCount": sum(
            1 for item in checklist.values() if not item.get("isChecked")
        ),
        "referenceCount": len(details.get("references") or {}),
        "previewType": details.get("previewType", "automatic"),
    }


class TaskWrites:
    """Creates, updates and deletes tasks and their companions in one store."""

    def __init__(self, store: PlannerStore) -> None:
        self.store = store

    def _context(self) -> EditContext:
        return EditContext(now=self.store.now(), actor=self.store.actor, limits=self.store.limits)

    def _siblings(self, task: JsonObject, hint: str, group: str | None) -> list[str]:
        tasks = self.store.objects(PlannerKind.TASK)
        if group is not None:
            tasks = [t for t in tasks if t.body.get(group) == task.get(group)]
        return [str(t.body.get(hint) or "") for t in tasks if t.id != task.get("id")]

    def _check_bucket(self, plan_id: str, bucket_id: str | None) -> None:
        if bucket_id is None:
            return
        bucket = self.store.require(PlannerKind.BUCKET, bucket_id)
        if bucket.body.get("planId") != plan_id:
            raise invalid_request(f"The bucket '{bucket_id}' is not in the plan '{plan_id}'.")

    def _completion(self, before: int, after: int) -> JsonObject:
        if after == 100 and before != 100:
            return {"completedDateTime": self.store.now(), "completedBy": self.store.actor}
        if after != 100:
            return {"completedDateTime": None, "completedBy": None}
        return {}

    def _merged(self, task: JsonObject, patches: JsonObject, context: EditContext) -> JsonObject:
        merged: JsonObject = {}
        if "assignments" in patches:
            merged["assignments"] = merge_assignments(
                task.get("assignments"), patches["assignments"], context
            )
        if "appliedCategories" in patches:
            merged["appliedCategories"] = merge_applied_categories(
                task.get("appliedCategories"), patches["appliedCategories"]
            )
        return merged

    def _placed_hints(self, task: JsonObject, values: JsonObject, current: JsonObject) -> None:
        for hint, group in _HINTED:
            if hint in values:
                siblings = self._siblings(task, hint, group)
                values[hint] = placed_client_hint(hint, values[hint], current.get(hint), siblings)

    # ---- tasks

    def create_task(self, body: JsonObject) -> PlannerObject:
        """``POST /planner/tasks``: the new task, with empty details and a board format."""
        store = self.store
        with store.lock:
            values, patches = WRITABLE[PlannerKind.TASK].accept(body, current=None)
            for required in ("planId", "title"):
                if required not in values:
                    raise invalid_request(
                        f"The property '{required}' is required to create a task."
                    )
            plan_id = values["planId"]
            store.require(PlannerKind.PLAN, plan_id)
            limit = store.limits.tasks_per_plan
            if len(store.children(PlannerKind.TASK, "planId", plan_id)) >= limit:
                raise limit_exceeded("MaximumTasksInProject", "tasks in a plan", limit)
            self._check_bucket(plan_id, values.get("bucketId"))
            task = self._new_task(values, patches)
            _check_dates(task)
            created = store.add(PlannerKind.TASK, task)
            store.add(
                PlannerKind.TASK_DETAILS,
                {
                    "id": task["id"],
                    "description": "",
                    "previewType": task["previewType"],
                    "checklist": {},
                    "references": {},
                },
            )
            boards = store.children(PlannerKind.TASK, "bucketId", task["bucketId"])
            hints = [self._board_hint(t.id) for t in boards if t.id != task["id"]]
            store.add(PlannerKind.BOARD_FORMAT, {"id": task["id"], "orderHint": append_hint(hints)})
            return created

    def _board_hint(self, task_id: str) -> str:
        board = self.store.get(PlannerKind.BOARD_FORMAT, task_id)
        return "" if board is None else str(board.body.get("orderHint") or "")

    def _new_task(self, values: JsonObject, patches: JsonObject) -> JsonObject:
        store = self.store
        context = self._context()
        task: JsonObject = {"id": store.new_id(PlannerKind.TASK), "planId": values["planId"]}
        plan_hints = self._siblings(task, "orderHint", "planId")
        task |= {
            "bucketId": values.get("bucketId"),
            "title": values["title"],
            "orderHint": append_hint(plan_hints),
            "assigneePriority": "",
            "percentComplete": values.get("percentComplete", 0),
            "priority": values.get("priority", 5),
            "startDateTime": values.get("startDateTime"),
            "dueDateTime": values.get("dueDateTime"),
            "createdDateTime": context.now,
            "createdBy": context.actor,
            "completedDateTime": None,
            "completedBy": None,
            "hasDescription": False,
            "previewType": values.get("previewType", "automatic"),
            "referenceCount": 0,
            "checklistItemCount": 0,
            "activeChecklistItemCount": 0,
            "conversationThreadId": values.get("conversationThreadId"),
            "appliedCategories": {},
            "assignments": {},
        }
        self._placed_hints(task, values, task)
        task |= {name: values[name] for name, _ in _HINTED if name in values}
        task |= self._merged(task, patches, context)
        task |= self._completion(0, task["percentComplete"])
        return task

    def update_task(self, task_id: str, if_match: str | None, body: JsonObject) -> PlannerObject:
        """``PATCH /planner/tasks/{id}``."""
        store = self.store
        with store.lock:
            task = store.require(PlannerKind.TASK, task_id)
            check_if_match(if_match, task.etag)
            values, patches = WRITABLE[PlannerKind.TASK].accept(body, current=task.body)
            if "bucketId" in values:
                self._check_bucket(task.body["planId"], values["bucketId"])
            self._placed_hints(task.body, values, task.body)
            values |= self._merged(task.body, patches, self._context())
            if "percentComplete" in values:
                before = int(task.body.get("percentComplete") or 0)
                values |= self._completion(before, values["percentComplete"])
            _check_dates({**task.body, **values})
            store.update(task, values)
            if "previewType" in values:
                details = store.require(PlannerKind.TASK_DETAILS, task_id)
                store.update(details, {"previewType": values["previewType"]})
            return task

    def delete_task(self, task_id: str, if_match: str | None) -> None:
        """``DELETE /planner/tasks/{id}``: with its details and board format."""
        store = self.store
        with store.lock:
            task = store.require(PlannerKind.TASK, task_id)
            check_if_match(if_match, task.etag)
            delete_task_objects(store, task_id)

    # ---- companions

    def update_details(self, task_id: str, if_match: str | None, body: JsonObject) -> PlannerObject:
        """``PATCH /planner/tasks/{id}/details``; the task follows what it shows of them."""
        store = self.store
        with store.lock:
            details = store.require(PlannerKind.TASK_DETAILS, task_id)
            check_if_match(if_match, details.etag)
            values, patches = WRITABLE[PlannerKind.TASK_DETAILS].accept(body, current=details.body)
            context = self._context()
            for name, merge in _DETAIL_MERGES.items():
                if name in patches:
                    values[name] = merge(details.body.get(name), patches[name], context)
            store.update(details, values)
            task = store.require(PlannerKind.TASK, task_id)
            store.update(task, _details_summary(details.body))
            return details

    def update_board_format(
        self, task_id: str, if_match: str | None, body: JsonObject
    ) -> PlannerObject:
        """``PATCH /planner/tasks/{id}/bucketTaskBoardFormat``: the task's place in its bucket."""
        store = self.store
        with store.lock:
            board = store.require(PlannerKind.BOARD_FORMAT, task_id)
            check_if_match(if_match, board.etag)
            values, _ = WRITABLE[PlannerKind.BOARD_FORMAT].accept(body, current=board.body)
            if "orderHint" in values:
                task = store.require(PlannerKind.TASK, task_id)
                peers = store.children(PlannerKind.TASK, "bucketId", task.body.get("bucketId"))
                hints = [self._board_hint(peer.id) for peer in peers if peer.id != task_id]
                values["orderHint"] = placed_client_hint(
                    "orderHint", values["orderHint"], board.body.get("orderHint"), hints
                )
            store.update(board, values)
            return board
