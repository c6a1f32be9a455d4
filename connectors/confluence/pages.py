"""Pages and content properties as the connector hands them out, and the two REST dialects.

Cloud is spoken to in REST v2 (``/wiki/api/v2/pages``: spaces by numeric id, properties by
property id) and Data Center in v1 (``/rest/api/content``: spaces by key, properties by key);
jira-wire.md §6. `V1Pages` and `V2Pages` build each request and read each answer of their
dialect; `ConfluenceSite` sends them. Every write is exactly one request, and an update
always sends the version it is given + 1: nothing is skipped because the body looks
unchanged (atlassian-python-api's own ``update_page`` skips, and its v2 one re-reads the
page first; neither is used).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol
from urllib.parse import quote

from connectors.errors import ConnectorConfigError

__all__ = ["PageApi", "PageInfo", "PropertyInfo", "Sender", "V1Pages", "V2Pages"]

_STORAGE = "storage"
_V1_EXPAND = "version,body.storage,ancestors"


@dataclass(frozen=True, kw_only=True)
class PageInfo:
    """A page as Confluence has it now.

    ``version`` is the current one (an update sends version + 1); ``body`` is storage format;
    ``url`` its web address (None when Confluence gave none); ``parent_id`` its parent page.
    """

    id: str
    title: str
    version: int
    body: str
    url: str | None
    parent_id: str | None


@dataclass(frozen=True, kw_only=True)
class PropertyInfo:
    """A content property: its JSON value, its version and its id (v2 updates by id)."""

    value: Any
    version: int
    id: str | None = None


class Sender(Protocol):
    """Sends one request below the client's base URL; None for a lookup answered 404."""

    def __call__(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        record: str | None = None,
        lookup: bool = False,
    ) -> Any:
        """The answer's JSON (None for no body, or for a lookup Confluence answered 404)."""


class PageApi(Protocol):
    """What one dialect offers; `ConfluenceSite` documents each method."""

    def find_page(self, space_key: str, title: str) -> PageInfo | None: ...  # noqa: D102
    def page(self, page_id: str) -> PageInfo | None: ...  # noqa: D102
    def create_page(  # noqa: D102
        self, *, space_key: str, title: str, body: str, parent_id: str | None
    ) -> PageInfo: ...
    def update_page(  # noqa: D102
        self, *, page_id: str, title: str, body: str, version: int, message: str
    ) -> PageInfo: ...
    def page_property(self, page_id: str, key: str) -> PropertyInfo | None: ...  # noqa: D102
    def create_property(self, page_id: str, key: str, value: Any) -> None: ...  # noqa: D102
    def update_property(  # noqa: D102
        self, page_id: str, current: PropertyInfo, key: str, value: Any
    ) -> None: ...


def _storage(raw: Mapping[str, Any]) -> str:
    return str(((raw.get("body") or {}).get(_STORAGE) or {}).get("value") or "")


def _web_url(raw: Mapping[str, Any], base: str) -> str | None:
    links = raw.get("_links") or {}
    webui = links.get("webui")
    return f"{str(links.get('base') or base).rstrip('/')}{webui}" if webui else None


def _segment(value: str) -> str:
    return quote(value, safe="")


def _property(raw: Any) -> PropertyInfo | None:
    if not isinstance(raw, Mapping):
        return None
    return PropertyInfo(
        value=raw.get("value"),
        version=int((raw.get("version") or {}).get("number") or 1),
        id=None if raw.get("id") is None else str(raw["id"]),
    )


class V1Pages:
    """REST v1 (Data Center ``/rest/api``): spaces and properties by key.

    Args:
        send: Sends one request.
        base: The site's web address, for page URLs when an answer gives no ``_links.base``.
    """

    def __init__(self, send: Sender, *, base: str) -> None:
        self.send = send
        self.base = base

    def _page(self, raw: Mapping[str, Any]) -> PageInfo:
        ancestors = raw.get("ancestors") or []
        return PageInfo(
            id=str(raw["id"]),
            title=str(raw["title"]),
            version=int(raw["version"]["number"]),
            body=_storage(raw),
            url=_web_url(raw, self.base),
            parent_id=str(ancestors[-1]["id"]) if ancestors else None,
        )

    def find_page(self, space_key: str, title: str) -> PageInfo | None:
        """``GET /rest/api/content?spaceKey&title&type=page``: the first match."""
        params = {"spaceKey": space_key, "title": title, "type": "page", "expand": _V1_EXPAND}
        found = self.send("GET", "rest/api/content", params=params) or {}
        results = found.get("results") or []
        return self._page(results[0]) if results else None

    def page(self, page_id: str) -> PageInfo | None:
        """``GET /rest/api/content/{id}``."""
        path = f"rest/api/content/{_segment(page_id)}"
        found = self.send("GET", path, params={"expand": _V1_EXPAND}, record=page_id, lookup=True)
        return None if found is None else self._page(found)

    def create_page(
        self, *, space_key: str, title: str, body: str, parent_id: str | None
    ) -> PageInfo:
        """``POST /rest/api/content``."""
        page: dict[str, Any] = {
            "type": "page",
            "title": title,
            "space": {"key": space_key},
            "body": {_STORAGE: {"value": body, "representation": _STORAGE}},
        }
        if parent_id is not None:
            page["ancestors"] = [{"id": parent_id}]
        created = self.send("POST", "rest/api/content", params={"expand": _V1_EXPAND}, body=page)
        return replace(self._page(created), body=body, parent_id=parent_id)

    def update_page(
        self, *, page_id: str, title: str, body: str, version: int, message: str
    ) -> PageInfo:
        """``PUT /rest/api/content/{id}`` with ``version.number`` = ``version`` + 1."""
        page = {
            "id": page_id,
            "type": "page",
            "title": title,
            "version": {"number": version + 1, "message": message},
            "body": {_STORAGE: {"value": body, "representation": _STORAGE}},
        }
        path = f"rest/api/content/{_segment(page_id)}"
        updated = self.send("PUT", path, params={"expand": _V1_EXPAND}, body=page, record=page_id)
        return replace(self._page(updated), body=body)

    def _property_path(self, page_id: str, key: str | None = None) -> str:
        path = f"rest/api/content/{_segment(page_id)}/property"
        return path if key is None else f"{path}/{_segment(key)}"

    def page_property(self, page_id: str, key: str) -> PropertyInfo | None:
        """``GET …/property/{key}``."""
        found = self.send("GET", self._property_path(page_id, key), record=page_id, lookup=True)
        return _property(found)

    def create_property(self, page_id: str, key: str, value: Any) -> None:
        """``POST …/property``."""
        body = {"key": key, "value": value}
        self.send("POST", self._property_path(page_id), body=body, record=page_id)

    def update_property(self, page_id: str, current: PropertyInfo, key: str, value: Any) -> None:
        """``PUT …/property/{key}`` with the version + 1."""
        body = {"key": key, "value": value, "version": {"number": current.version + 1}}
        self.send("PUT", self._property_path(page_id, key), body=body, record=page_id)


