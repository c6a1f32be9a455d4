"""Creating and editing issues: a request's ``fields`` and ``update`` checked, then applied.

`IssueEditor` checks a whole request before touching anything, collecting every field's
problem into one ``errors`` map as Jira does, so a refused request changes nothing. An applied
edit replaces each changed field's value (never mutating a stored one), appends one changelog
history listing the changed fields, and moves ``updated`` to now; an edit that changes
nothing leaves no trace. Callers hold no lock: each public method takes ``store.lock``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flywheel_sync.sandbox.demo.jira_model import JiraIssue, JiraIssueType, JsonObject
from flywheel_sync.sandbox.jira.field_input import (
    CANNOT_SET,
    NO_ISSUE_TYPE,
    NO_PROJECT,
    NO_SUMMARY,
    FieldInput,
    FieldRejected,
)
from flywheel_sync.sandbox.jira.history import change_item, same_value
from flywheel_sync.sandbox.jira.store import JiraStore

__all__ = ["EditRejected", "IssueEditor", "jira_timestamp"]

_HIERARCHY = "Given parent issue does not belong to appropriate hierarchy."
_NO_PARENT = "Issue type is a sub-task but parent issue key or id not specified."
_NOT_AN_OPERATION = (
    "Can not instantiate value of type [simple type, class "
    "com.atlassian.jira.rest.api.issue.FieldOperation] from JSON String; no single-String "
    "constructor/factory method"
)


def jira_timestamp(moment: datetime) -> str:
    """Jira's timestamp spelling in UTC, to the millisecond: ``2026-05-01T10:00:00.123+0000``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


class EditRejected(Exception):
    """A create or edit Jira refuses with 400; nothing was changed."""

    def __init__(self, errors: Mapping[str, str] | None = None, messages: Sequence[str] = ()):
        super().__init__("; ".join([*messages, *(errors or {}).values()]))
        self.errors = dict(errors or {})
        self.messages = list(messages)

    def body(self) -> JsonObject:
        """Jira's error body: ``{"errorMessages": [...], "errors": {field: message}}``."""
        return {"errorMessages": self.messages, "errors": self.errors}


@dataclass(frozen=True, kw_only=True)
class _Request:
    """The parts of an ``IssueUpdateDetails`` body the emulator acts on."""

    fields: dict[str, Any]
    update: dict[str, Any]
    properties: tuple[tuple[str, Any], ...]

    @classmethod
    def parse(cls, body: Any) -> _Request:
        if not isinstance(body, dict):
            raise EditRejected(messages=["The request body must be a JSON object."])
        fields, update = body.get("fields") or {}, body.get("update") or {}
        if not isinstance(fields, dict) or not isinstance(update, dict):
            raise EditRejected(messages=["'fields' and 'update' must be JSON objects."])
        properties = body.get("properties") or []
        if not isinstance(properties, list) or not all(
            isinstance(p, dict) and isinstance(p.get("key"), str) and p["key"] for p in properties
        ):
            raise EditRejected(messages=["Each property needs a 'key' and a 'value'."])
        return cls(
            fields=fields,
            update=update,
            properties=tuple((p["key"], p.get("value")) for p in properties),
        )


