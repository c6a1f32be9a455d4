"""What differs between the emulated services at the edge: prefix, credentials, error bodies.

Each service answers authentication failures, throttling and injected faults in its own
dialect (Jira ``errorMessages``, Graph ``{"error": {"code", "message", "innerError"}}``, ...),
so the real client libraries see what they would see from the real service.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flywheel_sync.sandbox.graph.wire import graph_error_body
from flywheel_sync.sandbox.jira.wire import jira_error_body

__all__ = ["SandboxCredentials", "ServiceProfile", "service_profiles"]

JSONBody = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class SandboxCredentials:
    """The sandbox's credentials: printed at start, written into the generated config.

    They are not secrets: the sandbox only listens on 127.0.0.1 and holds made-up data.
    """

    atlassian_user: str = "pmo-bot@northwind.example"
    jira_token: str = "sandbox-jira-token"  # noqa: S105 - sandbox credential, printed on purpose
    confluence_token: str = "sandbox-confluence-token"  # noqa: S105
    graph_token: str = "sandbox-graph-token"  # noqa: S105
    dataverse_token: str = "sandbox-dataverse-token"  # noqa: S105
    """A Project-licensed user's token: may call the Project Schedule API."""
    dataverse_app_token: str = "sandbox-dataverse-app-token"  # noqa: S105
    """An application user's token: reads tables, but the Schedule API refuses it."""
    workflows_signature: str = "sandbox-workflows-signature"
    """The ``sig`` query parameter every Workflows webhook URL carries (graph-wire.md §3)."""


_ENTRA_CHALLENGE = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"'
)


def _confluence_error(status: int, message: str) -> JSONBody:
    return {"statusCode": status, "message": message}


def _graph_error(status: int, message: str) -> JSONBody:
    code = {401: "InvalidAuthenticationToken", 429: "TooManyRequests"}.get(
        status, "ServiceUnavailable" if status >= 500 else "BadRequest"
    )
    return graph_error_body(code, message)


def _workflows_error(status: int, message: str) -> JSONBody:
    """Logic Apps' error body, which Workflows' HTTP trigger answers with."""
    code = {429: "WorkflowRequestsThrottled"}.get(
        status, "ServiceUnavailable" if status >= 500 else "BadRequest"
    )
    return {"error": {"code": code, "message": message}}


def _dataverse_error(status: int, message: str) -> JSONBody:
    # 0x80072322: "Number of requests exceeded the limit of 6000 over time window of 300
    # seconds", the service-protection limit a burst of requests meets first.
    code = {401: "0x80040220", 429: "0x80072322"}.get(status, "0x80040216")
    return {"error": {"code": code, "message": message}}


def _basic_or_bearer(user: str, token: str) -> Callable[[str], bool]:
    def check(authorization: str) -> bool:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer":
            return value == token
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return decoded == f"{user}:{token}"

    return check


def _bearer(*tokens: str) -> Callable[[str], bool]:
    def check(authorization: str) -> bool:
        scheme, _, value = authorization.partition(" ")
        return scheme.lower() == "bearer" and value in tokens

    return check


@dataclass(frozen=True, kw_only=True)
class ServiceProfile:
    """One emulated service as seen from the edge."""

    name: str
    prefix: str
    accepts: Callable[[str], bool] = field(repr=False)
    error_body: Callable[[int, str], JSONBody] = field(repr=False)
    anonymous_paths: frozenset[str] = frozenset()
    """Paths (below the prefix) real services answer without credentials."""
    throttle_headers: Mapping[str, str] = field(default_factory=dict)
    challenge: str = 'Basic realm="sandbox"'
    """The ``WWW-Authenticate`` header of a 401."""
    signed_urls: bool = False
    """The URL is the credential (a ``sig`` parameter the emulator checks), not a header."""

    def is_authorised(self, path: str, authorization: str | None) -> bool:
        """Whether a request to ``path`` (below the prefix) with this header may proceed."""
        if self.signed_urls or path in self.anonymous_paths:
            return True
        return authorization is not None and self.accepts(authorization)


def service_profiles(credentials: SandboxCredentials) -> tuple[ServiceProfile, ...]:
    """The profile of every emulated service, longest prefix first."""
    return (
        ServiceProfile(
            name="jira",
            prefix="/jira",
            accepts=_basic_or_bearer(credentials.atlassian_user, credentials.jira_token),
            error_body=lambda status, message: jira_error_body(message),
            # Jira answers serverInfo anonymously (pycontribs/jira#1497): /myself checks.
            anonymous_paths=frozenset({"/rest/api/2/serverInfo", "/rest/api/3/serverInfo"}),
            throttle_headers={"RateLimit-Reason": "jira-burst-based"},
        ),
        ServiceProfile(
            name="confluence",
            prefix="/confluence",
            accepts=_basic_or_bearer(credentials.atlassian_user, credentials.confluence_token),
            error_body=_confluence_error,
        ),
        ServiceProfile(
            name="graph",
            prefix="/graph",
            accepts=_bearer(credentials.graph_token),
            error_body=_graph_error,
            challenge=_ENTRA_CHALLENGE,
        ),
        ServiceProfile(
            name="dataverse",
            prefix="/dataverse",
            accepts=_bearer(credentials.dataverse_token, credentials.dataverse_app_token),
            error_body=_dataverse_error,
            challenge=_ENTRA_CHALLENGE,
        ),
        ServiceProfile(
            name="workflows",
            prefix="/workflows",
            accepts=lambda authorization: False,
            error_body=_workflows_error,
            signed_urls=True,
        ),
    )
