"""Planner: a plan per service, a bucket per flywheel stage, a task per engagement."""

from __future__ import annotations

import re

from flywheel_sync.domain import FlywheelStage
from flywheel_sync.sandbox.demo import DemoOrganisation

TITLE = re.compile(r"^(?P<service>.+) for (?P<customer>.+?) \[(?P<key>PMO-\d+)\]$")


def test_one_plan_per_service_in_one_group(org: DemoOrganisation) -> None:
    assert [plan["title"] for plan in org.planner.plans] == [
        "Portfolio Governance",
        "Project Health Checks",
        "Resource Capacity Planning",
        "Benefits Realization Tracking",
        "Executive Reporting",
        "PM Coaching & Mentoring",
        "Methodology & Templates",
        "Change Management Support",
    ]
    assert {plan["container"]["containerId"] for plan in org.planner.plans} == {org.group_id}


def test_each_plan_has_the_ten_stage_buckets_in_order(org: DemoOrganisation) -> None:
    for plan in org.planner.plans:
        buckets = sorted(
            (b for b in org.planner.buckets if b["planId"] == plan["id"]),
            key=lambda bucket: bucket["orderHint"],
        )
        assert [b["name"] for b in buckets] == [stage.label for stage in FlywheelStage]


def test_planner_ids_are_28_characters_and_unique(org: DemoOrganisation) -> None:
    ids = [o["id"] for o in (*org.planner.plans, *org.planner.buckets, *org.planner.tasks)]

    assert {len(found) for found in ids} == {28}
    assert len(set(ids)) == len(ids)


def test_every_task_names_its_epic_and_sits_in_the_bucket_of_its_stage(
    org: DemoOrganisation,
) -> None:
    buckets = {b["id"]: b for b in org.planner.buckets}
    plans = {p["id"]: p["title"] for p in org.planner.plans}
    for task in org.planner.tasks:
        title = TITLE.match(task["title"])
        assert title is not None, task["title"]
        truth = org.truth.engagement(title["key"])
        epic = org.issue(title["key"])
        assert epic is not None
        assert epic.fields["summary"] == f"{title['service']} for {title['customer']}"
        assert plans[task["planId"]] == title["service"]
        bucket = buckets[task["bucketId"]]
        assert (bucket["planId"], bucket["name"]) == (task["planId"], truth.stage.label)
        assert truth.planner_task_id == task["id"]
    assert len(org.planner.tasks) == len(org.truth.engagements)


def test_checklists_mirror_onboarding_and_stay_within_planner_limits(
    org: DemoOrganisation,
) -> None:
    for truth in org.truth.engagements:
        task = next(t for t in org.planner.tasks if t["id"] == truth.planner_task_id)
        checklist = org.planner.task_details[task["id"]]["checklist"]
        assert len(checklist) <= 20
        assert [(item["title"], item["isChecked"]) for item in checklist.values()] == [
            (entry.title, entry.done) for entry in truth.checklist
        ]
        assert list(checklist) == [entry.planner_item_id for entry in truth.checklist]
        assert task["checklistItemCount"] == len(checklist)
        assert task["activeChecklistItemCount"] == sum(1 for e in truth.checklist if not e.done)


def test_onboarding_engagements_have_partly_done_checklists(org: DemoOrganisation) -> None:
    onboarding = {
        (e.customer_id, e.service_id): [entry.done for entry in e.checklist]
        for e in org.truth.engagements
        if e.stage is FlywheelStage.SERVICE_ONBOARDING
    }
    assert onboarding == {
        ("customer-service", "capacity-planning"): [True, True, True, False, False, False],
        ("finance", "benefits-tracking"): [True, True, False],
        ("digital-channels", "methodology"): [True, False, False],
    }


def test_plan_categories_name_the_customers_tasks_apply(org: DemoOrganisation) -> None:
    for task in org.planner.tasks:
        categories = org.planner.plan_details[task["planId"]]["categoryDescriptions"]
        [applied] = task["appliedCategories"]
        assert f" for {categories[applied]} [" in task["title"]
        assert len(categories) == 25


def test_tasks_are_due_around_now(org: DemoOrganisation) -> None:
    due = sorted(task["dueDateTime"] for task in org.planner.tasks)

    assert due[0] < org.now.strftime("%Y-%m-%dT%H:%M:%SZ") < due[-1]
