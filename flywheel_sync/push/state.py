"""The tools' current state as the last pull stored it: the issues and tasks a push may write.

Targets read only the records behind the entities they write (`RecordRepository.get_many`),
plus the small context records that translate names (Jira field ids, Planner buckets and
label names). Each record keeps its fetch time, which `ownership.decide` compares with our
own writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flywheel_sync.mapping.context import RecordType
from flywheel_sync.store.ports import RecordRepository
from flywheel_sync.store.rows import StoredRecord

__all__ = ["Bucket", "StoredState"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Bucket:
    """A Planner bucket of a plan."""

    id: str
    name: str
    plan_id: str


@dataclass
class StoredState:
    """Reads the stored records a push needs, caching the context of each source."""

    records: RecordRepository
    _fields: dict[str, Mapping[str, str]] = field(default_factory=dict)
    _buckets: dict[str, list[Bucket]] = field(default_factory=dict)
    _categories: dict[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)
    _project: dict[tuple[str, str], list[StoredRecord]] = field(default_factory=dict)

    def items(self, source: str, record_type: str, ids: Iterable[str]) -> dict[str, StoredRecord]:
        """The stored records of ``source`` among ``ids``."""
        return self.records.get_many(source, record_type, ids)

    def jira_field_id(self, source: str, name: str) -> str | None:
        """A Jira field's id from its display name, clause name or id (case-insensitive)."""
        if source not in self._fields:
            names: dict[str, str] = {}
            for record in self.records.iter_records(
                source=source, record_type=RecordType.JIRA_FIELD
            ):
                payload = record.payload
                field_id = str(payload.get("id") or record.external_id)
                for alias in (field_id, payload.get("name"), *(payload.get("clauseNames") or ())):
                    if isinstance(alias, str):
                        names.setdefault(alias.casefold(), field_id)
            self._fields[source] = names
        return self._fields[source].get(name.casefold())

    def buckets(self, source: str, plan_id: str) -> list[Bucket]:
        """The buckets of one Planner plan."""
        if source not in self._buckets:
            self._buckets[source] = [
                Bucket(
                    id=str(record.payload.get("id") or record.external_id),
                    name=str(record.payload.get("name") or ""),
                    plan_id=str(record.payload.get("planId") or ""),
                )
                for record in self.records.iter_records(
                    source=source, record_type=RecordType.PLANNER_BUCKET
                )
            ]
        return [bucket for bucket in self._buckets[source] if bucket.plan_id == plan_id]

    def label_names(self, source: str, plan_id: str) -> Mapping[str, str]:
        """A Planner plan's label names by category (``category3`` → ``Finance``)."""
        if source not in self._categories:
            self._categories[source] = {
                str(record.payload.get("id") or record.external_id): _descriptions(record.payload)
                for record in self.records.iter_records(
                    source=source, record_type=RecordType.PLANNER_PLAN_DETAILS
                )
            }
        return self._categories[source].get(plan_id, {})

    def project_buckets(self, source: str, project_id: str) -> list[Bucket]:
        """The buckets of one Project project."""
        return [
            Bucket(
                id=str(r.payload.get("msdyn_projectbucketid") or r.external_id),
                name=str(r.payload.get("msdyn_name") or ""),
                plan_id=project_id,
            )
            for r in self._of(source, RecordType.PROJECT_BUCKET)
            if r.payload.get("_msdyn_project_value") == project_id
        ]

    def checklist_count(self, source: str, task_id: str) -> int:
        """How many checklist rows one Project task holds."""
        return sum(
            1
            for r in self._of(source, RecordType.PROJECT_CHECKLIST_ITEM)
            if r.payload.get("_msdyn_projecttaskid_value") == task_id
        )

    def _of(self, source: str, record_type: str) -> list[StoredRecord]:
        if (source, record_type) not in self._project:
            self._project[source, record_type] = list(
                self.records.iter_records(source=source, record_type=record_type)
            )
        return self._project[source, record_type]


def _descriptions(payload: Mapping[str, Any]) -> Mapping[str, str]:
    described = payload.get("categoryDescriptions") or {}
    return {str(k): str(v) for k, v in described.items() if isinstance(v, str) and v}
