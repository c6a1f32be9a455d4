"""Teams channels and messages, the Dataverse schedules and the Confluence space."""

from __future__ import annotations

import datetime as dt

import pytest

from flywheel_sync.sandbox.demo import DemoOrganisation


def channel(org: DemoOrganisation, name: str) -> str:
    return str(next(c["id"] for c in org.teams.channels if c["displayName"] == name))


def test_the_team_has_its_channels(org: DemoOrganisation) -> None:
    assert [c["displayName"] for c in org.teams.channels] == [
        "General",
        "PMO Requests",
        "PMO Announcements",
    ]
    assert org.teams.team["id"] == org.group_id


def test_message_ids_are_unique_epoch_milliseconds_in_time_order(org: DemoOrganisation) -> None:
    everything = [m for found in org.teams.messages.values() for m in found]
    everything += [m for found in org.teams.replies.values() for m in found]
    for message in everything:
        stamp = dt.datetime.fromtimestamp(int(message["id"]) / 1000, tz=dt.UTC)
        assert message["createdDateTime"] == stamp.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    assert len({m["id"] for m in everything}) == len(everything)
    for found in org.teams.messages.values():
        assert [int(m["id"]) for m in found] == sorted(int(m["id"]) for m in found)


def test_replies_answer_a_root_message_of_the_requests_channel(org: DemoOrganisation) -> None:
    roots = {m["id"] for m in org.teams.messages[channel(org, "PMO Requests")]}

    assert len(org.teams.replies) == 6
    for root_id, replies in org.teams.replies.items():
        assert root_id in roots
        assert {r["replyToId"] for r in replies} == {root_id}


def test_requests_come_from_customers_who_are_directory_users(org: DemoOrganisation) -> None:
    departments = {p.aad_id: p.department for p in org.people}
    authors = [m["from"]["user"]["id"] for m in org.teams.messages[channel(org, "PMO Requests")]]

    assert "Enterprise PMO" not in {departments[a] for a in authors}


def test_the_story_messages_say_what_the_customers_see(org: DemoOrganisation) -> None:
    texts = " ".join(m.text for m in org.truth.messages)

    assert "We keep missing the regulator's deadlines" in texts
    assert "Everything is priority one" in texts


def test_the_grid_and_hrx_schedules_exist_with_buckets(org: DemoOrganisation) -> None:
    subjects = {p["msdyn_projectid"]: p["msdyn_subject"] for p in org.project.projects}
    buckets = {b["msdyn_projectbucketid"]: b["_msdyn_project_value"] for b in org.project.buckets}

    assert sorted(subjects.values()) == ["GRID", "HRX", "PMO Engagements"]
    assert [s.project for s in org.truth.schedules] == ["GRID", "HRX"]
    for task in org.project.tasks:
        assert buckets[task["_msdyn_projectbucket_value"]] == task["_msdyn_project_value"]


@pytest.mark.parametrize(("project", "low", "high"), [("GRID", 0.25, 0.45), ("HRX", 0.1, 0.3)])
def test_some_tasks_finish_after_their_baseline(
    org: DemoOrganisation, project: str, low: float, high: float
) -> None:
    schedule = next(s for s in org.truth.schedules if s.project == project)
    project_id = next(
        p["msdyn_projectid"] for p in org.project.projects if p["msdyn_subject"] == project
    )
    leaves = [
        t
        for t in org.project.tasks
        if t["_msdyn_project_value"] == project_id and t["msdyn_outlinelevel"] == 2
    ]
    late = {
        t["msdyn_projecttaskid"] for t in leaves if t["msdyn_finish"] > t["msdyn_baselinefinish"]
    }

    assert late == set(schedule.late_task_ids)
    assert low < len(late) / len(leaves) < high
    assert schedule.mean_slip_days > 2


def test_finished_tasks_are_complete_and_future_ones_not_started(org: DemoOrganisation) -> None:
    now = org.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    for task in org.project.tasks:
        if task["msdyn_finish"] <= now:
            assert task["msdyn_progress"] == 1.0
        elif task["msdyn_start"] >= now:
            assert task["msdyn_progress"] == 0.0


def test_project_checklists_hang_off_tasks_and_stay_within_limits(org: DemoOrganisation) -> None:
    tasks = {t["msdyn_projecttaskid"] for t in org.project.tasks}
    per_task: dict[str, int] = {}
    for item in org.project.checklists:
        assert item["_msdyn_projecttaskid_value"] in tasks
        per_task[item["_msdyn_projecttaskid_value"]] = (
            per_task.get(item["_msdyn_projecttaskid_value"], 0) + 1
        )

    assert per_task
    assert max(per_task.values()) <= 20


def test_the_pmo_space_has_a_home_and_a_value_reports_parent(org: DemoOrganisation) -> None:
    space = org.confluence.space
    pages = {p["title"]: p for p in org.confluence.pages}

    assert (space["key"], space["id"].isdigit()) == ("PMO", True)
    assert pages["Enterprise PMO"]["id"] == space["homepageId"]
    assert pages["PMO Value Reports"]["parentId"] == space["homepageId"]
    assert {p["spaceId"] for p in pages.values()} == {space["id"]}
