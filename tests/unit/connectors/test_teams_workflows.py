"""WorkflowsWebhook's status table and its secrecy, over ``httpx.MockTransport``."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import httpx
import pytest

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RetryableError,
    WriteRejectedError,
)
from connectors.retry import RetryPolicy
from connectors.teams import WorkflowsWebhook, redacted_url

CANARY = "canary-sig-Hk3p0W"
URL = f"https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={CANARY}"
MESSAGE = {"type": "message", "attachments": []}


def webhook(
    answer: Callable[[httpx.Request], httpx.Response], *, attempts: int = 1
) -> WorkflowsWebhook:
    return WorkflowsWebhook(
        source="teams:pmo",
        url=URL,
        policy=RetryPolicy(sleep=lambda seconds: None, max_attempts=attempts),
        transport=httpx.MockTransport(answer),
    )


def logic_apps_error(status: int, code: str, message: str, **headers: str) -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"code": code, "message": message}}, headers=headers
    )


@pytest.mark.parametrize("status", [200, 202])
def test_an_accepted_post_sends_the_message_as_json_to_the_signed_url(status: int) -> None:
    sent: list[httpx.Request] = []

    def accept(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(status)

    webhook(accept).post(MESSAGE)

    (request,) = sent
    assert (request.method, str(request.url)) == ("POST", URL.replace(":443", ""))
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == MESSAGE


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (logic_apps_error(400, "TriggerInputSchemaMismatch", "bad card"), WriteRejectedError),
        (logic_apps_error(413, "RequestEntityTooLarge", "too big"), WriteRejectedError),
        (httpx.Response(418), WriteRejectedError),
        (
            logic_apps_error(401, "DirectApiInvalidAuthorizationSignature", "no"),
            AuthenticationError,
        ),
        (logic_apps_error(403, "AuthorizationFailed", "no"), AuthenticationError),
        (logic_apps_error(404, "WorkflowNotFound", "gone"), ConnectorConfigError),
        (logic_apps_error(429, "WorkflowRequestsThrottled", "slow"), RetryableError),
        (httpx.Response(502, text="<html>Bad Gateway</html>"), RetryableError),
    ],
)
def test_answers_map_to_what_the_caller_should_do(
    answer: httpx.Response, expected: type[ConnectorError]
) -> None:
    with pytest.raises(ConnectorError) as raised:
        webhook(lambda request: answer).post(MESSAGE)

    assert type(raised.value) is expected
    assert CANARY not in str(raised.value)


def test_a_rejected_card_keeps_the_triggers_code_and_text() -> None:
    answer = logic_apps_error(400, "TriggerInputSchemaMismatch", "$.type: must be 'message'")

    with pytest.raises(WriteRejectedError) as refused:
        webhook(lambda request: answer).post(MESSAGE)

    assert (refused.value.code, refused.value.reasons) == (
        "TriggerInputSchemaMismatch",
        ("$.type: must be 'message'",),
    )


def test_a_throttled_post_waits_the_retry_after_then_posts() -> None:
    answers = iter([logic_apps_error(429, "Throttled", "slow", **{"Retry-After": "9"})])
    waits: list[float] = []
    hook = WorkflowsWebhook(
        source="teams:pmo",
        url=URL,
        policy=RetryPolicy(sleep=waits.append),
        transport=httpx.MockTransport(lambda request: next(answers, httpx.Response(202))),
    )

    hook.post(MESSAGE)

    assert waits == [9.0]


def test_the_signature_appears_in_no_log_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    webhook(lambda request: httpx.Response(202)).post(MESSAGE)

    assert all(CANARY not in record.getMessage() for record in caplog.records)


def test_repr_and_url_show_scheme_host_and_path_only() -> None:
    hook = webhook(lambda request: httpx.Response(202))

    assert hook.url == (
        "https://prod-12.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke"
    )
    assert CANARY not in repr(hook)


@pytest.mark.parametrize("url", [f"ftp://host/x?sig={CANARY}", f"not a url?sig={CANARY}"])
def test_a_url_that_is_not_http_is_a_configuration_error_without_the_signature(url: str) -> None:
    with pytest.raises(ConnectorConfigError) as refused:
        WorkflowsWebhook(source="teams:pmo", url=url, policy=RetryPolicy())

    assert CANARY not in str(refused.value)


def test_redacted_url_drops_user_info_and_fragment() -> None:
    assert redacted_url("https://user:pw@host.test/a/b?sig=x#frag") == "https://host.test/a/b"
