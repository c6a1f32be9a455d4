"""Flywheel stage targets: the Jira select fields and the Planner bucket or label.

Jira: each engagement's issue gets its stage in the configured select field, and each
customer's issue its experience stage when ``experience_field`` is set. Values are compared as
stages, not as text, so an option spelled "5 - Service Onboarding" already shows Service
Onboarding; the executor picks the field's own option for the stage.

Planner: each engagement's task moves to the bucket named after its stage and/or carries the
plan's label named after it (other stage labels removed, every other label left alone). A plan
without such a bucket or label is noted, never invented: buckets and labels are the plan
owner's to define.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from flywheel_sync.domain import CustomerExperienceStage, FlywheelStage, StageParseError
from flywheel_sync.mapping.context import RecordType
from flywheel_sync.push.changes import Action
from flywheel_sync.push.context import PlanBuilder, Slot, fixed
from flywheel_sync.settings.targets import JiraStageTarget, PlannerStageTarget

__all__ = ["as_stage", "plan_jira_stages", "plan_planner_stages", "shown_stage"]

_Stage = TypeVar("_Stage", FlywheelStage, CustomerExperienceStage)

JIRA_STAGE = "flywheel_stage.jira"
PLANNER_STAGE = "flywheel_stage.planner"


def as_stage(kind: type[_Stage], value: object) -> _Stage | None:
    """The stage a tool value names (a bucket, label or option), or None."""
    try:
        return kind.parse(str(value)) if value not in (None, "") else None
    except StageParseError:
        return None


def shown_stage(kind: type[_Stage], value: Any) -> str | None:
    """A tool value as the stage label it means, or as itself when it names no stage."""
    text = value.get("value") if isinstance(value, Mapping) else value
    if text in (None, ""):
        return None
    stage = as_stage(kind, text)
    return stage.label if stage else str(text)


def _issue_keys(builder: PlanBuilder, kind: str, ids: Iterable[str], source: str) -> dict[str, str]:
    """Entity id → its issue key in ``source`` (the first record of a rule listed first)."""
    portfolio = builder.context.portfolio
    return {
        entity_id: key
        for entity_id in ids
        if (key := portfolio.record_id(kind, entity_id, source, RecordType.JIRA_ISSUE))
    }


def plan_jira_stages(builder: PlanBuilder, target: JiraStageTarget) -> None:
    """Plan the Jira stage fields of engagements and, if mapped, customers."""
    context = builder.context
    wanted_engagements = {k: v.label for k, v in context.desired.stages.items()}
    _plan_jira_field(builder, target, "engagement", target.field, FlywheelStage, wanted_engagements)
    if target.experience_field:
        wanted_customers = {k: v.label for k, v in context.desired.experience.items()}
        _plan_jira_field(
            builder,
            target,
            "customer",
            target.experience_field,
            CustomerExperienceStage,
            wanted_customers,
        )


def _plan_jira_field(
    builder: PlanBuilder,
    target: JiraStageTarget,
    kind: str,
    field_name: str,
    stage_kind: type[_Stage],
    wanted: Mapping[str, str],
) -> None:
    context, source = builder.context, target.source
    field_id = context.state.jira_field_id(source, field_name)
    keys = _issue_keys(builder, kind, wanted, source)
    if field_id is None:
        if keys:
            builder.note(JIRA_STAGE, source, f"no field named {field_name!r} in {source}")
        return
    issues = context.state.items(source, RecordType.JIRA_ISSUE, keys.values())
    for entity_id, key in sorted(keys.items(), key=lambda pair: pair[1]):
        issue = issues.get(key)
        if issue is None:
            continue
        fields = issue.payload.get("fields") or {}
        payload = {"field_id": field_id, "stage": wanted[entity_id], "kind": stage_kind.__name__}
        builder.settle(
            Slot(target=JIRA_STAGE, tool="jira", connection=source, ref=key, field=field_name),
            current=shown_stage(stage_kind, fields.get(field_id)),
            wanted=wanted[entity_id],
            fetched_at=issue.fetched_at,
            policy=context.policy(target),
            change=fixed(Action.SET, payload),
        )


def plan_planner_stages(builder: PlanBuilder, target: PlannerStageTarget) -> None:
    """Plan each engagement task's bucket and/or stage label."""
    context, source = builder.context, target.source
    task_ids = {
        engagement_id: task_id
        for engagement_id in context.desired.stages
        if (
            task_id := context.portfolio.record_id(
                "engagement", engagement_id, source, RecordType.PLANNER_TASK
            )
        )
    }
    tasks = context.state.items(source, RecordType.PLANNER_TASK, task_ids.values())
    for engagement_id, task_id in sorted(task_ids.items(), key=lambda pair: pair[1]):
        task = tasks.get(task_id)
        if task is None:
            continue
        stage = context.desired.stages[engagement_id]
        if target.move_to_bucket:
            _plan_bucket(builder, target, task.payload, stage, task.fetched_at)
        if target.set_label:
            _plan_label(builder, target, task.payload, stage, task.fetched_at)


def _plan_bucket(
    builder: PlanBuilder,
    target: PlannerStageTarget,
    task: Mapping[str, Any],
    stage: FlywheelStage,
    fetched_at: Any,
) -> None:
    context, source = builder.context, target.source
    task_id, plan_id = str(task["id"]), str(task.get("planId"))
    buckets = context.state.buckets(source, plan_id)
    wanted = next((b for b in buckets if as_stage(FlywheelStage, b.name) is stage), None)
    current = next((b for b in buckets if b.id == task.get("bucketId")), None)
    if wanted is None:
        builder.note(PLANNER_STAGE, task_id, f"plan {plan_id} has no bucket named {stage.label!r}")
        return
    builder.settle(
        Slot(target=PLANNER_STAGE, tool="planner", connection=source, ref=task_id, field="bucket"),
        current=shown_stage(FlywheelStage, current.name) if current else None,
        wanted=stage.label,
        fetched_at=fetched_at,
        policy=context.policy(target),
        change=fixed(
            Action.SET,
            {
                "task_id": task_id,
                "etag": task.get("@odata.etag"),
                "body": {"bucketId": wanted.id},
                "before_value": task.get("bucketId"),
            },
        ),
    )


def _plan_label(
    builder: PlanBuilder,
    target: PlannerStageTarget,
    task: Mapping[str, Any],
    stage: FlywheelStage,
    fetched_at: Any,
) -> None:
    context, source = builder.context, target.source
    task_id, plan_id = str(task["id"]), str(task.get("planId"))
    stage_labels = {
        category: parsed
        for category, name in context.state.label_names(source, plan_id).items()
        if (parsed := as_stage(FlywheelStage, name)) is not None
    }
    wanted = next((c for c, s in stage_labels.items() if s is stage), None)
    if wanted is None:
        builder.note(PLANNER_STAGE, task_id, f"plan {plan_id} has no label named {stage.label!r}")
        return
    applied = task.get("appliedCategories") or {}
    shown = sorted(s.label for c, s in stage_labels.items() if applied.get(c) is True)
    body = {
        "appliedCategories": {c: c == wanted for c in stage_labels if applied.get(c) or c == wanted}
    }
    builder.settle(
        Slot(target=PLANNER_STAGE, tool="planner", connection=source, ref=task_id, field="label"),
        current=", ".join(shown) or None,
        wanted=stage.label,
        fetched_at=fetched_at,
        policy=context.policy(target),
        change=fixed(
            Action.SET,
            {
                "task_id": task_id,
                "etag": task.get("@odata.etag"),
                "body": body,
                "before_value": dict(applied),
            },
        ),
    )
