"""GraphSession: one request through msgraph's real adapter, its failures mapped by status.

The session sends through ``httpx.MockTransport``, so kiota's whole middleware pipeline and
error parsing run as they do against Graph.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RecordError,
    RetryableError,
)
from connectors.graph.failures import ExpiredLinkError
from connectors.graph.session import GraphSession

BASE = "https://graph.test/v1.0"
SOURCE = "planner:northwind"
TOKEN = "sandbox-token"
Handler = Callable[[httpx.Request], httpx.Response]


def graph_error(status: int, code: str = "", message: str = "", **headers: str) -> httpx.Response:
    body = {
        "error": {"code": code, "message": message, "innerError": {"date": "2026-11-23T09:00:00"}}
    }
    return httpx.Response(status, json=body, headers=headers)


class Recorder:
    """A transport handler that answers from a function and keeps every request."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)


@pytest.fixture
def open_session() -> Iterator[Callable[..., GraphSession]]:
    opened: list[GraphSession] = []

    def make(handler: Handler, **options: Any) -> GraphSession:
        settings: dict[str, Any] = {"base_url": BASE, "token": TOKEN} | options
        session = GraphSession(transport=httpx.MockTransport(handler), **settings)
        opened.append(session)
        return session

    yield make
    for session in opened:
        session.close()


def test_get_json_answers_the_json_object(open_session: Callable[..., GraphSession]) -> None:
    session = open_session(lambda r: httpx.Response(200, json={"value": [{"id": "p1"}]}))

    assert session.get_json("/groups/g1/planner/plans", source=SOURCE) == {"value": [{"id": "p1"}]}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, ConnectorConfigError),
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, ConnectorConfigError),
        (408, RetryableError),
        (409, ConnectorConfigError),
        (410, ExpiredLinkError),
        (429, RetryableError),
        (500, RetryableError),
        (502, RetryableError),
        (503, RetryableError),
        (504, RetryableError),
    ],
)
def test_a_failed_answer_raises_the_error_its_status_calls_for(
    open_session: Callable[..., GraphSession], status: int, expected: type[ConnectorError]
) -> None:
    session = open_session(lambda r: graph_error(status, "Code", "What Graph said."))

    with pytest.raises(ConnectorError) as raised:
        session.get_json("/planner/plans/p1/tasks", source=SOURCE, record="plan p1")

    assert type(raised.value) is expected


def test_the_message_names_source_record_request_and_what_graph_said(
    open_session: Callable[..., GraphSession],
) -> None:
    session = open_session(lambda r: graph_error(403, "Forbidden", "Missing Tasks.Read.All."))

    with pytest.raises(AuthenticationError) as raised:
        session.get_json("/planner/plans/p1/tasks", source=SOURCE, record="plan p1")

    assert str(raised.value) == (
        f"{SOURCE} plan p1: GET {BASE}/planner/plans/p1/tasks answered 403 (Forbidden): "
        "Missing Tasks.Read.All."
    )


def test_a_404_raises_the_class_the_caller_gives_for_missing_things(
    open_session: Callable[..., GraphSession],
) -> None:
    session = open_session(lambda r: graph_error(404, "", "The requested item is not found."))

    with pytest.raises(RecordError):
        session.get_json("/planner/tasks/t1/details", source=SOURCE, missing=RecordError)


@pytest.mark.parametrize(
    ("header", "seconds"), [("7", 7.0), ("Thu, 01 Jan 2099 00:00:00 GMT", None), (None, None)]
)
def test_retry_after_travels_with_the_retryable_error(
    open_session: Callable[..., GraphSession], header: str | None, seconds: float | None
) -> None:
    headers = {"Retry-After": header} if header else {}
    session = open_session(lambda r: graph_error(429, "TooManyRequests", "Slow down.", **headers))

    with pytest.raises(RetryableError) as raised:
        session.get_json("/planner/plans/p1/tasks", source=SOURCE)

    assert raised.value.status == 429
    if seconds is None and header:
        assert raised.value.retry_after is not None
        assert raised.value.retry_after > 3600  # an HTTP date far ahead
    else:
        assert raised.value.retry_after == seconds


def test_an_error_body_that_is_not_json_still_maps_by_status(
    open_session: Callable[..., GraphSession],
) -> None:
    session = open_session(lambda r: httpx.Response(502, text="<html>Bad gateway</html>"))

    with pytest.raises(RetryableError) as raised:
        session.get_json("/planner/plans/p1/tasks", source=SOURCE)

    assert raised.value.status == 502


