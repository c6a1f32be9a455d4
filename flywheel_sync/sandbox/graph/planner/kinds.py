"""The kinds of Planner object the emulator keeps, and what Graph's metadata says about each.

Planner splits every resource into a basic object and separately versioned companions (plan →
plan details; task → task details and its bucket board format), each with its own ETag
(graph-wire.md §1 "Task and details are separate resources with separate etags"). The property
lists come from the v1.0 CSDL (the spec subset's ``plannerPlan``, ``plannerTask``, ... schemas):
``$select`` and ``$expand`` are checked against them, as Graph checks them against its model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = ["KIND_FACTS", "KindFacts", "PlannerKind"]


class PlannerKind(StrEnum):
    """One kind of versioned Planner object; the value is its name inside the ETag."""

    PLAN = "Plan"
    PLAN_DETAILS = "PlanDetails"
    BUCKET = "Bucket"
    TASK = "Task"
    TASK_DETAILS = "TaskDetails"
    BOARD_FORMAT = "BucketTaskBoardTaskFormat"


@dataclass(frozen=True, kw_only=True)
class KindFacts:
    """What Graph's model declares for one kind."""

    type_name: str
    """The entity type, e.g. ``microsoft.graph.plannerTask`` (used in error messages)."""
    properties: frozenset[str]
    """Structural properties, ``id`` included."""
    navigations: frozenset[str]
    """Navigation properties: ``$expand`` may name them, ``$select`` ignores them."""


def _facts(type_name: str, properties: str, navigations: str = "") -> KindFacts:
    return KindFacts(
        type_name=f"microsoft.graph.{type_name}",
        properties=frozenset(["id", *properties.split()]),
        navigations=frozenset(navigations.split()),
    )


KIND_FACTS: Mapping[PlannerKind, KindFacts] = MappingProxyType(
    {
        PlannerKind.PLAN: _facts(
            "plannerPlan",
            "container createdBy createdDateTime owner title",
            "buckets details tasks",
        ),
        PlannerKind.PLAN_DETAILS: _facts("plannerPlanDetails", "categoryDescriptions sharedWith"),
        PlannerKind.BUCKET: _facts("plannerBucket", "name orderHint planId", "tasks"),
        PlannerKind.TASK: _facts(
            "plannerTask",
            "activeChecklistItemCount appliedCategories assigneePriority assignments bucketId "
            "checklistItemCount completedBy completedDateTime conversationThreadId createdBy "
            "createdDateTime dueDateTime hasDescription orderHint percentComplete planId "
            "previewType priority referenceCount startDateTime title",
            "assignedToTaskBoardFormat bucketTaskBoardFormat details progressTaskBoardFormat",
        ),
        PlannerKind.TASK_DETAILS: _facts(
            "plannerTaskDetails", "checklist description previewType references"
        ),
        PlannerKind.BOARD_FORMAT: _facts("plannerBucketTaskBoardTaskFormat", "orderHint"),
    }
)
