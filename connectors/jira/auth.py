"""How the connector signs in to Jira: basic (user + API token) or a bearer token.

These are the two methods a Jira connection allows (``auth = "basic" | "bearer"``): Cloud
takes the account e-mail with an API token; Data Center takes a user with a password or a
personal access token (PAT) as a bearer token (jira-wire.md §5). A token may be given as a
string or as a callable returning one (a secret store, a file re-read on rotation); it is
asked for when the client is built, once per connector, and never appears in a repr.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

__all__ = ["BasicAuth", "BearerAuth", "JiraAuth", "TokenSource", "client_credentials"]

TokenSource: TypeAlias = str | Callable[[], str]
"""A token, or a callable that returns the current one."""


@dataclass(frozen=True, kw_only=True)
class BasicAuth:
    """``Authorization: Basic``: account e-mail (Cloud) or user name, and token or password."""

    user: str
    token: TokenSource = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class BearerAuth:
    """``Authorization: Bearer``: a Data Center personal access token (or an OAuth token)."""

    token: TokenSource = field(repr=False)


JiraAuth: TypeAlias = BasicAuth | BearerAuth


def _secret(token: TokenSource) -> str:
    return token() if callable(token) else token


def client_credentials(auth: JiraAuth) -> dict[str, Any]:
    """The keyword arguments that give ``jira.JIRA`` these credentials."""
    if isinstance(auth, BasicAuth):
        return {"basic_auth": (auth.user, _secret(auth.token))}
    return {"token_auth": _secret(auth.token)}
