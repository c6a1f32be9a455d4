"""The Jira emulator's live state: the seeded site plus every write made since.

Issues are kept with a JQL *view* each (``{"id", "key", "fields"}``) that shares the issue's own
``fields`` dict, so edits show through to searches without rebuilding anything. A lock makes
each request's reads and writes atomic with respect to the others.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flywheel_sync.sandbox.demo.jira_model import JiraIssue, JiraSite
from flywheel_sync.sandbox.jira.catalog import SiteFieldCatalog
from flywheel_sync.sandbox.jira.jql import ValueReference

__all__ = ["JiraStore"]

IssueView = dict[str, Any]


class JiraStore:
    """Issues by id and key, their JQL views in creation order, and the site's schema."""

    def __init__(self, build_site: Callable[[], JiraSite]) -> None:
        self.lock = threading.RLock()
        self._build_site = build_site
        self.reset()

    def reset(self) -> None:
        """Back to the seeded site: every write since is forgotten."""
        with self.lock:
            site = self._build_site()
            self.site = site
            self.catalog = SiteFieldCatalog(site.fields)
            self.issues: list[JiraIssue] = list(site.issues)
            self._by_id = {issue.id: issue for issue in self.issues}
            self._by_key = {issue.key: issue for issue in self.issues}
            self.views: list[IssueView] = [_view(issue) for issue in self.issues]
            self._known = _known_values(site)

    def issue(self, key_or_id: str) -> JiraIssue | None:
        """The issue with this numeric id or key (any case), or None."""
        if key_or_id.isdigit():
            return self._by_id.get(key_or_id)
        return self._by_key.get(key_or_id.upper())

    def issue_of(self, view: IssueView) -> JiraIssue:
        """The issue behind a JQL view."""
        return self._by_id[view["id"]]

    def missing(self, reference: ValueReference) -> bool:
        """Whether a JQL literal names something the site does not have."""
        if reference.names_an_issue:
            return self.issue(reference.value) is None
        known = self._known.get(reference.field.id)
        return known is not None and reference.value.casefold() not in known


def _view(issue: JiraIssue) -> IssueView:
    return {"id": issue.id, "key": issue.key, "fields": issue.fields}


def _known_values(site: JiraSite) -> dict[str, frozenset[str]]:
    """Names, keys and ids JQL may use per validated field (labels are not validated)."""

    def folded(*groups: tuple[str, ...]) -> frozenset[str]:
        return frozenset(value.casefold() for group in groups for value in group)

    known = {
        "project": folded(*((p.key, p.name, p.id) for p in site.projects)),
        "status": folded(*((s.name, s.id) for s in site.statuses)),
        "issuetype": folded(*((t.name, t.id) for t in site.issue_types)),
        "priority": folded(*((p.name, p.id) for p in site.priorities)),
    }
    users = folded(*((u.account_id, u.display_name, u.email_address, u.name) for u in site.users))
    known |= {"assignee": users, "reporter": users}
    for definition in site.fields:
        if definition.options:
            known[definition.id] = folded(definition.options, definition.option_ids)
    return known