class V2Pages:
    """REST v2 (Cloud ``/wiki/api/v2``): spaces by numeric id, properties by property id.

    Args:
        send: Sends one request below the ``/wiki`` root.
        base: The site's ``/wiki`` web address, for page URLs.
        source: The source name a missing space's error carries.
    """

    def __init__(self, send: Sender, *, base: str, source: str) -> None:
        self.send = send
        self.base = base
        self.source = source
        self._space_ids: dict[str, str] = {}

    def _page(self, raw: Mapping[str, Any]) -> PageInfo:
        parent = raw.get("parentId")
        return PageInfo(
            id=str(raw["id"]),
            title=str(raw["title"]),
            version=int(raw["version"]["number"]),
            body=_storage(raw),
            url=_web_url(raw, self.base),
            parent_id=None if parent is None else str(parent),
        )

    def space_id(self, space_key: str) -> str:
        """The space's numeric id (``GET /spaces?keys=``), asked once per key.

        Raises:
            ConnectorConfigError: Confluence has no space with this key.
        """
        if space_key not in self._space_ids:
            found = self.send("GET", "api/v2/spaces", params={"keys": space_key}) or {}
            match = [s for s in found.get("results") or [] if s.get("key") == space_key]
            if not match:
                raise ConnectorConfigError(
                    f"Confluence has no space with key {space_key!r} (or it is hidden from "
                    "this user): check the configured space key",
                    source=self.source,
                )
            self._space_ids[space_key] = str(match[0]["id"])
        return self._space_ids[space_key]

    def find_page(self, space_key: str, title: str) -> PageInfo | None:
        """``GET /pages?space-id&title&status=current&body-format=storage``: the first match."""
        params = {
            "space-id": self.space_id(space_key),
            "title": title,
            "status": "current",
            "body-format": _STORAGE,
        }
        results = (self.send("GET", "api/v2/pages", params=params) or {}).get("results") or []
        return self._page(results[0]) if results else None

    def page(self, page_id: str) -> PageInfo | None:
        """``GET /pages/{id}?body-format=storage``."""
        path = f"api/v2/pages/{_segment(page_id)}"
        found = self.send(
            "GET", path, params={"body-format": _STORAGE}, record=page_id, lookup=True
        )
        return None if found is None else self._page(found)

    def create_page(
        self, *, space_key: str, title: str, body: str, parent_id: str | None
    ) -> PageInfo:
        """``POST /pages``."""
        page: dict[str, Any] = {
            "spaceId": self.space_id(space_key),
            "status": "current",
            "title": title,
            "body": {"representation": _STORAGE, "value": body},
        }
        if parent_id is not None:
            page["parentId"] = parent_id
        created = self.send("POST", "api/v2/pages", body=page)
        return replace(self._page(created), body=body)

    def update_page(
        self, *, page_id: str, title: str, body: str, version: int, message: str
    ) -> PageInfo:
        """``PUT /pages/{id}`` with ``version.number`` = ``version`` + 1."""
        page = {
            "id": page_id,
            "status": "current",
            "title": title,
            "body": {"representation": _STORAGE, "value": body},
            "version": {"number": version + 1, "message": message},
        }
        updated = self.send("PUT", f"api/v2/pages/{_segment(page_id)}", body=page, record=page_id)
        return replace(self._page(updated), body=body)

    def _properties(self, page_id: str) -> str:
        return f"api/v2/pages/{_segment(page_id)}/properties"

    def page_property(self, page_id: str, key: str) -> PropertyInfo | None:
        """``GET /pages/{id}/properties?key=``: the property with this key."""
        path = self._properties(page_id)
        found = self.send("GET", path, params={"key": key}, record=page_id, lookup=True) or {}
        listed = [p for p in found.get("results") or [] if p.get("key") == key]
        return _property(listed[0]) if listed else None

    def create_property(self, page_id: str, key: str, value: Any) -> None:
        """``POST /pages/{id}/properties``."""
        body = {"key": key, "value": value}
        self.send("POST", self._properties(page_id), body=body, record=page_id)

    def update_property(self, page_id: str, current: PropertyInfo, key: str, value: Any) -> None:
        """``PUT /pages/{id}/properties/{property-id}`` with the version + 1."""
        body = {"key": key, "value": value, "version": {"number": current.version + 1}}
        path = f"{self._properties(page_id)}/{_segment(str(current.id))}"
        self.send("PUT", path, body=body, record=page_id)
