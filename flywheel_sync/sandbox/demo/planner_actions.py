"""Planner action plans: the PMO's follow-up actions per customer, volume for benchmarks.

Only written when a `DemoVolume` asks for Planner tasks. Each customer gets one plan,
"<customer> actions", in the Enterprise PMO's group, with three buckets (To do, In progress,
Done). Tasks are spread over the customers in turn; each has details (a description and a
checklist of up to four items), as a real action list does, so reading one costs what reading
an engagement task costs: the task list page and its details. Titles name no Jira epic, so
these tasks never look like engagements; a mapping reads them as work items by their plans.
"""

import random
from collections.abc import Mapping
from dataclasses import replace

from flywheel_sync.sandbox.demo.catalogue import CUSTOMERS, DemoCustomer
from flywheel_sync.sandbox.demo.identifiers import guid, planner_id
from flywheel_sync.sandbox.demo.jira_model import JsonObject
from flywheel_sync.sandbox.demo.people import PMO_DEPARTMENT, DemoPerson
from flywheel_sync.sandbox.demo.planner import PlannerTenant, plan_details
from flywheel_sync.sandbox.demo.timeline import DAY, graph_time, stream, working_time

__all__ = ["ACTION_BUCKETS", "action_plan_title", "with_action_plans"]

ACTION_BUCKETS = (("To do", 0), ("In progress", 50), ("Done", 100))
"""Each bucket's name and the ``percentComplete`` of the tasks in it."""
_ACTIONS = (
    "Chase the status report",
    "Update the RAID log",
    "Book the steering meeting",
    "Review the benefits register",
    "Prepare the board paper",
    "Collect the timesheets",
    "Refresh the capacity plan",
    "Check the change requests",
    "Send the lessons-learned survey",
    "Reconcile the budget forecast",
)
_STEPS = ("Draft", "Review with the sponsor", "Publish", "File the evidence")


def action_plan_title(entry: DemoCustomer) -> str:
    """The title of a customer's action plan."""
    return f"{entry.name} actions"


def _identity(person: DemoPerson) -> JsonObject:
    return {"user": {"id": person.aad_id, "displayName": person.display_name}}


def _plan(entry: DemoCustomer, group_id: str, owner: DemoPerson, created: str) -> JsonObject:
    return {
        "id": planner_id(f"plan/actions/{entry.id}"),
        "title": action_plan_title(entry),
        "owner": group_id,
        "createdDateTime": created,
        "createdBy": _identity(owner),
        "container": {
            "containerId": group_id,
            "type": "group",
            "url": f"https://graph.microsoft.com/v1.0/groups/{group_id}",
        },
    }


def _bucket_id(entry: DemoCustomer, name: str) -> str:
    return planner_id(f"bucket/actions/{entry.id}/{name}")


def _checklist(task_id: str, rng: random.Random, when: str, who: DemoPerson) -> JsonObject:
    items = {}
    for n, step in enumerate(_STEPS[: rng.randrange(len(_STEPS) + 1)], start=1):
        items[guid(f"checklist/{task_id}/{n}")] = {
            "@odata.type": "#microsoft.graph.plannerChecklistItem",
            "isChecked": rng.random() < 0.5,
            "title": step,
            "orderHint": f"85{n:04d}P!",
            "lastModifiedDateTime": when,
            "lastModifiedBy": _identity(who),
        }
    return items


def _task(
    number: int, entry: DemoCustomer, rng: random.Random, *, now: int, pmo: tuple[DemoPerson, ...]
) -> tuple[JsonObject, JsonObject]:
    task_id = planner_id(f"task/actions/{number}")
    bucket, percent = rng.choice(ACTION_BUCKETS)
    owner = rng.choice(pmo)
    created_at = working_time(now - rng.randrange(DAY, 300 * DAY), rng)
    created = graph_time(created_at)
    checklist = _checklist(task_id, rng, created, owner)
    title = f"{rng.choice(_ACTIONS)} ({entry.project_key} action {number})"
    task = {
        "id": task_id,
        "planId": planner_id(f"plan/actions/{entry.id}"),
        "bucketId": _bucket_id(entry, bucket),
        "title": title,
        "orderHint": f"85{number:06d}P!",
        "assigneePriority": "",
        "percentComplete": percent,
        "priority": rng.choice((1, 3, 5, 9)),
        "startDateTime": created,
        "dueDateTime": graph_time(created_at + rng.randrange(7, 60) * DAY),
        "createdDateTime": created,
        "createdBy": _identity(owner),
        "completedDateTime": None,
        "completedBy": None,
        "hasDescription": True,
        "previewType": "checklist" if checklist else "description",
        "referenceCount": 0,
        "checklistItemCount": len(checklist),
        "activeChecklistItemCount": sum(1 for item in checklist.values() if not item["isChecked"]),
        "conversationThreadId": None,
        "appliedCategories": {f"category{CUSTOMERS.index(entry) + 1}": True},
        "assignments": {
            owner.aad_id: {
                "@odata.type": "#microsoft.graph.plannerAssignment",
                "assignedDateTime": created,
                "assignedBy": _identity(owner),
                "orderHint": " !",
            }
        },
    }
    details = {
        "id": task_id,
        "description": f"{title}: agreed with {entry.name} at the last review.",
        "previewType": task["previewType"],
        "checklist": checklist,
        "references": {},
    }
    return task, details


def with_action_plans(
    tenant: PlannerTenant,
    count: int,
    *,
    group_id: str,
    people: Mapping[str, DemoPerson],
    seed: int,
    now: int,
) -> PlannerTenant:
    """``tenant`` plus one action plan per customer holding ``count`` tasks in all.

    Args:
        tenant: The story's Planner objects; returned unchanged when ``count`` is 0.
        count: Action tasks to add, spread over the customers in turn.
        group_id: The group the plans live in (the Enterprise PMO's).
        people: The named cast: PMO members own the actions.
        seed: Draws the tasks (their own random stream: the story does not move).
        now: Epoch seconds every action is created before.
    """
    if count <= 0:
        return tenant
    rng = stream(seed, "planner/actions")
    pmo = tuple(person for person in people.values() if person.department == PMO_DEPARTMENT)
    created = graph_time(now - 400 * DAY)
    plans = [_plan(entry, group_id, pmo[0], created) for entry in CUSTOMERS]
    buckets = [
        {
            "id": _bucket_id(entry, name),
            "name": name,
            "planId": planner_id(f"plan/actions/{entry.id}"),
            "orderHint": f"85{n:04d}P!",
        }
        for entry in CUSTOMERS
        for n, (name, _) in enumerate(ACTION_BUCKETS, start=1)
    ]
    tasks, details = [], {}
    for number in range(1, count + 1):
        entry = CUSTOMERS[(number - 1) % len(CUSTOMERS)]
        task, task_details = _task(number, entry, rng, now=now, pmo=pmo)
        tasks.append(task)
        details[task["id"]] = task_details
    return replace(
        tenant,
        plans=(*tenant.plans, *plans),
        plan_details={**tenant.plan_details, **{p["id"]: plan_details(p["id"]) for p in plans}},
        buckets=(*tenant.buckets, *buckets),
        tasks=(*tenant.tasks, *tasks),
        task_details={**tenant.task_details, **details},
    )
