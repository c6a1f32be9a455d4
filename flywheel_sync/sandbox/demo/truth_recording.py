"""Records the truth from what was written: keys, changelog ids, tool ids and measurements.

Runs after the Jira site is assembled, so every reference in the truth is the one the tools
show. Delivery symptoms are measured from the written issues (`delivery_metrics`), not copied
from the plan, so the truth can never claim what the data does not show.
"""

import datetime as dt
from collections.abc import Iterable

from flywheel_sync.domain import SymptomKind
from flywheel_sync.sandbox.demo.catalogue import CUSTOMERS
from flywheel_sync.sandbox.demo.dataverse import DataverseProjects
from flywheel_sync.sandbox.demo.dataverse_engagements import EngagementProject
from flywheel_sync.sandbox.demo.delivery_issues import DeliveryProject
from flywheel_sync.sandbox.demo.delivery_metrics import DeliveryMetrics, measure_delivery
from flywheel_sync.sandbox.demo.jira_model import JsonObject
from flywheel_sync.sandbox.demo.jira_schema import PMO_CUSTOMER
from flywheel_sync.sandbox.demo.planner import PlannerTenant
from flywheel_sync.sandbox.demo.pmo_issues import CustomerIssue, EngagementIssues, PmoProject
from flywheel_sync.sandbox.demo.teams import PostedMessage
from flywheel_sync.sandbox.demo.timeline import DAY, to_datetime
from flywheel_sync.sandbox.demo.truth import (
    THRESHOLDS,
    ChecklistEntry,
    CustomerTruth,
    DemoTruth,
    EngagementTruth,
    ExperienceEntry,
    PlantedMessage,
    PlantedSymptom,
    ScheduleTruth,
    StageEntry,
)

__all__ = ["record_truth"]


def _history_id(history: JsonObject | None) -> str | None:
    return None if history is None else str(history["id"])


def _engagement(
    entry: EngagementIssues, task: JsonObject, details: JsonObject, hosted: EngagementProject
) -> EngagementTruth:
    plan, key = entry.plan, entry.epic.key
    item_ids = list(details["checklist"])
    return EngagementTruth(
        id=key,
        customer_id=plan.script.customer_id,
        service_id=plan.script.service_id,
        stage=plan.current.stage,
        cycle=plan.current.cycle,
        history=tuple(
            StageEntry(
                stage=visit.stage,
                cycle=visit.cycle,
                entered_at=to_datetime(visit.at),
                changelog_id=_history_id(history),
            )
            for visit, history in zip(plan.visits, entry.visit_histories, strict=True)
        ),
        checklist=tuple(
            ChecklistEntry(
                key=step.step.key,
                title=step.step.title,
                done=step.done_at is not None,
                jira_key=subtask.key,
                planner_item_id=item_id,
                project_item_id=hosted.item_ids.get((key, step.step.key)),
            )
            for step, subtask, item_id in zip(plan.checklist, entry.subtasks, item_ids, strict=True)
        ),
        planner_task_id=str(task["id"]),
        need_keys=tuple(need.key for need in entry.needs),
        project_task_id=hosted.task_ids.get(key),
    )


def _customer(entry: CustomerIssue, pmo: PmoProject) -> CustomerTruth:
    name = entry.customer.name
    needs = [need for engagement in pmo.engagements for need in engagement.needs]
    needs += pmo.standalone_needs
    return CustomerTruth(
        id=entry.customer.id,
        name=name,
        experience_stage=entry.customer.experience_stage,
        history=tuple(
            ExperienceEntry(
                stage=stage, entered_at=to_datetime(at), changelog_id=_history_id(history)
            )
            for (stage, at), history in zip(entry.entered, entry.histories, strict=True)
        ),
        jira_key=entry.issue.key,
        project_key=entry.customer.project_key,
        need_keys=tuple(
            sorted(
                (need.key for need in needs if need.fields[PMO_CUSTOMER]["value"] == name),
                key=lambda key: int(key.rpartition("-")[2]),
            )
        ),
    )


def _symptom(
    kind: SymptomKind, metrics: DeliveryMetrics, metric: str, value: float, refs: Iterable[str]
) -> PlantedSymptom:
    owner = next(entry for entry in CUSTOMERS if entry.project_key == metrics.project_key)
    return PlantedSymptom(
        kind=kind,
        customer_id=owner.id,
        source=f"jira:{metrics.project_key}",
        metric=metric,
        value=value,
        threshold=THRESHOLDS[kind],
        record_refs=tuple(refs),
    )


