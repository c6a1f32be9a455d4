"""An in-memory store for every pull test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flywheel_sync.store import Store, open_store


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store("sqlite://") as opened:
        yield opened
