"""Microsoft Planner in the demo: one plan per service, flywheel-stage buckets, engagement tasks.

Every plan lives in the Enterprise PMO's Microsoft 365 group. Its ten buckets are named after the
flywheel stages in order; each engagement is one task, titled
``"<Service> for <Customer> [PMO-12]"`` with the Jira epic key in brackets, in the bucket of its
current stage. Tasks of engagements that reached onboarding carry the onboarding checklist in
their details, mirroring the Jira sub-tasks. Plan details name category1-6 after the customers
and every task applies its customer's category. Objects are Graph v1.0 JSON without
``@odata.etag`` (the emulator versions ETags).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from flywheel_sync.domain import FlywheelStage
from flywheel_sync.sandbox.demo.catalogue import CUSTOMERS, SERVICES, customer, service
from flywheel_sync.sandbox.demo.engagements import SERVICE_OWNERS
from flywheel_sync.sandbox.demo.identifiers import guid, planner_id
from flywheel_sync.sandbox.demo.jira_model import JsonObject
from flywheel_sync.sandbox.demo.people import DemoPerson
from flywheel_sync.sandbox.demo.pmo_issues import EngagementIssues
from flywheel_sync.sandbox.demo.timeline import DAY, graph_time

__all__ = ["JIRA_BROWSE_URL", "PlannerTenant", "plan_details", "write_planner"]

JIRA_BROWSE_URL = "https://northwind.atlassian.net/browse/"
_CATEGORIES = 25


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannerTenant:
    """Planner's objects: plans, their details and buckets, tasks and task details by id."""

    plans: tuple[JsonObject, ...]
    plan_details: Mapping[str, JsonObject]
    buckets: tuple[JsonObject, ...]
    tasks: tuple[JsonObject, ...]
    task_details: Mapping[str, JsonObject]


def _identity(person: DemoPerson) -> JsonObject:
    return {"user": {"id": person.aad_id, "displayName": person.display_name}}


def _hint(number: int) -> str:
    """An orderHint that sorts in ``number`` order (ordinal string comparison)."""
    return f"85{number:04d}P!"


def _bucket_id(service_id: str, stage: FlywheelStage) -> str:
    return planner_id(f"bucket/{service_id}/{stage.value}")


def _plans(group_id: str, owner: DemoPerson, created: str) -> list[JsonObject]:
    return [
        {
            "id": planner_id(f"plan/{entry.id}"),
            "title": entry.name,
            "owner": group_id,
            "createdDateTime": created,
            "createdBy": _identity(owner),
            "container": {
                "containerId": group_id,
                "type": "group",
                "url": f"https://graph.microsoft.com/v1.0/groups/{group_id}",
            },
        }
        for entry in SERVICES
    ]


def plan_details(plan_id: str) -> JsonObject:
    """A plan's details: categories 1-6 named after the customers, the rest unnamed."""
    names = [entry.name for entry in CUSTOMERS]
    descriptions = {
        f"category{n}": names[n - 1] if n <= len(names) else None for n in range(1, _CATEGORIES + 1)
    }
    return {"id": plan_id, "sharedWith": {}, "categoryDescriptions": descriptions}


def _buckets() -> list[JsonObject]:
    return [
        {
            "id": _bucket_id(entry.id, stage),
            "name": stage.label,
            "planId": planner_id(f"plan/{entry.id}"),
            "orderHint": _hint(stage.number),
        }
        for entry in SERVICES
        for stage in FlywheelStage
    ]


def _checklist(
    engagement: EngagementIssues, task_id: str, owner: DemoPerson
) -> dict[str, JsonObject]:
    items = {}
    for n, step in enumerate(engagement.plan.checklist, start=1):
        changed = step.created_at if step.done_at is None else step.done_at
        items[guid(f"checklist/{task_id}/{step.step.key}")] = {
            "@odata.type": "#microsoft.graph.plannerChecklistItem",
            "isChecked": step.done_at is not None,
            "title": step.step.title,
            "orderHint": _hint(n),
            "lastModifiedDateTime": graph_time(changed),
            "lastModifiedBy": _identity(owner),
        }
    return items


def _task(
    engagement: EngagementIssues, people: Mapping[str, DemoPerson], number: int
) -> tuple[JsonObject, JsonObject]:
    script, plan, key = engagement.plan.script, engagement.plan, engagement.epic.key
    who, what = customer(script.customer_id), service(script.service_id)
    owner, lead = people[SERVICE_OWNERS[what.id]], people["amara"]
    task_id = planner_id(f"task/{who.id}/{what.id}")
    checklist = _checklist(engagement, task_id, owner)
    created = graph_time(plan.visits[0].at)
    task = {
        "id": task_id,
        "planId": planner_id(f"plan/{what.id}"),
        "bucketId": _bucket_id(what.id, plan.current.stage),
        "title": f"{what.name} for {who.name} [{key}]",
        "orderHint": _hint(number),
        "assigneePriority": "",
        "percentComplete": 0 if plan.current.stage is FlywheelStage.AWARENESS_BUILDING else 50,
        "priority": 5,
        "startDateTime": created,
        "dueDateTime": graph_time(plan.current.at + 60 * DAY),
        "createdDateTime": created,
        "createdBy": _identity(lead),
        "completedDateTime": None,
        "completedBy": None,
        "hasDescription": True,
        "previewType": "checklist" if checklist else "description",
        "referenceCount": 1,
        "checklistItemCount": len(checklist),
        "activeChecklistItemCount": sum(1 for item in checklist.values() if not item["isChecked"]),
        "conversationThreadId": None,
        "appliedCategories": {f"category{CUSTOMERS.index(who) + 1}": True},
        "assignments": {
            owner.aad_id: {
                "@odata.type": "#microsoft.graph.plannerAssignment",
                "assignedDateTime": created,
                "assignedBy": _identity(lead),
                "orderHint": " !",
            }
        },
    }
    url = f"{JIRA_BROWSE_URL}{key}".replace(":", "%3A").replace(".", "%2E")
    details = {
        "id": task_id,
        "description": f"{who.name} and the {what.name} service. Jira epic {key}.",
        "previewType": task["previewType"],
        "checklist": checklist,
        "references": {
            url: {
                "@odata.type": "#microsoft.graph.plannerExternalReference",
                "alias": key,
                "type": "Other",
                "previewPriority": " !",
                "lastModifiedDateTime": created,
                "lastModifiedBy": _identity(lead),
            }
        },
    }
    return task, details


def write_planner(
    engagements: tuple[EngagementIssues, ...],
    *,
    group_id: str,
    people: Mapping[str, DemoPerson],
    now: int,
) -> PlannerTenant:
    """Write the plans, buckets and one task per engagement (epic keys must be assigned)."""
    plans = _plans(group_id, people["amara"], graph_time(now - 548 * DAY))
    tasks, details = [], {}
    for number, engagement in enumerate(engagements, start=1):
        task, task_details = _task(engagement, people, number)
        tasks.append(task)
        details[task["id"]] = task_details
    return PlannerTenant(
        plans=tuple(plans),
        plan_details={plan["id"]: plan_details(plan["id"]) for plan in plans},
        buckets=tuple(_buckets()),
        tasks=tuple(tasks),
        task_details=details,
    )
