"""How requests to Graph get their bearer token: a fixed token, or an azure-identity credential.

Either way the token goes only to the Graph host (the base URL's host): kiota leaves the
``Authorization`` header off any other host, so a ``@odata.nextLink`` pointing elsewhere never
sees it (graph-wire.md §5).

- A static token (the sandbox, or a token minted elsewhere) needs no sign-in. The sandbox
  serves plain http on 127.0.0.1, which azure-identity refuses (libraries.md §4), so this path
  has no scheme check.
- A credential (``ClientSecretCredential``, ``CertificateCredential``, ...; built by the
  caller) is asked for ``https://graph.microsoft.com/.default`` by kiota's Azure provider,
  which caches the token until it expires.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from azure.core.credentials import TokenCredential
from azure.core.credentials_async import AsyncTokenCredential
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    AuthenticationProvider,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from typing_extensions import override

__all__ = ["GRAPH_SCOPE", "StaticTokenProvider", "graph_authentication"]

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
"""The app-only scope: every application permission granted to the app registration."""


class StaticTokenProvider(AccessTokenProvider):
    """Hands out one fixed token, and only for the allowed hosts."""

    def __init__(self, token: str, hosts: list[str]) -> None:
        self._token = token
        self._hosts = AllowedHostsValidator(hosts)

    def __repr__(self) -> str:
        return f"StaticTokenProvider(hosts={self._hosts.get_allowed_hosts()!r})"

    @override
    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] | None = None
    ) -> str:
        return self._token if self._hosts.is_url_host_valid(uri) else ""

    @override
    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._hosts


def graph_authentication(
    base_url: str,
    *,
    token: str | None = None,
    credential: TokenCredential | AsyncTokenCredential | None = None,
    scopes: tuple[str, ...] = (GRAPH_SCOPE,),
) -> AuthenticationProvider:
    """The kiota authentication provider for ``base_url``: exactly one of token or credential.

    Raises:
        ValueError: Neither or both were given, or ``base_url`` has no host.
    """
    if (token is None) == (credential is None):
        raise ValueError("give either a static token or a credential")
    host = urlsplit(base_url).hostname
    if not host:
        raise ValueError(f"the Graph base URL {base_url!r} has no host")
    if token is not None:
        return BaseBearerTokenAuthenticationProvider(StaticTokenProvider(token, [host]))
    assert credential is not None  # noqa: S101 - exactly one of the two, checked above
    return AzureIdentityAuthenticationProvider(
        credential, scopes=list(scopes), allowed_hosts=[host]
    )
