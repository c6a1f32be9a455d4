"""Confluence's pages as the emulator keeps them: spaces, versions, labels and properties.

One store serves both API versions, so a page written through v2 reads back through v1. Every
change is made under a lock and checked the way Confluence checks it: an update must carry the
current version + 1 (409 otherwise), and titles are unique within a space.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["ConfluenceError", "Page", "PageStore", "PropertyEntry", "Space"]


class ConfluenceError(Exception):
    """A request Confluence would refuse, with the HTTP status it would answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, kw_only=True)
class Space:
    """A space: v1 names it by key, v2 by numeric id."""

    id: str
    key: str
    name: str


@dataclass(kw_only=True)
class PropertyEntry:
    """A content property: a JSON value with its own version."""

    id: str
    key: str
    value: Any
    version: int = 1
    updated: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(kw_only=True)
class Page:
    """A page and its history so far."""

    id: str
    space: Space
    title: str
    body: str
    parent_id: str | None
    version: int = 1
    version_message: str = ""
    created: datetime
    updated: datetime
    labels: list[str] = field(default_factory=list)
    properties: dict[str, PropertyEntry] = field(default_factory=dict)


def _now() -> datetime:
    return datetime.now(UTC)


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class PageStore:
    """Spaces and pages, safe to use from concurrent requests."""

    def __init__(self, spaces: list[Space]) -> None:
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self.spaces = {space.key: space for space in spaces}
        self.pages: dict[str, Page] = {}

    def load(self, pages: Iterable[dict[str, Any]]) -> None:
        """Replace every page with ``pages`` (v2 ``PageSingle`` JSON, parents first).

        New pages get ids after the highest loaded one, as Confluence's ids keep ascending.
        """
        with self._lock:
            by_id = {space.id: space for space in self.spaces.values()}
            self.pages = {}
            for raw in pages:
                created = _parse_time(raw["createdAt"])
                page = Page(
                    id=str(raw["id"]),
                    space=by_id[str(raw["spaceId"])],
                    title=str(raw["title"]),
                    body=str(raw["body"]["storage"]["value"]),
                    parent_id=raw.get("parentId"),
                    version=int(raw["version"]["number"]),
                    version_message=str(raw["version"].get("message") or ""),
                    created=created,
                    updated=_parse_time(raw["version"]["createdAt"]),
                )
                self.pages[page.id] = page
            highest = max((int(page_id) for page_id in self.pages), default=65536)
            self._ids = itertools.count(highest + 1)

    def space(self, key: str) -> Space:
        """The space with this key, or a 404."""
        try:
            return self.spaces[key]
        except KeyError:
            raise ConfluenceError(404, f"No space with key : {key}") from None

    def space_by_id(self, space_id: str) -> Space:
        """The space with this numeric id, or a 404."""
        for space in self.spaces.values():
            if space.id == space_id:
                return space
        raise ConfluenceError(404, f"No space with id : {space_id}")

    def page(self, page_id: str) -> Page:
        """The page with this id, or a 404."""
        try:
            return self.pages[page_id]
        except KeyError:
            raise ConfluenceError(
                404, f"No content found with id : ContentId{{id={page_id}}}"
            ) from None

    def find(self, *, space_key: str | None = None, title: str | None = None) -> list[Page]:
        """Pages matching the given space and exact title, in id order."""
        with self._lock:
            return [
                page
                for page in self.pages.values()
                if (space_key is None or page.space.key == space_key)
                and (title is None or page.title == title)
            ]

    def ancestors(self, page: Page) -> list[Page]:
        """The page's ancestors, root first."""
        chain: list[Page] = []
        parent_id = page.parent_id
        while parent_id is not None and parent_id in self.pages:
            parent = self.pages[parent_id]
            chain.insert(0, parent)
            parent_id = parent.parent_id
        return chain

    def create(self, *, space_key: str, title: str, body: str, parent_id: str | None) -> Page:
        """A new page at version 1; the title must be new in its space."""
        with self._lock:
            space = self.space(space_key)
            if self.find(space_key=space_key, title=title):
                raise ConfluenceError(
                    400,
                    "A page with this title already exists: A page already exists with the "
                    "same TITLE in this space",
                )
            if parent_id is not None:
                self.page(parent_id)
            now = _now()
            page = Page(
                id=str(next(self._ids)),
                space=space,
                title=title,
                body=body,
                parent_id=parent_id,
                created=now,
                updated=now,
            )
            self.pages[page.id] = page
            return page

    def update(
        self, page_id: str, *, title: str, body: str | None, version: int, message: str = ""
    ) -> Page:
        """Apply an edit that names the next version number, as Confluence requires."""
        with self._lock:
            page = self.page(page_id)
            if version != page.version + 1:
                raise ConfluenceError(
                    409,
                    f"Version must be incremented on update. Current version is: {page.version}",
                )
            clash = [p for p in self.find(space_key=page.space.key, title=title) if p is not page]
            if clash:
                raise ConfluenceError(400, "A page with this title already exists")
            page.title = title
            if body is not None:
                page.body = body
            page.version = version
            page.version_message = message
            page.updated = _now()
            return page

    def add_labels(self, page_id: str, names: list[str]) -> Page:
        """Add labels (kept unique, in the order first added)."""
        with self._lock:
            page = self.page(page_id)
            for name in names:
                if name not in page.labels:
                    page.labels.append(name)
            return page

    def remove_label(self, page_id: str, name: str) -> None:
        """Remove a label; 404 if the page does not carry it."""
        with self._lock:
            page = self.page(page_id)
            if name not in page.labels:
                raise ConfluenceError(404, f"Label '{name}' is not on content {page_id}")
            page.labels.remove(name)

    def set_property(
        self, page_id: str, key: str, value: Any, version: int | None
    ) -> PropertyEntry:
        """Create a property (``version`` None or 1) or update it (current version + 1)."""
        with self._lock:
            page = self.page(page_id)
            existing = page.properties.get(key)
            if existing is None:
                if version not in (None, 1):
                    raise ConfluenceError(404, f"Content property '{key}' does not exist")
                entry = PropertyEntry(id=str(next(self._ids)), key=key, value=value)
                page.properties[key] = entry
                return entry
            if version is None:
                raise ConfluenceError(409, f"Content property '{key}' already exists")
            if version != existing.version + 1:
                raise ConfluenceError(
                    409,
                    f"Version must be incremented on update. Current version is: "
                    f"{existing.version}",
                )
            existing.value, existing.version, existing.updated = value, version, _now()
            return existing

    def delete_property(self, page_id: str, key: str) -> None:
        """Remove a property; 404 if absent."""
        with self._lock:
            page = self.page(page_id)
            if page.properties.pop(key, None) is None:
                raise ConfluenceError(404, f"Content property '{key}' does not exist")
