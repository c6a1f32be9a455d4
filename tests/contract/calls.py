"""Contract test rows: one `Call` per emulated operation and outcome, and how to perform one.

A row says what to send (method, sandbox path, query, JSON body, credentials), what status to
expect, which documented deviations the exchange needs (``deviations``) and, for a known
emulator bug, why it is expected to fail (``bug``, turned into a strict xfail by `cases`).
Values only the running sandbox knows (an issue key, a page token, a fresh page id) are
``{placeholders}`` (``str.format`` syntax: double a literal brace) in the path, query values
and JSON strings, filled in by the row's ``given`` through an unrecorded `Setup` session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
import requests
from requests.auth import AuthBase
from typing_extensions import override

from flywheel_sync.sandbox.services import SandboxCredentials
from tests.contract.harness import ContractRecorder, Verdict

__all__ = [
    "CONFLUENCE_AUTH",
    "DATAVERSE_AUTH",
    "GRAPH_AUTH",
    "JIRA_AUTH",
    "WRONG_AUTH",
    "WRONG_BEARER",
    "Auth",
    "Bearer",
    "Call",
    "ContractClient",
    "Given",
    "Setup",
    "cases",
]

_TIMEOUT = 30
_CREDENTIALS = SandboxCredentials()
JIRA_AUTH = (_CREDENTIALS.atlassian_user, _CREDENTIALS.jira_token)
CONFLUENCE_AUTH = (_CREDENTIALS.atlassian_user, _CREDENTIALS.confluence_token)
WRONG_AUTH = (_CREDENTIALS.atlassian_user, "not-the-token")


class Bearer(AuthBase):
    """``Authorization: Bearer <token>``, as Graph and Dataverse expect."""

    def __init__(self, token: str) -> None:
        self.token = token

    @override
    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


Auth = tuple[str, str] | AuthBase
GRAPH_AUTH = Bearer(_CREDENTIALS.graph_token)
DATAVERSE_AUTH = Bearer(_CREDENTIALS.dataverse_token)
WRONG_BEARER = Bearer("not-the-token")


class Setup:
    """Prepares what a row needs over its own session, so none of it is recorded or judged."""

    def __init__(self, base_url: str, auth: Auth) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.auth = auth

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        **params: str,
    ) -> Any:
        """The JSON answer to ``method path``; raises unless the sandbox answered 2xx."""
        response = self.session.request(
            method,
            self.base_url + path,
            params=params,
            json=json,
            headers=headers,
            timeout=_TIMEOUT,
        )
        response.raise_for_status()
        return response.json() if response.content else None


Given = Callable[[Setup], Mapping[str, str]]


@dataclass(frozen=True, kw_only=True)
class Call:
    """One request to the sandbox and the outcome the contract expects."""

    name: str
    method: str
    path: str
    """The sandbox path, prefix included (``/jira/rest/api/3/issue/{issue}``)."""
    params: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    given: Given | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    """Extra request headers (``If-Match``, ``Prefer``); values may hold placeholders."""
    auth: Auth | None = None
    """Credentials for this call only (a wrong token for a 401); None: the recorder's."""
    status: int = 200
    deviations: tuple[str, ...] = ()
    """Refs (``docs/sandbox-deviations.md``) this exchange needs, in table order."""
    bug: str = ""
    """A known emulator bug that makes this row fail; reported, marked strict xfail."""
    invalid_request: str = ""
    """Why the request breaks the spec on purpose (to see the refusal): only the response is
    judged, and the row fails if the request turns out to conform after all."""


def cases(calls: Sequence[Call]) -> list[Any]:
    """``pytest.param`` per row, named after it; rows with a ``bug`` are strict xfails."""
    return [
        pytest.param(
            call,
            id=call.name,
            marks=[pytest.mark.xfail(strict=True, reason=call.bug)] if call.bug else [],
        )
        for call in calls
    ]


def _filled(template: Any, values: Mapping[str, str]) -> Any:
    if isinstance(template, str):
        return template.format_map(values)
    if isinstance(template, list):
        return [_filled(item, values) for item in template]
    if isinstance(template, dict):
        return {key: _filled(item, values) for key, item in template.items()}
    return template


@dataclass(frozen=True)
class ContractClient:
    """Performs rows against one sandbox: prepare with `Setup`, send through the recorder."""

    recorder: ContractRecorder
    setup: Setup

    def perform(self, call: Call) -> Verdict:
        """Send the row's request and judge the exchange."""
        values = call.given(self.setup) if call.given else {}
        self.recorder.session.request(
            call.method,
            self.recorder.base_url + _filled(call.path, values),
            params=_filled(dict(call.params), values),
            json=_filled(call.json, values),
            headers=_filled(dict(call.headers), values),
            auth=call.auth,
            timeout=_TIMEOUT,
        )
        verdict = self.recorder.check(self.recorder.exchanges[-1])
        if not call.invalid_request:
            return verdict
        kept = tuple(v for v in verdict.violations if v.phase != "request")
        if len(kept) == len(verdict.violations):
            raise AssertionError(f"{call.name}: the request conforms, yet the row says it does not")
        return replace(verdict, violations=kept)
