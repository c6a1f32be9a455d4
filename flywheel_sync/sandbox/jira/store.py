"""The Jira emulator's live state: the seeded site plus every write made since.

Issues are kept with a JQL *view* each (``{"id", "key", "fields"}``) that shares the issue's own
``fields`` dict, so edits show through to searches without rebuilding anything. A lock makes
each request's reads and writes atomic with respect to the others: writers hold ``lock`` for
the whole of a request, and the id counters below assume it is held.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from typing import Any

from flywheel_sync.sandbox.demo.jira_model import JiraIssue, JiraSite, JsonObject
from flywheel_sync.sandbox.jira.catalog import SiteFieldCatalog
from flywheel_sync.sandbox.jira.jql import ValueReference

__all__ = ["SPRINT_TYPE", "JiraStore"]

IssueView = dict[str, Any]
SPRINT_TYPE = "com.pyxis.greenhopper.jira:gh-sprint"
"""``schema.custom`` of Jira Software's Sprint field."""


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
            # Bumped by every change to issues' fields, so searches know cached orders; a
            # reset is a change too (back to 0, a search would reuse orders from before it).
            self.revision: int = getattr(self, "revision", -1) + 1
            self.catalog = SiteFieldCatalog(site.fields)
            self.issues: list[JiraIssue] = list(site.issues)
            self._by_id = {issue.id: issue for issue in self.issues}
            self._by_key = {issue.key: issue for issue in self.issues}
            self.views: list[IssueView] = [_view(issue) for issue in self.issues]
            self._known = _known_values(site)
            issue_id, history_id, comment_id = site.next_ids()
            self._issue_ids = itertools.count(issue_id)
            self._history_ids = itertools.count(history_id)
            self._comment_ids = itertools.count(comment_id)
            self._task_ids = itertools.count(10000)
            self._numbers = {p.key: len(site.issues_in(p.key)) + 1 for p in site.projects}
            self._sprints: dict[int, JsonObject] | None = None
            # Long-running tasks (bulk edits) by id: a reset drops them with every other write.
            self.tasks: dict[str, Any] = {}
            # Sub-tasks by parent id, rebuilt when ``revision`` has moved (see `subtasks_of`).
            self._children: dict[str, list[JiraIssue]] = {}
            self._children_revision = -1

    def issue(self, key_or_id: str) -> JiraIssue | None:
        """The issue with this numeric id or key (any case), or None."""
        if key_or_id.isdigit():
            return self._by_id.get(key_or_id)
        return self._by_key.get(key_or_id.upper())

    def subtasks_of(self, issue_id: str) -> list[JiraIssue]:
        """The sub-tasks whose parent is the issue ``issue_id``, in creation order.

        The index is rebuilt on the first call after any change to issues (``revision``), so
        reads between writes cost nothing and a re-parented sub-task moves at once.
        """
        with self.lock:
            if self._children_revision != self.revision:
                children: dict[str, list[JiraIssue]] = {}
                for issue in self.issues:
                    parent = issue.fields.get("parent")
                    if isinstance(parent, dict) and issue.fields["issuetype"].get("subtask"):
                        children.setdefault(str(parent.get("id")), []).append(issue)
                self._children, self._children_revision = children, self.revision
            return list(self._children.get(issue_id, ()))

    def touch(self) -> None:
        """Record that some issue's fields changed: search orders cached before are stale."""
        with self.lock:
            self.revision += 1

    def add_issue(self, issue: JiraIssue) -> None:
        """Make a new issue findable by id, key and JQL (ids ascend, so it sorts last)."""
        with self.lock:
            self.revision += 1
            self.issues.append(issue)
            self._by_id[issue.id] = issue
            self._by_key[issue.key] = issue
            self.views.append(_view(issue))

    def allocate_issue(self, project_key: str) -> tuple[str, str]:
        """The id and key the next issue created in ``project_key`` gets."""
        with self.lock:
            number = self._numbers.get(project_key, 1)
            self._numbers[project_key] = number + 1
            return str(next(self._issue_ids)), f"{project_key}-{number}"

    def next_history_id(self) -> str:
        """A changelog history id later than every existing one."""
        with self.lock:
            return str(next(self._history_ids))

    def next_comment_id(self) -> str:
        """A comment id later than every existing one."""
        with self.lock:
            return str(next(self._comment_ids))

    def next_task_id(self) -> str:
        """An id for a new long-running task."""
        with self.lock:
            return str(next(self._task_ids))

    def sprint(self, sprint_id: int) -> JsonObject | None:
        """The sprint object with this id, as some issue's Sprint field holds it, or None."""
        with self.lock:
            if self._sprints is None:
                self._sprints = dict(_sprints(self.site, self.issues))
            return self._sprints.get(sprint_id)

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


def _sprints(site: JiraSite, issues: list[JiraIssue]) -> Iterator[tuple[int, JsonObject]]:
    fields = [d.id for d in site.fields if d.custom_type == SPRINT_TYPE]
    for issue in issues:
        for field_id in fields:
            for value in issue.fields.get(field_id) or ():
                if isinstance(value, dict) and isinstance(value.get("id"), int):
                    yield value["id"], value


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
