"""Writes to plans, plan details and buckets.

- ``POST /planner/plans`` needs a ``title`` and a group ``container`` (``{"url":
  ".../groups/{id}"}`` or ``{"containerId", "type": "group"}``; the legacy ``owner`` group id is
  accepted too); the plan's details are created with it. An unknown group → 404.
- ``POST /planner/buckets`` needs a ``name`` and the ``planId`` of an existing plan (404
  otherwise); more than the limit per plan → 403 ``MaximumBucketsInProject``.
- ``PATCH`` of a plan (``title``), its details (``categoryDescriptions``, ``sharedWith``) or a
  bucket (``name``, ``orderHint``) and ``DELETE`` of a plan or bucket need the object's current
  ETag in ``If-Match`` (`etags.check_if_match`).
- Deleting a plan deletes its details, buckets and tasks; deleting a bucket deletes its tasks,
  as Planner does (tasks cannot exist without their plan, planner-overview.md).
"""

from __future__ import annotations

from typing import Any

from flywheel_sync.sandbox.graph.planner.errors import (
    invalid_request,
    limit_exceeded,
    not_found,
)
from flywheel_sync.sandbox.graph.planner.etags import check_if_match
from flywheel_sync.sandbox.graph.planner.fields import WRITABLE
from flywheel_sync.sandbox.graph.planner.kinds import PlannerKind
from flywheel_sync.sandbox.graph.planner.open_types import (
    CATEGORY_KEYS,
    merge_category_descriptions,
    merge_shared_with,
)
from flywheel_sync.sandbox.graph.planner.order_hints import append_hint, placed_client_hint
from flywheel_sync.sandbox.graph.planner.store import JsonObject, PlannerObject, PlannerStore

__all__ = ["PlanWrites", "delete_task_objects"]

_GRAPH_GROUPS = "https://graph.microsoft.com/v1.0/groups/"


def delete_task_objects(store: PlannerStore, task_id: str) -> None:
    """Forget a task with its details and board format (the caller holds the lock)."""
    for kind in (PlannerKind.TASK, PlannerKind.TASK_DETAILS, PlannerKind.BOARD_FORMAT):
        store.remove(kind, task_id)


def _required(values: JsonObject, name: str, type_name: str) -> Any:
    if name not in values:
        raise invalid_request(f"The property '{name}' is required to create a {type_name}.")
    return values[name]


