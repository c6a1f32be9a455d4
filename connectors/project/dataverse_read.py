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

A row without a readable id or ``modifiedon`` is quarantined on its page
(`connectors.quarantine`) and the table's mark moves on with the rows that could be read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from connectors.errors import ConnectorError, RecordError
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
from connectors.quarantine import quarantine, readable_id, shown, storable_time
from connectors.records import QuarantinedRecord, RecordPage, SourceRecord

__all__ = ["ReadSettings", "ScopeRead"]

Row = Mapping[str, Any]
_GUID_LENGTH = 36


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

    Raises:
        ConnectorError: The project row has no GUID id to ask for its rows by.
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
        project_id = _guid(project.get(PROJECT.key))
        if project_id is None:
            raise ConnectorError(
                f"the project row has no readable {PROJECT.key} "
                f"({shown(project.get(PROJECT.key))}): its tasks cannot be asked for",
                source=client.source,
                record=scope,
            )
        self._project_id = project_id
        self._settings = settings
        self._mark = start
        self._stored = start.encode()
        self._reported = client.requests - unreported
        self._quarantined: list[QuarantinedRecord] = []

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
            versions = [(row, self._readable_version(CHECKLIST, row)) for row in page.rows]
            fresh = [
                (row, version)
                for row, version in versions
                if version is not None and window.is_new(version.print_)
            ]
            parents = {parent for row, _ in fresh if (parent := _parent(row))}
            unknown = parents - members - outsiders
            found = self._tasks_of_project(unknown)
            members |= found
            outsiders |= unknown - found
            records = []
            for row, version in fresh:
                window.note(version.modified, version.print_)
                if _parent(row) in members:
                    records.append(self._record(CHECKLIST, row, version))
                elif row.get(CHECKLIST.parent) is not None and _parent(row) is None:
                    reason = (
                        f"its {CHECKLIST.parent} is not a task id "
                        f"({shown(row.get(CHECKLIST.parent))})"
                    )
                    self._quarantined.append(
                        quarantine(
                            CHECKLIST.record_type, row, reason, external_id=version.record_id
                        )
                    )
            self._mark = self._mark.with_table(CHECKLIST.record_type, window.mark())
            yield from self._maybe_page(records)

    def _project_task_ids(self) -> Iterator[str]:
        options = [
            ("$select", TASK.key),
            ("$filter", f"{TASK.parent} eq {self._project_id}"),
        ]
        for page in self._client.pages(TASK.entity_set, options):
            yield from (task_id for row in page.rows if (task_id := _task_id(row)))

    def _tasks_of_project(self, task_ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for batch in batched(sorted(task_ids), self._settings.id_batch):
            condition = f"{TASK.parent} eq {self._project_id} and {any_equal(TASK.key, batch)}"
            options = [("$select", TASK.key), ("$filter", condition)]
            for page in self._client.pages(TASK.entity_set, options):
                found |= {task_id for row in page.rows if (task_id := _task_id(row))}
        return found

    # ---- rows and pages

    def _fresh(
        self, table: ProjectTable, row: Row, window: SeenWindow, *, met: list[str] | None = None
    ) -> SourceRecord | None:
        """The row as a record if this version was not read before; remembers it either way.

        A row that cannot be read is quarantined (handed over with the next page) instead.
        """
        record_id = _guid(row.get(table.key))
        if met is not None and record_id is not None:
            met.append(record_id)  # its checklist items are read even if the row is not
        version = self._readable_version(table, row)
        if version is None:
            return None
        if not window.is_new(version.print_):
            return None
        window.note(version.modified, version.print_)
        return self._record(table, row, version)

    def _readable_version(self, table: ProjectTable, row: Row) -> _Version | None:
        """The row's version; None, with the row quarantined, when it cannot be read."""
        try:
            return self._version(table, row)
        except RecordError as problem:
            self._quarantined.append(
                quarantine(table.record_type, row, problem.detail, external_id=problem.record)
            )
            return None

    def _version(self, table: ProjectTable, row: Row) -> _Version:
        record_id = _guid(row.get(table.key))
        if record_id is None:
            raise RecordError(
                f"a {table.record_type} row without a readable {table.key} "
                f"({shown(row.get(table.key))})",
                source=self._client.source,
                record=readable_id(row.get(table.key)),
            )
        modified = _parse_time(row.get("modifiedon"))
        if modified is None:
            raise RecordError(
                f"{table.record_type} has no readable modifiedon ({shown(row.get('modifiedon'))})",
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
        if records or self._quarantined or self._mark.encode() != self._stored:
            yield self._page(records)

    def _page(self, records: list[SourceRecord], *, keep_watermark: bool = False) -> RecordPage:
        encoded = self._mark.encode()
        watermark = None if keep_watermark else encoded
        self._stored = encoded
        requests = self._client.requests - self._reported
        self._reported = self._client.requests
        quarantined, self._quarantined = tuple(self._quarantined), []
        return RecordPage(
            scope=self._scope,
            records=tuple(records),
            watermark=watermark,
            requests=requests,
            quarantined=quarantined,
        )


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return storable_time(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC))


def _guid(value: object) -> str | None:
    """``value`` if it is a GUID, as Dataverse spells row ids; None otherwise.

    Ids go into ``$filter`` as bare literals, so anything else could change the query.
    """
    if not isinstance(value, str) or len(value) != _GUID_LENGTH:
        return None
    try:
        UUID(value)
    except ValueError:
        return None
    return value


def _task_id(row: Row) -> str | None:
    """A task row's id, when it is one an OData filter can name."""
    return _guid(row.get(TASK.key))


def _parent(row: Row) -> str | None:
    """The task a checklist item belongs to, when its lookup can be read."""
    return _guid(row.get(CHECKLIST.parent))
