"""Fixtures for the store tests: a migrated SQLite file in tmp_path, driven by a settable clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from flywheel_sync.store import Store, open_store
from tests.unit.store.builders import SettableClock


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state.db'}"


@pytest.fixture
def store(store_url: str, clock: SettableClock) -> Iterator[Store]:
    with open_store(store_url, clock=clock) as opened:
        yield opened


@pytest.fixture
def run_id(store: Store) -> str:
    return store.runs.start("nightly", "sync")


@pytest.fixture
def plan_id(store: Store, run_id: str) -> str:
    return store.plans.create(run_id, {"writes": 2})
