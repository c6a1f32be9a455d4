"""Planner's refusals, as the Graph error bodies Planner sends, and the limits behind its 403s.

Planner fills ``error.code`` only for limit violations (``MaximumChecklistItemsOnTask``, ...);
everything else carries an empty code and a message (graph-wire.md §1; planner-overview.md
"Common Planner error conditions"). Clients must branch on the status, or on the code of a 403.

- 400 ``""``: "The request is invalid:" and a line saying what to fix (the shape of Planner's
  body-validation errors, msgraph-sdk-php#1274), and "The If-Match header contains an invalid
  value."
- 403 ``Maximum…``: a service limit (`PlannerLimits`) would be exceeded.
- 404 ``""``: "The requested item is not found." for every unknown plan, bucket, task or user.
- 412 ``""``: If-Match missing ("…must be specified for this kind of request.") or stale.
"""

from __future__ import annotations

from dataclasses import dataclass

from flywheel_sync.sandbox.graph.wire import GraphError

__all__ = [
    "NOT_FOUND_MESSAGE",
    "PlannerLimits",
    "invalid_request",
    "limit_exceeded",
    "not_found",
]

NOT_FOUND_MESSAGE = "The requested item is not found."


@dataclass(frozen=True, kw_only=True)
class PlannerLimits:
    """Planner's service limits the emulator enforces (learn.microsoft.com planner-limits).

    Reference limits vary between revisions of that page (10 to 15): the lower one is used, so
    code that passes here passes there.
    """

    tasks_per_plan: int = 9000
    buckets_per_plan: int = 200
    checklist_items_per_task: int = 20
    assignees_per_task: int = 20
    references_per_task: int = 10


def not_found() -> GraphError:
    """Planner's 404 for an id it does not know (or the caller may not see)."""
    return GraphError(404, "", NOT_FOUND_MESSAGE)


def invalid_request(detail: str) -> GraphError:
    """Planner's 400 for a body it cannot accept; ``detail`` says what to fix."""
    return GraphError(400, "", f"The request is invalid:\r\n{detail}")


def limit_exceeded(code: str, what: str, limit: int) -> GraphError:
    """Planner's 403 for a service limit, with the limit's code (``MaximumTasksInProject``)."""
    return GraphError(403, code, f"The maximum number of {what} ({limit}) has been exceeded.")
