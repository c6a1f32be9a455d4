"""The Jira site: REST-shaped fields, consistent histories, ids and keys in creation order."""

from __future__ import annotations

import itertools
import re

import pytest

from flywheel_sync.sandbox.demo import DemoOrganisation
from tests.unit.sandbox_demo.builders import FLYWHEEL_STAGE
from tests.unit.sandbox_demo.conftest import NOW

NOW_TEXT = NOW.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
JIRA_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")


def test_updated_is_the_latest_change_or_the_creation(org: DemoOrganisation) -> None:
    wrong = [
        issue.key
        for issue in org.jira.issues
        if issue.fields["updated"]
        != (issue.changelog[-1]["created"] if issue.changelog else issue.fields["created"])
    ]
    assert wrong == []


def test_changelogs_are_in_time_order_after_creation(org: DemoOrganisation) -> None:
    wrong = [
        issue.key
        for issue in org.jira.issues
        if [h["created"] for h in issue.changelog] != sorted(h["created"] for h in issue.changelog)
        or any(h["created"] < issue.fields["created"] for h in issue.changelog)
    ]
    assert wrong == []


def test_comments_fall_between_creation_and_the_last_update(org: DemoOrganisation) -> None:
    comments = [(issue, c) for issue in org.jira.issues for c in issue.comments]

    assert len(comments) > 20
    assert all(
        issue.fields["created"] <= c["created"] <= issue.fields["updated"] for issue, c in comments
    )


def test_nothing_is_dated_after_now(org: DemoOrganisation) -> None:
    stamps = [
        stamp
        for issue in org.jira.issues
        for stamp in (
            issue.fields["created"],
            issue.fields["updated"],
            issue.fields["resolutiondate"] or issue.fields["created"],
        )
    ]
    assert max(stamps) <= NOW_TEXT
    assert all(JIRA_TIME.match(stamp) for stamp in stamps)


def test_issue_ids_ascend_with_creation(org: DemoOrganisation) -> None:
    ids = [int(issue.id) for issue in org.jira.issues]
    created = [issue.fields["created"] for issue in org.jira.issues]

    assert ids == list(range(10001, 10001 + len(ids)))
    assert created == sorted(created)


def test_history_ids_ascend_with_time_across_the_site(org: DemoOrganisation) -> None:
    histories = sorted(
        (int(h["id"]), h["created"]) for issue in org.jira.issues for h in issue.changelog
    )
    assert [at for _, at in histories] == sorted(at for _, at in histories)
    assert org.jira.next_ids()[1] == 10001 + len(histories)


@pytest.mark.parametrize("project", ["PMO", "GRID", "DIGI", "FIN", "HRX", "REG", "CSV"])
def test_keys_number_each_project_in_creation_order(org: DemoOrganisation, project: str) -> None:
    issues = list(org.jira.issues_in(project))
    numbers = [int(issue.key.rpartition("-")[2]) for issue in issues]

    assert numbers == list(range(1, len(issues) + 1))
    assert {issue.fields["project"]["key"] for issue in issues} == {project}


@pytest.mark.parametrize("key_or_id", ["PMO-7", "pmo-7", "10007"])
def test_issues_are_found_by_key_in_any_case_or_by_id(
    org: DemoOrganisation, key_or_id: str
) -> None:
    found = org.issue(key_or_id)
    expected = org.jira.issues[6] if key_or_id.isdigit() else org.issue("PMO-7")

    assert found is expected
    assert found is not None


def test_an_unknown_issue_is_none(org: DemoOrganisation) -> None:
    assert (org.issue("PMO-9999"), org.issue("99999999")) == (None, None)


def test_statuses_carry_their_category(org: DemoOrganisation) -> None:
    categories = {
        issue.fields["status"]["name"]: issue.fields["status"]["statusCategory"]["key"]
        for issue in org.jira.issues
    }
    assert categories == {
        "To Do": "new",
        "In Progress": "indeterminate",
        "In Review": "indeterminate",
        "Blocked": "indeterminate",
        "Done": "done",
    }


