"""Planner's live state: the seeded plans, buckets and tasks, every write since, and their ETags.

Objects are kept as Graph JSON without ``@odata.etag``; each carries its version instead, and
the ETag is minted from it (`etags`). One counter numbers every change in the store, so a
version is also the order of changes, and the same seed and the same writes give the same ETags
and ids after every reset. A lock makes each request's reads and writes atomic: handlers hold
``lock`` for a whole request, tests read through `PlannerStore.snapshot` from their own thread.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flywheel_sync.sandbox.demo import DemoOrganisation
from flywheel_sync.sandbox.demo.identifiers import guid, planner_id
from flywheel_sync.sandbox.graph.planner.errors import PlannerLimits, not_found
from flywheel_sync.sandbox.graph.planner.etags import mint_etag
from flywheel_sync.sandbox.graph.planner.kinds import PlannerKind
from flywheel_sync.sandbox.graph.planner.order_hints import place_hint

__all__ = ["APPLICATION_ID", "JsonObject", "PlannerObject", "PlannerStore"]

JsonObject = dict[str, Any]
APPLICATION_ID = guid("application/flywheel-sync")
"""The app registration the sandbox's Graph token belongs to: it authors every write."""
_APPLICATION_NAME = "flywheel-sync"


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True, kw_only=True)
class PlannerObject:
    """One Planner object: its Graph JSON (no ETag), version and place in creation order."""

    kind: PlannerKind
    body: JsonObject
    version: int
    sequence: int

    @property
    def id(self) -> str:
        """The object's id (details and board formats share their task's or plan's id)."""
        return str(self.body["id"])

    @property
    def etag(self) -> str:
        """The current ``@odata.etag``."""
        return mint_etag(self.kind, self.id, self.version)

    def wire(self) -> JsonObject:
        """A copy of the object as Graph sends it: ``@odata.etag`` first."""
        return {"@odata.etag": self.etag, **copy.deepcopy(self.body)}


def _with_service_hints(task: JsonObject) -> JsonObject:
    """``task`` with assignment hints the service would store for the composed ones it has.

    The demo writes assignments with the client's first-item hint ``" !"``; Planner answers
    a short hint of its own, which clients must not send back (`order_hints`).
    """
    seeded = copy.deepcopy(task)
    stored: list[str] = []
    for assignment in (seeded.get("assignments") or {}).values():
        hint = str(assignment.get("orderHint") or "")
        if " " in hint and hint.endswith("!"):
            assignment["orderHint"] = place_hint(hint, stored)
        stored.append(assignment["orderHint"])
    return seeded