def _raising(error: Exception) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    return handler


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("no answer"),
        httpx.RemoteProtocolError("peer closed connection without sending complete body"),
    ],
)
def test_connection_failures_are_retryable(
    open_session: Callable[..., GraphSession], error: Exception
) -> None:
    session = open_session(_raising(error))

    with pytest.raises(RetryableError, match=type(error).__name__):
        session.get_json("/planner/plans/p1/tasks", source=SOURCE)


@pytest.mark.parametrize("body", [b"<html>proxy login</html>", b"[1, 2]", b""])
def test_an_answer_that_is_not_a_json_object_is_retryable(
    open_session: Callable[..., GraphSession], body: bytes
) -> None:
    session = open_session(lambda r: httpx.Response(200, content=body))

    with pytest.raises(RetryableError, match="not a JSON object"):
        session.get_json("/planner/plans/p1/tasks", source=SOURCE)


def test_the_sdk_does_not_retry_on_its_own(open_session: Callable[..., GraphSession]) -> None:
    recorder = Recorder(lambda r: graph_error(503, "", "Busy.", **{"Retry-After": "0"}))
    session = open_session(recorder)

    with pytest.raises(RetryableError):
        session.get_json("/planner/plans/p1/tasks", source=SOURCE)

    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    ("url", "authorised"),
    [(f"{BASE}/planner/plans/p1/tasks?$skiptoken=abc", True), ("https://elsewhere.test/x", False)],
)
def test_the_token_goes_to_the_graph_host_only(
    open_session: Callable[..., GraphSession], url: str, authorised: bool
) -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json={}))
    session = open_session(recorder)

    session.get_json(url, source=SOURCE)

    sent = recorder.requests[0]
    assert str(sent.url) == url
    assert sent.headers.get("Authorization") == (f"Bearer {TOKEN}" if authorised else None)


def test_post_json_sends_the_body_as_json(open_session: Callable[..., GraphSession]) -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json={"responses": []}))
    session = open_session(recorder)

    answer = session.post_json("/$batch", {"requests": []}, source=SOURCE)

    sent = recorder.requests[0]
    assert (sent.method, str(sent.url)) == ("POST", f"{BASE}/$batch")
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.content) == {"requests": []}
    assert answer == {"responses": []}


class FakeCredential:
    """An azure-identity style credential: records the scopes it was asked for."""

    def __init__(self, failure: Exception | None = None) -> None:
        self.failure = failure
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **options: Any) -> AccessToken:
        self.scopes.append(scopes)
        if self.failure is not None:
            raise self.failure
        return AccessToken("minted-token", 4_102_444_800)


def test_a_credential_is_asked_for_the_graph_scope(
    open_session: Callable[..., GraphSession],
) -> None:
    credential = FakeCredential()
    recorder = Recorder(lambda r: httpx.Response(200, json={}))
    session = open_session(recorder, token=None, credential=credential)

    session.get_json("/groups/g1/planner/plans", source=SOURCE)

    assert credential.scopes == [("https://graph.microsoft.com/.default",)]
    assert recorder.requests[0].headers["Authorization"] == "Bearer minted-token"


def test_a_refused_sign_in_is_an_authentication_error(
    open_session: Callable[..., GraphSession],
) -> None:
    credential = FakeCredential(ClientAuthenticationError("AADSTS7000215: Invalid secret."))
    session = open_session(
        lambda r: httpx.Response(200, json={}), token=None, credential=credential
    )

    with pytest.raises(AuthenticationError, match="AADSTS7000215"):
        session.get_json("/groups/g1/planner/plans", source=SOURCE)


@pytest.mark.parametrize("secrets", [{}, {"token": "t", "credential": FakeCredential()}])
def test_exactly_one_of_token_and_credential(secrets: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="either a static token or a credential"):
        GraphSession(base_url=BASE, **secrets)


def test_close_stops_the_loop_thread_and_refuses_more_requests() -> None:
    session = GraphSession(
        base_url=BASE, token=TOKEN, transport=httpx.MockTransport(lambda r: httpx.Response(200))
    )
    thread_names = {t.name for t in threading.enumerate()}
    assert "graph:graph" in thread_names

    session.close()
    session.close()  # idempotent

    assert "graph:graph" not in {t.name for t in threading.enumerate()}
    with pytest.raises(RuntimeError, match="closed"):
        session.get_json("/groups/g1/planner/plans", source=SOURCE)