class IssueEditor:
    """Creates and edits the issues of one store on behalf of ``author`` (the bot user)."""

    def __init__(
        self,
        store: JiraStore,
        *,
        clock: Callable[[], datetime],
        author: JsonObject,
        cloud: bool,
    ) -> None:
        self.store = store
        self.clock = clock
        self.author = author
        self.cloud = cloud

    def stamp(self) -> str:
        """Now, as a Jira timestamp."""
        return jira_timestamp(self.clock())

    def inputs(self, version: str) -> FieldInput:
        """Field parsing in the dialect of one REST version."""
        return FieldInput(self.store, version=version, cloud=self.cloud)

    def create(self, body: Any, *, version: str) -> JiraIssue:
        """Create an issue from a ``POST /issue`` body.

        Raises:
            EditRejected: The body is invalid; no issue was created and no key was used.
        """
        request = _Request.parse(body)
        with self.store.lock:
            values = self._values(None, request, self.inputs(version))
            project_key = str(values["project"]["key"])
            issue_id, key = self.store.allocate_issue(project_key)
            now = self.stamp()
            fields: JsonObject = {
                "summary": values["summary"],
                "description": values.get("description"),
                "issuetype": values["issuetype"],
                "project": values["project"],
                "status": _initial_status(self.store),
                "priority": values.get("priority") or _default_priority(self.store),
                "assignee": values.get("assignee"),
                "reporter": values.get("reporter", self.author),
                "labels": values.get("labels") or [],
                "duedate": values.get("duedate"),
                "created": now,
                "updated": now,
                "resolution": None,
                "resolutiondate": None,
                "parent": values.get("parent"),
            }
            fields |= {k: v for k, v in values.items() if k not in fields}
            issue = JiraIssue(id=issue_id, key=key, fields=fields)
            issue.properties = dict(request.properties)
            self.store.add_issue(issue)
            return issue

    def edit(self, issue: JiraIssue, body: Any, *, version: str) -> bool:
        """Apply a ``PUT /issue`` body; True when some field changed.

        Raises:
            EditRejected: The body is invalid; nothing was changed.
        """
        request = _Request.parse(body)
        with self.store.lock:
            values = self._values(issue, request, self.inputs(version))
            if request.properties:
                issue.properties = {**issue.properties, **dict(request.properties)}
            return self.apply(issue, values)

    def apply(self, issue: JiraIssue, values: Mapping[str, Any]) -> bool:
        """Store checked values: one history for the fields that change, and a new ``updated``.

        Returns:
            Whether anything changed (no history and no new ``updated`` otherwise).
        """
        with self.store.lock:
            items = []
            for field_id, new in values.items():
                old = issue.fields.get(field_id)
                definition = self.store.catalog.by_id.get(field_id)
                if definition is None or same_value(old, new):
                    continue
                items.append(change_item(definition, old, new))
                issue.fields[field_id] = new
            if not items:
                return False
            now = self.stamp()
            issue.changelog.append(
                {
                    "id": self.store.next_history_id(),
                    "author": self.author,
                    "created": now,
                    "items": tuple(items),
                }
            )
            issue.fields["updated"] = now
            self.store.touch()
            return True

    def _values(
        self, issue: JiraIssue | None, request: _Request, inputs: FieldInput
    ) -> dict[str, Any]:
        """Every field's new value, or `EditRejected` with every problem found."""
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        messages: list[str] = []
        for field_id in request.fields.keys() & request.update.keys():
            errors[field_id] = (
                f"Field '{field_id}' cannot be specified in both 'fields' and 'update'."
            )
        for field_id, raw in request.fields.items():
            if field_id not in errors:
                self._set(issue, field_id, raw, inputs, values, errors)
        for field_id, operations in request.update.items():
            if field_id not in errors:
                current = issue.fields.get(field_id) if issue is not None else None
                self._operate(field_id, current, operations, inputs, values, errors, messages)
        if issue is None:
            _check_new(values, errors)
        self._check_hierarchy(issue, values, errors)
        if errors or messages:
            raise EditRejected(errors, messages)
        return values

    def _set(
        self,
        issue: JiraIssue | None,
        field_id: str,
        raw: Any,
        inputs: FieldInput,
        values: dict[str, Any],
        errors: dict[str, str],
    ) -> None:
        definition = inputs.definition(field_id)
        if definition is None or (issue is not None and field_id == "project"):
            errors[field_id] = CANNOT_SET.format(field=field_id)
            return
        try:
            values[field_id] = inputs.set(definition, raw)
        except FieldRejected as problem:
            errors[field_id] = problem.message

    @staticmethod
    def _operate(
        field_id: str,
        current: Any,
        operations: Any,
        inputs: FieldInput,
        values: dict[str, Any],
        errors: dict[str, str],
        messages: list[str],
    ) -> None:
        definition = inputs.definition(field_id)
        if definition is None or field_id == "project" or not inputs.settable(definition):
            errors[field_id] = CANNOT_SET.format(field=field_id)
            return
        if not isinstance(operations, list) or not all(isinstance(o, dict) for o in operations):
            messages.append(_NOT_AN_OPERATION)
            return
        try:
            for operation in operations:
                for name, raw in operation.items():
                    current = inputs.operate(definition, name, current, raw)
        except FieldRejected as problem:
            errors[field_id] = problem.message
            return
        values[field_id] = current

    def _check_hierarchy(
        self, issue: JiraIssue | None, values: dict[str, Any], errors: dict[str, str]
    ) -> None:
        """Issue type and parent: offered by the project, and at the right level."""
        if errors.keys() & {"issuetype", "parent", "project"}:
            return
        if issue is not None and not values.keys() & {"issuetype", "parent"}:
            return
        current = issue.fields if issue is not None else {}
        type_ref = values.get("issuetype", current.get("issuetype"))
        project_ref = values.get("project", current.get("project"))
        if type_ref is None or project_ref is None:
            return
        kind = _issue_type(self.store, str(type_ref["id"]))
        project = next(p for p in self.store.site.projects if p.key == project_ref["key"])
        was = _issue_type(self.store, str(current["issuetype"]["id"])) if issue else kind
        if kind.id not in project.issue_type_ids or was.subtask != kind.subtask:
            errors["issuetype"] = "The issue type selected is invalid."
            return
        link = values.get("parent", current.get("parent"))
        parent = self.store.issue(str(link["id"])) if link else None
        if parent is None:
            if kind.subtask:
                errors["issuetype"] = _NO_PARENT
            return
        problem = _parent_problem(kind, parent, issue, project.key)
        if problem is not None:
            errors[problem[0]] = problem[1]