class PlannerStore:
    """Planner's objects by kind and id, in creation order, with one change counter."""

    def __init__(
        self,
        organisation: DemoOrganisation,
        *,
        clock: Callable[[], datetime] = _utc_now,
        limits: PlannerLimits | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.limits = limits or PlannerLimits()
        self.load(organisation)

    def load(self, organisation: DemoOrganisation) -> None:
        """Replace every object with the organisation's (all writes are forgotten)."""
        with self.lock:
            self.organisation = organisation
            self._objects: dict[PlannerKind, dict[str, PlannerObject]] = {
                kind: {} for kind in PlannerKind
            }
            self._sequence = itertools.count(1)
            self._version = 1
            self._new_ids = itertools.count(1)
            self.groups = frozenset({organisation.group_id})
            self._users = {p.aad_id.casefold(): p.aad_id for p in organisation.people}
            self._users |= {p.email.casefold(): p.aad_id for p in organisation.people}
            self._seed(organisation)

    def _seed(self, organisation: DemoOrganisation) -> None:
        tenant = organisation.planner
        for plan in tenant.plans:
            self._keep(PlannerKind.PLAN, plan, version=1)
            self._keep(PlannerKind.PLAN_DETAILS, tenant.plan_details[plan["id"]], version=1)
        for bucket in tenant.buckets:
            self._keep(PlannerKind.BUCKET, bucket, version=1)
        for task in tenant.tasks:
            self._keep(PlannerKind.TASK, _with_service_hints(task), version=1)
            self._keep(PlannerKind.TASK_DETAILS, tenant.task_details[task["id"]], version=1)
            board = {"id": task["id"], "orderHint": task["orderHint"]}
            self._keep(PlannerKind.BOARD_FORMAT, board, version=1)

    def _keep(self, kind: PlannerKind, body: JsonObject, *, version: int) -> PlannerObject:
        kept = PlannerObject(
            kind=kind, body=copy.deepcopy(body), version=version, sequence=next(self._sequence)
        )
        self._objects[kind][kept.id] = kept
        return kept

    # ---- reads (callers hold the lock)

    def get(self, kind: PlannerKind, object_id: str) -> PlannerObject | None:
        """The object of ``kind`` with this id, or None."""
        return self._objects[kind].get(object_id)

    def require(self, kind: PlannerKind, object_id: str) -> PlannerObject:
        """The object of ``kind`` with this id.

        Raises:
            GraphError: 404, Planner's "The requested item is not found."
        """
        found = self._objects[kind].get(object_id)
        if found is None:
            raise not_found()
        return found

    def objects(self, kind: PlannerKind) -> list[PlannerObject]:
        """Every object of ``kind``, oldest first."""
        return list(self._objects[kind].values())

    def children(self, kind: PlannerKind, field: str, value: object) -> list[PlannerObject]:
        """The objects of ``kind`` whose ``field`` is ``value`` (a plan's buckets), oldest first."""
        return [found for found in self._objects[kind].values() if found.body.get(field) == value]

    def user_id(self, id_or_principal_name: str) -> str | None:
        """The Entra id of a user named by id or ``userPrincipalName``, or None."""
        return self._users.get(id_or_principal_name.casefold())

    def snapshot(self, kind: PlannerKind, object_id: str) -> JsonObject | None:
        """A copy of one object as Graph sends it (with its ETag), for other threads."""
        with self.lock:
            found = self.get(kind, object_id)
            return None if found is None else found.wire()

    def count(self, kind: PlannerKind) -> int:
        """How many objects of ``kind`` exist."""
        with self.lock:
            return len(self._objects[kind])

    # ---- writes (callers hold the lock)

    def new_id(self, kind: PlannerKind) -> str:
        """A fresh 28-character Planner id, the same after every reset for the same writes."""
        return planner_id(f"sandbox/{kind.value}/{next(self._new_ids)}")

    def add(self, kind: PlannerKind, body: JsonObject) -> PlannerObject:
        """Keep a new object (``body`` is taken over, not copied) at the next version."""
        self._version += 1
        kept = PlannerObject(
            kind=kind, body=body, version=self._version, sequence=next(self._sequence)
        )
        self._objects[kind][kept.id] = kept
        return kept

    def changed(self, found: PlannerObject) -> None:
        """Record that ``found`` changed: it gets the next version, hence a greater ETag."""
        self._version += 1
        found.version = self._version

    def update(self, found: PlannerObject, values: Mapping[str, Any]) -> bool:
        """Set ``values`` on ``found``; a new version only when something really changed."""
        changes = {name: value for name, value in values.items() if found.body.get(name) != value}
        if not changes:
            return False
        found.body.update(copy.deepcopy(changes))
        self.changed(found)
        return True

    def remove(self, kind: PlannerKind, object_id: str) -> None:
        """Forget one object (no error when it is already gone)."""
        self._objects[kind].pop(object_id, None)

    def now(self) -> str:
        """The clock's time in Graph's spelling, e.g. ``2026-03-02T09:30:00Z``."""
        return self.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def actor(self) -> JsonObject:
        """Who the writes are by: the application (the sandbox's token is app-only)."""
        return {
            "application": {"id": APPLICATION_ID, "displayName": _APPLICATION_NAME},
            "user": None,
        }
