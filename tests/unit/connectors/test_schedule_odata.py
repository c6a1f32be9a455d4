"""ODataClient's write-side primitives: POSTing an action and GETting one row."""

from __future__ import annotations

import json
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
from connectors.project.odata import ODataClient
from connectors.retry import RetryPolicy

ROOT = "https://org.crm.dynamics.com/api/data/v9.2"
Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler, *, attempts: int = 3) -> ODataClient:
    return ODataClient(
        source="project:test",
        environment_url="https://org.crm.dynamics.com",
        token="tok",
        retry=RetryPolicy(sleep=lambda seconds: None, max_attempts=attempts),
        transport=httpx.MockTransport(handler),
    )


def dataverse_error(status: int, code: str, message: str, **headers: str) -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"code": code, "message": message}}, headers=headers
    )


def answers(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler giving ``responses`` in turn, and the requests it saw."""
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, seen


def test_a_post_sends_json_with_the_odata_headers_and_returns_the_answer() -> None:
    handler, seen = answers(httpx.Response(200, json={"OperationSetId": "s-1"}))
    writer = client(handler)

    answer = writer.post("msdyn_CreateOperationSetV1", {"ProjectId": "p", "Description": "é"})

    request = seen[0]
    assert answer == {"OperationSetId": "s-1"}
    assert (request.method, str(request.url)) == ("POST", f"{ROOT}/msdyn_CreateOperationSetV1")
    assert json.loads(request.content) == {"ProjectId": "p", "Description": "é"}
    assert {
        name: request.headers[name]
        for name in ("Authorization", "OData-MaxVersion", "OData-Version", "Accept")
    } == {
        "Authorization": "Bearer tok",
        "OData-MaxVersion": "4.0",
        "OData-Version": "4.0",
        "Accept": "application/json",
    }
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "Prefer" not in request.headers
    assert writer.requests == 1


def test_a_post_answered_204_returns_an_empty_object() -> None:
    handler, _ = answers(httpx.Response(204))

    assert client(handler).post("msdyn_AbandonOperationSetV1", {}) == {}


def test_a_refused_post_keeps_dataverses_whole_message() -> None:
    long_message = json.dumps({"errorKey": "E_X", "ErrorMessage": "x" * 500})
    handler, _ = answers(dataverse_error(400, "0x80040265", long_message))

    with pytest.raises(WriteRejectedError) as refused:
        client(handler).post("msdyn_ExecuteOperationSetV1", {"OperationSetId": "s"})

    error = refused.value
    assert (error.status, error.code, error.reasons) == (400, "0x80040265", (long_message,))
    assert error.detail.startswith("POST msdyn_ExecuteOperationSetV1 answered 400: 0x80040265 {")
    assert len(error.detail) < 400


@pytest.mark.parametrize(
    ("response", "error_class"),
    [
        (dataverse_error(401, "0x80040220", "expired"), AuthenticationError),
        (dataverse_error(403, "0x80040220", "no licence"), AuthenticationError),
        (dataverse_error(404, "0x8006088a", "Resource not found"), ConnectorConfigError),
        (dataverse_error(409, "0x80040237", "duplicate"), WriteRejectedError),
        (httpx.Response(413, text="too large"), WriteRejectedError),
        (dataverse_error(500, "0x80040216", "unexpected"), RetryableError),
    ],
)
def test_post_failures_map_to_what_the_caller_should_do(
    response: httpx.Response, error_class: type[ConnectorError]
) -> None:
    handler, _ = answers(response)

    with pytest.raises(error_class):
        client(handler, attempts=1).post("msdyn_PssCreateV2", {})


def test_a_creating_post_is_retried_after_a_429_only() -> None:
    throttled = dataverse_error(429, "0x80072322", "slow down", **{"Retry-After": "2"})
    handler, seen = answers(throttled, httpx.Response(200, json={"ok": 1}))

    assert client(handler).post("msdyn_ExecuteOperationSetV1", {}, creates=True) == {"ok": 1}
    assert len(seen) == 2


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(503, text="busy"),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.Response(200, content=b"<html>proxy</html>"),
    ],
    ids=["503", "timeout", "dropped", "unreadable-success"],
)
def test_a_creating_post_is_not_sent_again_when_it_may_have_run(
    failure: httpx.Response | Exception,
) -> None:
    handler, seen = answers(failure, httpx.Response(200, json={}))

    with pytest.raises(RetryableError):
        client(handler).post("msdyn_ExecuteOperationSetV1", {}, creates=True)

    assert len(seen) == 1


def test_a_plain_post_is_retried_like_a_read() -> None:
    handler, seen = answers(httpx.Response(503, text="busy"), httpx.Response(200, json={"a": 1}))

    assert client(handler).post("msdyn_AbandonOperationSetV1", {}) == {"a": 1}
    assert len(seen) == 2


def test_get_one_reads_a_row_with_readable_query_options() -> None:
    handler, seen = answers(
        httpx.Response(500, text="oops"), httpx.Response(200, json={"msdyn_status": 1})
    )
    reader = client(handler)

    row = reader.get_one("msdyn_operationsets(abc)", [("$select", "msdyn_status,modifiedon")])

    assert row == {"msdyn_status": 1}
    assert str(seen[-1].url) == f"{ROOT}/msdyn_operationsets(abc)?$select=msdyn_status,modifiedon"
    assert (len(seen), reader.requests) == (2, 1)


def test_get_one_of_a_missing_row_is_none() -> None:
    handler, _ = answers(dataverse_error(404, "0x80040217", "Does Not Exist"))

    assert client(handler).get_one("msdyn_operationsets(abc)") is None


@pytest.mark.parametrize(
    ("response", "error_class"),
    [
        (httpx.Response(200, json=[1, 2]), RetryableError),
        (
            dataverse_error(400, "0x80060888", "Bad Request - Error in query syntax."),
            ConnectorConfigError,
        ),
        (dataverse_error(403, "0x80040220", "no"), AuthenticationError),
    ],
)
def test_get_one_failures(response: httpx.Response, error_class: type[ConnectorError]) -> None:
    handler, _ = answers(response)

    with pytest.raises(error_class):
        client(handler, attempts=1).get_one("msdyn_operationsets(abc)")
