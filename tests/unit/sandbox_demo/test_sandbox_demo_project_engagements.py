"""Project hosts two services' engagements: stage buckets and labels, tasks, planted drift."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from flywheel_sync.domain import FlywheelStage
from flywheel_sync.sandbox.demo import DemoOrganisation, EngagementTruth
from flywheel_sync.sandbox.demo.catalogue import customer, service

SUBJECT = re.compile(r"^\[(?P<key>PMO-\d+)\] (?P<service>.+?) for (?P<customer>.+)$")
Row = dict[str, Any]


def ours(org: DemoOrganisation, rows: tuple[Row, ...], lookup: str) -> list[Row]:
    """The rows of "PMO Engagements" among ``rows``, by the lookup naming their project."""
    project_id = org.truth.project_engagements.project_id
    return [row for row in rows if row[lookup] == project_id]


def hosted(org: DemoOrganisation) -> list[EngagementTruth]:
    return [e for e in org.truth.engagements if e.project_task_id]


def task_of(org: DemoOrganisation, engagement: EngagementTruth) -> Row:
    return next(
        t for t in org.project.tasks if t["msdyn_projecttaskid"] == engagement.project_task_id
    )


def labels_on(org: DemoOrganisation, task: Row) -> list[str]:
    texts = {
        label["msdyn_projectlabelid"]: label["msdyn_projectlabeltext"]
        for label in org.project.labels
    }
    return [
        texts[link["_msdyn_projectlabelid_value"]]
        for link in org.project.task_labels
        if link["_msdyn_projecttaskid_value"] == task["msdyn_projecttaskid"]
    ]


def checklist_of(org: DemoOrganisation, engagement: EngagementTruth) -> list[Row]:
    rows = [
        row
        for row in org.project.checklists
        if row["_msdyn_projecttaskid_value"] == engagement.project_task_id
    ]
    return sorted(rows, key=lambda row: row["msdyn_projectchecklistorder"])


def test_one_project_has_a_bucket_per_stage_in_order(org: DemoOrganisation) -> None:
    truth = org.truth.project_engagements
    projects = [p for p in org.project.projects if p["msdyn_projectid"] == truth.project_id]
    buckets = ours(org, org.project.buckets, "_msdyn_project_value")

    assert [p["msdyn_subject"] for p in projects] == ["PMO Engagements"]
    assert [b["msdyn_name"] for b in buckets] == [stage.label for stage in FlywheelStage]
    assert [b["msdyn_projectbucketid"] for b in buckets] == list(truth.bucket_ids.values())


def test_every_project_has_25_labels_and_ten_are_named_after_the_stages(
    org: DemoOrganisation,
) -> None:
    truth = org.truth.project_engagements
    per_project = Counter(label["_msdyn_projectid_value"] for label in org.project.labels)
    named = [
        label["msdyn_projectlabeltext"]
        for label in ours(org, org.project.labels, "_msdyn_projectid_value")
        if label["msdyn_projectlabeltext"]
    ]
    other_texts = {
        label["msdyn_projectlabeltext"]
        for label in org.project.labels
        if label["_msdyn_projectid_value"] != truth.project_id
    }

    assert per_project == {p["msdyn_projectid"]: 25 for p in org.project.projects}
    assert named == [stage.label for stage in FlywheelStage]
    assert other_texts == {None}
    labels = {
        label["msdyn_projectlabelid"]: label["msdyn_projectlabeltext"]
        for label in org.project.labels
    }
    assert {stage.label: labels[i] for stage, i in truth.label_ids.items()} == {
        stage.label: stage.label for stage in FlywheelStage
    }


def test_the_two_services_have_every_engagement_in_project(org: DemoOrganisation) -> None:
    truth = org.truth.project_engagements
    wanted = [e.id for e in org.truth.engagements if e.service_id in truth.service_ids]
    plans = Counter(e.service_id for e in org.truth.engagements)

    assert [e.id for e in hosted(org)] == wanted
    assert len(wanted) == 4
    assert {plans[s] for s in truth.service_ids} == {2}
    assert len(ours(org, org.project.tasks, "_msdyn_project_value")) == len(wanted)


def test_each_task_names_its_epic_and_sits_in_its_stage_but_one(org: DemoOrganisation) -> None:
    truth = org.truth.project_engagements
    for engagement in hosted(org):
        task = task_of(org, engagement)
        subject = SUBJECT.match(task["msdyn_subject"])
        assert subject is not None, task["msdyn_subject"]
        assert subject["key"] == engagement.id
        assert subject["service"] == service(engagement.service_id).name
        assert subject["customer"] == customer(engagement.customer_id).name
        shown = truth.misplaced_stage if engagement.id == truth.misplaced else engagement.stage
        assert task["_msdyn_projectbucket_value"] == truth.bucket_ids[shown]
        assert labels_on(org, task) == [shown.label]
        assert (task["msdyn_outlinelevel"], task["_msdyn_parenttask_value"]) == (1, None)


def test_the_misplaced_task_is_behind_its_engagement(org: DemoOrganisation) -> None:
    truth = org.truth.project_engagements
    misplaced = org.truth.engagement(truth.misplaced)

    assert truth.misplaced_stage < misplaced.stage
    assert task_of(org, misplaced)["modifiedon"] > misplaced.entered_stage_at.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def test_one_onboarding_task_has_no_checklist(org: DemoOrganisation) -> None:
    unlisted = org.truth.engagement(org.truth.project_engagements.unlisted)

    assert unlisted.stage is FlywheelStage.SERVICE_ONBOARDING
    assert unlisted.checklist
    assert checklist_of(org, unlisted) == []
    assert {entry.project_item_id for entry in unlisted.checklist} == {None}


def test_one_onboarding_task_has_a_partial_checklist_a_person_changed(
    org: DemoOrganisation,
) -> None:
    truth = org.truth.project_engagements
    partial = org.truth.engagement(truth.partial)
    rows = checklist_of(org, partial)
    by_id = {row["msdyn_projectchecklistid"]: row for row in rows}
    steps = {entry.project_item_id: entry for entry in partial.checklist if entry.project_item_id}

    assert partial.stage is FlywheelStage.SERVICE_ONBOARDING
    assert 0 < len(steps) < len(partial.checklist)
    assert set(by_id) == {*steps, truth.own_item_id}
    for item_id, entry in steps.items():
        assert by_id[item_id]["msdyn_name"] == entry.title
    ticked = steps[truth.ticked_item_id]
    assert (ticked.done, by_id[truth.ticked_item_id]["msdyn_projectchecklistcompleted"]) == (
        False,
        True,
    )
    own = by_id[truth.own_item_id]
    assert own["msdyn_name"] == truth.own_item_title
    assert truth.own_item_title not in {entry.title for entry in partial.checklist}
    assert rows[-1] is own


def test_truth_refers_to_project_only_for_the_hosted_engagements(org: DemoOrganisation) -> None:
    for engagement in org.truth.engagements:
        refs = {ref.tool.value for ref in engagement.to_engagement().external_refs}
        expected = {"jira", "planner"} | ({"project"} if engagement.project_task_id else set())
        assert refs == expected


def test_task_label_links_stay_inside_one_project(org: DemoOrganisation) -> None:
    tasks = {t["msdyn_projecttaskid"]: t["_msdyn_project_value"] for t in org.project.tasks}
    labels = {
        label["msdyn_projectlabelid"]: label["_msdyn_projectid_value"]
        for label in org.project.labels
    }

    assert org.project.task_labels
    for link in org.project.task_labels:
        assert (
            tasks[link["_msdyn_projecttaskid_value"]] == labels[link["_msdyn_projectlabelid_value"]]
        )
