"""Integration fixtures: a sandbox server on a random port, driven over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A fresh sandbox (Cloud flavour) for one test."""
    with SandboxServer(SandboxOptions()) as server:
        yield server
