"""Issue search: Cloud's ``/search/jql`` and Data Center's ``/search``.

Cloud pages with ``nextPageToken``; Data Center with ``startAt`` and ``total``.

A search is filtered and sorted once; its matching issue ids are cached under the page token,
so each later page is a slice, not another pass over every issue. That keeps a page as cheap
at 100,000 issues as at 1,000. A token whose cache entry was evicted is recomputed from the
JQL it carries.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

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
    """One page of results: the issue ids in order, and where the next page starts."""

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
        self._results: OrderedDict[str, tuple[str, tuple[str, ...]]] = OrderedDict()
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
            search_id, offset = str(next(self._search_ids)), 0
            ids = self._matches(query, current_user)
            _remember(self._results, search_id, (jql, ids))
        else:
            search_id, offset, fingerprint = _decode(token)
            if fingerprint != _fingerprint(jql):
                raise SearchError("The provided next page token is invalid or expired.")
            cached = self._results.get(search_id)
            ids = cached[1] if cached is not None else self._matches(query, current_user)
            if cached is None:
                _remember(self._results, search_id, (jql, ids))
        chosen = ids[offset : offset + limit]
        end = offset + len(chosen)
        next_token = _encode(search_id, end, _fingerprint(jql)) if end < len(ids) else None
        return SearchPage(ids=chosen, next_token=next_token, start_at=offset, total=len(ids))

    def legacy_page(
        self, jql: str, *, start_at: int, max_results: int, current_user: str | None
    ) -> SearchPage:
        """One page of Data Center's ``/search``: ``startAt`` paging with a ``total``."""
        query = self.compile(jql, require_bound=False)
        ids = self._matches(query, current_user)
        limit = max(0, min(max_results, PAGE_LIMIT))
        chosen = ids[start_at : start_at + limit]
        return SearchPage(ids=chosen, next_token=None, start_at=start_at, total=len(ids))


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
