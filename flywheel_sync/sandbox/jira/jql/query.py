"""`compile_jql`: a JQL text, validated once, as a reusable filter and sort order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flywheel_sync.sandbox.jira.jql.clauses import (
    Binding,
    Compilation,
    Predicate,
    compile_condition,
)
from flywheel_sync.sandbox.jira.jql.domains import SearchContext
from flywheel_sync.sandbox.jira.jql.errors import JqlError
from flywheel_sync.sandbox.jira.jql.fields import FieldCatalog
from flywheel_sync.sandbox.jira.jql.ordering import OrderKey, Sorter, compile_ordering, sort_issues
from flywheel_sync.sandbox.jira.jql.parse import parse_jql
from flywheel_sync.sandbox.jira.jql.references import ValueReference

__all__ = ["UNBOUNDED_QUERY_MESSAGE", "CompiledQuery", "compile_jql"]

Issue = Mapping[str, Any]

UNBOUNDED_QUERY_MESSAGE = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)
"""What Cloud's ``/search/jql`` answers (400) for a query whose `is_bounded` is False."""


def _everything(issue: Issue) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class CompiledQuery:
    """A validated query: ask it which issues match, and in which order they are listed.

    Compile once per JQL text and reuse: `predicate` resolves the time-dependent operands
    (``-1d``, ``startOfDay()``) and ``currentUser()`` once per search, and the predicate it
    returns costs one field read and one comparison per clause per issue.

    Attributes:
        text: The JQL as received.
        is_bounded: The query restricts the issues (has a WHERE part). Cloud's
            ``/search/jql`` refuses unbounded queries (``""``, ``"order by key"``) with
            `UNBOUNDED_QUERY_MESSAGE`; the emulator decides where that applies.
        order_by: The ORDER BY keys, in order (empty: creation order, see `sort`).
        references: Every literal compared with a named-value or issue-key field, in query
            order, for the emulator to refuse values that do not exist (Jira validates
            projects, statuses, types, options, users and issue keys this way).
    """

    text: str
    is_bounded: bool
    order_by: tuple[OrderKey, ...]
    references: tuple[ValueReference, ...]
    _where: Binding | None = field(repr=False, compare=False)
    _sorters: tuple[Sorter, ...] = field(repr=False, compare=False)

    def predicate(self, *, now: datetime, current_user: str | None = None) -> Predicate:
        """The per-issue test for one search, evaluated at ``now`` for ``current_user``.

        Args:
            now: The request's clock; must be timezone-aware.
            current_user: The caller's accountId, which ``currentUser()`` names; None for an
                anonymous caller, for whom ``currentUser()`` names nobody.

        Raises:
            ValueError: ``now`` is naive.
        """
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if self._where is None:
            return _everything
        return self._where(SearchContext(now=now, current_user=current_user))

    def matches(self, issue: Issue, *, now: datetime, current_user: str | None = None) -> bool:
        """Whether one issue matches; for many issues, call `predicate` once instead."""
        return self.predicate(now=now, current_user=current_user)(issue)

    def sort(self, issues: Iterable[Issue]) -> list[Issue]:
        """``issues`` in the query's order: ORDER BY keys, then numeric id ascending.

        EMPTY values sort last ascending and first descending; see `ordering` for how each
        kind of field sorts.
        """
        return sort_issues(issues, self._sorters)

    def search(
        self, issues: Iterable[Issue], *, now: datetime, current_user: str | None = None
    ) -> list[Issue]:
        """The matching ``issues``, sorted: what one ``/search/jql`` call pages through."""
        test = self.predicate(now=now, current_user=current_user)
        return self.sort(issue for issue in issues if test(issue))


def compile_jql(text: str, *, fields: FieldCatalog) -> CompiledQuery:
    """Parse and validate ``text`` against the emulator's ``fields``.

    Raises:
        JqlError: the text is not JQL (one message, with its position), or it names unknown
            fields, operators a field does not support, malformed values or functions, or
            more than 7 ORDER BY fields (every such problem, in query order). Whether a
            project, status or option value exists is left to the emulator: see
            `CompiledQuery.references`.
    """
    query = parse_jql(text)
    compilation = Compilation(catalog=fields)
    where = None if query.where is None else compile_condition(query.where, compilation)
    sorters = compile_ordering(query.order_by, fields, compilation.problems)
    if compilation.problems:
        raise JqlError(*dict.fromkeys(compilation.problems))
    return CompiledQuery(
        text=text,
        is_bounded=query.where is not None,
        order_by=tuple(sorter.key for sorter in sorters),
        references=tuple(compilation.references),
        _where=where,
        _sorters=sorters,
    )