def _check_new(values: dict[str, Any], errors: dict[str, str]) -> None:
    """What a new issue must have: a project, an issue type and a summary."""
    required = {"project": NO_PROJECT, "issuetype": NO_ISSUE_TYPE, "summary": NO_SUMMARY}
    for field_id, message in required.items():
        if values.get(field_id) is None and field_id not in errors:
            errors[field_id] = message


def _issue_type(store: JiraStore, type_id: str) -> JiraIssueType:
    return next(kind for kind in store.site.issue_types if kind.id == type_id)


def _parent_problem(
    kind: JiraIssueType, parent: JiraIssue, issue: JiraIssue | None, project_key: str
) -> tuple[str, str] | None:
    """Which field is wrong, and why, when ``parent`` cannot hold an issue of ``kind``.

    A sub-task's parent is any issue above the sub-task level in the same project (the seeded
    site puts sub-tasks under epics, which Jira itself would refuse); other issues sit exactly
    one level below their parent.
    """
    level = int(parent.fields["issuetype"].get("hierarchyLevel", 0))
    if issue is not None and parent.id == issue.id:
        return "parent", _HIERARCHY
    if kind.subtask:
        if parent.project_key != project_key:
            return "project", "Sub-tasks must be created in the same project as the parent."
        return None if level >= 0 else ("parent", _HIERARCHY)
    return None if level == kind.hierarchy_level + 1 else ("parent", _HIERARCHY)


def _initial_status(store: JiraStore) -> JsonObject:
    """Where the workflow starts: the first status in the "new" (To Do) category."""
    statuses = store.site.statuses
    return next((s for s in statuses if s.category_key == "new"), statuses[0]).ref()


def _default_priority(store: JiraStore) -> JsonObject:
    priorities = store.site.priorities
    chosen = next((p for p in priorities if p.name == "Medium"), priorities[len(priorities) // 2])
    return chosen.ref()
