"""The harness itself: URL mapping, violation reports, and deviations that excuse only their own.

These run on hand-built exchanges (no sandbox, no network), so each proves the contract tests
can fail.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from tests.contract.calls import CONFLUENCE_AUTH, JIRA_AUTH
from tests.contract.harness import ContractRecorder, Exchange
from tests.contract.specs import (
    CONFLUENCE_V1,
    CONFLUENCE_V2,
    JIRA_CLOUD_V3,
    JIRA_DC_V2,
    ApiSpec,
    SpecRequest,
)
from tests.contract.violations import Violation

SANDBOX = "http://127.0.0.1:9"
ALL_SPECS = [JIRA_CLOUD_V3, CONFLUENCE_V1, CONFLUENCE_V2]
TIMESTAMP = "2026-03-02T09:30:00.000+0000"


def exchange(
    method: str,
    path: str,
    *,
    status: int = 200,
    body: Any = None,
    auth: tuple[str, str] | None = JIRA_AUTH,
) -> Exchange:
    request = requests.Request(method, SANDBOX + path, auth=auth).prepare()
    response = requests.Response()
    response.status_code = status
    response._content = b"" if body is None else json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    response.request = request
    return Exchange(request, response)


def changelog(created: str) -> dict[str, Any]:
    entry = {"id": "1", "created": created, "items": []}
    return {"startAt": 0, "maxResults": 100, "total": 1, "isLast": True, "values": [entry]}


@pytest.mark.parametrize(
    ("spec", "path", "url"),
    [
        (
            JIRA_CLOUD_V3,
            "/jira/rest/api/3/issue/PMO-1",
            "https://your-domain.atlassian.net/rest/api/3/issue/PMO-1",
        ),
        (JIRA_DC_V2, "/jira/rest/api/2/search", "http://localhost:8090/rest/api/2/search"),
        (
            CONFLUENCE_V1,
            "/confluence/rest/api/content/7",
            "//your-domain.atlassian.net/wiki/rest/api/content/7",
        ),
        (
            CONFLUENCE_V1,
            "/confluence/wiki/rest/api/content/7",
            "//your-domain.atlassian.net/wiki/rest/api/content/7",
        ),
        (
            CONFLUENCE_V2,
            "/confluence/wiki/api/v2/pages/7",
            "https://no-default/wiki/api/v2/pages/7",
        ),
    ],
)
def test_a_sandbox_url_is_addressed_as_its_spec_writes_it(
    spec: ApiSpec, path: str, url: str
) -> None:
    mount = spec.mount_for(path)
    assert mount is not None

    request = SpecRequest(requests.Request("GET", SANDBOX + path).prepare(), spec, mount)

    assert request.full_url == url


def test_a_body_the_spec_forbids_is_reported_where_it_breaks() -> None:
    recorder = ContractRecorder(SANDBOX, ALL_SPECS, auth=JIRA_AUTH)

    verdict = recorder.check(exchange("GET", "/jira/rest/api/3/serverInfo", body={"baseUrl": 5}))

    assert verdict.violations == (
        Violation(
            phase="response",
            kind="schema",
            where="baseUrl",
            keyword="type",
            message="5 is not of type 'string'",
        ),
    )


@pytest.mark.parametrize(
    ("created", "violations", "excused"),
    [
        (TIMESTAMP, 0, ("D2",)),
        ("2026-03-02 09:30", 1, ()),
        ("yesterday", 1, ()),
    ],
)
def test_the_timestamp_deviation_excuses_only_jiras_own_format(
    created: str, violations: int, excused: tuple[str, ...]
) -> None:
    recorder = ContractRecorder(SANDBOX, ALL_SPECS, auth=JIRA_AUTH)

    verdict = recorder.check(
        exchange("GET", "/jira/rest/api/3/issue/PMO-1/changelog", body=changelog(created))
    )

    assert (len(verdict.violations), verdict.excused) == (violations, excused)


@pytest.mark.parametrize(
    ("path", "excused"),
    [("/jira/rest/api/3/search", ("D1",)), ("/jira/rest/api/3/search/jql", ())],
)
def test_a_410_is_excused_on_the_removed_search_only(path: str, excused: tuple[str, ...]) -> None:
    recorder = ContractRecorder(SANDBOX, ALL_SPECS, auth=JIRA_AUTH)
    body = {"errorMessages": ["removed"], "errors": {}}

    verdict = recorder.check(exchange("GET", path, status=410, body=body))

    assert (len(verdict.violations), verdict.excused) == (1 - len(excused), excused)


def test_a_request_without_credentials_breaks_the_security_requirement() -> None:
    recorder = ContractRecorder(SANDBOX, ALL_SPECS, auth=CONFLUENCE_AUTH)

    verdict = recorder.check(
        exchange("GET", "/confluence/rest/api/content", body={"results": []}, auth=None)
    )

    assert [v.kind for v in verdict.violations if v.phase == "request"] == ["security"]


@pytest.mark.parametrize(
    ("method", "path", "status", "kinds"),
    [
        ("DELETE", "/confluence/rest/api/content/7/label/x", 204, []),
        ("GET", "/confluence/rest/api/content/7/label", 200, ["missing-body"]),
    ],
)
def test_only_a_response_declared_empty_may_come_back_empty(
    method: str, path: str, status: int, kinds: list[str]
) -> None:
    recorder = ContractRecorder(SANDBOX, ALL_SPECS, auth=CONFLUENCE_AUTH)

    verdict = recorder.check(exchange(method, path, status=status, auth=CONFLUENCE_AUTH))

    assert [v.kind for v in verdict.violations] == kinds


def test_each_element_of_an_array_body_is_held_to_the_declared_schema() -> None:
    recorder = ContractRecorder(SANDBOX, [JIRA_DC_V2], auth=JIRA_AUTH)
    fields = [{"id": "summary", "name": "Summary"}, {"id": "duedate", "name": 5}]

    verdict = recorder.check(exchange("GET", "/jira/rest/api/2/field", body=fields))

    assert (verdict.violations, verdict.excused) == (
        (
            Violation(
                phase="response",
                kind="schema",
                where="1/name",
                keyword="type",
                message="5 is not of type 'string'",
            ),
        ),
        ("D6",),
    )
