"""The Jira sandbox's ``subtasks`` field and Cloud's ``POST /issue/bulkfetch``, over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from flywheel_sync.sandbox.server import SandboxServer
from tests.integration.jira_clients import AUTH, jira_client


def rest(server: SandboxServer, method: str, path: str, **options: Any) -> httpx.Response:
    return httpx.request(method, f"{server.url}/jira/rest/api/3/{path}", auth=AUTH, **options)


def test_an_issue_lists_its_sub_tasks_with_their_summary_and_status(cloud: SandboxServer) -> None:
    seeded = [
        i
        for i in cloud.state.organisation.jira.issues
        if (i.fields.get("parent") or {}).get("key") == "PMO-8"
    ]

    issue = jira_client(cloud).issue("PMO-8", fields="subtasks").raw

    listed = issue["fields"]["subtasks"]
    assert [s["key"] for s in listed] == [i.key for i in seeded if i.fields["issuetype"]["subtask"]]
    assert set(listed[0]["fields"]) == {"summary", "status", "priority", "issuetype"}
    assert listed[0]["self"].endswith(f"/rest/api/3/issue/{listed[0]['id']}")


def test_a_new_sub_task_is_listed_by_its_parent_at_once(sandbox: SandboxServer) -> None:
    created = rest(
        sandbox,
        "POST",
        "issue",
        json={
            "fields": {
                "project": {"key": "PMO"},
                "issuetype": {"id": "10003"},
                "parent": {"key": "PMO-12"},
                "summary": "Baseline recorded",
            }
        },
    ).json()

    listed = rest(sandbox, "GET", "issue/PMO-12", params={"fields": "subtasks"}).json()

    assert listed["fields"]["subtasks"][-1]["key"] == created["key"]


def test_subtasks_is_a_navigable_field_and_not_sent_when_not_asked(cloud: SandboxServer) -> None:
    navigable = rest(cloud, "GET", "issue/PMO-8", params={"fields": "*navigable"}).json()
    narrow = rest(cloud, "GET", "issue/PMO-8", params={"fields": "summary"}).json()

    assert navigable["fields"]["subtasks"]
    assert "subtasks" not in narrow["fields"]


def test_bulkfetch_returns_known_issues_by_ascending_id_and_leaves_out_unknown_ones(
    cloud: SandboxServer,
) -> None:
    answer = rest(
        cloud,
        "POST",
        "issue/bulkfetch",
        json={"issueIdsOrKeys": ["PMO-12", "PMO-404", "pmo-7"], "fields": ["summary"]},
    )

    body = answer.json()
    assert answer.status_code == 200
    assert [issue["key"] for issue in body["issues"]] == ["PMO-7", "PMO-12"]
    assert set(body["issues"][0]["fields"]) == {"summary"}
    assert body["issueErrors"] == []


def test_bulkfetch_takes_at_most_a_hundred_issues(cloud: SandboxServer) -> None:
    answer = rest(
        cloud, "POST", "issue/bulkfetch", json={"issueIdsOrKeys": [f"PMO-{n}" for n in range(101)]}
    )

    assert answer.status_code == 400
    assert answer.json()["errorMessages"] == ["You can request at most 100 issues at a time."]


@pytest.mark.parametrize("body", [{}, {"issueIdsOrKeys": "PMO-7"}, {"issueIdsOrKeys": [7]}])
def test_bulkfetch_needs_a_list_of_ids_or_keys(cloud: SandboxServer, body: object) -> None:
    assert rest(cloud, "POST", "issue/bulkfetch", json=body).status_code == 400


def test_data_center_has_no_bulkfetch(datacenter: SandboxServer) -> None:
    answer = httpx.post(
        f"{datacenter.url}/jira/rest/api/2/issue/bulkfetch",
        json={"issueIdsOrKeys": ["PMO-7"]},
        auth=AUTH,
    )

    assert answer.status_code in (404, 405)
