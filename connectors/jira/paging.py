"""Pages of one scope's search: Cloud by ``nextPageToken``, Data Center by ``startAt``.

Both loops end: Cloud's when a page has no token (or no issues) and refuses a token it was
given before; Data Center's when ``startAt`` passes ``total`` (or a page is empty).

Data Center pages by position over a live result, ordered by ``updated``. An issue edited
during the read jumps to the end, and every issue after its old place moves up by one: the
next ``startAt`` would step over one issue, silently. So each page asks for one issue it
already has (the last of the previous page) and checks it comes back first. If it does not,
the results shifted, and the search restarts from the ``updated`` of the last issue read
(`ResultPage.resumed_from`); the change filter skips what was read already.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.errors import RetryableError
from connectors.jira.site import JiraSite

__all__ = ["ResultPage", "SearchRequest", "cloud_pages", "datacenter_pages"]

Issue = Any
"""An issue as the search answered it: a JSON object, unless the tool misbehaves."""
_MAX_STALLED_RESTARTS = 3
"""Restarts allowed at one position before the read gives up (results shifting non-stop)."""


@dataclass(frozen=True, kw_only=True)
class SearchRequest:
    """What every page of one scope's search asks for."""

    scope: str
    fields: tuple[str, ...]
    expand: str | None
    properties: tuple[str, ...]
    page_size: int


@dataclass(frozen=True, kw_only=True)
class ResultPage:
    """One search answer's issues.

    ``resumed_from`` is set when the search restarted at that ``updated`` before this page
    (its issues may repeat ones read before); such a restart notice may carry no issues.
    """

    issues: list[Issue] = field(default_factory=list)
    resumed_from: datetime | None = None


def _search(site: JiraSite, jql: str, request: SearchRequest, **paging: Any) -> Mapping[str, Any]:
    return site.search_page(
        jql,
        scope=request.scope,
        fields=request.fields,
        expand=request.expand,
        properties=request.properties,
        max_results=request.page_size,
        **paging,
    )


def _issues(body: Mapping[str, Any], request: SearchRequest, site: JiraSite) -> list[Issue]:
    """The answer's issues, as sent: each one is checked by the source, which may quarantine it.

    Raises:
        RetryableError: ``issues`` is there but not a list (the whole answer is unreadable).
    """
    issues = body.get("issues")
    if issues is None:
        return []
    if not isinstance(issues, list):
        raise RetryableError(
            f"scope {request.scope!r}: the search answered 'issues' that is not a list",
            source=site.source,
        )
    return issues


def _id_of(issue: object) -> str | None:
    return str(issue.get("id")) if isinstance(issue, Mapping) else None


def cloud_pages(site: JiraSite, jql: str, request: SearchRequest) -> Iterator[ResultPage]:
    """Cloud's ``/search/jql`` pages, following ``nextPageToken``."""
    token: str | None = None
    used: set[str] = set()
    while True:
        body = _search(site, jql, request, next_page_token=token)
        issues = _issues(body, request, site)
        yield ResultPage(issues=issues)
        token = body.get("nextPageToken")
        if not isinstance(token, str) or not token or not issues:
            return
        if token in used:
            raise RetryableError(
                f"scope {request.scope!r}: Jira handed out a page token twice",
                source=site.source,
            )
        used.add(token)


def datacenter_pages(
    site: JiraSite,
    query: Callable[[datetime | None], str],
    request: SearchRequest,
    updated_of: Callable[[object], datetime | None],
) -> Iterator[ResultPage]:
    """Data Center's ``/search`` pages by ``startAt``, restarting when the results shift.

    Args:
        site: The site to search.
        query: The scope's JQL, bounded at the given instant (None: the read's own bound).
        request: What every page asks for.
        updated_of: An issue's ``updated``; None when unreadable (that issue is quarantined
            by the source, and the restart point is the last readable one before it).
    """
    jql, start = query(None), 0
    expected: str | None = None  # the id the next page must start with
    last_updated: datetime | None = None
    resumed: datetime | None = None
    stalled = 0
    while True:
        body = _search(site, jql, request, start_at=start)
        issues = _issues(body, request, site)
        shifted = not issues or _id_of(issues[0]) != expected
        if expected is not None and last_updated is not None and shifted:
            stalled = stalled + 1 if last_updated == resumed else 0
            if stalled >= _MAX_STALLED_RESTARTS:
                raise RetryableError(
                    f"scope {request.scope!r}: the search results kept shifting",
                    source=site.source,
                )
            jql, start, expected, resumed = query(last_updated), 0, None, last_updated
            yield ResultPage(resumed_from=last_updated)
            continue
        yield ResultPage(issues=issues)
        read_to = start + len(issues)
        total = body.get("total")
        if not issues or (isinstance(total, int) and read_to >= total):
            return
        overlap = 1 if len(issues) > 1 else 0
        expected = _id_of(issues[-1]) if overlap else None
        readable = (updated_of(issue) for issue in reversed(issues))
        last_updated = next((u for u in readable if u is not None), last_updated)
        start = read_to - overlap
