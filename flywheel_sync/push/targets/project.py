"""Microsoft Project targets: an engagement task's bucket and label, checklist rows, KPI note.

Engagements hosted as Project tasks (Planner premium plans, stored in Dataverse) get what
their Planner twins get, written through the Project Schedule API (`ProjectExecutor`):

- **stage**: the task moves to the bucket named after its flywheel stage, and/or carries the
  project's label named after it (other stage labels taken off, every other label left). A
  project without such a bucket or label is noted, never invented: they are the project
  owner's to define. Labels are read live when the plan is made (`LabelReader`): the pull
  does not store them.
- **onboarding checklist**: one ``msdyn_projectchecklist`` row per missing template step, at
  most 20 rows per task (Project's limit; the rest is noted). Rows people ticked stay ticked
  and rows people added are never touched; ownership and conflicts work as for Planner items
  (`flywheel_sync.push.targets.checklists`). Each row's id is derived from the task and the
  step, so a row written twice is the same row.
- **KPI note**: the service's KPI summary as a short plain-text note inside the task's
  description, between marker lines (`flywheel_sync.report.task_note`); text around it is
  the people's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from connectors.project.schedule_operations import record_id_for
from connectors.project.schedule_writer import ProjectLabel, TaskLabel
from flywheel_sync.domain import FlywheelStage, ScopeKind
from flywheel_sync.mapping.context import RecordType
from flywheel_sync.push.changes import Action
from flywheel_sync.push.context import PlanBuilder, PlanContext, Slot, fixed
from flywheel_sync.push.targets.checklists import (
    checklist_field,
    settle_step,
    step_items,
)
from flywheel_sync.push.targets.stages import as_stage, shown_stage
from flywheel_sync.report.task_note import note_in, render_task_note, with_note
from flywheel_sync.settings.targets import (
    ProjectChecklistTarget,
    ProjectStageTarget,
    ProjectSummaryTarget,
)
from flywheel_sync.store.rows import JSONObject, StoredRecord

__all__ = [
    "PROJECT_CHECKLIST",
    "PROJECT_CHECKLIST_LIMIT",
    "PROJECT_STAGE",
    "PROJECT_SUMMARY",
    "LabelReader",
    "checklist_row_id",
    "plan_project_checklists",
    "plan_project_stages",
    "plan_project_summaries",
]

PROJECT_STAGE = "flywheel_stage.project"
PROJECT_CHECKLIST = "onboarding_checklists.project"
PROJECT_SUMMARY = "kpi_summaries.project"
PROJECT_CHECKLIST_LIMIT = 20
"""Checklist items a Project task may hold (graph-wire.md §4, project-and-task-limitations)."""
NOTE_FIELD = "kpi_note"


class LabelReader(Protocol):
    """Reads a project's labels and a task's labels from Project (`ScheduleWriter` does)."""

    def labels(self, project_id: str) -> Sequence[ProjectLabel]:
        """A project's labels."""
        ...

    def task_labels(self, task_id: str) -> Sequence[TaskLabel]:
        """The labels on a task."""
        ...


def checklist_row_id(task_id: str, step_key: str) -> str:
    """The checklist row id flywheel-sync gives a step on a task: the same every time."""
    return record_id_for(f"checklist/{task_id}/{step_key}")


def _engagement_tasks(
    context: PlanContext, source: str, engagement_ids: Iterator[str] | list[str]
) -> Iterator[tuple[str, str, StoredRecord]]:
    """``(engagement id, task id, stored task)`` of engagements hosted in ``source``."""
    refs = {
        engagement_id: task_id
        for engagement_id in engagement_ids
        if (
            task_id := context.portfolio.record_id(
                "engagement", engagement_id, source, RecordType.PROJECT_TASK
            )
        )
    }
    tasks = context.state.items(source, RecordType.PROJECT_TASK, refs.values())
    for engagement_id, task_id in sorted(refs.items(), key=lambda pair: pair[1]):
        if (task := tasks.get(task_id)) is not None:
            yield engagement_id, task_id, task


def _project_id(task: Mapping[str, Any]) -> str:
    return str(task.get("_msdyn_project_value") or "")


def plan_project_stages(
    builder: PlanBuilder, target: ProjectStageTarget, labels: Callable[[str], LabelReader]
) -> None:
    """Plan each engagement task's bucket and/or stage label."""
    context, source = builder.context, target.source
    reader = _LabelsOncePerProject(labels(source)) if target.set_label else None
    for engagement_id, task_id, task in _engagement_tasks(
        context, source, list(context.desired.stages)
    ):
        stage = context.desired.stages[engagement_id]
        if target.move_to_bucket:
            _plan_bucket(builder, target, task_id, task, stage)
        if reader is not None:
            _plan_label(builder, target, task_id, task, stage, reader)


class _LabelsOncePerProject:
    """A `LabelReader` reading each project's labels once: every task of a project shares them."""

    def __init__(self, reader: LabelReader) -> None:
        self._reader = reader
        self._labels: dict[str, Sequence[ProjectLabel]] = {}

    def labels(self, project_id: str) -> Sequence[ProjectLabel]:
        if project_id not in self._labels:
            self._labels[project_id] = self._reader.labels(project_id)
        return self._labels[project_id]

    def task_labels(self, task_id: str) -> Sequence[TaskLabel]:
        return self._reader.task_labels(task_id)