class PlanWrites:
    """Creates, updates and deletes plans, plan details and buckets in one store."""

    def __init__(self, store: PlannerStore) -> None:
        self.store = store

    # ---- plans

    def create_plan(self, body: JsonObject) -> PlannerObject:
        """``POST /planner/plans``: the new plan (its details are created with it)."""
        store = self.store
        with store.lock:
            values, _ = WRITABLE[PlannerKind.PLAN].accept(body, current=None)
            title = _required(values, "title", "plan")
            group_id = self._group_of(values)
            plan_id = store.new_id(PlannerKind.PLAN)
            plan = store.add(
                PlannerKind.PLAN,
                {
                    "id": plan_id,
                    "title": title,
                    "owner": group_id,
                    "createdDateTime": store.now(),
                    "createdBy": store.actor,
                    "container": {
                        "containerId": group_id,
                        "type": "group",
                        "url": f"{_GRAPH_GROUPS}{group_id}",
                    },
                },
            )
            descriptions = dict.fromkeys(sorted(CATEGORY_KEYS, key=lambda k: int(k[8:])))
            store.add(
                PlannerKind.PLAN_DETAILS,
                {"id": plan_id, "sharedWith": {}, "categoryDescriptions": descriptions},
            )
            return plan

    def _group_of(self, values: JsonObject) -> str:
        """The group a new plan goes into, from ``container`` or the legacy ``owner``."""
        container = values.get("container")
        if container is None:
            group_id = values.get("owner")
        elif not isinstance(container, dict):
            raise invalid_request("The property 'container' must be an object.")
        elif container.get("type", "group") != "group":
            raise invalid_request("The sandbox emulates group containers only: type 'group'.")
        else:
            url = str(container.get("url") or "")
            group_id = container.get("containerId") or url.rpartition("/groups/")[2] or None
        if group_id is None:
            raise invalid_request(
                "A plan needs a container, e.g. "
                f'{{"container": {{"url": "{_GRAPH_GROUPS}{{group-id}}"}}}}.'
            )
        if group_id not in self.store.groups:
            raise not_found()
        return str(group_id)

    def update_plan(self, plan_id: str, if_match: str | None, body: JsonObject) -> PlannerObject:
        """``PATCH /planner/plans/{id}``."""
        store = self.store
        with store.lock:
            plan = store.require(PlannerKind.PLAN, plan_id)
            check_if_match(if_match, plan.etag)
            values, _ = WRITABLE[PlannerKind.PLAN].accept(body, current=plan.body)
            store.update(plan, values)
            return plan

    def delete_plan(self, plan_id: str, if_match: str | None) -> None:
        """``DELETE /planner/plans/{id}``: with its details, buckets and tasks."""
        store = self.store
        with store.lock:
            plan = store.require(PlannerKind.PLAN, plan_id)
            check_if_match(if_match, plan.etag)
            for task in store.children(PlannerKind.TASK, "planId", plan_id):
                delete_task_objects(store, task.id)
            for bucket in store.children(PlannerKind.BUCKET, "planId", plan_id):
                store.remove(PlannerKind.BUCKET, bucket.id)
            store.remove(PlannerKind.PLAN_DETAILS, plan_id)
            store.remove(PlannerKind.PLAN, plan_id)

    def update_plan_details(
        self, plan_id: str, if_match: str | None, body: JsonObject
    ) -> PlannerObject:
        """``PATCH /planner/plans/{id}/details``: label names and who the plan is shared with."""
        store = self.store
        with store.lock:
            details = store.require(PlannerKind.PLAN_DETAILS, plan_id)
            check_if_match(if_match, details.etag)
            _, patches = WRITABLE[PlannerKind.PLAN_DETAILS].accept(body, current=details.body)
            values: JsonObject = {}
            if "categoryDescriptions" in patches:
                values["categoryDescriptions"] = merge_category_descriptions(
                    details.body.get("categoryDescriptions"), patches["categoryDescriptions"]
                )
            if "sharedWith" in patches:
                values["sharedWith"] = merge_shared_with(
                    details.body.get("sharedWith"), patches["sharedWith"]
                )
            store.update(details, values)
            return details

    # ---- buckets

    def _bucket_hints(self, plan_id: str, but: str | None = None) -> list[str]:
        buckets = self.store.children(PlannerKind.BUCKET, "planId", plan_id)
        return [str(b.body.get("orderHint") or "") for b in buckets if b.id != but]

    def create_bucket(self, body: JsonObject) -> PlannerObject:
        """``POST /planner/buckets``: a bucket in an existing plan, last unless placed."""
        store = self.store
        with store.lock:
            values, _ = WRITABLE[PlannerKind.BUCKET].accept(body, current=None)
            name = _required(values, "name", "bucket")
            plan_id = _required(values, "planId", "bucket")
            store.require(PlannerKind.PLAN, plan_id)
            limit = store.limits.buckets_per_plan
            if len(store.children(PlannerKind.BUCKET, "planId", plan_id)) >= limit:
                raise limit_exceeded("MaximumBucketsInProject", "buckets in a plan", limit)
            siblings = self._bucket_hints(plan_id)
            hint = values.get("orderHint")
            return store.add(
                PlannerKind.BUCKET,
                {
                    "id": store.new_id(PlannerKind.BUCKET),
                    "name": name,
                    "planId": plan_id,
                    "orderHint": append_hint(siblings)
                    if hint is None
                    else placed_client_hint("orderHint", hint, None, siblings),
                },
            )

    def update_bucket(
        self, bucket_id: str, if_match: str | None, body: JsonObject
    ) -> PlannerObject:
        """``PATCH /planner/buckets/{id}``: rename or move the bucket."""
        store = self.store
        with store.lock:
            bucket = store.require(PlannerKind.BUCKET, bucket_id)
            check_if_match(if_match, bucket.etag)
            values, _ = WRITABLE[PlannerKind.BUCKET].accept(body, current=bucket.body)
            if "orderHint" in values:
                siblings = self._bucket_hints(bucket.body["planId"], but=bucket_id)
                values["orderHint"] = placed_client_hint(
                    "orderHint", values["orderHint"], bucket.body.get("orderHint"), siblings
                )
            store.update(bucket, values)
            return bucket

    def delete_bucket(self, bucket_id: str, if_match: str | None) -> None:
        """``DELETE /planner/buckets/{id}``: with the tasks in it."""
        store = self.store
        with store.lock:
            bucket = store.require(PlannerKind.BUCKET, bucket_id)
            check_if_match(if_match, bucket.etag)
            for task in store.children(PlannerKind.TASK, "bucketId", bucket_id):
                delete_task_objects(store, task.id)
            store.remove(PlannerKind.BUCKET, bucket_id)
