"""Bearer tokens for Dataverse from an azure-identity credential.

Dataverse takes an Entra ID token for the resource ``https://{org}.crm.dynamics.com``, asked
for with the scope ``https://{org}.crm.dynamics.com/.default`` (graph-wire.md §5). azure-identity
credentials cache their tokens and refresh them near expiry, so the provider simply asks the
credential before every request.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ClientAuthenticationError

from connectors.errors import AuthenticationError
from connectors.project.odata import TokenProvider

__all__ = ["dataverse_scope", "dataverse_token_provider"]


def dataverse_scope(environment_url: str) -> str:
    """``https://org.crm.dynamics.com/.default`` for ``https://org.crm.dynamics.com/...``."""
    parts = urlsplit(environment_url)
    return f"{parts.scheme}://{parts.netloc}/.default"


def dataverse_token_provider(
    credential: TokenCredential, environment_url: str, *, source: str
) -> TokenProvider:
    """A token provider for `DataverseSource` that asks ``credential`` for the environment.

    The provider raises `AuthenticationError` (naming ``source``) when the credential is
    refused, so the caller re-authenticates instead of retrying.
    """
    scope = dataverse_scope(environment_url)

    def token() -> str:
        try:
            return credential.get_token(scope).token
        except ClientAuthenticationError as error:
            raise AuthenticationError(
                f"no token for {scope}: {error.message}", source=source
            ) from error

    return token
