"""The Dataverse emulator's live state: the Project tables, their row versions, operation sets.

Rows are kept as Web API JSON (every column of the table present, null when empty) in
creation order, each with a row version: ``@odata.etag`` is ``W/"<version>"``, and every
write gives the row the next version of a store-wide counter, as Dataverse's rowversion does.

Executed operation sets persist asynchronously: `DataverseStore.execute` validates a set and
marks it Pending; the set is applied ``persist_delay`` seconds later, measured with the
injected ``clock``, by the first call that settles the store (every request does). Until then
the tables show the old rows. With the default delay of 0 a set persists before its execute
call returns. A lock makes each request atomic; tests on other threads read through it.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from flywheel_sync.sandbox.dataverse.draft import Draft
from flywheel_sync.sandbox.dataverse.execution import ExecutionFailure, simulate
from flywheel_sync.sandbox.dataverse.operation_sets import (
    MAX_OPEN_SETS_PER_USER,
    OperationSet,
    OperationSetStatus,
)
from flywheel_sync.sandbox.dataverse.principals import APPLICATION_USER, LICENSED_USER, Principal
from flywheel_sync.sandbox.dataverse.tables import (
    OPERATION_SET,
    PROJECT,
    PROJECT_BUCKET,
    PROJECT_CHECKLIST,
    PROJECT_LABEL,
    PROJECT_TASK,
    PROJECT_TASK_LABEL,
    PROJECT_TEAM,
    TABLES,
    Table,
)
from flywheel_sync.sandbox.dataverse.wire import DataverseError, record_not_found, wire_time
from flywheel_sync.sandbox.demo import DemoOrganisation
from flywheel_sync.sandbox.demo.identifiers import guid

__all__ = ["Clock", "DataverseStore"]

Row = dict[str, Any]
Clock = Callable[[], datetime]
_FIRST_ROW_VERSION = 1_000_001


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DataverseStore:
    """Rows of the Project tables and the operation sets, loaded from a demo organisation.

    Args:
        organisation: The demo organisation whose ``project`` rows seed the tables (copied).
        clock: Now, as an aware datetime; tests inject a fake one and never sleep.
        persist_delay: Seconds between an operation set's acceptance and its persistence.
    """

    def __init__(
        self, organisation: DemoOrganisation, *, clock: Clock = _utc_now, persist_delay: float = 0.0
    ) -> None:
        self.lock = threading.RLock()
        self._clock = clock
        self._persist_delay = timedelta(seconds=persist_delay)
        self.load(organisation)

    def configure(self, *, clock: Clock | None = None, persist_delay: float | None = None) -> None:
        """Change the clock or the persistence delay of a running store."""
        with self.lock:
            self._clock = clock or self._clock
            if persist_delay is not None:
                self._persist_delay = timedelta(seconds=persist_delay)

    def load(self, organisation: DemoOrganisation) -> None:
        """Replace every row with the organisation's: writes and operation sets are forgotten."""
        with self.lock:
            self._tables: dict[str, dict[str, Row]] = {name: {} for name in TABLES}
            self._versions: dict[tuple[str, str], int] = {}
            self._next_version = itertools.count(_FIRST_ROW_VERSION)
            self._next_id = itertools.count(1)
            self.operation_sets: dict[str, OperationSet] = {}
            self._user_names = {
                person.aad_id: person.display_name for person in organisation.people
            }
            for principal in (LICENSED_USER, APPLICATION_USER):
                self._user_names[principal.systemuser_id] = principal.name
            seeded = organisation.project
            created = {p["msdyn_projectid"]: p.get("createdon") for p in seeded.projects}
            for row in seeded.projects:
                self._seed(PROJECT, row)
            for row in seeded.buckets:
                stamp = created.get(row.get("_msdyn_project_value"))
                self._seed(PROJECT_BUCKET, {"createdon": stamp, "modifiedon": stamp, **row})
            for row in seeded.tasks:
                self._seed(PROJECT_TASK, row)
            for row in seeded.checklists:
                self._seed(PROJECT_CHECKLIST, row)
            for row in seeded.labels:
                self._seed(PROJECT_LABEL, row)
            for row in seeded.task_labels:
                self._seed(PROJECT_TASK_LABEL, row)

    def _seed(self, table: Table, row: Mapping[str, Any]) -> None:
        record = _blank(table) | copy.deepcopy(dict(row))
        record_id = record[table.primary_key]
        self._tables[table.logical_name][record_id] = record
        self._versions[(table.logical_name, record_id)] = next(self._next_version)

    # ---- reading

    def now(self) -> datetime:
        """The store's clock."""
        return self._clock()

    def rows(self, table: Table) -> list[Row]:
        """Every row of a table in creation order, after persisting what is due.

        The rows are the store's own: read them, never change them.
        """
        with self.lock:
            self.settle()
            return list(self._tables[table.logical_name].values())

    def row(self, table: Table, record_id: str) -> Row | None:
        """The row with this id, if any (the store's own: read it, never change it)."""
        with self.lock:
            self.settle()
            return self._tables[table.logical_name].get(record_id)

    def version(self, table: Table, record_id: str) -> int:
        """A row's version: its ``@odata.etag`` is ``W/"<version>"``."""
        with self.lock:
            return self._versions[(table.logical_name, record_id)]

    def name_of(self, logical_name: str, record_id: str) -> str | None:
        """The primary name of a row (or a user's name), for lookups' formatted values."""
        with self.lock:
            if logical_name == "systemuser":
                return self._user_names.get(record_id)
            table = TABLES.get(logical_name)
            row = None if table is None else self._tables[logical_name].get(record_id)
            name = None if row is None or table is None else row.get(table.primary_name)
            return name if isinstance(name, str) else None

    def new_id(self, kind: str) -> str:
        """A fresh GUID; the same sequence after every load, so runs are reproducible."""
        with self.lock:
            return guid(f"dataverse/sandbox/{kind}/{next(self._next_id)}")

    # ---- writing

    def insert(self, table: Table, row: Row) -> Row:
        """Create a row now (not through an operation set), stamped and versioned."""
        with self.lock:
            stamp = wire_time(self.now())
            record = _blank(table) | row | {"createdon": stamp, "modifiedon": stamp}
            record_id = record[table.primary_key]
            self._tables[table.logical_name][record_id] = record
            self._versions[(table.logical_name, record_id)] = next(self._next_version)
            return record

    def create_project(
        self, values: Mapping[str, Any], *, project_id: str, owner: Principal, with_bucket: bool
    ) -> Row:
        """Create a project now, and with ``with_bucket`` its default bucket "Bucket 1".

        ``msdyn_CreateProjectV1`` creates both; a plain Web API ``POST`` only the project
        (schedule-api-preview.md).

        Raises:
            DataverseError: 400 when a row already has this id.
        """
        with self.lock:
            self._refuse_duplicate(PROJECT, project_id)
            project = self.insert(
                PROJECT,
                {
                    **values,
                    "msdyn_projectid": project_id,
                    "msdyn_progress": 0.0,
                    "statecode": 0,
                    "statuscode": values.get("statuscode") or 1,
                    "_ownerid_value": owner.systemuser_id,
                },
            )
            if with_bucket:
                bucket = {
                    "msdyn_projectbucketid": self.new_id("bucket"),
                    "msdyn_name": "Bucket 1",
                    "_msdyn_project_value": project_id,
                }
                self.insert(PROJECT_BUCKET, bucket)
            return project

    def create_team_member(self, values: Mapping[str, Any], *, member_id: str) -> Row:
        """Create a project team member now (``msdyn_CreateTeamMemberV1`` or a plain ``POST``).

        Raises:
            DataverseError: 404 when the bound project does not exist; 400 for a missing
                project or a duplicate id.
        """
        with self.lock:
            self._refuse_duplicate(PROJECT_TEAM, member_id)
            project_id = values.get("_msdyn_project_value")
            if not isinstance(project_id, str):
                raise DataverseError(
                    400, "0x80040265", "A project team member needs msdyn_project@odata.bind."
                )
            if self.row(PROJECT, project_id) is None:
                raise record_not_found(PROJECT.logical_name, project_id)
            return self.insert(PROJECT_TEAM, {**values, "msdyn_projectteamid": member_id})

    def _refuse_duplicate(self, table: Table, record_id: str) -> None:
        if record_id in self._tables[table.logical_name]:
            raise DataverseError(
                400, "0x80040237", "A record with matching key values already exists."
            )

    def commit(self, draft: Draft) -> None:
        """Write a draft's changes: new rows stamped and versioned, deleted rows gone."""
        with self.lock:
            stamp = wire_time(self.now())
            for change in draft.changes():
                rows, key = self._tables[change.table], (change.table, change.record_id)
                if change.row is None:
                    rows.pop(change.record_id, None)
                    self._versions.pop(key, None)
                    continue
                created = rows.get(change.record_id, {}).get("createdon") or stamp
                rows[change.record_id] = change.row | {"createdon": created, "modifiedon": stamp}
                self._versions[key] = next(self._next_version)

    # ---- operation sets

    def open_operation_set(
        self, project_id: str, description: str, user: Principal
    ) -> OperationSet:
        """Open an operation set for a project.

        Raises:
            DataverseError: 404 for an unknown project; 400 when the user already has 10
                open sets.
        """
        with self.lock:
            self.settle()
            if self._tables[PROJECT.logical_name].get(project_id) is None:
                raise record_not_found(PROJECT.logical_name, project_id)
            open_sets = [
                s
                for s in self.operation_sets.values()
                if s.status is OperationSetStatus.OPEN and s.user_aad_id == user.aad_id
            ]
            if len(open_sets) >= MAX_OPEN_SETS_PER_USER:
                raise DataverseError(
                    400,
                    "0x80040265",
                    f"A user can have at most {MAX_OPEN_SETS_PER_USER} open operation sets: "
                    "execute or abandon one before creating another.",
                )
            operation_set = OperationSet(
                id=self.new_id("operationset"),
                project_id=project_id,
                description=description,
                user_aad_id=user.aad_id,
                correlation_id=self.new_id("correlation"),
                created_on=self.now(),
            )
            self.operation_sets[operation_set.id] = operation_set
            self.save(operation_set)
            return operation_set

    def operation_set(self, operation_set_id: str) -> OperationSet:
        """The operation set with this id.

        Raises:
            DataverseError: 404 when there is none.
        """
        with self.lock:
            self.settle()
            found = self.operation_sets.get(operation_set_id)
            if found is None:
                raise record_not_found(OPERATION_SET.logical_name, operation_set_id)
            return found

    def execute(self, operation_set: OperationSet) -> None:
        """Validate an open set and accept it for persistence, or fail it.

        Raises:
            DataverseError: 400 when the set is not open, or (the set then Failed) when an
                operation breaks a rule; the message is PSS's JSON error.
        """
        with self.lock:
            operation_set.require_open("cannot be executed")
            now = self.now()
            operation_set.executed_on = operation_set.modified_on = now
            try:
                simulate(
                    self._tables, operation_set.operations, project_id=operation_set.project_id
                )
            except ExecutionFailure as failure:
                self._fail(operation_set, failure)
                raise DataverseError(400, "0x80040265", failure.message()) from None
            operation_set.status = OperationSetStatus.PENDING
            operation_set.persist_at = now + self._persist_delay
            self.save(operation_set)
            self.settle()

    def abandon(self, operation_set: OperationSet) -> None:
        """Abandon an open set: its operations are dropped and it no longer counts as open.

        Raises:
            DataverseError: 400 when the set is not open.
        """
        with self.lock:
            operation_set.require_open("cannot be abandoned")
            operation_set.status = OperationSetStatus.ABANDONED
            operation_set.modified_on = self.now()
            operation_set.operations.clear()
            self.save(operation_set)

    def settle(self) -> None:
        """Persist every accepted set whose time has come, oldest first."""
        with self.lock:
            now = self.now()
            due = [
                s
                for s in self.operation_sets.values()
                if s.status is OperationSetStatus.PENDING and s.persist_at and s.persist_at <= now
            ]
            for operation_set in sorted(due, key=lambda s: s.persist_at or now):
                try:
                    draft = simulate(
                        self._tables, operation_set.operations, project_id=operation_set.project_id
                    )
                except ExecutionFailure as failure:
                    self._fail(operation_set, failure)
                    continue
                self.commit(draft)
                operation_set.status = OperationSetStatus.COMPLETED
                operation_set.completed_on = operation_set.modified_on = now
                self.save(operation_set)

    def save(self, operation_set: OperationSet) -> None:
        """Write an operation set's row (a new row version each time)."""
        with self.lock:
            self._tables[OPERATION_SET.logical_name][operation_set.id] = operation_set.row()
            key = (OPERATION_SET.logical_name, operation_set.id)
            self._versions[key] = next(self._next_version)

    def _fail(self, operation_set: OperationSet, failure: ExecutionFailure) -> None:
        operation_set.status = OperationSetStatus.FAILED
        operation_set.completed_on = operation_set.modified_on = self.now()
        operation_set.failure = failure.message()
        self.save(operation_set)


def _blank(table: Table) -> Row:
    return {column.name: None for column in table.columns}
