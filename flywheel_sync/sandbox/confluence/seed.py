"""The Confluence content the sandbox starts with (and returns to on ``/_sandbox/reset``)."""

from __future__ import annotations

from flywheel_sync.sandbox.confluence.pages import PageStore, Space

__all__ = ["PMO_SPACE", "seeded_page_store"]

PMO_SPACE = Space(id="98305", key="PMO", name="Enterprise PMO")


def _seed(store: PageStore) -> None:
    home = store.create(
        space_key="PMO",
        title="Enterprise PMO",
        body="<p>Northwind Utilities' Enterprise PMO: services, value and reports.</p>",
        parent_id=None,
    )
    store.create(
        space_key="PMO",
        title="PMO Value Reports",
        body="<p>KPI summaries per service and customer, kept current by flywheel-sync.</p>",
        parent_id=home.id,
    )


def seeded_page_store() -> PageStore:
    """A page store holding the PMO space and its starting pages."""
    store = PageStore([PMO_SPACE], seed=_seed)
    store.reset()
    return store
