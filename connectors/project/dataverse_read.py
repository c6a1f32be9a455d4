"""One read of one Project scope: the project row, its buckets, tasks and checklist items.

Tables are read in `TABLES` order and the scope's watermark advances table by table, so every
page's watermark describes only rows in pages already yielded:

- **project**: the row fetched when the configured names were resolved (no request here).
- **buckets, tasks**: ``$filter=_msdyn_project_value eq <id> [and modifiedon ge <since>]``,
  ``$orderby=modifiedon asc,<key> asc``. Because rows come oldest change first, each page may
  advance the table's mark to its last row, even during a full read.
- **checklist items** have no project lookup, only their task's
  (``_msdyn_projecttaskid_value``), and the sandbox's OData (like portable OData) offers no
  navigation filter or ``In`` function, only ``or`` chains. So a *full* read asks for the items
  of the project's tasks, ``id_batch`` task ids per request. Those requests are not ordered
  by change, so the table's mark is set once, at the end, to the service's clock (``Date``)
  when the read began: anything changed during the read is newer. An *incremental* read asks
  for the items changed anywhere since the mark (one request when nothing changed), then
  keeps those whose task belongs to the project, looking up only tasks it has not met.

Pages with no records are yielded only when they advance the watermark; requests not yet
reported ride on the last page (an empty one, watermark unchanged, if need be).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.errors import RecordError
from connectors.project.dataverse_tables import (
    BUCKET,
    CHECKLIST,
    PROJECT,
    TASK,
    ProjectTable,
    selected_columns,
)
from connectors.project.dataverse_watermark import ScopeMark, SeenWindow, fingerprint
from connectors.project.odata import ODataClient
from connectors.project.odata_query import any_equal, batched, time_literal
from connectors.records import RecordPage, SourceRecord

__all__ = ["ReadSettings", "ScopeRead"]

Row = Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class ReadSettings:
    """What every scope read of one source shares."""

    columns: Mapping[str, Sequence[str]]
    lookback: timedelta
    id_batch: int


@dataclass(frozen=True, slots=True)
class _Version:
    """Who a row is and which version of it was read."""

    record_id: str
    modified: datetime
    print_: str


class ScopeRead:
    """Reads one project; iterate `pages` once.

    Args:
        client: The environment's OData reader.
        scope: The configured project reference (name or id).
        project: The project row as resolved.
        start: The scope's mark before this read (empty for a full read).
        settings: Columns, lookback and id batch size.
        unreported: Requests made for this scope before the read (name resolution).
    """

    def __init__(
        self,
        *,
        client: ODataClient,
        scope: str,
        project: Row,
        start: ScopeMark,
        settings: ReadSettings,
        unreported: int = 0,
    ) -> None:
        self._client = client
        self._scope = scope
        self._project = project
        self._project_id = str(project[PROJECT.key])
        self._settings = settings
        self._mark = start
        self._stored = start.encode()
        self._reported = client.requests - unreported

    def pages(self) -> Iterator[RecordPage]:
        """The scope's pages, in `TABLES` order."""
        yield from self._project_row()
        yield from self._ordered(BUCKET)
        every_task = self._mark.table(TASK.record_type) is None
        tasks: list[str] = []
        yield from self._ordered(TASK, met=tasks)
        if self._mark.table(CHECKLIST.record_type) is None:
            yield from self._all_checklists(tasks if every_task else None)
        else:
            yield from self._changed_checklists(set(tasks))
        if self._client.requests > self._reported:
            yield self._page([], keep_watermark=True)

    # ---- tables ordered by change

    def _project_row(self) -> Iterator[RecordPage]:
        window = SeenWindow(self._mark.table(PROJECT.record_type), self._settings.lookback)
        record = self._fresh(PROJECT, self._project, window)
        self._mark = self._mark.with_table(PROJECT.record_type, window.mark())
        yield from self._maybe_page([] if record is None else [record])

    def _ordered(
        self, table: ProjectTable, *, met: list[str] | None = None
    ) -> Iterator[RecordPage]:
        previous = self._mark.table(table.record_type)
        window = SeenWindow(previous, self._settings.lookback)
        conditions = [f"{table.parent} eq {self._project_id}"]
        if window.since is not None:
            conditions.append(f"modifiedon ge {time_literal(window.since)}")
        options = [
            ("$select", ",".join(selected_columns(table, self._settings.columns))),
            ("$filter", " and ".join(conditions)),
            ("$orderby", f"modifiedon asc,{table.key} asc"),
        ]
        for page in self._client.pages(table.entity_set, options):
            records = []
            for row in page.rows:
                record = self._fresh(table, row, window, met=met)
                if record is not None:
                    records.append(record)
            self._mark = self._mark.with_table(table.record_type, window.mark())
            yield from self._maybe_page(records)

    # ---- checklist items

    def _all_checklists(self, task_ids: list[str] | None) -> Iterator[RecordPage]:
        window = SeenWindow(None, self._settings.lookback)
        began: datetime | None = None
        ids = task_ids if task_ids is not None else self._project_task_ids()
        for batch in batched(ids, self._settings.id_batch):
            options = [
                ("$select", ",".join(selected_columns(CHECKLIST, self._settings.columns))),
                ("$filter", any_equal(CHECKLIST.parent, batch)),
            ]
            for page in self._client.pages(CHECKLIST.entity_set, options):
                began = began or page.server_time
                records = [r for row in page.rows if (r := self._fresh(CHECKLIST, row, window))]
                yield from self._maybe_page(records)
        if began is not None:
            self._mark = self._mark.with_table(CHECKLIST.record_type, window.mark(at=began))
            yield from self._maybe_page([])

    def _changed_checklists(self, members: set[str]) -> Iterator[RecordPage]:
        window = SeenWindow(self._mark.table(CHECKLIST.record_type), self._settings.lookback)
        options = [("$select", ",".join(selected_columns(CHECKLIST, self._settings.columns)))]
        if window.since is not None:
            options.append(("$filter", f"modifiedon ge {time_literal(window.since)}"))
        options.append(("$orderby", f"modifiedon asc,{CHECKLIST.key} asc"))
        outsiders: set[str] = set()
        for page in self._client.pages(CHECKLIST.entity_set, options):
            fresh = [(row, self._version(CHECKLIST, row)) for row in page.rows]
            fresh = [(row, version) for row, version in fresh if window.is_new(version.print_)]
            unknown = {
                str(row[CHECKLIST.parent])
                for row, _ in fresh
                if row.get(CHECKLIST.parent) and row[CHECKLIST.parent] not in members | outsiders
            }
            found = self._tasks_of_project(unknown)
            members |= found
            outsiders |= unknown - found
            records = []
            for row, version in fresh:
                window.note(version.modified, version.print_)
                if row.get(CHECKLIST.parent) in members:
                    records.append(self._record(CHECKLIST, row, version))
            self._mark = self._mark.with_table(CHECKLIST.record_type, window.mark())
            yield from self._maybe_page(records)

    def _project_task_ids(self) -> Iterator[str]:
        options = [
            ("$select", TASK.key),
            ("$filter", f"{TASK.parent} eq {self._project_id}"),
        ]
        for page in self._client.pages(TASK.entity_set, options):
            yield from (str(row[TASK.key]) for row in page.rows if row.get(TASK.key))

    def _tasks_of_project(self, task_ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for batch in batched(sorted(task_ids), self._settings.id_batch):
            condition = f"{TASK.parent} eq {self._project_id} and {any_equal(TASK.key, batch)}"
            options = [("$select", TASK.key), ("$filter", condition)]
            for page in self._client.pages(TASK.entity_set, options):
                found |= {str(row[TASK.key]) for row in page.rows if row.get(TASK.key)}
        return found

    # ---- rows and pages

    def _fresh(
        self, table: ProjectTable, row: Row, window: SeenWindow, *, met: list[str] | None = None
    ) -> SourceRecord | None:
        """The row as a record if this version was not read before; remembers it either way."""
        version = self._version(table, row)
        if met is not None:
            met.append(version.record_id)
        if not window.is_new(version.print_):
            return None
        window.note(version.modified, version.print_)
        return self._record(table, row, version)

    def _version(self, table: ProjectTable, row: Row) -> _Version:
        record_id = row.get(table.key)
        if not isinstance(record_id, str) or not record_id:
            raise RecordError(
                f"a {table.record_type} row without {table.key}", source=self._client.source
            )
        modified = _parse_time(row.get("modifiedon"))
        if modified is None:
            raise RecordError(
                f"{table.record_type} has no readable modifiedon ({row.get('modifiedon')!r})",
                source=self._client.source,
                record=record_id,
            )
        etag = row.get("@odata.etag")
        version = etag if isinstance(etag, str) and etag else str(row.get("modifiedon"))
        return _Version(record_id, modified, fingerprint(record_id, version))

    def _record(self, table: ProjectTable, row: Row, version: _Version) -> SourceRecord:
        return SourceRecord(
            record_type=table.record_type,
            external_id=version.record_id,
            payload=dict(row),
            updated_at=version.modified,
        )

    def _maybe_page(self, records: list[SourceRecord]) -> Iterator[RecordPage]:
        if records or self._mark.encode() != self._stored:
            yield self._page(records)

    def _page(self, records: list[SourceRecord], *, keep_watermark: bool = False) -> RecordPage:
        encoded = self._mark.encode()
        watermark = None if keep_watermark else encoded
        self._stored = encoded
        requests = self._client.requests - self._reported
        self._reported = self._client.requests
        return RecordPage(
            scope=self._scope, records=tuple(records), watermark=watermark, requests=requests
        )


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
