"""The Dataverse OData reader: headers, tokens, paging, and the status policy table."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RetryableError,
)
from connectors.project.odata import ODataClient
from connectors.project.odata_query import (
    any_equal,
    batched,
    query_string,
    text_literal,
    time_literal,
)
from connectors.retry import RetryPolicy

ROOT = "https://org.crm.dynamics.com/api/data/v9.2"
Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler, *, token: Any = "tok", attempts: int = 3) -> ODataClient:  # noqa: S107
    return ODataClient(
        source="project:test",
        environment_url="https://org.crm.dynamics.com/",
        token=token,
        page_size=2,
        retry=RetryPolicy(sleep=lambda seconds: None, max_attempts=attempts),
        transport=httpx.MockTransport(handler),
    )


def page(
    rows: list[dict[str, Any]], next_link: str | None = None, **headers: str
) -> httpx.Response:
    body: dict[str, Any] = {"value": rows}
    if next_link:
        body["@odata.nextLink"] = next_link
    return httpx.Response(200, json=body, headers=headers)


def dataverse_error(status: int, code: str, message: str, **headers: str) -> httpx.Response:
    body = {"error": {"code": code, "message": message}}
    return httpx.Response(status, json=body, headers=headers)


def test_every_request_carries_the_odata_headers_and_a_fresh_token() -> None:
    seen: list[httpx.Request] = []
    tokens = iter(["first", "second"])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return page(
            [{"id": len(seen)}], f"{ROOT}/msdyn_projects?$skiptoken=2" if len(seen) < 2 else None
        )

    rows = [
        r
        for p in client(handler, token=lambda: next(tokens)).pages("msdyn_projects", [])
        for r in p.rows
    ]

    assert rows == [{"id": 1}, {"id": 2}]
    assert [r.headers["Authorization"] for r in seen] == ["Bearer first", "Bearer second"]
    assert {
        name: seen[0].headers[name]
        for name in ("OData-MaxVersion", "OData-Version", "Accept", "Prefer")
    } == {
        "OData-MaxVersion": "4.0",
        "OData-Version": "4.0",
        "Accept": "application/json",
        "Prefer": "odata.maxpagesize=2",
    }


def test_query_options_travel_readably_with_spaces_as_percent_20() -> None:
    urls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return page([])

    options = [("$select", "msdyn_subject,modifiedon"), ("$filter", "msdyn_subject eq 'O''Hara'")]
    list(client(handler).pages("msdyn_projects", options))

    assert urls == [
        f"{ROOT}/msdyn_projects?$select=msdyn_subject,modifiedon"
        "&$filter=msdyn_subject%20eq%20'O''Hara'"
    ]


def test_next_links_are_followed_verbatim() -> None:
    link = (
        f"{ROOT}/msdyn_projecttasks?$select=msdyn_subject&$skiptoken=%3Ccookie%20pagenumber"
        "%3D%222%22%20pagingcookie%3D%22%253ccookie%2520page%253d%25221%2522%22%20/%3E"
    )
    urls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return page([], link if len(urls) == 1 else None)

    list(client(handler).pages("msdyn_projecttasks", [("$select", "msdyn_subject")]))

    assert urls[1] == link


def test_a_repeated_next_link_stops_paging_with_an_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return page([{"n": 1}], f"{ROOT}/msdyn_projects?$skiptoken=same")

    with pytest.raises(ConnectorError, match="already gave; stopped paging") as raised:
        list(client(handler).pages("msdyn_projects", []))

    assert type(raised.value) is ConnectorError


@pytest.mark.parametrize(
    ("response", "error_class", "message"),
    [
        (
            dataverse_error(400, "0x0", "Could not find a property named 'msdyn_x'."),
            ConnectorConfigError,
            "GET msdyn_projects answered 400: 0x0 Could not find a property named 'msdyn_x'.",
        ),
        (
            dataverse_error(401, "0x80040220", "Client must be authenticated."),
            AuthenticationError,
            "answered 401: 0x80040220 Client must be authenticated.",
        ),
        (
            dataverse_error(403, "0x80040220", "missing prvReadmsdyn_project privilege"),
            AuthenticationError,
            "answered 403",
        ),
        (
            dataverse_error(
                404, "0x8006088a", "Resource not found for the segment 'msdyn_projects'."
            ),
            ConnectorConfigError,
            "answered 404: 0x8006088a Resource not found",
        ),
        (
            dataverse_error(405, "", "The requested resource does not support http method 'GET'."),
            ConnectorConfigError,
            "answered 405",
        ),
        (
            dataverse_error(500, "0x80040216", "An unexpected error occurred."),
            RetryableError,
            "500",
        ),
        (httpx.Response(502, text="<html>Bad gateway</html>"), RetryableError, "502: <html>Bad"),
    ],
)
def test_failed_statuses_map_to_what_the_caller_should_do(
    response: httpx.Response, error_class: type[ConnectorError], message: str
) -> None:
    with pytest.raises(error_class, match=re.escape(message)) as raised:
        list(client(lambda request: response, attempts=1).pages("msdyn_projects", []))

    assert raised.value.source == "project:test"


@pytest.mark.parametrize(("header", "seconds"), [("7", 7.0), (None, None)])
def test_a_throttled_request_carries_retry_after(header: str | None, seconds: float | None) -> None:
    headers = {"Retry-After": header} if header else {}
    response = dataverse_error(429, "0x80072322", "Number of requests exceeded", **headers)

    with pytest.raises(RetryableError) as raised:
        list(client(lambda request: response, attempts=1).pages("msdyn_projects", []))

    assert (raised.value.status, raised.value.retry_after) == (429, seconds)


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectTimeout("timed out"),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("peer closed connection"),
    ],
)
def test_transport_failures_are_retryable(failure: httpx.TransportError) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    with pytest.raises(RetryableError, match="GET msdyn_projects"):
        list(client(handler, attempts=1).pages("msdyn_projects", []))


def test_a_scheme_httpx_cannot_speak_is_a_configuration_error() -> None:
    reader = ODataClient(source="project:test", environment_url="ftp://org", token="t")

    with pytest.raises(ConnectorConfigError, match="environment URL cannot be used"):
        list(reader.pages("msdyn_projects", []))


@pytest.mark.parametrize("body", [b"<html>maintenance</html>", b'["not", "an", "object"]', b"{}"])
def test_a_success_without_a_json_value_list_is_retried(body: bytes) -> None:
    answers = iter([httpx.Response(200, content=body), page([{"ok": True}])])
    reader = client(lambda request: next(answers), attempts=2)

    rows = [row for found in reader.pages("msdyn_projects", []) for row in found.rows]

    assert (rows, reader.requests) == ([{"ok": True}], 1)


def test_retries_run_under_the_policy_and_only_answers_count_as_requests() -> None:
    answers = iter(
        [
            dataverse_error(429, "0x80072322", "slow down", **{"Retry-After": "1"}),
            httpx.Response(503, text="busy"),
            page([{"ok": True}], **{"Date": "Mon, 23 Nov 2026 08:00:05 GMT"}),
        ]
    )
    reader = client(lambda request: next(answers))

    pages = list(reader.pages("msdyn_projects", []))

    assert [p.rows for p in pages] == [({"ok": True},)]
    assert pages[0].server_time == datetime(2026, 11, 23, 8, 0, 5, tzinfo=UTC)
    assert reader.requests == 1


def test_the_token_provider_failure_is_not_retried() -> None:
    calls: list[int] = []

    def refuse() -> str:
        calls.append(1)
        raise AuthenticationError("credential refused", source="project:test")

    with pytest.raises(AuthenticationError):
        list(client(lambda request: page([]), token=refuse).pages("msdyn_projects", []))

    assert calls == [1]


# ---- query text


@pytest.mark.parametrize(
    ("value", "literal"), [("GRID", "'GRID'"), ("O'Hara's", "'O''Hara''s'"), ("", "''")]
)
def test_text_literals_double_their_quotes(value: str, literal: str) -> None:
    assert text_literal(value) == literal


def test_time_literals_are_utc_whole_seconds() -> None:
    moment = datetime.fromisoformat("2026-11-23T09:30:15.900+01:00")

    assert time_literal(moment) == "2026-11-23T08:30:15Z"


def test_membership_is_an_or_chain_and_refuses_an_empty_one() -> None:
    assert any_equal("c", ["a", "b"]) == "(c eq a or c eq b)"
    with pytest.raises(ValueError, match="no values"):
        any_equal("c", [])


def test_query_strings_keep_odata_characters() -> None:
    assert (
        query_string([("$filter", "a eq 'x y'"), ("$top", "1")])
        == "$filter=a%20eq%20'x%20y'&$top=1"
    )
    assert query_string([]) == ""


@pytest.mark.parametrize(
    ("items", "size", "batches"),
    [(range(5), 2, [(0, 1), (2, 3), (4,)]), ([], 3, []), ("ab", 5, [("a", "b")])],
)
def test_batched_splits_in_order(items: Any, size: int, batches: list[tuple[Any, ...]]) -> None:
    assert list(batched(items, size)) == batches
