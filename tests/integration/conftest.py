"""Integration fixtures: a sandbox server on a random port, driven over real HTTP.

End-to-end modules run once per store backend: their module fixture asks for
`module_store_url` and hands it to `pull_helpers.use_store` (``None``: the starter's SQLite
file; otherwise a fresh PostgreSQL database for the module).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flywheel_sync.sandbox.jira.app import JiraFlavour
from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer
from tests.postgres import PostgresServer


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


STORE_BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="module", params=STORE_BACKENDS)
def store_backend(request: pytest.FixtureRequest) -> str:
    """The database the module's store lives in; each backend runs the module's fixture once."""
    backend: str = request.param
    return backend


@pytest.fixture(scope="module")
def module_store_url(store_backend: str, request: pytest.FixtureRequest) -> Iterator[str | None]:
    """``None`` for the starter's SQLite store, or a PostgreSQL database kept for the module."""
    if store_backend == "sqlite":
        yield None
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    with server.database() as url:
        yield url
