"""Every failure of a Jira call becomes the connector error that says what to do."""

from __future__ import annotations

import json

import pytest
import requests
from jira.exceptions import JIRAError

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RecordError,
    RetryableError,
)
from connectors.jira.failures import Subject, translate

SCOPE = Subject(source="jira:pmo", scope="project = PMO")
ISSUE = Subject(source="jira:pmo", record="PMO-12")
TOKEN = "secret-token-123"


def jira_error(status: int, *messages: str, retry_after: str | None = None) -> JIRAError:
    """What the jira library raises for an HTTP error, request headers and all."""
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps({"errorMessages": list(messages), "errors": {}}).encode()
    if retry_after is not None:
        response.headers["Retry-After"] = retry_after
    url = "https://jira.example.test/rest/api/3/search/jql"
    sent = requests.Request("GET", url, headers={"Authorization": f"Bearer {TOKEN}"}).prepare()
    return JIRAError(
        ", ".join(messages),
        status_code=status,
        url=url,
        request=sent,  # type: ignore[arg-type]  # the library passes what it sent
        response=response,
    )


@pytest.mark.parametrize(
    ("status", "subject", "expected"),
    [
        (400, SCOPE, ConnectorConfigError),
        (404, SCOPE, ConnectorConfigError),
        (410, SCOPE, ConnectorConfigError),
        (422, SCOPE, ConnectorConfigError),
        (400, ISSUE, RecordError),
        (404, ISSUE, RecordError),
        (401, SCOPE, AuthenticationError),
        (403, ISSUE, AuthenticationError),
        (429, SCOPE, RetryableError),
        (500, SCOPE, RetryableError),
        (502, ISSUE, RetryableError),
        (503, SCOPE, RetryableError),
        (504, SCOPE, RetryableError),
    ],
)
def test_http_statuses_map_to_what_the_caller_should_do(
    status: int, subject: Subject, expected: type[ConnectorError]
) -> None:
    error = translate(jira_error(status, "nope"), subject)

    assert type(error) is expected


def test_a_refused_query_names_the_scope_and_jiras_message() -> None:
    message = "The value 'NOPE' does not exist for the field 'project'."

    error = translate(jira_error(400, message), SCOPE)

    assert str(error) == (
        f"jira:pmo: scope 'project = PMO': Jira refused the query (HTTP 400): {message}"
    )


def test_a_refused_issue_names_the_issue() -> None:
    error = translate(jira_error(404, "Issue does not exist"), ISSUE)

    assert isinstance(error, RecordError)
    assert (error.record, str(error)) == (
        "PMO-12",
        "jira:pmo PMO-12: Jira refused to read the issue (HTTP 404): Issue does not exist",
    )


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("7", 7.0), ("0", 1.0), (None, None), ("Mon, 23 Nov 2020 12:00:30 GMT", 1.0)],
)
def test_retry_after_is_carried_and_never_below_a_second(
    header: str | None, seconds: float | None
) -> None:
    error = translate(jira_error(429, "Rate limit exceeded.", retry_after=header), SCOPE)

    assert isinstance(error, RetryableError)
    assert (error.retry_after, error.status) == (seconds, 429)


def test_no_message_carries_the_credentials() -> None:
    original = jira_error(401, "Unauthorized")
    assert TOKEN in str(original)  # the library's own text would leak it

    error = translate(original, SCOPE)

    assert error is not None
    assert TOKEN not in str(error)


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (requests.exceptions.ConnectionError("refused"), RetryableError),
        (requests.exceptions.ReadTimeout("slow"), RetryableError),
        (requests.exceptions.ConnectTimeout("slow"), RetryableError),
        (requests.exceptions.ChunkedEncodingError("cut"), RetryableError),
        (requests.exceptions.JSONDecodeError("Expecting value", "{", 1), RetryableError),
        (ValueError("Expecting value"), RetryableError),
        (JIRAError("Empty Response!"), RetryableError),
        (requests.exceptions.SSLError("bad certificate"), ConnectorConfigError),
        (requests.exceptions.InvalidURL("no host"), ConnectorConfigError),
        (requests.exceptions.MissingSchema("no scheme"), ConnectorConfigError),
    ],
)
def test_network_trouble_is_retried_and_a_bad_url_is_configuration(
    raised: Exception, expected: type[ConnectorError]
) -> None:
    assert type(translate(raised, SCOPE)) is expected


def test_anything_else_is_not_a_call_failure() -> None:
    assert translate(KeyError("issues"), SCOPE) is None
