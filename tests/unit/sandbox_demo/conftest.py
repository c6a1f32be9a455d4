"""Shared demo builds: building is pure, so one build per parameter set serves every test."""

from __future__ import annotations

import datetime as dt
import functools

import pytest

from flywheel_sync.sandbox.demo import DemoOrganisation, build_demo_organisation

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


@functools.cache
def built(seed: int = 1, scale: float = 1.0) -> DemoOrganisation:
    """The organisation for (seed, scale) at `NOW`, built once per test session.

    Tests must not mutate it.
    """
    return build_demo_organisation(seed=seed, scale=scale, now=NOW)


@pytest.fixture
def org() -> DemoOrganisation:
    return built()