def test_done_issues_and_only_they_are_resolved(org: DemoOrganisation) -> None:
    wrong = [
        issue.key
        for issue in org.jira.issues
        if (issue.fields["status"]["name"] == "Done")
        != (issue.fields["resolutiondate"] is not None)
    ]
    assert wrong == []


def test_status_changes_replay_to_the_current_status(org: DemoOrganisation) -> None:
    for issue in org.jira.issues:
        moves = [
            (item["fromString"], item["toString"])
            for history in issue.changelog
            for item in history["items"]
            if item["fieldId"] == "status"
        ]
        for (_, before), (after, _) in itertools.pairwise(moves):
            assert before == after, issue.key
        final = moves[-1][1] if moves else "To Do"
        assert final == issue.fields["status"]["name"], issue.key


def test_priority_changes_replay_to_the_current_priority(org: DemoOrganisation) -> None:
    for issue in org.jira.issues:
        moves = [
            item["toString"]
            for history in issue.changelog
            for item in history["items"]
            if item["fieldId"] == "priority"
        ]
        if moves:
            assert moves[-1] == issue.fields["priority"]["name"], issue.key


def test_select_values_are_options_of_their_field(org: DemoOrganisation) -> None:
    definitions = {f.id: f for f in org.jira.fields if f.schema_type == "option"}
    for issue in org.jira.issues_in("PMO"):
        for field_id, definition in definitions.items():
            value = issue.fields.get(field_id)
            if value is not None:
                assert definition.option(value["value"]) == value


def test_the_flywheel_stage_field_offers_the_ten_stage_labels(org: DemoOrganisation) -> None:
    stage = org.jira.field_by_name("Flywheel Stage")

    assert (stage.id, stage.options[4], stage.option_ids[4]) == (
        FLYWHEEL_STAGE,
        "Service Onboarding",
        "10105",
    )
    assert len(stage.options) == 10


def test_onboarding_subtasks_belong_to_their_epic_and_mirror_the_checklist(
    org: DemoOrganisation,
) -> None:
    checked = 0
    for truth in org.truth.engagements:
        for entry in truth.checklist:
            subtask = org.issue(entry.jira_key)
            assert subtask is not None
            assert subtask.fields["parent"]["key"] == truth.id
            assert subtask.fields["summary"] == entry.title
            assert (subtask.fields["status"]["name"] == "Done") == entry.done
            checked += 1
    assert checked == 36


def test_every_person_has_a_jira_account(org: DemoOrganisation) -> None:
    accounts = {user.account_id for user in org.jira.users}
    referenced = {
        issue.fields[role]["accountId"]
        for issue in org.jira.issues
        for role in ("assignee", "reporter")
        if issue.fields[role]
    }
    assert referenced <= accounts
    assert len(accounts) == len(org.jira.users) == len(org.people)
    assert len({user.name for user in org.jira.users}) == len(org.jira.users)


def test_users_are_found_by_cloud_account_id_or_data_center_name(org: DemoOrganisation) -> None:
    bot = next(user for user in org.jira.users if user.email_address == "pmo-bot@northwind.example")

    assert org.jira.user(bot.account_id) is bot
    assert org.jira.user("pmo-bot") is bot
    assert org.jira.user("nobody") is None


def test_an_unknown_option_is_refused(org: DemoOrganisation) -> None:
    with pytest.raises(ValueError, match="field 'Flywheel Stage' has no option 'Stage 11'"):
        org.jira.field_by_name("Flywheel Stage").option("Stage 11")


def test_counts_split_the_site_into_pmo_and_delivery_work(org: DemoOrganisation) -> None:
    pmo = len(org.jira.issues_in("PMO"))

    assert org.delivery_issue_count == org.jira_issue_count - pmo == 3300
    assert [issue.id for issue in org.issues_in_creation_order()] == [
        issue.id for issue in org.jira.issues
    ]
