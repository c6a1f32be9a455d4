"""Builders for Microsoft records: Planner and Teams (Graph) and Project for the web (Dataverse).

Payloads are Graph's and the Web API's JSON as the connectors store them: a Planner task with
its details under ``details``, a channel message with its ``channelIdentity``, Dataverse rows
with their lookups as ``_<attribute>_value``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flywheel_sync.store.rows import StoredRecord
from tests.unit.mapping.records import (
    CHANNEL,
    GROUP,
    PLAN,
    PLANNER,
    PROJECT,
    TEAM,
    TEAMS,
    Payload,
    stored,
)

# -- Planner -----------------------------------------------------------------------------


def planner_plan(
    plan_id: str = PLAN, title: str = "Portfolio Governance", *, group: str = GROUP
) -> StoredRecord:
    """A plan owned by a Microsoft 365 group (by default the PMO's)."""
    payload = {"id": plan_id, "title": title, "owner": group, "container": {"containerId": group}}
    return stored(PLANNER, "planner_plan", plan_id, payload, scope=plan_id)


def planner_plan_details(plan_id: str, categories: Mapping[str, str]) -> StoredRecord:
    """A plan's details: the names of its label categories."""
    payload = {"id": plan_id, "categoryDescriptions": dict(categories)}
    return stored(PLANNER, "planner_plan_details", plan_id, payload, scope=plan_id)


def planner_bucket(bucket_id: str, name: str, plan_id: str = PLAN) -> StoredRecord:
    """A bucket of a plan."""
    payload = {"id": bucket_id, "name": name, "planId": plan_id, "orderHint": "8585"}
    return stored(PLANNER, "planner_bucket", bucket_id, payload, scope=plan_id)


def planner_check(item_id: str, title: str, *, done: bool = False, order: str = "5") -> Payload:
    """One checklist item of a task's details, keyed by its id."""
    return {item_id: {"title": title, "isChecked": done, "orderHint": order}}


def planner_task(
    task_id: str,
    *,
    title: str,
    bucket_id: str = "bucket-onboarding",
    plan_id: str = PLAN,
    categories: Mapping[str, bool] | None = None,
    checklist: Sequence[Payload] = (),
) -> StoredRecord:
    """A task with its details (the checklist) under ``details``."""
    items: Payload = {}
    for entry in checklist:
        items.update(entry)
    payload = {
        "@odata.etag": 'W/"etag-1"',
        "id": task_id,
        "title": title,
        "planId": plan_id,
        "bucketId": bucket_id,
        "appliedCategories": dict(categories or {}),
        "createdDateTime": "2025-02-03T10:00:00Z",
        "details": {"id": task_id, "checklist": items},
    }
    return stored(PLANNER, "planner_task", task_id, payload, scope=plan_id)


PLANNER_CONTEXT = (
    planner_plan(),
    planner_bucket("bucket-onboarding", "Service Onboarding"),
    planner_bucket("bucket-operation", "Service Operation"),
    planner_bucket("bucket-backlog", "Backlog"),
)


# -- Teams -------------------------------------------------------------------------------


def teams_message(
    message_id: str,
    *,
    html: str,
    author_id: str = "user-1",
    author_name: str = "Grace Hopper",
    channel_id: str = CHANNEL,
    subject: str | None = None,
    deleted: bool = False,
) -> StoredRecord:
    """A root post of a channel, as Graph returns it."""
    payload = {
        "id": message_id,
        "subject": subject,
        "body": {"contentType": "html", "content": html},
        "from": {"user": {"id": author_id, "displayName": author_name}},
        "channelIdentity": {"teamId": TEAM, "channelId": channel_id},
        "deletedDateTime": "2025-05-01T00:00:00Z" if deleted else None,
    }
    external_id = f"{channel_id}/{message_id}"
    return stored(TEAMS, "channel_message", external_id, payload, scope=channel_id)


def directory_user(user_id: str, *, department: str, name: str = "Grace Hopper") -> StoredRecord:
    """A message author's Entra profile."""
    payload = {"id": user_id, "displayName": name, "department": department}
    return stored(TEAMS, "directory_user", user_id, payload, scope="users")


# -- Project for the web (Dataverse) -----------------------------------------------------


def project_row(project_id: str, name: str) -> StoredRecord:
    """An ``msdyn_project`` row."""
    payload = {"msdyn_projectid": project_id, "msdyn_subject": name}
    return stored(PROJECT, "project", project_id, payload, scope=name)


def project_bucket(bucket_id: str, name: str, project_id: str = "proj-grid") -> StoredRecord:
    """An ``msdyn_projectbucket`` row."""
    payload = {
        "msdyn_projectbucketid": bucket_id,
        "msdyn_name": name,
        "_msdyn_project_value": project_id,
    }
    return stored(PROJECT, "project_bucket", bucket_id, payload)


def project_task(
    task_id: str,
    *,
    subject: str,
    project_id: str = "proj-grid",
    bucket_id: str = "pb-onboarding",
    **columns: Any,
) -> StoredRecord:
    """An ``msdyn_projecttask`` row."""
    payload = {
        "@odata.etag": 'W/"42"',
        "msdyn_projecttaskid": task_id,
        "msdyn_subject": subject,
        "_msdyn_project_value": project_id,
        "_msdyn_projectbucket_value": bucket_id,
        **columns,
    }
    return stored(PROJECT, "project_task", task_id, payload)


def checklist_row(
    row_id: str, *, task_id: str, name: str, order: float, done: bool = False
) -> StoredRecord:
    """An ``msdyn_projectchecklist`` row of a task."""
    payload = {
        "msdyn_projectchecklistid": row_id,
        "msdyn_name": name,
        "_msdyn_projecttaskid_value": task_id,
        "msdyn_projectchecklistorder": order,
        "msdyn_projectchecklistcompleted": done,
    }
    return stored(PROJECT, "project_checklist_item", row_id, payload)


PROJECT_CONTEXT = (
    project_row("proj-grid", "GRID"),
    project_row("proj-hr", "HRX"),
    project_bucket("pb-onboarding", "Service Onboarding"),
)
