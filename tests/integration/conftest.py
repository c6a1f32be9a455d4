"""Integration fixtures: a sandbox server on a random port, driven over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flywheel_sync.sandbox.jira.app import JiraFlavour
from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A fresh sandbox (Cloud flavour) for one test."""
    with SandboxServer(SandboxOptions()) as server:
        yield server


@pytest.fixture(scope="module")
def cloud() -> Iterator[SandboxServer]:
    """A Cloud-flavoured sandbox shared by one test module (tests may write to it)."""
    with SandboxServer(SandboxOptions()) as server:
        yield server


@pytest.fixture(scope="module")
def datacenter() -> Iterator[SandboxServer]:
    """A Data Center-flavoured sandbox shared by one test module."""
    with SandboxServer(SandboxOptions(jira_flavour=JiraFlavour.DATACENTER)) as server:
        yield server
