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

A history that cannot be read (a changelog that is not an object, a ``total`` that is not a
number, a history without a readable ``created`` or id) raises `RecordError`: the source
quarantines that issue. `IssueCompletion.requests` counts every request made, including
those for an issue that ends up quarantined.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from connectors.errors import RecordError
from connectors.jira.site import JiraFlavour, JiraSite
from connectors.jira.watermark import parse_jira_time
from connectors.quarantine import shown

__all__ = ["FULL_CHANGELOG_KEY", "IssueCompletion"]

FULL_CHANGELOG_KEY = "fullChangelog"
"""Payload key of a stage-bearing issue's complete history: histories, oldest first."""

_CHANGELOG_PAGE = 100


def _histories(changelog: object, key: str, source: str) -> list[Any]:
    """The changelog's histories as sent.

    Raises:
        RecordError: The changelog is not an object, or its histories are not a list.
    """
    if not isinstance(changelog, Mapping):
        raise RecordError(
            f"the issue's changelog is not an object ({shown(changelog)})",
            source=source,
            record=key,
        )
    histories = changelog.get("histories")
    if histories is None:
        return []
    if not isinstance(histories, list):
        raise RecordError(
            f"the changelog's histories are not a list ({shown(histories)})",
            source=source,
            record=key,
        )
    return histories


def _count(answer: object, name: str, key: str, source: str) -> int | None:
    """A count Jira sends in a changelog answer (``total``); None when absent.

    Raises:
        RecordError: It is there but not a whole number.
    """
    value = answer.get(name) if isinstance(answer, Mapping) else None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(
            f"the changelog's {name} is not a number ({shown(value)})", source=source, record=key
        )
    return value


def _is_partial(changelog: object, key: str, source: str) -> bool:
    histories = _histories(changelog, key, source)
    total = _count(changelog, "total", key, source)
    return total is not None and total > len(histories)


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
        self.requests = 0
        """Requests made so far (re-reads and history pages), for the pages' counts."""

    def bears_stages(self, issue: Mapping[str, Any]) -> bool:
        """Whether the issue's complete history is kept."""
        if self._types is None:
            return True
        fields = issue.get("fields")
        kind = fields.get("issuetype") if isinstance(fields, Mapping) else None
        if not isinstance(kind, Mapping):
            return False  # no readable issue type: not one of those whose history is kept
        names = {str(kind.get("name", "")).casefold(), str(kind.get("id", ""))}
        return bool(names & self._types)

    def complete(self, issue: Mapping[str, Any]) -> dict[str, Any]:
        """The record payload for ``issue`` (its ``key`` already checked by the source).

        Raises:
            RecordError: The issue's history cannot be read whole, or Jira refused to read
                the issue again (gone since the search, 404).
        """
        payload = dict(issue)
        key = str(issue.get("key"))
        source = self._site.source
        history = self.bears_stages(issue) and "changelog" in issue
        partial = history and _is_partial(issue["changelog"], key, source)
        cloud = self._site.flavour is JiraFlavour.CLOUD
        missing_properties = bool(self._property_keys) and "properties" not in issue
        if missing_properties or (partial and not cloud):
            payload |= self._reread(
                key, properties=missing_properties, history=partial and not cloud
            )
            partial = partial and cloud
        if history:
            if partial:
                histories = self._paged_history(key)
            else:
                histories = _histories(payload["changelog"], key, source)
            payload[FULL_CHANGELOG_KEY] = _oldest_first(histories, key, source)
        return payload

    def _reread(self, key: str, *, properties: bool, history: bool) -> dict[str, Any]:
        """What ``GET /issue/{key}`` adds: properties, and (Data Center) the whole history."""
        self.requests += 1
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
            if _is_partial(found["changelog"], key, self._site.source):
                raise RecordError(
                    "Jira returned only part of the issue's history",
                    source=self._site.source,
                    record=key,
                )
        return found

    def _paged_history(self, key: str) -> list[Any]:
        source = self._site.source
        histories: list[Any] = []
        while True:
            self.requests += 1
            page = self._site.changelog_page(
                key, start_at=len(histories), max_results=_CHANGELOG_PAGE
            )
            values = page.get("values")
            if not isinstance(values, list):
                raise RecordError(
                    f"a page of the issue's history has no list of values ({shown(values)})",
                    source=source,
                    record=key,
                )
            histories += values
            total = _count(page, "total", key, source)
            if not values or page.get("isLast") or (total is not None and len(histories) >= total):
                return histories


def _oldest_first(histories: list[Any], key: str, source: str) -> list[dict[str, Any]]:
    """Histories by ``created`` then id: Cloud embeds them newest first, its endpoint oldest.

    Raises:
        RecordError: A history is not an object, or has no readable ``created`` or id.
    """

    def when(history: Any) -> tuple[datetime, int]:
        created = history.get("created") if isinstance(history, Mapping) else None
        history_id = history.get("id") if isinstance(history, Mapping) else None
        try:
            if isinstance(created, str) and isinstance(history_id, str | int):
                return parse_jira_time(created), int(history_id)
        except ValueError:
            pass
        raise RecordError(
            "a changelog history has no readable created or id", source=source, record=key
        )

    return sorted(histories, key=when)
