"""The Confluence content the sandbox starts with: the demo organisation's PMO space."""

from __future__ import annotations

from flywheel_sync.sandbox.confluence.pages import PageStore, Space
from flywheel_sync.sandbox.demo import ConfluenceSite

__all__ = ["seeded_page_store"]


def seeded_page_store(site: ConfluenceSite) -> PageStore:
    """A page store holding the demo's PMO space and its pages."""
    space = site.space
    store = PageStore([Space(id=str(space["id"]), key=str(space["key"]), name=str(space["name"]))])
    store.load(site.pages)
    return store
