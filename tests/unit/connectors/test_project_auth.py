"""Dataverse tokens from azure-identity credentials: the scope asked for, refusals mapped."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from connectors.errors import AuthenticationError
from connectors.project import dataverse_scope, dataverse_token_provider


class FakeCredential:
    """Records the scopes asked for; refuses when told to."""

    def __init__(self, *, refuse: bool = False) -> None:
        self.scopes: list[tuple[str, ...]] = []
        self.refuse = refuse

    def get_token(self, *scopes: str, **options: Any) -> AccessToken:
        self.scopes.append(scopes)
        if self.refuse:
            raise ClientAuthenticationError(message="AADSTS7000215: Invalid client secret")
        return AccessToken(f"token-{len(self.scopes)}", 4_102_444_800)


@pytest.mark.parametrize(
    ("url", "scope"),
    [
        ("https://contoso.crm.dynamics.com", "https://contoso.crm.dynamics.com/.default"),
        (
            "https://contoso.crm4.dynamics.com/api/data/v9.2",
            "https://contoso.crm4.dynamics.com/.default",
        ),
        ("http://127.0.0.1:5000/dataverse", "http://127.0.0.1:5000/.default"),
    ],
)
def test_the_scope_is_the_environments_origin_with_default(url: str, scope: str) -> None:
    assert dataverse_scope(url) == scope


def test_the_provider_asks_the_credential_before_every_request() -> None:
    credential = FakeCredential()
    provider = dataverse_token_provider(
        credential, "https://contoso.crm.dynamics.com", source="project:contoso"
    )

    tokens = [provider(), provider()]

    assert tokens == ["token-1", "token-2"]
    assert credential.scopes == [("https://contoso.crm.dynamics.com/.default",)] * 2


def test_a_refused_credential_is_an_authentication_error_naming_the_source() -> None:
    provider = dataverse_token_provider(
        FakeCredential(refuse=True), "https://contoso.crm.dynamics.com", source="project:contoso"
    )

    with pytest.raises(AuthenticationError, match="project:contoso: no token for https://contoso"):
        provider()
