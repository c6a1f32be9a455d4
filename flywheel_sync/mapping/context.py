"""The small records other records are read through: field names, plans, buckets, authors.

A Jira issue holds ``customfield_10010``, a Planner task a ``bucketId``, a Project task a
``_msdyn_project_value``, a Teams message an author id. What people write in ``mapping.yaml``
is "Flywheel Stage", the bucket's name, the project's name, the author's department. The
connectors store those lookups as records of their own; `RecordContext` indexes them once per
mapping, so each record can be read by the names people use. They are few (hundreds, not the
hundred thousands of issues), so holding them in memory keeps the mapping a single pass.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flywheel_sync.store.rows import StoredRecord

__all__ = [
    "CONTEXT_TYPES",
    "PRIMARY_TYPES",
    "RecordContext",
    "RecordType",
]


class RecordType:
    """The record types the connectors store (``connectors/*``: the store is the contract)."""

    JIRA_ISSUE = "issue"
    JIRA_FIELD = "jira_field"
    PLANNER_PLAN = "planner_plan"
    PLANNER_PLAN_DETAILS = "planner_plan_details"
    PLANNER_BUCKET = "planner_bucket"
    PLANNER_TASK = "planner_task"
    CHANNEL_MESSAGE = "channel_message"
    CHANNEL_REPLY = "channel_reply"
    DIRECTORY_USER = "directory_user"
    PROJECT = "project"
    PROJECT_BUCKET = "project_bucket"
    PROJECT_TASK = "project_task"
    PROJECT_CHECKLIST_ITEM = "project_checklist_item"
    MSPDI_PROJECT = "mspdi_project"
    MSPDI_TASK = "mspdi_task"


PRIMARY_TYPES: Mapping[str, frozenset[str]] = {
    "jira": frozenset({RecordType.JIRA_ISSUE}),
    "planner": frozenset({RecordType.PLANNER_TASK}),
    "teams": frozenset({RecordType.CHANNEL_MESSAGE, RecordType.CHANNEL_REPLY}),
    "project": frozenset({RecordType.PROJECT_TASK}),
    "mspdi": frozenset({RecordType.MSPDI_TASK}),
}
"""Per tool, the records rules select; each must match a rule or be reported unmatched."""

CONTEXT_TYPES = frozenset(
    {
        RecordType.JIRA_FIELD,
        RecordType.PLANNER_PLAN,
        RecordType.PLANNER_PLAN_DETAILS,
        RecordType.PLANNER_BUCKET,
        RecordType.DIRECTORY_USER,
        RecordType.PROJECT,
        RecordType.PROJECT_BUCKET,
        RecordType.PROJECT_CHECKLIST_ITEM,
        RecordType.MSPDI_PROJECT,
    }
)
"""Records only read through others: never unmatched, never entities themselves."""

_ID_KEYS: Mapping[str, str] = {
    RecordType.PROJECT: "msdyn_projectid",
    RecordType.PROJECT_BUCKET: "msdyn_projectbucketid",
}

Payload = Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class _JiraFields:
    """One Jira site's fields: ids by every name and clause name (case-insensitive)."""

    ids: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def add(self, definition: Payload) -> None:
        field_id = str(definition.get("id", ""))
        if not field_id:
            return
        name = str(definition.get("name") or field_id)
        self.names[field_id] = name
        for alias in (name, *map(str, definition.get("clauseNames") or ())):
            self.ids.setdefault(alias.casefold(), field_id)


@dataclass(kw_only=True)
class RecordContext:
    """Lookup records by source, type and id; Jira field ids by name; checklist rows by task.

    Each context record is indexed the one way it is read.
    """

    by_id: dict[tuple[str, str], dict[str, Payload]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    jira_fields: dict[str, _JiraFields] = field(default_factory=lambda: defaultdict(_JiraFields))
    project_checklists: dict[tuple[str, str], list[Payload]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def of(cls, records: Iterable[StoredRecord]) -> RecordContext:
        """Index the context records among ``records`` (others are ignored)."""
        context = cls()
        for record in records:
            context.add(record)
        return context

    def add(self, record: StoredRecord) -> None:
        """Index one record if it is a context record."""
        if record.record_type not in CONTEXT_TYPES:
            return
        payload = record.payload
        if record.record_type == RecordType.JIRA_FIELD:
            self.jira_fields[record.source].add(payload)
            return
        if record.record_type == RecordType.PROJECT_CHECKLIST_ITEM:
            task = str(payload.get("_msdyn_projecttaskid_value") or "")
            self.project_checklists[(record.source, task)].append(payload)
            return
        key = _ID_KEYS.get(record.record_type)
        record_id = str(payload.get(key)) if key and payload.get(key) else record.external_id
        self.by_id[(record.source, record.record_type)][record_id] = payload

    def lookup(self, source: str, record_type: str, record_id: object) -> Payload | None:
        """The context record ``record_id`` of that type in ``source``, if stored."""
        if record_id is None:
            return None
        return self.by_id.get((source, record_type), {}).get(str(record_id))

    def jira_field_id(self, source: str, name: str) -> str | None:
        """The id of the Jira field called ``name`` (name or JQL clause name, any case)."""
        fields = self.jira_fields.get(source)
        return None if fields is None else fields.ids.get(name.casefold())

    def jira_field_name(self, source: str, field_id: str) -> str:
        """The display name of a Jira field id (the id itself when unknown)."""
        fields = self.jira_fields.get(source)
        return field_id if fields is None else fields.names.get(field_id, field_id)

    def checklist_rows(self, source: str, task_id: str) -> list[Payload]:
        """The Project checklist rows of a task, in their display order."""
        rows = self.project_checklists.get((source, task_id), [])
        return sorted(rows, key=lambda row: float(row.get("msdyn_projectchecklistorder") or 0))
