"""The Jira emulator's reads, through the real jira library and over raw HTTP."""

from __future__ import annotations

import pytest
import requests
from jira import JIRA

from flywheel_sync.sandbox.server import SandboxServer
from tests.integration.jira_clients import AUTH, TOKEN, jira_client


def search(sandbox: SandboxServer, **params: str | int) -> requests.Response:
    return requests.get(
        f"{sandbox.url}/jira/rest/api/3/search/jql", params=params, auth=AUTH, timeout=10
    )


def test_enhanced_search_pages_through_every_match(cloud: SandboxServer) -> None:
    jql = "project = GRID ORDER BY key"
    everything = jira_client(cloud).enhanced_search_issues(jql, maxResults=0, fields=["summary"])
    first = search(cloud, jql=jql, maxResults=40, fields="summary").json()
    keys, token, pages = [i["key"] for i in first["issues"]], first.get("nextPageToken"), 1
    while token:
        page = search(cloud, jql=jql, maxResults=40, fields="summary", nextPageToken=token).json()
        keys += [i["key"] for i in page["issues"]]
        token, pages = page.get("nextPageToken"), pages + 1

    assert len(everything) == len(keys) > 100
    assert keys == [issue.key for issue in everything]
    assert len(set(keys)) == len(keys)
    assert pages == -(-len(keys) // 40)
    assert page["isLast"] is True
    assert "nextPageToken" not in page


def test_search_returns_only_ids_unless_fields_are_asked_for(cloud: SandboxServer) -> None:
    issue = search(cloud, jql="project = PMO", maxResults=1).json()["issues"][0]

    assert sorted(issue) == ["expand", "id", "key", "self"]


def test_custom_fields_are_found_by_name_and_come_back_as_options(cloud: SandboxServer) -> None:
    epics = jira_client(cloud).enhanced_search_issues(
        'project = PMO AND issuetype = Epic AND "Flywheel Stage" IS NOT EMPTY',
        maxResults=0,
        fields=["Flywheel Stage"],
    )
    stage_field = next(f for f in jira_client(cloud).fields() if f["name"] == "Flywheel Stage")

    assert len(epics) >= 10
    values = {getattr(epic.fields, stage_field["id"]).value for epic in epics}
    assert len(values) == 10
    assert stage_field["clauseNames"][1] == "Flywheel Stage"


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        (
            "order by key",
            "Unbounded JQL queries are not allowed here. Please add a search "
            "restriction to your query.",
        ),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        (
            '"Flywheel Stagee" = x',
            "Field 'Flywheel Stagee' does not exist or you do not have permission to view it.",
        ),
    ],
)
def test_bad_jql_is_a_400_with_jiras_message(cloud: SandboxServer, jql: str, message: str) -> None:
    response = search(cloud, jql=jql)

    assert response.status_code == 400
    assert response.json() == {"errorMessages": [message], "errors": {}}


def test_a_forged_page_token_is_refused(cloud: SandboxServer) -> None:
    response = search(cloud, jql="project = PMO", nextPageToken="not-a-token")

    assert response.status_code == 400


def test_legacy_search_is_gone_on_cloud(cloud: SandboxServer) -> None:
    response = requests.get(
        f"{cloud.url}/jira/rest/api/3/search",
        params={"jql": "project = PMO"},
        auth=AUTH,
        timeout=10,
    )

    assert response.status_code == 410
    assert "/rest/api/3/search/jql" in response.json()["errorMessages"][0]


def test_data_center_search_pages_with_start_at_and_total(datacenter: SandboxServer) -> None:
    jira = JIRA(server=f"{datacenter.url}/jira", token_auth=TOKEN, max_retries=0)

    every = jira.search_issues("project = REG", maxResults=False, fields="summary,duedate")
    first = jira.search_issues("project = REG", startAt=0, maxResults=10)

    assert first.total == len(every) > 10
    assert len(first) == 10
    assert len({issue.key for issue in every}) == len(every)


def test_embedded_changelog_is_capped_and_the_endpoint_has_it_all(cloud: SandboxServer) -> None:
    busiest = max(
        search(cloud, jql="project = CSV", maxResults=100, expand="changelog").json()["issues"],
        key=lambda issue: issue["changelog"]["total"],
    )
    full = requests.get(
        f"{cloud.url}/jira/rest/api/3/issue/{busiest['key']}/changelog",
        params={"maxResults": 100},
        auth=AUTH,
        timeout=10,
    ).json()

    embedded = busiest["changelog"]
    assert len(embedded["histories"]) == min(20, embedded["total"])
    assert full["total"] == embedded["total"] == len(full["values"])
    assert full["values"][::-1][: len(embedded["histories"])] == embedded["histories"]


def test_get_issue_renders_descriptions_per_api_version(cloud: SandboxServer) -> None:
    key = search(cloud, jql="project = PMO AND issuetype = Epic", maxResults=1).json()["issues"][0][
        "key"
    ]

    v3 = requests.get(f"{cloud.url}/jira/rest/api/3/issue/{key}", auth=AUTH, timeout=10).json()
    v2 = requests.get(f"{cloud.url}/jira/rest/api/2/issue/{key}", auth=AUTH, timeout=10).json()

    assert v3["fields"]["description"]["type"] == "doc"
    assert isinstance(v2["fields"]["description"], str)


def test_unknown_issue_is_a_jira_404(cloud: SandboxServer) -> None:
    response = requests.get(f"{cloud.url}/jira/rest/api/3/issue/PMO-99999", auth=AUTH, timeout=10)

    assert response.status_code == 404
    assert response.json() == {
        "errorMessages": ["Issue does not exist or you do not have permission to see it."],
        "errors": {},
    }


def test_stats_count_searches_under_the_route_pattern(cloud: SandboxServer) -> None:
    requests.post(f"{cloud.url}/_sandbox/reset", timeout=30)

    requests.get(f"{cloud.url}/jira/rest/api/3/issue/PMO-1", auth=AUTH, timeout=10)
    search(cloud, jql="project = PMO")

    counted = requests.get(f"{cloud.url}/_sandbox/stats", timeout=5).json()["requests"]
    assert counted == {
        "GET /jira/rest/api/3/issue/{issue}": 1,
        "GET /jira/rest/api/3/search/jql": 1,
    }
