"""The vendors' OpenAPI subsets, where the sandbox serves each, and how a sandbox URL maps to them.

openapi-core finds an operation by joining a request's ``host_url`` and ``path`` and matching
the result against ``<server url><path template>``. The sandbox serves every API under its own
prefix on 127.0.0.1 (``/jira``, ``/confluence/rest/api``, ...), so `SpecRequest` presents each
recorded request as the spec addresses it: the spec's server URL (variables at their defaults)
in place of the sandbox prefix. Confluence v1's server is scheme-relative
(``//your-domain.atlassian.net``), so the host is kept exactly as the spec writes it.

Each document is parsed and spec-validated once per process: 0.32 s for Jira Cloud v3
(414 kB), 0.17 s for Confluence v1, 0.09 s each for Jira Data Center and Confluence v2.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest
from openapi_core.datatypes import RequestParameters
from openapi_core.schema.servers import get_server_url
from openapi_core.security.exceptions import SecurityProviderError
from openapi_core.security.factories import SecurityProviderFactory
from openapi_core.security.providers import BaseProvider
from requests import PreparedRequest
from typing_extensions import override

__all__ = [
    "CONFLUENCE_V1",
    "CONFLUENCE_V2",
    "DATAVERSE",
    "GRAPH_V1",
    "JIRA_CLOUD_V3",
    "JIRA_DC_V2",
    "SPECS_DIR",
    "ApiSpec",
    "Mount",
    "SpecRequest",
]

SPECS_DIR = Path(os.environ.get("CONTRACT_SPECS_DIR", "/work/shared/specs"))


class _BearerProvider(BaseProvider):
    """OAuth 2.0 access tokens travel as ``Authorization: Bearer`` (jira-wire.md §5).

    openapi-core has no oauth2 provider: it warns and accepts any request, which would both
    fail under ``filterwarnings=error`` and, where oauth2 is listed first (Confluence v1),
    make the security check accept a request with no credentials at all.
    """

    @override
    def __call__(self, parameters: RequestParameters) -> str:
        scheme, _, token = str(parameters.header.get("Authorization", "")).partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise SecurityProviderError("Missing bearer token.")
        return token


def _security_providers() -> SecurityProviderFactory:
    factory = SecurityProviderFactory()
    factory.PROVIDERS = {**SecurityProviderFactory.PROVIDERS, "oauth2": _BearerProvider}
    return factory


@dataclass(frozen=True, kw_only=True)
class Mount:
    """One place the sandbox serves a spec: ``sandbox`` prefix ↔ ``spec`` prefix below its server.

    Example: Confluence Data Center's ``/confluence/rest/api`` is the spec's ``/wiki/rest/api``.
    """

    sandbox: str
    spec: str = ""


@dataclass(frozen=True, kw_only=True)
class ApiSpec:
    """One subset file and the sandbox prefixes that serve it."""

    name: str
    file: str
    mounts: tuple[Mount, ...]

    @property
    def openapi(self) -> OpenAPI:
        """The parsed and spec-validated document, loaded on first use."""
        return _load(self.file)

    @property
    def server(self) -> str:
        """The first server URL with its variables at their defaults."""
        return get_server_url(self.openapi.spec / "servers" / 0)

    def mount_for(self, path: str) -> Mount | None:
        """The longest mount whose sandbox prefix holds ``path``, if any."""
        held = [m for m in self.mounts if path == m.sandbox or path.startswith(m.sandbox + "/")]
        return max(held, key=lambda m: len(m.sandbox), default=None)


@cache
def _load(file: str) -> OpenAPI:
    config = Config(security_provider_factory=_security_providers())
    return OpenAPI.from_file_path(str(SPECS_DIR / file), config=config)


class SpecRequest(RequestsOpenAPIRequest):
    """A recorded request as its spec addresses it (query, headers and body untouched)."""

    def __init__(self, request: PreparedRequest, spec: ApiSpec, mount: Mount) -> None:
        super().__init__(request)
        server = urlsplit(spec.server)
        below = self._url_parsed.path.removeprefix(mount.sandbox)
        self._host = f"{server.scheme}:" if server.scheme else ""
        self._host += f"//{server.netloc}"
        self._server_path = server.path.rstrip("/")
        self.spec_path = mount.spec + below
        """The path as the spec's ``paths`` write it, e.g. ``/rest/api/3/issue/PMO-1``."""

    @property
    @override
    def host_url(self) -> str:
        return self._host

    @property
    @override
    def path(self) -> str:
        return self._server_path + self.spec_path

    @property
    def full_url(self) -> str:
        """What openapi-core matches against ``<server><template>``."""
        return urljoin(self.host_url, self.path)


JIRA_CLOUD_V3 = ApiSpec(
    name="jira-cloud-v3",
    file="jira-cloud-v3.subset.json",
    mounts=(Mount(sandbox="/jira"),),
)
JIRA_DC_V2 = ApiSpec(
    name="jira-dc-v2",
    file="jira-dc-v2.subset.json",
    # The spec's server is http://{baseurl}/rest and its paths start at /api/2.
    mounts=(Mount(sandbox="/jira/rest"),),
)
CONFLUENCE_V1 = ApiSpec(
    name="confluence-cloud-v1",
    file="confluence-cloud-v1.subset.json",
    mounts=(
        Mount(sandbox="/confluence/wiki/rest/api", spec="/wiki/rest/api"),  # Cloud root
        Mount(sandbox="/confluence/rest/api", spec="/wiki/rest/api"),  # Data Center root
    ),
)
CONFLUENCE_V2 = ApiSpec(
    name="confluence-cloud-v2",
    file="confluence-cloud-v2.subset.json",
    mounts=(Mount(sandbox="/confluence/wiki/api/v2"),),
)
GRAPH_V1 = ApiSpec(
    name="msgraph-v1.0",
    file="msgraph-v1.0-planner-teams.subset.yaml",
    # The spec's server is https://graph.microsoft.com/v1.0/ and its paths start below it.
    mounts=(Mount(sandbox="/graph/v1.0"),),
)
DATAVERSE = ApiSpec(
    name="dataverse",
    file="dataverse-project-scheduling.subset.yaml",
    # The spec's server is https://{org}.crm.dynamics.com/api/data/v9.2.
    mounts=(Mount(sandbox="/dataverse/api/data/v9.2"),),
)
