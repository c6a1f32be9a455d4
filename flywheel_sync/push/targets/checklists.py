"""Onboarding checklist targets: Jira sub-tasks (or a description checklist) and Planner items.

For an engagement in Service Onboarding, every step of its service's template should be on its
checklist. Only what is missing is created, one sub-task or checklist item per step; nothing is
ever ticked or unticked (people tick), and items people added are never touched. An item
flywheel-sync created is owned (`OwnedValue` ``checklist:<step>``): renaming the template
step renames it, and a person deleting or renaming it is a conflict settled by the policy
(``skip`` leaves it, ``overwrite`` restores it, ``adopt`` accepts it). A step already on the
checklist that flywheel-sync did not create (put there by a person) is theirs: left alone.

With ``mode: description`` the Jira steps are items of a task list in the engagement issue's
description instead (Jira Cloud: see `flywheel_sync.push.adf_checklist`).

Planner caps a task's checklist at 20 items: steps that do not fit are noted, not sent.
Planner item ids are chosen by the client; flywheel-sync derives them from the task and the
step, so writing the same step twice writes the same item.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from flywheel_sync.domain import ChecklistItem, ChecklistItemOrigin, ChecklistTemplateItem
from flywheel_sync.mapping.context import RecordType
from flywheel_sync.push.adf_checklist import checklist_ids, task_items
from flywheel_sync.push.changes import Action
from flywheel_sync.push.context import PlanBuilder, PlanContext, Slot
from flywheel_sync.push.ownership import Decision
from flywheel_sync.settings.rules import EntityKind
from flywheel_sync.settings.targets import (
    JiraChecklistMode,
    JiraChecklistTarget,
    PlannerChecklistTarget,
    ProjectChecklistTarget,
)
from flywheel_sync.store.rows import JSONObject, StoredRecord

__all__ = [
    "PLANNER_CHECKLIST_LIMIT",
    "checklist_field",
    "plan_jira_checklists",
    "plan_planner_checklists",
    "settle_step",
    "step_items",
]

PLANNER_CHECKLIST_LIMIT = 20
"""Checklist items a Planner task may hold (graph-wire.md §1, MaximumChecklistItemsOnTask)."""

JIRA_CHECKLIST = "onboarding_checklists.jira"
PLANNER_CHECKLIST = "onboarding_checklists.planner"
_ITEM_NAMESPACE = uuid.UUID("5e0b3f4c-7d1a-4c55-9a53-2b7a0f6f1d10")


def checklist_field(step: ChecklistTemplateItem) -> str:
    """The owned-value field of one step on one task or issue."""
    return f"checklist:{step.key}"


def planner_item_id(task_id: str, step_key: str) -> str:
    """The checklist item id flywheel-sync gives a step on a task: the same every time."""
    return str(uuid.uuid5(_ITEM_NAMESPACE, f"{task_id}/{step_key}"))


def _onboarding_records(
    context: PlanContext, source: str, record_type: str
) -> Iterator[tuple[str, str, StoredRecord]]:
    """``(engagement id, record ref, stored record)`` of each engagement wanting a checklist."""
    refs = {
        engagement_id: ref
        for engagement_id in context.desired.checklists
        if (ref := context.portfolio.record_id("engagement", engagement_id, source, record_type))
    }
    records = context.state.items(source, record_type, refs.values())
    for engagement_id, ref in sorted(refs.items(), key=lambda pair: pair[1]):
        if (record := records.get(ref)) is not None:
            yield engagement_id, ref, record


def _step_slot(target: str, tool: str, source: str, ref: str, step: ChecklistTemplateItem) -> Slot:
    return Slot(target=target, tool=tool, connection=source, ref=ref, field=checklist_field(step))


def step_items(
    context: PlanContext, engagement_id: str, source: str
) -> Mapping[str, ChecklistItem]:
    """The engagement's checklist items in ``source`` (as the last pull mapped them), by step."""
    checklist = context.portfolio.checklists.get((engagement_id, source))
    return {item.key: item for item in checklist.items} if checklist else {}


def _label_prefix(context: PlanContext, source: str) -> str | None:
    """The label prefix the mapping reads sub-task steps from (``onboarding-``), if any."""
    for rule in context.rules_of(source):
        if rule.produces is EntityKind.CHECKLIST_ITEM and rule.id and rule.id.label_prefix:
            return rule.id.label_prefix
    return None


def plan_jira_checklists(builder: PlanBuilder, target: JiraChecklistTarget) -> None:
    """Plan the missing onboarding sub-tasks of engagements in Service Onboarding."""
    context, source = builder.context, target.source
    if target.mode is JiraChecklistMode.DESCRIPTION:
        _plan_description_checklists(builder, target)
        return
    prefix = _label_prefix(context, source)
    for engagement_id, parent, issue in _onboarding_records(context, source, RecordType.JIRA_ISSUE):
        project = ((issue.payload.get("fields") or {}).get("project") or {}).get("key")
        present = step_items(context, engagement_id, source)
        for step in context.desired.checklists[engagement_id]:
            payload: JSONObject = {
                "parent": parent,
                "project": project,
                "issuetype": target.subtask_type,
                "summary": step.title,
                "labels": [f"{prefix}{step.key}"] if prefix else [],
                "engagement": engagement_id,
                "step": step.key,
            }
            settle_step(
                builder,
                _step_slot(JIRA_CHECKLIST, "jira", source, parent, step),
                step=step,
                present=present.get(step.key),
                fetched_at=issue.fetched_at,
                policy_target=target,
                payload=payload,
            )


