"""Jira Cloud writes and write metadata against the REST v3 subset.

Add an operation by adding a row: method, sandbox path, what to send, the expected status.
"""

from __future__ import annotations

import pytest

from tests.contract.calls import Call, ContractClient, cases
from tests.contract.jira_cloud_givens import (
    ADF,
    MARKER,
    V3,
    bulk_labels,
    bulk_task,
    create_body,
    issue_with_comment,
    issue_with_property,
    new_issue,
    pmo_issue,
    task_type,
)

CALLS = [
    Call(name="projects", method="GET", path=f"{V3}/project"),
    Call(name="project", method="GET", path=f"{V3}/project/PMO"),
    Call(name="project-404-unknown", method="GET", path=f"{V3}/project/NOPE", status=404),
    Call(name="issuetypes", method="GET", path=f"{V3}/issuetype"),
    Call(
        name="issuetype",
        method="GET",
        path=f"{V3}/issuetype/{{type}}",
        given=task_type,
    ),
    Call(
        name="createmeta-issuetypes",
        method="GET",
        path=f"{V3}/issue/createmeta/PMO/issuetypes",
    ),
    Call(
        name="createmeta-fields",
        method="GET",
        path=f"{V3}/issue/createmeta/PMO/issuetypes/{{type}}",
        given=task_type,
    ),
    Call(
        name="editmeta",
        method="GET",
        path=f"{V3}/issue/{{issue}}/editmeta",
        given=pmo_issue,
    ),
    Call(
        name="editmeta-404-unknown-issue",
        method="GET",
        path=f"{V3}/issue/PMO-99999/editmeta",
        status=404,
    ),
    Call(
        name="issue-create",
        method="POST",
        path=f"{V3}/issue",
        json=create_body("Contract issue"),
        given=task_type,
        status=201,
    ),
    Call(
        name="issue-create-400-no-summary",
        method="POST",
        path=f"{V3}/issue",
        json={"fields": {"project": {"key": "PMO"}, "issuetype": {"id": "{type}"}}},
        given=task_type,
        status=400,
    ),
    Call(
        name="issue-bulk-create-partly-refused",
        method="POST",
        path=f"{V3}/issue/bulk",
        json={"issueUpdates": [create_body("Bulk one"), create_body("Bulk two", issuetype="1")]},
        given=task_type,
        status=201,
    ),
    Call(
        name="issue-bulk-create-400-all-refused",
        method="POST",
        path=f"{V3}/issue/bulk",
        json={"issueUpdates": [create_body("Bulk refused", issuetype="1")]},
        status=400,
    ),
    Call(
        name="issue-edit",
        method="PUT",
        path=f"{V3}/issue/{{issue}}",
        json={"fields": {"summary": "Edited"}, "update": {"labels": [{"add": "synced"}]}},
        given=new_issue,
        status=204,
        deviations=("D4",),
    ),
    Call(
        name="issue-edit-returning-the-issue",
        method="PUT",
        path=f"{V3}/issue/{{issue}}",
        params={"returnIssue": "true"},
        json={"fields": {"summary": "Edited and returned"}},
        given=new_issue,
    ),
    Call(
        name="issue-edit-400-unknown-field",
        method="PUT",
        path=f"{V3}/issue/{{issue}}",
        json={"fields": {"customfield_99999": "x"}},
        given=new_issue,
        status=400,
    ),
    Call(
        name="issue-edit-404-unknown-issue",
        method="PUT",
        path=f"{V3}/issue/PMO-99999",
        json={"fields": {"summary": "x"}},
        status=404,
    ),
    Call(
        name="comments",
        method="GET",
        path=f"{V3}/issue/{{issue}}/comment",
        given=issue_with_comment,
        deviations=("D2",),
    ),
    Call(
        name="comment-add",
        method="POST",
        path=f"{V3}/issue/{{issue}}/comment",
        json={"body": ADF},
        given=new_issue,
        status=201,
        deviations=("D2",),
    ),
    Call(
        name="comment-add-400-not-a-document",
        method="POST",
        path=f"{V3}/issue/{{issue}}/comment",
        json={"body": "plain text is v2's format"},
        given=new_issue,
        status=400,
    ),
    Call(
        name="comment",
        method="GET",
        path=f"{V3}/issue/{{issue}}/comment/{{comment}}",
        given=issue_with_comment,
        deviations=("D2",),
    ),
    Call(
        name="comment-404-unknown",
        method="GET",
        path=f"{V3}/issue/{{issue}}/comment/999999",
        given=new_issue,
        status=404,
    ),
    Call(
        name="properties",
        method="GET",
        path=f"{V3}/issue/{{issue}}/properties",
        given=issue_with_property,
    ),
    Call(
        name="property-create",
        method="PUT",
        path=f"{V3}/issue/{{issue}}/properties/{MARKER}",
        json={"rev": 1},
        given=new_issue,
        status=201,
        deviations=("D4",),
    ),
    Call(
        name="property-replace",
        method="PUT",
        path=f"{V3}/issue/{{issue}}/properties/{{key}}",
        json={"rev": 2},
        given=issue_with_property,
        deviations=("D4",),
    ),
    Call(
        name="property",
        method="GET",
        path=f"{V3}/issue/{{issue}}/properties/{{key}}",
        given=issue_with_property,
    ),
    Call(
        name="property-404-unknown-key",
        method="GET",
        path=f"{V3}/issue/{{issue}}/properties/no.such.key",
        given=new_issue,
        status=404,
    ),
    Call(
        name="property-delete",
        method="DELETE",
        path=f"{V3}/issue/{{issue}}/properties/{{key}}",
        given=issue_with_property,
        status=204,
    ),
    Call(
        name="bulk-edit-submit",
        method="POST",
        path=f"{V3}/bulk/issues/fields",
        json=bulk_labels("{issue}"),
        given=new_issue,
        status=201,
    ),
    Call(
        name="bulk-edit-400-action-not-selected",
        method="POST",
        path=f"{V3}/bulk/issues/fields",
        json=bulk_labels("{issue}", actions=()),
        given=new_issue,
        status=400,
    ),
    Call(
        name="bulk-edit-progress",
        method="GET",
        path=f"{V3}/bulk/queue/{{task}}",
        given=bulk_task,
    ),
]


@pytest.mark.parametrize("call", cases(CALLS))
def test_write_exchange_conforms_to_jira_cloud_v3(call: Call, jira_cloud: ContractClient) -> None:
    verdict = jira_cloud.perform(call)

    assert (verdict.status, verdict.violations, verdict.excused) == (
        call.status,
        (),
        call.deviations,
    )
