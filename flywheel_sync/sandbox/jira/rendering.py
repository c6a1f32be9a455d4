"""Issues as Jira writes them on the wire, for REST v3 (Cloud) and v2 (Data Center).

Differences between the versions are confined here: v3 descriptions and comment bodies are
Atlassian Document Format, v2 ones are wiki text. Search results embed at most 20 changelog
histories, newest first, as Cloud does, so clients must page ``/changelog`` for the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flywheel_sync.sandbox.demo.jira_model import JiraIssue
from flywheel_sync.sandbox.jira.documents import document_text

__all__ = ["EMBEDDED_CHANGELOG_LIMIT", "FieldSelection", "adf", "issue_json", "subtask_json"]

EMBEDDED_CHANGELOG_LIMIT = 20
_NAVIGABLE_EXCLUDED = frozenset({"comment", "description"})
_TEXT_FIELDS = frozenset({"description", "environment"})
_SUBTASK_FIELDS = ("summary", "status", "priority", "issuetype")
_EXPANDABLE = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"


def adf(text: str) -> dict[str, Any]:
    """Plain text as an Atlassian Document Format document, one paragraph per line."""
    paragraphs = [
        {"type": "paragraph", "content": [{"type": "text", "text": line}]}
        if line
        else {"type": "paragraph", "content": []}
        for line in text.split("\n")
    ]
    return {"type": "doc", "version": 1, "content": paragraphs}


@dataclass(frozen=True, kw_only=True)
class FieldSelection:
    """Which fields to return: ``*all``, ``*navigable``, ids, and ``-id`` exclusions."""

    everything: bool = False
    navigable: bool = False
    included: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, values: Iterable[str], *, default: str) -> FieldSelection:
        """From the ``fields`` parameter (repeatable, comma-separated); ``default`` if empty."""
        tokens = [t.strip() for value in values for t in value.split(",") if t.strip()]
        if not tokens:
            tokens = [default]
        return cls(
            everything="*all" in tokens,
            navigable="*navigable" in tokens,
            included=frozenset(t for t in tokens if not t.startswith(("*", "-"))),
            excluded=frozenset(t[1:] for t in tokens if t.startswith("-")),
        )

    def wants(self, field_id: str) -> bool:
        """Whether ``field_id`` is returned."""
        if field_id in self.excluded:
            return False
        if self.everything or field_id in self.included:
            return True
        return self.navigable and field_id not in _NAVIGABLE_EXCLUDED

    @property
    def any_field(self) -> bool:
        """Whether any field beyond id and key is returned."""
        return self.everything or self.navigable or bool(self.included - {"id", "key"})


def _field_value(field_id: str, value: Any, *, version: str) -> Any:
    """Text fields as each version reads them: ADF on v3, wiki text on v2.

    The store keeps seeded and v2-written text as text, and v3-written documents as sent.
    """
    if field_id not in _TEXT_FIELDS:
        return value
    if isinstance(value, str) and version == "3":
        return adf(value)
    if isinstance(value, dict) and version != "3":
        return document_text(value) or None
    return value


def subtask_json(child: JiraIssue, *, base: str, version: str) -> dict[str, Any]:
    """A sub-task as its parent's ``subtasks`` field lists it."""
    fields = child.fields
    return {
        "id": child.id,
        "key": child.key,
        "self": f"{base}/rest/api/{version}/issue/{child.id}",
        "fields": {name: fields.get(name) for name in _SUBTASK_FIELDS},
    }


def _changelog(issue: JiraIssue) -> dict[str, Any]:
    # Embedded histories come newest first (the /changelog endpoint pages oldest first).
    histories = issue.changelog[::-1][:EMBEDDED_CHANGELOG_LIMIT]
    return {
        "startAt": 0,
        "maxResults": len(histories),
        "total": len(issue.changelog),
        "histories": histories,
    }


def issue_json(
    issue: JiraIssue,
    *,
    base: str,
    version: str,
    selection: FieldSelection,
    expand: frozenset[str] = frozenset(),
    properties: tuple[str, ...] = (),
    names: dict[str, str] | None = None,
    subtasks: Sequence[JiraIssue] | None = None,
) -> dict[str, Any]:
    """One issue as a search result or ``GET /issue`` returns it.

    ``subtasks``, when given, is listed as the issue's ``subtasks`` field (a navigable field:
    ``*all``, ``*navigable`` and ``subtasks`` ask for it).
    """
    result: dict[str, Any] = {
        "expand": _EXPANDABLE,
        "id": issue.id,
        "self": f"{base}/rest/api/{version}/issue/{issue.id}",
        "key": issue.key,
    }
    if selection.any_field:
        result["fields"] = {
            field_id: _field_value(field_id, value, version=version)
            for field_id, value in issue.fields.items()
            if selection.wants(field_id)
        }
        if subtasks is not None and selection.wants("subtasks"):
            result["fields"]["subtasks"] = [
                subtask_json(child, base=base, version=version) for child in subtasks
            ]
    if "changelog" in expand:
        result["changelog"] = _changelog(issue)
    if "names" in expand and names is not None:
        result["names"] = {k: v for k, v in names.items() if k in result.get("fields", {})}
    if properties:
        result["properties"] = {k: issue.properties[k] for k in properties if k in issue.properties}
    return result
