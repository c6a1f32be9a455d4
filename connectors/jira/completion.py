"""Completing a search result into a record: the issue's whole history, and its properties.

History. A search with ``expand=changelog`` embeds only part of a long history (Cloud: the
newest 20, newest first; jira-wire.md §2). For each *stage-bearing* issue the record gets the
complete history, oldest first, under `FULL_CHANGELOG_KEY`: the embedded one when it is
whole, else Cloud's paged ``GET /issue/{key}/changelog``. Data Center has no such endpoint
(it answers 404 there) but embeds whole histories; should one still come back partial, it is
read again with ``GET /issue/{key}?expand=changelog`` and refused as a `RecordError` if that
is partial too, rather than stored as if complete.

Properties. Cloud's search returns up to five issue properties per issue (``properties``):
no extra request. Data Center's search ignores that parameter (JRASERVER-62898), so when a
result has no ``properties`` object they are read with ``GET /issue/{key}?properties=…``,
one request per yielded issue (and the same request also completes a partial history).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from connectors.errors import RecordError
from connectors.jira.site import JiraFlavour, JiraSite
from connectors.jira.watermark import parse_jira_time

__all__ = ["FULL_CHANGELOG_KEY", "IssueCompletion"]

FULL_CHANGELOG_KEY = "fullChangelog"
"""Payload key of a stage-bearing issue's complete history: histories, oldest first."""

_CHANGELOG_PAGE = 100


def _is_partial(changelog: Mapping[str, Any]) -> bool:
    total = changelog.get("total")
    return total is not None and int(total) > len(changelog.get("histories") or ())


class IssueCompletion:
    """Adds what the search left out to an issue's payload.

    Args:
        site: Where to read the rest.
        history_types: Issue type names (or ids) whose history is completed; None: every
            issue's.
        property_keys: Issue property keys every record carries under ``properties``.
    """

    def __init__(
        self,
        site: JiraSite,
        *,
        history_types: Collection[str] | None,
        property_keys: tuple[str, ...],
    ) -> None:
        self._site = site
        self._types = None if history_types is None else {t.casefold() for t in history_types}
        self._property_keys = property_keys

    def bears_stages(self, issue: Mapping[str, Any]) -> bool:
        """Whether the issue's complete history is kept."""
        if self._types is None:
            return True
        kind = (issue.get("fields") or {}).get("issuetype") or {}
        names = {str(kind.get("name", "")).casefold(), str(kind.get("id", ""))}
        return bool(names & self._types)

    def complete(self, issue: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
        """The record payload for ``issue``, and how many requests completing it took."""
        payload = dict(issue)
        key = str(issue.get("key"))
        history = self.bears_stages(issue) and "changelog" in issue
        partial = history and _is_partial(issue["changelog"])
        cloud = self._site.flavour is JiraFlavour.CLOUD
        missing_properties = bool(self._property_keys) and "properties" not in issue
        requests = 0
        if missing_properties or (partial and not cloud):
            payload |= self._reread(
                key, properties=missing_properties, history=partial and not cloud
            )
            requests, partial = 1, partial and cloud
        if history:
            if partial:
                histories, pages = self._paged_history(key)
                requests += pages
            else:
                histories = list(payload["changelog"].get("histories") or ())
            payload[FULL_CHANGELOG_KEY] = _oldest_first(histories, key, self._site.source)
        return payload, requests

    def _reread(self, key: str, *, properties: bool, history: bool) -> dict[str, Any]:
        """What ``GET /issue/{key}`` adds: properties, and (Data Center) the whole history."""
        fetched = self._site.issue(
            key,
            fields="updated",
            expand="changelog" if history else None,
            properties=self._property_keys,
        )
        found: dict[str, Any] = {}
        if properties:
            found["properties"] = fetched.get("properties") or {}
        if history:
            found["changelog"] = fetched.get("changelog") or {}
            if _is_partial(found["changelog"]):
                raise RecordError("Jira returned only part of the issue's history", **self._at(key))
        return found

    def _at(self, key: str) -> dict[str, str]:
        return {"source": self._site.source, "record": key}

    def _paged_history(self, key: str) -> tuple[list[dict[str, Any]], int]:
        histories: list[dict[str, Any]] = []
        pages = 0
        while True:
            page = self._site.changelog_page(
                key, start_at=len(histories), max_results=_CHANGELOG_PAGE
            )
            pages += 1
            values = list(page.get("values") or ())
            histories += values
            total = page.get("total")
            if (
                not values
                or page.get("isLast")
                or (total is not None and len(histories) >= int(total))
            ):
                return histories, pages


def _oldest_first(histories: list[dict[str, Any]], key: str, source: str) -> list[dict[str, Any]]:
    """Histories by ``created`` then id: Cloud embeds them newest first, its endpoint oldest."""

    def when(history: Mapping[str, Any]) -> tuple[datetime, int]:
        try:
            return parse_jira_time(str(history["created"])), int(history["id"])
        except (KeyError, TypeError, ValueError):
            raise RecordError(
                "a changelog history has no readable created or id", source=source, record=key
            ) from None

    return sorted(histories, key=when)