DESCRIPTION_HEADING = "Onboarding checklist"


def _plan_description_checklists(builder: PlanBuilder, target: JiraChecklistTarget) -> None:
    """The steps as items of a task list in the engagement issue's description (Cloud).

    Data Center descriptions are wiki text, which has no checklist people can tick: there
    the mode is noted as unavailable and nothing is written.
    """
    context, source = builder.context, target.source
    for engagement_id, key, issue in _onboarding_records(context, source, RecordType.JIRA_ISSUE):
        description = (issue.payload.get("fields") or {}).get("description")
        if isinstance(description, str):
            builder.note(
                JIRA_CHECKLIST,
                key,
                "a Data Center description has no checklist to tick: use mode 'subtasks'",
            )
            continue
        steps = context.desired.checklists[engagement_id]
        list_id, item_ids = checklist_ids(key, [step.key for step in steps])
        items = task_items(description)
        for step in steps:
            found = items.get(item_ids[step.key])
            present = None
            if found is not None:
                present = ChecklistItem(
                    key=step.key,
                    title=found.text or step.title,
                    done=found.done,
                    origin=ChecklistItemOrigin.TEMPLATE,
                    external_id=found.local_id,
                )
            settle_step(
                builder,
                _step_slot(JIRA_CHECKLIST, "jira", source, key, step),
                step=step,
                present=present,
                fetched_at=issue.fetched_at,
                policy_target=target,
                payload={
                    "issue": key,
                    "list_id": list_id,
                    "local_id": item_ids[step.key],
                    "heading": DESCRIPTION_HEADING,
                    "title": step.title,
                    "engagement": engagement_id,
                    "step": step.key,
                },
            )


def plan_planner_checklists(builder: PlanBuilder, target: PlannerChecklistTarget) -> None:
    """Plan the missing checklist items of engagement tasks in Service Onboarding."""
    context, source = builder.context, target.source
    for engagement_id, task_id, task in _onboarding_records(
        context, source, RecordType.PLANNER_TASK
    ):
        details: Mapping[str, Any] = task.payload.get("details") or {}
        room = PLANNER_CHECKLIST_LIMIT - len(details.get("checklist") or {})
        present = step_items(context, engagement_id, source)
        for step in context.desired.checklists[engagement_id]:
            item_id = planner_item_id(task_id, step.key)
            payload: JSONObject = {
                "task_id": task_id,
                "etag": details.get("@odata.etag"),
                "item_id": (present[step.key].external_id if step.key in present else item_id),
                "title": step.title,
                "engagement": engagement_id,
                "step": step.key,
            }
            if step.key not in present and room <= 0:
                builder.note(
                    PLANNER_CHECKLIST,
                    task_id,
                    f"step {step.title!r} not added: Planner allows "
                    f"{PLANNER_CHECKLIST_LIMIT} checklist items per task",
                )
                continue
            planned = len(builder.changes)
            settle_step(
                builder,
                _step_slot(PLANNER_CHECKLIST, "planner", source, task_id, step),
                step=step,
                present=present.get(step.key),
                fetched_at=task.fetched_at,
                policy_target=target,
                payload=payload,
            )
            created = builder.changes[planned:]
            room -= sum(1 for change in created if change.action is Action.CREATE)


def settle_step(
    builder: PlanBuilder,
    slot: Slot,
    *,
    step: ChecklistTemplateItem,
    present: ChecklistItem | None,
    fetched_at: Any,
    policy_target: JiraChecklistTarget | PlannerChecklistTarget | ProjectChecklistTarget,
    payload: JSONObject,
) -> Decision | None:
    """Decide about one template step on one checklist (the rules in the module docstring)."""
    owned = builder.owned(slot.connection, slot.ref, slot.field)
    if present is not None and owned is None:
        return None  # on the checklist already, put there by a person: theirs
    if present is not None and owned is not None and present.external_id != owned.external_id:
        return None  # a person's item for this step replaced ours: theirs

    def change(decision: Decision) -> tuple[Action, JSONObject]:
        if decision.current is None:
            # Re-creating an item a person removed is a new write, not the first one again.
            revision = owned.external_id if owned is not None else None
            return Action.CREATE, payload | {"revision": revision}
        return Action.RENAME, payload | {"item": present.external_id if present else None}

    return builder.settle(
        slot,
        current=present.title if present else None,
        wanted=step.title,
        fetched_at=fetched_at,
        policy=builder.context.policy(policy_target),
        change=change,
    )
