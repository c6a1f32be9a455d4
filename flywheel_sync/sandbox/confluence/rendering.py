"""Pages as Confluence's two APIs write them on the wire (v1 ``Content``, v2 ``PageSingle``)."""

from __future__ import annotations

from typing import Any

from flywheel_sync.sandbox.confluence.pages import Page, PageStore, PropertyEntry

__all__ = ["v1_content", "v1_history", "v1_property", "v2_page", "v2_property"]

_USER = {"type": "known", "accountId": "5b10a2844c20165700ede21g", "displayName": "PMO Bot"}


def _iso(page_time: Any) -> str:
    return str(page_time.isoformat(timespec="milliseconds").replace("+00:00", "Z"))


def v1_content(page: Page, store: PageStore, *, base: str, expand: set[str]) -> dict[str, Any]:
    """A v1 ``Content``, expanded as Confluence does.

    Space, history and version are always there; body and ancestors only on request
    (``expand=body.storage,ancestors``).
    """
    content: dict[str, Any] = {
        "id": page.id,
        "type": "page",
        "status": "current",
        "title": page.title,
        "space": _v1_space(page, base),
        "history": {"latest": True, "createdBy": _USER, "createdDate": _iso(page.created)},
        "version": {
            "by": _USER,
            "when": _iso(page.updated),
            "number": page.version,
            "message": page.version_message,
            "minorEdit": False,
        },
        "_links": {
            "webui": f"/spaces/{page.space.key}/pages/{page.id}",
            "self": f"{base}/rest/api/content/{page.id}",
            "base": base,
        },
        "_expandable": {"children": f"/rest/api/content/{page.id}/child"},
    }
    if "ancestors" in expand:
        content["ancestors"] = [
            {"id": a.id, "type": "page", "status": "current", "title": a.title}
            for a in store.ancestors(page)
        ]
    if expand & {"body.storage", "body"}:
        content["body"] = {"storage": {"value": page.body, "representation": "storage"}}
    if "metadata.labels" in expand:
        content["metadata"] = {"labels": {"results": [_v1_label(n) for n in page.labels]}}
    return content


def _v1_space(page: Page, base: str) -> dict[str, Any]:
    space = page.space
    return {
        "id": int(space.id),
        "key": space.key,
        "name": space.name,
        "type": "global",
        "status": "current",
        "_expandable": {"homepage": f"/rest/api/space/{space.key}/homepage"},
        "_links": {"webui": f"/spaces/{space.key}", "self": f"{base}/rest/api/space/{space.key}"},
    }


def _v1_label(name: str) -> dict[str, str]:
    return {"prefix": "global", "name": name, "id": str(abs(hash(name)) % 10**9), "label": name}


def v1_labels(page: Page) -> dict[str, Any]:
    """``{"results": [label, ...]}`` for the page's labels."""
    results = [_v1_label(name) for name in page.labels]
    return {"results": results, "start": 0, "limit": 200, "size": len(results)}


def v1_history(page: Page) -> dict[str, Any]:
    """The history the client reads before an update (``lastUpdated.number``)."""
    return {
        "latest": True,
        "createdBy": _USER,
        "createdDate": _iso(page.created),
        "lastUpdated": {
            "by": _USER,
            "when": _iso(page.updated),
            "number": page.version,
            "message": page.version_message,
        },
    }


def v1_property(page: Page, entry: PropertyEntry, *, base: str) -> dict[str, Any]:
    """A v1 content property."""
    return {
        "id": entry.id,
        "key": entry.key,
        "value": entry.value,
        "version": {
            "when": _iso(entry.updated),
            "message": "",
            "number": entry.version,
            "minorEdit": False,
        },
        "content": {"id": page.id, "type": "page", "status": "current", "title": page.title},
        "_links": {"self": f"{base}/rest/api/content/{page.id}/property/{entry.key}"},
    }


def v2_page(page: Page, *, body_format: str | None) -> dict[str, Any]:
    """A v2 ``PageSingle``; the body only when ``body-format`` asks for it."""
    result: dict[str, Any] = {
        "id": page.id,
        "status": "current",
        "title": page.title,
        "spaceId": page.space.id,
        "parentId": page.parent_id,
        "parentType": "page" if page.parent_id else None,
        "authorId": _USER["accountId"],
        "createdAt": _iso(page.created),
        "version": {
            "number": page.version,
            "message": page.version_message,
            "minorEdit": False,
            "authorId": _USER["accountId"],
            "createdAt": _iso(page.updated),
        },
        "body": {},
        "_links": {"webui": f"/spaces/{page.space.key}/pages/{page.id}"},
    }
    if body_format == "storage":
        result["body"] = {"storage": {"representation": "storage", "value": page.body}}
    return result


def v2_property(entry: PropertyEntry) -> dict[str, Any]:
    """A v2 content property."""
    return {
        "id": entry.id,
        "key": entry.key,
        "value": entry.value,
        "version": {"number": entry.version},
    }
