"""How flywheel-sync reaches each tool: one named connection per tool instance.

A connection is a Jira or Confluence site, a Graph tenant, a Dataverse org, a Teams Workflows
webhook or a Project file export.

A connection says *how to connect*; what to read from it and what to write back is the mapping's
business (``mapping.yaml``). Sources are named ``<tool>:<connection>``: ``jira:pmo``,
``planner:northwind`` and ``teams:northwind`` (both through a Graph connection),
``project:northwind`` (Dataverse), ``mspdi:grid_export`` (an MSPDI XML file).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from flywheel_sync.settings.base import BaseUrl, ConfigModel, ExistingFile, SecretBearing, check_url

__all__ = [
    "AtlassianAuth",
    "AtlassianFlavour",
    "AzureAuth",
    "ConfluenceConnection",
    "DataverseConnection",
    "GraphConnection",
    "JiraConnection",
    "MSPDIFile",
    "TeamsWebhook",
]


class AtlassianFlavour(StrEnum):
    """Which Atlassian deployment answers: Cloud (REST v3) or Data Center (REST v2)."""

    CLOUD = "cloud"
    DATACENTER = "datacenter"


class AtlassianAuth(StrEnum):
    """``basic``: account e-mail + API token (Cloud) or user + password; ``bearer``: a PAT."""

    BASIC = "basic"
    BEARER = "bearer"


class _AtlassianConnection(SecretBearing):
    secret_fields: ClassVar[tuple[str, ...]] = ("token",)

    flavour: AtlassianFlavour = Field(
        default=AtlassianFlavour.CLOUD,
        description="cloud (REST v3, enhanced search) or datacenter (REST v2, startAt paging).",
    )
    url: BaseUrl = Field(description="Base URL, e.g. https://your-domain.atlassian.net.")
    auth: AtlassianAuth = Field(
        default=AtlassianAuth.BASIC,
        description="basic: user + API token; bearer: personal access token (Data Center).",
    )
    user: str | None = Field(
        default=None, description="Account e-mail (Cloud) or user name; needed for basic auth."
    )
    token: SecretStr | None = Field(
        default=None,
        description="API token or PAT. Prefer the environment variable or token_file.",
    )
    token_file: Path | None = Field(
        default=None, description="A file holding the token (e.g. a mounted container secret)."
    )
    timeout_seconds: float = Field(default=30.0, gt=0, le=600, description="Per-request timeout.")
    max_retries: int = Field(
        default=5, ge=0, le=10, description="Retries of 429/5xx answers, honouring Retry-After."
    )
    ca_bundle: ExistingFile | None = Field(
        default=None, description="PEM bundle of a private certificate authority."
    )

    @model_validator(mode="after")
    def _basic_auth_needs_user(self) -> _AtlassianConnection:
        if self.auth is AtlassianAuth.BASIC and not self.user:
            raise PydanticCustomError(
                "missing_user",
                "basic auth needs 'user' (the account e-mail on Cloud); "
                'or set auth = "bearer" to use a personal access token',
            )
        return self


class JiraConnection(_AtlassianConnection):
    """A Jira site: Cloud or Data Center."""


class ConfluenceConnection(_AtlassianConnection):
    """A Confluence site. Cloud is written through the v2 pages API, Data Center through v1."""

    flavour: AtlassianFlavour = Field(
        default=AtlassianFlavour.CLOUD,
        description="cloud (v2 pages API) or datacenter (v1 content API).",
    )


class AzureAuth(StrEnum):
    """How flywheel-sync signs in to Microsoft Entra ID.

    ``client_secret`` and ``certificate`` are app-only (application permissions);
    ``device_code`` is a delegated user sign-in, which the Project Schedule API requires;
    ``static_token`` takes a bearer token as given (the sandbox, or a token minted elsewhere).
    """

    CLIENT_SECRET = "client_secret"  # noqa: S105 - a method name, not a secret
    CERTIFICATE = "certificate"
    DEVICE_CODE = "device_code"
    STATIC_TOKEN = "static_token"  # noqa: S105 - a method name, not a secret


class _AzureConnection(SecretBearing):
    secret_fields: ClassVar[tuple[str, ...]] = ("client_secret", "token")

    auth: AzureAuth = Field(default=AzureAuth.CLIENT_SECRET, description=AzureAuth.__doc__)
    tenant_id: str | None = Field(default=None, description="Directory (tenant) id.")
    client_id: str | None = Field(default=None, description="Application (client) id.")
    client_secret: SecretStr | None = Field(default=None, description="For auth=client_secret.")
    client_secret_file: Path | None = None
    certificate_path: ExistingFile | None = Field(
        default=None, description="PEM certificate with private key, for auth=certificate."
    )
    token: SecretStr | None = Field(default=None, description="Bearer token, for static_token.")
    token_file: Path | None = None
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    max_retries: int = Field(default=5, ge=0, le=10)

    def required_secrets(self) -> tuple[str, ...]:
        """The secret the chosen sign-in method needs (device code sign-in needs none)."""
        return {
            AzureAuth.CLIENT_SECRET: ("client_secret",),
            AzureAuth.STATIC_TOKEN: ("token",),
        }.get(self.auth, ())

    @model_validator(mode="after")
    def _sign_in_needs_ids(self) -> _AzureConnection:
        if self.auth is AzureAuth.STATIC_TOKEN:
            return self
        missing = [name for name in ("tenant_id", "client_id") if not getattr(self, name)]
        if self.auth is AzureAuth.CERTIFICATE and self.certificate_path is None:
            missing.append("certificate_path")
        if missing:
            raise PydanticCustomError(
                "missing_identity",
                'auth = "{auth}" needs {names}',
                {"auth": self.auth.value, "names": " and ".join(repr(n) for n in missing)},
            )
        return self


class GraphConnection(_AzureConnection):
    """A Microsoft 365 tenant reached through Microsoft Graph (Planner and Teams)."""

    base_url: BaseUrl = Field(
        default="https://graph.microsoft.com/v1.0",
        description="Graph endpoint including the version segment.",
    )


class DataverseConnection(_AzureConnection):
    """A Dataverse environment holding Microsoft Project (Project for the web) data."""

    url: BaseUrl = Field(description="Environment URL, e.g. https://contoso.crm.dynamics.com.")
    api_path: str = Field(default="/api/data/v9.2", pattern=r"^/[A-Za-z0-9_./-]*$")


class TeamsWebhook(SecretBearing):
    """A Teams Workflows webhook that posts Adaptive Cards into a channel.

    The URL carries its own signature, so it is a secret: anyone holding it can post.
    """

    secret_fields: ClassVar[tuple[str, ...]] = ("url",)

    url: SecretStr | None = Field(default=None, description="The workflow's HTTP POST URL.")
    url_file: Path | None = None

    @field_validator("url")
    @classmethod
    def _valid_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return value
        url = value.get_secret_value()
        try:
            check_url(url, allow_query=True)
        except PydanticCustomError:
            # Name the scheme and host only: the query string is the webhook's signature.
            raise PydanticCustomError(
                "url",
                "'{value}' is not a valid https webhook URL",
                {"value": url.split("?", 1)[0]},
            ) from None
        return value


class MSPDIFile(ConfigModel):
    """A Microsoft Project desktop export (MSPDI XML) read as a source."""

    path: Path = Field(description="The .xml file, relative to the folder of flywheel.toml.")
