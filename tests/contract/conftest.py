"""Contract fixtures: one sandbox per module, and a recording client per emulated API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from flywheel_sync.sandbox.jira.app import JiraFlavour
from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer
from tests.contract.calls import (
    CONFLUENCE_AUTH,
    DATAVERSE_AUTH,
    GRAPH_AUTH,
    JIRA_AUTH,
    ContractClient,
    Setup,
)
from tests.contract.harness import ContractRecorder
from tests.contract.specs import (
    CONFLUENCE_V1,
    CONFLUENCE_V2,
    DATAVERSE,
    GRAPH_V1,
    JIRA_CLOUD_V3,
    JIRA_DC_V2,
)

# Pinned so the seeded data, and with it which deviations a row meets, never drifts by day.
SEEDED_AT = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def cloud_sandbox() -> Iterator[SandboxServer]:
    """A Cloud-flavoured sandbox shared by every test of one module."""
    with SandboxServer(SandboxOptions(now=SEEDED_AT)) as server:
        yield server


@pytest.fixture(scope="module")
def datacenter_sandbox() -> Iterator[SandboxServer]:
    """A Data Center-flavoured sandbox shared by every test of one module."""
    with SandboxServer(
        SandboxOptions(now=SEEDED_AT, jira_flavour=JiraFlavour.DATACENTER)
    ) as server:
        yield server


@pytest.fixture(scope="module")
def jira_cloud(cloud_sandbox: SandboxServer) -> ContractClient:
    """Jira Cloud calls, judged against the REST v3 subset."""
    recorder = ContractRecorder(cloud_sandbox.url, [JIRA_CLOUD_V3], auth=JIRA_AUTH)
    return ContractClient(recorder, Setup(cloud_sandbox.url, JIRA_AUTH))


@pytest.fixture(scope="module")
def jira_datacenter(datacenter_sandbox: SandboxServer) -> ContractClient:
    """Jira Data Center calls, judged against the REST v2 subset."""
    recorder = ContractRecorder(datacenter_sandbox.url, [JIRA_DC_V2], auth=JIRA_AUTH)
    return ContractClient(recorder, Setup(datacenter_sandbox.url, JIRA_AUTH))


@pytest.fixture(scope="module")
def confluence(cloud_sandbox: SandboxServer) -> ContractClient:
    """Confluence calls, judged against the v1 or v2 subset by their URL."""
    recorder = ContractRecorder(
        cloud_sandbox.url, [CONFLUENCE_V1, CONFLUENCE_V2], auth=CONFLUENCE_AUTH
    )
    return ContractClient(recorder, Setup(cloud_sandbox.url, CONFLUENCE_AUTH))


@pytest.fixture(scope="module")
def graph(cloud_sandbox: SandboxServer) -> ContractClient:
    """Microsoft Graph calls (Planner, Teams, directory, $batch), judged against the v1.0 subset."""
    recorder = ContractRecorder(cloud_sandbox.url, [GRAPH_V1], auth=GRAPH_AUTH)
    return ContractClient(recorder, Setup(cloud_sandbox.url, GRAPH_AUTH))


@pytest.fixture(scope="module")
def dataverse(cloud_sandbox: SandboxServer) -> ContractClient:
    """Dataverse calls (Project tables, Schedule API), judged against the scheduling subset."""
    recorder = ContractRecorder(cloud_sandbox.url, [DATAVERSE], auth=DATAVERSE_AUTH)
    return ContractClient(recorder, Setup(cloud_sandbox.url, DATAVERSE_AUTH))