def _plan_bucket(
    builder: PlanBuilder,
    target: ProjectStageTarget,
    task_id: str,
    task: StoredRecord,
    stage: FlywheelStage,
) -> None:
    context, source = builder.context, target.source
    project_id = _project_id(task.payload)
    buckets = context.state.project_buckets(source, project_id)
    wanted = next((b for b in buckets if as_stage(FlywheelStage, b.name) is stage), None)
    if wanted is None:
        builder.note(PROJECT_STAGE, task_id, f"project {project_id} has no bucket {stage.label!r}")
        return
    current_id = task.payload.get("_msdyn_projectbucket_value")
    current = next((b for b in buckets if b.id == current_id), None)
    builder.settle(
        Slot(target=PROJECT_STAGE, tool="project", connection=source, ref=task_id, field="bucket"),
        current=shown_stage(FlywheelStage, current.name) if current else None,
        wanted=stage.label,
        fetched_at=task.fetched_at,
        policy=context.policy(target),
        change=fixed(
            Action.SET,
            {"project_id": project_id, "task_id": task_id, "bucket_id": wanted.id},
        ),
    )


def _plan_label(
    builder: PlanBuilder,
    target: ProjectStageTarget,
    task_id: str,
    task: StoredRecord,
    stage: FlywheelStage,
    reader: LabelReader,
) -> None:
    context, source = builder.context, target.source
    project_id = _project_id(task.payload)
    stage_labels = {
        label.id: parsed
        for label in reader.labels(project_id)
        if (parsed := as_stage(FlywheelStage, label.name)) is not None
    }
    wanted = next((label for label, s in stage_labels.items() if s is stage), None)
    if wanted is None:
        builder.note(PROJECT_STAGE, task_id, f"project {project_id} has no label {stage.label!r}")
        return
    links = reader.task_labels(task_id)
    shown = sorted(
        stage_labels[link.label_id].label for link in links if link.label_id in stage_labels
    )
    builder.settle(
        Slot(target=PROJECT_STAGE, tool="project", connection=source, ref=task_id, field="label"),
        current=", ".join(shown) or None,
        wanted=stage.label,
        fetched_at=task.fetched_at,
        policy=context.policy(target),
        change=fixed(
            Action.SET,
            {
                "project_id": project_id,
                "task_id": task_id,
                "label_id": wanted,
                "has_label": any(link.label_id == wanted for link in links),
                "remove_links": sorted(
                    link.id
                    for link in links
                    if link.label_id in stage_labels and link.label_id != wanted
                ),
            },
        ),
    )


def plan_project_checklists(builder: PlanBuilder, target: ProjectChecklistTarget) -> None:
    """Plan the missing checklist rows of engagement tasks in Service Onboarding."""
    context, source = builder.context, target.source
    for engagement_id, task_id, task in _engagement_tasks(
        context, source, list(context.desired.checklists)
    ):
        project_id = _project_id(task.payload)
        present = step_items(context, engagement_id, source)
        room = PROJECT_CHECKLIST_LIMIT - context.state.checklist_count(source, task_id)
        for order, step in enumerate(context.desired.checklists[engagement_id], start=1):
            if step.key not in present and room <= 0:
                builder.note(
                    PROJECT_CHECKLIST,
                    task_id,
                    f"step {step.title!r} not added: Project allows "
                    f"{PROJECT_CHECKLIST_LIMIT} checklist items per task",
                )
                continue
            payload: JSONObject = {
                "project_id": project_id,
                "task_id": task_id,
                "row_id": (
                    present[step.key].external_id
                    if step.key in present
                    else checklist_row_id(task_id, step.key)
                ),
                "title": step.title,
                "order": order,
                "engagement": engagement_id,
                "step": step.key,
            }
            planned = len(builder.changes)
            settle_step(
                builder,
                Slot(
                    target=PROJECT_CHECKLIST,
                    tool="project",
                    connection=source,
                    ref=task_id,
                    field=checklist_field(step),
                ),
                step=step,
                present=present.get(step.key),
                fetched_at=task.fetched_at,
                policy_target=target,
                payload=payload,
            )
            created = builder.changes[planned:]
            room -= sum(1 for change in created if change.action is Action.CREATE)


def plan_project_summaries(builder: PlanBuilder, target: ProjectSummaryTarget) -> None:
    """Plan each engagement task's KPI note: its service's summary, kept short."""
    context, source = builder.context, target.source
    by_service = {
        summary.subject_id: summary
        for summary in context.desired.summaries
        if summary.scope is ScopeKind.SERVICE
    }
    engagements = context.portfolio.engagements
    for engagement_id, task_id, task in _engagement_tasks(context, source, list(engagements)):
        summary = by_service.get(engagements[engagement_id].service_id)
        if summary is None:
            continue
        note = render_task_note(summary)
        description = task.payload.get("msdyn_description")
        description = description if isinstance(description, str) else None
        builder.settle(
            Slot(
                target=PROJECT_SUMMARY,
                tool="project",
                connection=source,
                ref=task_id,
                field=NOTE_FIELD,
            ),
            current=note_in(description),
            wanted=note,
            fetched_at=task.fetched_at,
            policy=context.policy(target),
            change=fixed(
                Action.SET,
                {
                    "project_id": _project_id(task.payload),
                    "task_id": task_id,
                    "note": note,
                    "description": with_note(description, note),
                },
            ),
        )
