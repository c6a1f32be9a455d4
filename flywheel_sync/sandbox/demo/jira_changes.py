"""Writing issues and their history: new issues, changelog items and histories.

Changelog items are shared tuples (one per distinct change, e.g. "To Do → In Progress"), and a
history is the small dict ``{"id", "author", "created", "items"}``. Ids are left empty here: the
site assigns issue, history and comment ids in time order once every issue exists.
"""

from dataclasses import dataclass
from typing import Any

from flywheel_sync.sandbox.demo.jira_model import JiraIssue, JsonObject
from flywheel_sync.sandbox.demo.jira_schema import FLAGGED, JiraSchema
from flywheel_sync.sandbox.demo.timeline import jira_date, jira_time

__all__ = ["Changes", "IssueStart", "Items"]

Items = tuple[JsonObject, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueStart:
    """What an issue looks like when it is created."""

    project: str
    issue_type: str
    summary: str
    created: int
    status: str = "To Do"
    priority: str = "Medium"
    assignee: JsonObject | None = None
    reporter: JsonObject | None = None
    description: str | None = None
    due: int | None = None


class Changes:
    """Creates issues and records their changes with shared changelog items."""

    def __init__(self, schema: JiraSchema) -> None:
        self.schema = schema
        self._items: dict[tuple[Any, ...], Items] = {}

    def create(self, start: IssueStart, labels: list[str], **custom: Any) -> JiraIssue:
        """A new issue with every standard field set (``parent`` is linked at assembly)."""
        schema = self.schema
        created = jira_time(start.created)
        fields: JsonObject = {
            "summary": start.summary,
            "description": start.description,
            "issuetype": schema.issue_type(start.issue_type),
            "project": schema.project(start.project),
            "status": schema.status(start.status),
            "priority": schema.priority(start.priority),
            "assignee": start.assignee,
            "reporter": start.reporter,
            "labels": labels,
            "duedate": None if start.due is None else jira_date(start.due),
            "created": created,
            "updated": created,
            "resolution": None,
            "resolutiondate": None,
            "parent": None,
        }
        fields.update(custom)
        return JiraIssue(id="", key="", fields=fields)

    def record(self, issue: JiraIssue, author: JsonObject | None, at: int, items: Items) -> None:
        """Append a history at ``at`` (not before the last one) and move ``updated`` to it."""
        created = jira_time(at)
        history = {"id": "", "author": author, "created": created, "items": items}
        issue.changelog.append(history)
        issue.fields["updated"] = created

    def resolve(self, issue: JiraIssue, at: int) -> None:
        """Mark the issue resolved at ``at`` (call with the history that moves it to Done)."""
        issue.fields["resolution"] = self.schema.resolution_done
        issue.fields["resolutiondate"] = jira_time(at)

    def status(self, before: str, after: str) -> Items:
        """Items of a status transition."""
        key = ("status", before, after)
        found = self._items.get(key)
        if found is None:
            old, new = self.schema.status_def(before), self.schema.status_def(after)
            found = (_item("status", "jira", "status", old.id, old.name, new.id, new.name),)
            self._items[key] = found
        return found

    def priority(self, before: str, after: str) -> Items:
        """Items of a priority change."""
        key = ("priority", before, after)
        found = self._items.get(key)
        if found is None:
            old, new = self.schema.priority(before), self.schema.priority(after)
            found = (_item("priority", "jira", "priority", old["id"], before, new["id"], after),)
            self._items[key] = found
        return found

    def select(self, field_id: str, before: str | None, after: str | None) -> Items:
        """Items of a single-select custom field change (None = empty)."""
        key = ("select", field_id, before, after)
        found = self._items.get(key)
        if found is None:
            name = self.schema.field(field_id).name
            old = None if before is None else self.schema.option(field_id, before)["id"]
            new = None if after is None else self.schema.option(field_id, after)["id"]
            found = (_item(name, "custom", field_id, old, before or "", new, after or ""),)
            self._items[key] = found
        return found

    def number(self, field_id: str, before: float | None, after: float) -> Items:
        """Items of a number custom field change."""
        name = self.schema.field(field_id).name
        old = "" if before is None else str(before)
        return (_item(name, "custom", field_id, None, old, None, str(after)),)

    def flagged(self, *, raised: bool) -> Items:
        """Items of raising or clearing the "Impediment" flag."""
        key = ("flagged", raised)
        found = self._items.get(key)
        if found is None:
            option = self.schema.option(FLAGGED, "Impediment")
            before, after = ("", "Impediment") if raised else ("Impediment", "")
            found = (
                _item(
                    "Flagged",
                    "custom",
                    FLAGGED,
                    None if raised else f"[{option['id']}]",
                    before,
                    f"[{option['id']}]" if raised else None,
                    after,
                ),
            )
            self._items[key] = found
        return found


def _item(
    name: str,
    fieldtype: str,
    field_id: str,
    before: str | None,
    before_text: str,
    after: str | None,
    after_text: str,
) -> JsonObject:
    return {
        "field": name,
        "fieldtype": fieldtype,
        "fieldId": field_id,
        "from": before,
        "fromString": before_text,
        "to": after,
        "toString": after_text,
    }
