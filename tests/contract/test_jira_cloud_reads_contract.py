"""Jira Cloud reads against the REST v3 subset (jira-cloud-v3.subset.json).

Add an operation by adding a row: method, sandbox path, what to send, the expected status.
"""

from __future__ import annotations

import pytest

from tests.contract.calls import WRONG_AUTH, Call, ContractClient, cases
from tests.contract.jira_cloud_givens import (
    PAGE,
    PMO,
    V3,
    issue_with_history,
    pmo_issue,
    second_page,
)

CALLS = [
    Call(name="serverInfo", method="GET", path=f"{V3}/serverInfo"),
    Call(name="myself", method="GET", path=f"{V3}/myself"),
    Call(
        name="myself-401-wrong-token",
        method="GET",
        path=f"{V3}/myself",
        auth=WRONG_AUTH,
        status=401,
    ),
    Call(name="field", method="GET", path=f"{V3}/field"),
    Call(
        name="search-jql-get-first-page",
        method="GET",
        path=f"{V3}/search/jql",
        params={"jql": PMO, "maxResults": PAGE, "fields": "summary,status,duedate"},
    ),
    Call(
        name="search-jql-get-later-page",
        method="GET",
        path=f"{V3}/search/jql",
        params={"jql": PMO, "maxResults": PAGE, "fields": "summary", "nextPageToken": "{token}"},
        given=second_page,
    ),
    Call(
        name="search-jql-get-all-fields-changelog-names",
        method="GET",
        path=f"{V3}/search/jql",
        params={"jql": PMO, "maxResults": PAGE, "fields": "*all", "expand": "changelog,names"},
        deviations=("D2",),
    ),
    Call(
        name="search-jql-post-first-page",
        method="POST",
        path=f"{V3}/search/jql",
        json={"jql": PMO, "maxResults": 5, "fields": ["summary", "status"]},
    ),
    Call(
        name="search-jql-post-later-page",
        method="POST",
        path=f"{V3}/search/jql",
        json={"jql": PMO, "maxResults": 5, "fields": ["summary"], "nextPageToken": "{token}"},
        given=second_page,
    ),
    Call(
        name="search-jql-post-all-fields-changelog",
        method="POST",
        path=f"{V3}/search/jql",
        json={"jql": PMO, "maxResults": 5, "fields": ["*all"], "expand": "changelog,names"},
        deviations=("D2",),
    ),
    Call(
        name="search-jql-get-400-unbounded-jql",
        method="GET",
        path=f"{V3}/search/jql",
        params={"jql": "order by key"},
        status=400,
    ),
    Call(
        name="search-jql-post-400-unknown-project",
        method="POST",
        path=f"{V3}/search/jql",
        json={"jql": "project = NOPE"},
        status=400,
    ),
    Call(
        name="search-jql-get-401-wrong-token",
        method="GET",
        path=f"{V3}/search/jql",
        params={"jql": PMO},
        auth=WRONG_AUTH,
        status=401,
    ),
    Call(
        name="legacy-search-get-410-removed",
        method="GET",
        path=f"{V3}/search",
        params={"jql": PMO},
        status=410,
        deviations=("D1",),
    ),
    Call(
        name="legacy-search-post-410-removed",
        method="POST",
        path=f"{V3}/search",
        json={"jql": PMO},
        status=410,
        deviations=("D1",),
    ),
    Call(name="issue", method="GET", path=f"{V3}/issue/{{issue}}", given=pmo_issue),
    Call(
        name="issue-expanded-changelog-names",
        method="GET",
        path=f"{V3}/issue/{{issue}}",
        params={"expand": "changelog,names"},
        given=issue_with_history,
        deviations=("D2", "D3"),
    ),
    Call(
        name="issue-selected-fields",
        method="GET",
        path=f"{V3}/issue/{{issue}}",
        params={"fields": "summary,status,description"},
        given=pmo_issue,
    ),
    Call(name="issue-404-unknown", method="GET", path=f"{V3}/issue/PMO-99999", status=404),
    Call(
        name="issue-401-wrong-token",
        method="GET",
        path=f"{V3}/issue/PMO-1",
        auth=WRONG_AUTH,
        status=401,
    ),
    Call(
        name="changelog",
        method="GET",
        path=f"{V3}/issue/{{issue}}/changelog",
        given=issue_with_history,
        deviations=("D2", "D3"),
    ),
    Call(
        name="changelog-later-page",
        method="GET",
        path=f"{V3}/issue/{{issue}}/changelog",
        params={"startAt": "1", "maxResults": "1"},
        given=issue_with_history,
        deviations=("D2",),
    ),
    Call(
        name="changelog-404-unknown-issue",
        method="GET",
        path=f"{V3}/issue/PMO-99999/changelog",
        status=404,
    ),
]


@pytest.mark.parametrize("call", cases(CALLS))
def test_exchange_conforms_to_jira_cloud_v3(call: Call, jira_cloud: ContractClient) -> None:
    verdict = jira_cloud.perform(call)

    assert (verdict.status, verdict.violations, verdict.excused) == (
        call.status,
        (),
        call.deviations,
    )
