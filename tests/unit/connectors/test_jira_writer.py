"""JiraWriter's answers to what the sandbox never says: tasks that fail or never end, 409s.

The jira library's requests are answered by ``responses``; everything above them (the site,
the retry policy, the translation) is the real code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import responses

import connectors.jira.bulk_edit as bulk_edit_module
from connectors.errors import ConnectorError, RetryableError, StaleWriteError, WriteRejectedError
from connectors.jira import BasicAuth, JiraFlavour, JiraSite, JiraWriter
from connectors.retry import RetryPolicy

BASE = "https://jira.example.test"
API = f"{BASE}/rest/api/3"
STAGE = "customfield_10010"


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def writer() -> JiraWriter:
    site = JiraSite(
        source="jira:pmo",
        url=BASE,
        auth=BasicAuth(user="bot@example.test", token="t0ken"),
        flavour=JiraFlavour.CLOUD,
        policy=RetryPolicy(sleep=lambda seconds: None, max_attempts=2),
        timeout=5,
    )
    return JiraWriter(site)


def queue(mocked: responses.RequestsMock, *progress: dict[str, Any]) -> None:
    mocked.post(f"{API}/bulk/issues/fields", json={"taskId": "10641"}, status=201)
    for answer in progress:
        mocked.get(f"{API}/bulk/queue/10641", json={"taskId": "10641", **answer})


def test_a_failed_task_reports_what_it_did_and_what_it_did_not(
    mocked: responses.RequestsMock,
) -> None:
    queue(mocked, {"status": "FAILED", "processedAccessibleIssues": [10001]})
    mocked.post(
        f"{API}/issue/bulkfetch",
        json={"issues": [{"id": "10001", "key": "PMO-1"}, {"id": "10002", "key": "PMO-2"}]},
    )

    outcome = writer().bulk_set_select(
        ["PMO-1", "PMO-2"], field_id=STAGE, option_id="10105", poll=lambda s: None
    )

    assert outcome.edited == ("PMO-1",)
    assert outcome.failed == {"PMO-2": "not edited: the bulk edit task ended FAILED"}
    sent = json.loads(mocked.calls[0].request.body or b"")
    assert sent == {
        "selectedIssueIdsOrKeys": ["PMO-1", "PMO-2"],
        "selectedActions": [STAGE],
        "editedFieldsInput": {
            "singleSelectFields": [{"fieldId": STAGE, "option": {"optionId": 10105}}]
        },
        "sendBulkNotification": False,
    }


def test_a_task_still_running_after_the_last_poll_is_retryable(
    mocked: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_edit_module, "MAX_POLLS", 3)
    queue(mocked, *[{"status": "RUNNING"}] * 3)
    waits: list[float] = []

    with pytest.raises(RetryableError, match="bulk edit task 10641 was still RUNNING"):
        writer().bulk_set_select(["PMO-1"], field_id=STAGE, option_id="10105", poll=waits.append)

    assert waits == [bulk_edit_module.POLL_SECONDS] * 2


def test_a_conflicting_update_is_stale(mocked: responses.RequestsMock) -> None:
    mocked.put(
        f"{API}/issue/PMO-1",
        json={"errorMessages": ["Conflicting update"], "errors": {}},
        status=409,
    )

    with pytest.raises(StaleWriteError):
        writer().set_fields("PMO-1", {"summary": "x"})


def test_a_bulk_create_refused_as_a_whole_raises(mocked: responses.RequestsMock) -> None:
    mocked.post(
        f"{API}/issue/bulk",
        json={"errorMessages": ["Bulk create is limited to 50 issues."], "errors": {}},
        status=400,
    )

    with pytest.raises(WriteRejectedError) as refused:
        writer().create_issues([{"fields": {"summary": "x"}}])

    assert refused.value.reasons == ("Bulk create is limited to 50 issues.",)


def test_a_bulk_create_answer_missing_an_issue_is_an_error(mocked: responses.RequestsMock) -> None:
    mocked.post(f"{API}/issue/bulk", json={"issues": [], "errors": []}, status=201)

    with pytest.raises(ConnectorError, match="lists no issue for element 0"):
        writer().create_issues([{"fields": {"summary": "x"}}])
