"""Builders for Planner unit tests: a store on the demo organisation and write payloads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flywheel_sync.sandbox.demo import DemoOrganisation, build_demo_organisation
from flywheel_sync.sandbox.graph.planner.errors import PlannerLimits
from flywheel_sync.sandbox.graph.planner.kinds import PlannerKind
from flywheel_sync.sandbox.graph.planner.store import PlannerObject, PlannerStore

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
NOW_TEXT = "2026-03-02T09:30:00Z"
ITEM_TYPE = "microsoft.graph.plannerChecklistItem"
ASSIGNMENT_TYPE = "#microsoft.graph.plannerAssignment"
REFERENCE_TYPE = "microsoft.graph.plannerExternalReference"
GUIDS = [f"00000000-0000-4000-8000-{n:012d}" for n in range(40)]


def organisation() -> DemoOrganisation:
    """The demo organisation (its Planner data does not depend on the scale)."""
    return build_demo_organisation(now=NOW, scale=0.05)


def store(limits: PlannerLimits | None = None) -> PlannerStore:
    """A store on the demo organisation whose clock always says `NOW`."""
    return PlannerStore(organisation(), clock=lambda: NOW, limits=limits)


def first(planner: PlannerStore, kind: PlannerKind, **where: Any) -> PlannerObject:
    """The oldest object of ``kind`` whose properties match ``where``."""
    return next(
        found
        for found in planner.objects(kind)
        if all(found.body.get(name) == value for name, value in where.items())
    )


def checklist_item(title: str | None = "Step", **members: Any) -> dict[str, Any]:
    """A checklist item value as a client PATCHes it."""
    item: dict[str, Any] = {"@odata.type": ITEM_TYPE, **members}
    if title is not None:
        item["title"] = title
    return item


def assignment(order_hint: str = " !") -> dict[str, Any]:
    """An assignment value as a client sends it."""
    return {"@odata.type": ASSIGNMENT_TYPE, "orderHint": order_hint}
