"""Issue search: Cloud's ``/search/jql`` and Data Center's ``/search``.

Cloud pages with ``nextPageToken``; Data Center with ``startAt`` and ``total``.

Cloud's pages are served by walking the issues in the query's order and filtering only
until the page is full (plus a look ahead for one more match, so the last page is known and
carries no token). The order itself is sorted once per ORDER BY and cached until the next
write, so a page costs about the same at 100,000 issues as at 1,000 for any query that
matches more than a sliver of them. The walk's position travels in the page token; a search
whose cache entry was evicted is resumed from it with a fresh order. Data Center's ``/search``
reports a ``total``, so it filters everything.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flywheel_sync.sandbox.jira.jql import (
    UNBOUNDED_QUERY_MESSAGE,
    CompiledQuery,
    JqlError,
    compile_jql,
)
from flywheel_sync.sandbox.jira.store import JiraStore

__all__ = ["ID_ONLY_PAGE_LIMIT", "PAGE_LIMIT", "IssueSearch", "SearchError", "SearchPage"]

PAGE_LIMIT = 100
"""Largest page when fields are requested (Cloud "may return fewer" than ``maxResults``)."""
ID_ONLY_PAGE_LIMIT = 5000
"""Largest page when only ids and keys are requested (Cloud's documented maximum)."""
_CACHED_SEARCHES = 64
V = TypeVar("V")


class SearchError(Exception):
    """A search Jira refuses with 400, with its ``errorMessages``."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True, kw_only=True)
class SearchPage:
    """One page of results: the issue ids in order, and where the next page starts.

    ``total`` is -1 for Cloud's pages, which never count every match.
    """

    ids: tuple[str, ...]
    next_token: str | None
    start_at: int
    total: int


def _remember(cache: OrderedDict[str, V], key: str, value: V) -> None:
    """Keep ``value`` as the most recent entry, evicting the oldest past the limit."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > _CACHED_SEARCHES:
        cache.popitem(last=False)


def _fingerprint(jql: str) -> str:
    return hashlib.sha256(jql.encode()).hexdigest()[:16]


class IssueSearch:
    """Runs searches over one `JiraStore`."""

    def __init__(self, store: JiraStore, *, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        self._compiled: OrderedDict[str, CompiledQuery] = OrderedDict()
        self._orders: OrderedDict[str, tuple[Mapping[str, Any], ...]] = OrderedDict()
        self._walks: OrderedDict[str, _Walk] = OrderedDict()
        self._search_ids = itertools.count(1)

    def compile(self, jql: str, *, require_bound: bool) -> CompiledQuery:
        """The validated query, or a `SearchError` worded as Jira words it."""
        query = self._compiled.get(jql)
        if query is None:
            try:
                query = compile_jql(jql, fields=self.store.catalog)
            except JqlError as error:
                raise SearchError(*error.messages) from None
            _remember(self._compiled, jql, query)
        if require_bound and not query.is_bounded:
            raise SearchError(UNBOUNDED_QUERY_MESSAGE)
        missing = [ref.missing_message() for ref in query.references if self.store.missing(ref)]
        if missing:
            raise SearchError(*missing)
        return query

    def _matches(self, query: CompiledQuery, current_user: str | None) -> tuple[str, ...]:
        with self.store.lock:
            found = query.search(self.store.views, now=self.clock(), current_user=current_user)
        return tuple(view["id"] for view in found)

    def _ordered(self, query: CompiledQuery) -> tuple[Mapping[str, Any], ...]:
        """Every issue in the query's ORDER BY order, sorted once per order and revision."""
        signature = tuple((key.field.id, key.descending) for key in query.order_by)
        cache_key = f"{signature}@{self.store.revision}"
        ordered = self._orders.get(cache_key)
        if ordered is None:
            with self.store.lock:
                ordered = tuple(query.sort(self.store.views))
            _remember(self._orders, cache_key, ordered)
        return ordered

    def enhanced_page(
        self,
        jql: str,
        *,
        token: str | None,
        max_results: int,
        ids_only: bool,
        current_user: str | None,
    ) -> SearchPage:
        """One page of ``/search/jql``: no total, and no token on the last page."""
        query = self.compile(jql, require_bound=True)
        limit = max(1, min(max_results, ID_ONLY_PAGE_LIMIT if ids_only else PAGE_LIMIT))
        if token is None:
            search_id, position = str(next(self._search_ids)), 0
        else:
            search_id, position, fingerprint = _decode(token)
            if fingerprint != _fingerprint(jql):
                raise SearchError("The provided next page token is invalid or expired.")
        walk = self._walks.get(search_id)
        if walk is None:
            walk = _Walk(
                ordered=self._ordered(query),
                matches=query.predicate(now=self.clock(), current_user=current_user),
            )
            _remember(self._walks, search_id, walk)
        ids, following = walk.page(position, limit)
        next_token = None if following is None else _encode(search_id, following, _fingerprint(jql))
        return SearchPage(ids=ids, next_token=next_token, start_at=position, total=-1)

    def legacy_page(
        self, jql: str, *, start_at: int, max_results: int, current_user: str | None
    ) -> SearchPage:
        """One page of Data Center's ``/search``: ``startAt`` paging with a ``total``."""
        query = self.compile(jql, require_bound=False)
        ids = self._matches(query, current_user)
        limit = max(0, min(max_results, PAGE_LIMIT))
        chosen = ids[start_at : start_at + limit]
        return SearchPage(ids=chosen, next_token=None, start_at=start_at, total=len(ids))


@dataclass(frozen=True, kw_only=True)
class _Walk:
    """One search's issues in order and its per-issue test (relative dates fixed at page 1)."""

    ordered: tuple[Mapping[str, Any], ...]
    matches: Callable[[Mapping[str, Any]], bool]

    def page(self, position: int, limit: int) -> tuple[tuple[str, ...], int | None]:
        """Up to ``limit`` matching ids from ``position``, and where the next match is, if any."""
        ids: list[str] = []
        index = position
        end = len(self.ordered)
        while index < end and len(ids) < limit:
            view = self.ordered[index]
            if self.matches(view):
                ids.append(view["id"])
            index += 1
        while index < end and not self.matches(self.ordered[index]):
            index += 1
        return tuple(ids), (index if index < end else None)


def _encode(search_id: str, offset: int, fingerprint: str) -> str:
    raw = json.dumps({"s": search_id, "o": offset, "f": fingerprint}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(token: str) -> tuple[str, int, str]:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return str(data["s"]), int(data["o"]), str(data["f"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise SearchError("The provided next page token is invalid or expired.") from None
