"""Confluence's status table, and the answers the sandbox does not give on demand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses

from connectors.confluence import ConfluenceFlavour, ConfluenceSite
from connectors.confluence.failures import http_failure, network_failure
from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RetryableError,
    StaleWriteError,
    WriteRejectedError,
)
from connectors.jira import BasicAuth
from connectors.retry import RetryPolicy

BASE = "https://confluence.example.test"
V1_CONFLICT = {
    "statusCode": 409,
    "data": {"authorized": False, "valid": True, "errors": [], "successful": False},
    "message": "Version must be incremented on update. Current version is: 5",
}
V2_INVALID = {
    "errors": [
        {"status": 400, "code": "INVALID_REQUEST_PARAMETER", "title": "Bad title", "detail": None}
    ]
}


def failure(status: int, body: Any = None, retry_after: str | None = None) -> ConnectorError:
    return http_failure(
        status, body, what="PUT x", source="confluence:pmo", record="7", retry_after=retry_after
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, WriteRejectedError),
        (404, WriteRejectedError),
        (413, WriteRejectedError),
        (422, WriteRejectedError),
        (401, AuthenticationError),
        (403, AuthenticationError),
        (409, StaleWriteError),
        (429, RetryableError),
        (500, RetryableError),
        (503, RetryableError),
    ],
)
def test_statuses_map_to_what_the_caller_should_do(
    status: int, expected: type[ConnectorError]
) -> None:
    assert type(failure(status)) is expected


def test_a_v1_error_message_is_a_reason() -> None:
    error = failure(409, V1_CONFLICT)

    assert "Current version is: 5" in str(error)
    assert error.record == "7"


def test_a_v2_error_keeps_its_code_and_title() -> None:
    error = failure(400, V2_INVALID)

    assert isinstance(error, WriteRejectedError)
    assert (error.code, error.reasons) == ("INVALID_REQUEST_PARAMETER", ("Bad title",))


def test_a_v1_message_object_gives_its_translation() -> None:
    body = {"data": {"errors": [{"message": {"key": "k", "translation": "Title is required"}}]}}

    error = failure(400, body)

    assert isinstance(error, WriteRejectedError)
    assert error.reasons == ("Title is required",)


def test_a_429_carries_its_retry_after() -> None:
    error = failure(429, {"message": "Rate limited"}, retry_after="12")

    assert isinstance(error, RetryableError)
    assert error.retry_after == 12


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (requests.exceptions.ConnectionError("reset"), RetryableError),
        (requests.exceptions.ReadTimeout("slow"), RetryableError),
        (requests.exceptions.SSLError("bad certificate"), ConnectorConfigError),
        (requests.exceptions.InvalidURL("no"), ConnectorConfigError),
        (ValueError("cut short"), RetryableError),
    ],
)
def test_network_trouble_is_mapped(raised: Exception, expected: type[ConnectorError]) -> None:
    error = network_failure(raised, what="GET x", source="confluence:pmo", record=None)

    assert type(error) is expected


def test_an_unrelated_exception_is_not_mapped() -> None:
    assert network_failure(KeyError("bug"), what="GET x", source="s", record=None) is None


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def datacenter(attempts: int = 2) -> ConfluenceSite:
    return ConfluenceSite(
        source="confluence:pmo",
        url=BASE,
        auth=BasicAuth(user="bot", token="t0ken"),
        flavour="datacenter",
        policy=RetryPolicy(sleep=lambda seconds: None, max_attempts=attempts),
        timeout=5,
    )


def test_an_answer_cut_short_is_asked_for_again(mocked: responses.RequestsMock) -> None:
    url = f"{BASE}/rest/api/content/7"
    mocked.get(url, body='{"id": "7", "tit')
    page = {"id": "7", "title": "T", "version": {"number": 3}, "body": {}, "_links": {}}
    mocked.get(url, json=page)

    found = datacenter().page("7")

    assert found is not None
    assert (found.id, found.version, found.url) == ("7", 3, None)


def test_a_server_error_that_persists_is_retryable(mocked: responses.RequestsMock) -> None:
    mocked.put(f"{BASE}/rest/api/content/7", json={"message": "down"}, status=503)

    with pytest.raises(RetryableError):
        datacenter(attempts=2).update_page(
            page_id="7", title="T", body="", current_version=1, message=""
        )

    assert len(mocked.calls) == 2


def test_the_library_retries_nothing_itself(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/rest/api/content/7", status=429, headers={"Retry-After": "1"})

    with pytest.raises(RetryableError):
        datacenter(attempts=1).page("7")

    assert len(mocked.calls) == 1


def test_a_cloud_url_ending_in_wiki_is_not_doubled() -> None:
    site = ConfluenceSite(
        source="confluence:pmo",
        url="https://x.atlassian.net/wiki/",
        auth=BasicAuth(user="bot", token="t0ken"),
        flavour=ConfluenceFlavour.CLOUD,
        policy=RetryPolicy(),
    )

    assert site.base_url == "https://x.atlassian.net/wiki"
    assert "t0ken" not in repr(site)


def test_an_error_page_that_is_not_json_still_maps_by_status(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(f"{BASE}/rest/api/content/7", body="<html>Unauthorized</html>", status=401)

    with pytest.raises(AuthenticationError):
        datacenter().page("7")