def _symptoms(
    delivery: dict[str, DeliveryMetrics], projects: tuple[DeliveryProject, ...]
) -> tuple[PlantedSymptom, ...]:
    reg, csv, digi, fin = (delivery[key] for key in ("REG", "CSV", "DIGI", "FIN"))
    csv_issues = next(p.issues for p in projects if p.profile.project_key == "CSV")
    churned = (
        issue.key
        for issue in csv_issues
        if any(i["fieldId"] == "priority" for h in issue.changelog for i in h["items"])
    )
    overload = int(THRESHOLDS[SymptomKind.RESOURCE_OVERLOAD])
    overloaded = csv.overloaded(overload)
    return (
        _symptom(
            SymptomKind.MISSED_DEADLINES, reg, "overdue_ratio", reg.overdue_ratio, reg.late_keys
        ),
        _symptom(
            SymptomKind.UNCLEAR_PRIORITIES, csv, "priority_churn", csv.priority_churn, churned
        ),
        _symptom(
            SymptomKind.RESOURCE_OVERLOAD,
            csv,
            "wip_per_person",
            max(csv.open_by_assignee.values(), default=0),
            overloaded,
        ),
        _symptom(
            SymptomKind.BLOCKED_WORK, digi, "blocked_ratio", digi.blocked_ratio, digi.blocked_keys
        ),
        _symptom(
            SymptomKind.SCOPE_CHURN, fin, "scope_churn_ratio", fin.scope_churn_ratio, fin.added_keys
        ),
    )


def _schedules(projects: DataverseProjects) -> tuple[ScheduleTruth, ...]:
    found = []
    for project in projects.projects:
        leaves = [
            task
            for task in projects.tasks
            if task["_msdyn_project_value"] == project["msdyn_projectid"]
            and task["msdyn_outlinelevel"] == 2
        ]
        slips = {
            str(task["msdyn_projecttaskid"]): (
                dt.datetime.fromisoformat(task["msdyn_finish"])
                - dt.datetime.fromisoformat(task["msdyn_baselinefinish"])
            ).total_seconds()
            / DAY
            for task in leaves
            if task["msdyn_finish"] > task["msdyn_baselinefinish"]
        }
        owner = next(entry for entry in CUSTOMERS if entry.project_key == project["msdyn_subject"])
        found.append(
            ScheduleTruth(
                project=str(project["msdyn_subject"]),
                customer_id=owner.id,
                tasks=len(leaves),
                late_task_ids=tuple(slips),
                mean_slip_days=round(sum(slips.values()) / len(slips), 2) if slips else 0.0,
            )
        )
    return tuple(found)


def record_truth(
    *,
    pmo: PmoProject,
    delivery: tuple[DeliveryProject, ...],
    planner: PlannerTenant,
    messages: tuple[PostedMessage, ...],
    projects: DataverseProjects,
    hosted: EngagementProject,
    now: int,
) -> DemoTruth:
    """Record the truth of a finished build (Jira keys and ids must be assigned).

    ``projects`` are the delivery schedules; ``hosted`` the project hosting engagements.
    """
    today = to_datetime(now).date().isoformat()
    now_text = to_datetime(now).strftime("%Y-%m-%dT%H:%M:%S")
    metrics = {
        project.profile.project_key: measure_delivery(
            project.profile.project_key, project.issues, today=today, now=now_text
        )
        for project in delivery
    }
    engagements = sorted(
        (
            _engagement(entry, task, planner.task_details[task["id"]], hosted)
            for entry, task in zip(pmo.engagements, planner.tasks, strict=True)
        ),
        key=lambda engagement: int(engagement.id.rpartition("-")[2]),
    )
    return DemoTruth(
        engagements=tuple(engagements),
        customers=tuple(_customer(entry, pmo) for entry in pmo.customers),
        symptoms=_symptoms(metrics, delivery),
        delivery=metrics,
        messages=tuple(
            PlantedMessage(
                message_id=posted.message_id,
                channel=posted.channel,
                customer_id=posted.script.customer_id,
                author=posted.author,
                text=posted.script.text,
                symptom=posted.script.symptom,
            )
            for posted in messages
        ),
        schedules=_schedules(projects),
        project_engagements=hosted.truth,
    )
