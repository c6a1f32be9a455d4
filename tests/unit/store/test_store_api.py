"""The store's public surface is exactly what ``__all__`` says."""

from __future__ import annotations

import types

import flywheel_sync.store as store_package

NOT_API = {"annotations"}  # the `from __future__ import annotations` feature flag


def test_all_lists_exactly_the_public_names() -> None:
    public = {
        name
        for name, value in vars(store_package).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }

    assert sorted(store_package.__all__) == sorted(public - NOT_API)
