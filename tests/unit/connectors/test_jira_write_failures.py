"""A failed Jira write becomes the connector error that says what to do with that write."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from jira.exceptions import JIRAError

from connectors.errors import (
    AuthenticationError,
    ConnectorError,
    RetryableError,
    StaleWriteError,
    WriteRejectedError,
)
from connectors.jira.failures import Subject, translate_write, write_rejection

ISSUE = Subject(source="jira:pmo", record="PMO-12")
TOKEN = "secret-token-123"


def jira_error(status: int, body: Any, *, retry_after: str | None = None) -> JIRAError:
    """What the jira library raises for an HTTP error, the request's headers included."""
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    if retry_after is not None:
        response.headers["Retry-After"] = retry_after
    url = "https://jira.example.test/rest/api/3/issue/PMO-12"
    sent = requests.Request("PUT", url, headers={"Authorization": f"Bearer {TOKEN}"}).prepare()
    return JIRAError(
        "refused",
        status_code=status,
        url=url,
        request=sent,  # type: ignore[arg-type]  # the library passes what it sent
        response=response,
    )


def refusal(*messages: str, **errors: str) -> dict[str, Any]:
    return {"errorMessages": list(messages), "errors": errors}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, WriteRejectedError),
        (403, WriteRejectedError),
        (404, WriteRejectedError),
        (410, WriteRejectedError),
        (413, WriteRejectedError),
        (422, WriteRejectedError),
        (409, StaleWriteError),
        (401, AuthenticationError),
        (429, RetryableError),
        (500, RetryableError),
        (503, RetryableError),
    ],
)
def test_write_statuses_map_to_what_the_caller_should_do(
    status: int, expected: type[ConnectorError]
) -> None:
    error = translate_write(jira_error(status, refusal("nope")), ISSUE)

    assert type(error) is expected
    assert error is not None
    assert error.record == "PMO-12"


def test_a_refused_value_names_the_field_as_code_and_in_the_reasons() -> None:
    body = refusal(customfield_10010="Option value 'Nirvana' is not valid")

    error = translate_write(jira_error(400, body), ISSUE)

    assert isinstance(error, WriteRejectedError)
    assert error.status == 400
    assert error.code == "customfield_10010"
    assert error.reasons == ("customfield_10010: Option value 'Nirvana' is not valid",)
    assert str(error) == (
        "jira:pmo PMO-12: Jira refused the write (HTTP 400): "
        "customfield_10010: Option value 'Nirvana' is not valid"
    )


def test_messages_and_field_errors_are_both_kept() -> None:
    body = refusal("Field 'priority' is required", summary="You must specify a summary.")

    error = translate_write(jira_error(400, body), ISSUE)

    assert isinstance(error, WriteRejectedError)
    assert error.reasons == (
        "Field 'priority' is required",
        "summary: You must specify a summary.",
    )


def test_the_bulk_endpoints_error_list_is_read_too() -> None:
    body = {"errors": [{"message": "The field 'project' cannot be bulk edited."}]}

    error = translate_write(jira_error(400, body), ISSUE)

    assert isinstance(error, WriteRejectedError)
    assert error.reasons == ("The field 'project' cannot be bulk edited.",)
    assert error.code == ""


def test_a_bulk_create_elements_errors_become_its_rejection() -> None:
    element = {"errorMessages": [], "errors": {"issuetype": "The issue type is invalid."}}

    error = write_rejection(400, element, Subject(source="jira:pmo"))

    assert error.code == "issuetype"
    assert error.reasons == ("issuetype: The issue type is invalid.",)


def test_a_conflict_says_to_read_the_issue_again() -> None:
    error = translate_write(jira_error(409, refusal("Conflicting update")), ISSUE)

    assert isinstance(error, StaleWriteError)
    assert error.status == 409
    assert "read it again" in str(error)


def test_a_429_carries_retry_after() -> None:
    error = translate_write(jira_error(429, refusal("Rate limit"), retry_after="7"), ISSUE)

    assert isinstance(error, RetryableError)
    assert error.retry_after == 7


def test_a_body_that_is_not_json_is_a_rejection_without_reasons() -> None:
    response = requests.Response()
    response.status_code = 413
    response._content = b"<html>Request Entity Too Large</html>"
    raised = JIRAError("too large", status_code=413, response=response)

    error = translate_write(raised, ISSUE)

    assert isinstance(error, WriteRejectedError)
    assert error.reasons == ()


@pytest.mark.parametrize("status", [400, 401, 409, 429, 500])
def test_the_authorization_header_never_reaches_a_message(status: int) -> None:
    error = translate_write(jira_error(status, refusal("nope")), ISSUE)

    assert TOKEN not in str(error)


@pytest.mark.parametrize(
    "raised",
    [
        requests.exceptions.ConnectionError("reset"),
        requests.exceptions.ReadTimeout("slow"),
        requests.exceptions.JSONDecodeError("cut short", "{", 1),
    ],
)
def test_network_trouble_during_a_write_is_retryable(raised: Exception) -> None:
    assert isinstance(translate_write(raised, ISSUE), RetryableError)


def test_an_unrelated_exception_is_not_translated() -> None:
    assert translate_write(KeyError("bug"), ISSUE) is None
