"""Readers that turn the demo's wire-shaped records into plain values tests can compare."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flywheel_sync.sandbox.demo import DemoOrganisation, JiraIssue

FLYWHEEL_STAGE = "customfield_10010"
EXPERIENCE_STAGE = "customfield_10011"
PMO_CUSTOMER = "customfield_10012"
FLAGGED = "customfield_10021"
SPRINT = "customfield_10020"


def jira_datetime(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def field_changes(issue: JiraIssue, field_id: str) -> list[tuple[str, str, str]]:
    """(created, fromString, toString) of every change of one field, oldest first."""
    return [
        (history["created"], item["fromString"], item["toString"])
        for history in issue.changelog
        for item in history["items"]
        if item["fieldId"] == field_id
    ]


def wire(org: DemoOrganisation) -> str:
    """Everything the emulators serve, serialised: equal text means identical data."""
    payload: dict[str, Any] = {
        "issues": [
            [issue.id, issue.key, issue.fields, issue.changelog, issue.comments]
            for issue in org.jira.issues
        ],
        "people": [person.graph_user() for person in org.people],
        "planner": [org.planner.plans, org.planner.buckets, org.planner.tasks],
        "planner_details": [org.planner.plan_details, org.planner.task_details],
        "teams": [org.teams.channels, org.teams.messages, org.teams.replies],
        "project": [
            org.project.projects,
            org.project.tasks,
            org.project.checklists,
            org.project.labels,
            org.project.task_labels,
        ],
        "confluence": [org.confluence.space, org.confluence.pages],
    }
    return json.dumps(payload, sort_keys=True, default=str)


def story(org: DemoOrganisation) -> list[Any]:
    """The PMO story: what must not change with seed or scale."""
    return [
        [
            (
                e.id,
                e.customer_id,
                e.service_id,
                e.stage,
                e.cycle,
                e.planner_task_id,
                e.project_task_id,
                e.need_keys,
            )
            for e in org.truth.engagements
        ],
        [[(h.stage, h.cycle, h.entered_at) for h in e.history] for e in org.truth.engagements],
        [[(c.key, c.done, c.jira_key) for c in e.checklist] for e in org.truth.engagements],
        [(c.id, c.experience_stage, c.jira_key, c.need_keys) for c in org.truth.customers],
        [
            (issue.key, issue.fields["summary"], issue.fields["created"], issue.fields["updated"])
            for issue in org.jira.issues_in("PMO")
        ],
        [(task["title"], task["bucketId"]) for task in org.planner.tasks],
        [
            (task["msdyn_subject"], task["_msdyn_projectbucket_value"])
            for task in org.project.tasks
            if task["_msdyn_project_value"] == org.truth.project_engagements.project_id
        ],
        org.truth.project_engagements,
        [(message.message_id, message.author, message.text) for message in org.truth.messages],
    ]
