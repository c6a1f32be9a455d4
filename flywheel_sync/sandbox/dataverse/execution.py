"""Trying an operation set's operations, in order, against the tables: all pass or none apply.

This is the Project Scheduling Service's validation (the "ACCEPT" phase) and, run again when
the set persists, its write. Each operation must be one the Schedule APIs support
(schedule-api-preview.md, "Supported operations": dependencies and assignments are created
and deleted, never updated; a project is not deleted; team members are created by
``msdyn_CreateTeamMemberV1``), name rows that exist, stay inside the set's project, and keep
the engine's rules (`task_rules`). Deleting a task deletes its subtasks, checklist items,
dependencies and assignments; deleting a bucket deletes its tasks; deleting a team member
deletes its assignments.

A failure names the operation's index, as PSS does::

    {"errorId": ..., "errorKey": "E_PARSINGERROR",
     "ErrorMessage": "Request in batch at index 0 failed with error: Unsupported operation",
     "failedBatchRequestIndex": 0,
     "failedBatchRequestError": {"errorKey": ..., "ErrorMessage": ...}}

(the first three fields as observed from ``msdyn_ExecuteOperationSetV1``, the last two as
community clients read them; error keys other than ``E_PARSINGERROR`` and
``E_LIMITEXCEEDED_TASKLEVEL`` are the sandbox's own).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from flywheel_sync.sandbox.dataverse.draft import Draft
from flywheel_sync.sandbox.dataverse.operation_sets import Operation, OperationKind
from flywheel_sync.sandbox.dataverse.tables import (
    PROJECT,
    PROJECT_BUCKET,
    PROJECT_CHECKLIST,
    PROJECT_LABEL,
    PROJECT_TASK,
    PROJECT_TASK_LABEL,
    PROJECT_TEAM,
    RESOURCE_ASSIGNMENT,
    TABLES,
    TASK_DEPENDENCY,
    Table,
)
from flywheel_sync.sandbox.dataverse.task_rules import (
    MAX_CHECKLIST_ITEMS,
    MAX_TASKS_PER_PROJECT,
    RuleBroken,
    check_dates,
    complete_task,
    relevel_subtree,
)

__all__ = ["ExecutionFailure", "simulate"]

Row = dict[str, Any]
_ALL = frozenset(OperationKind)
_CREATE_DELETE = frozenset({OperationKind.CREATE, OperationKind.DELETE})
_SUPPORTED: Mapping[str, frozenset[OperationKind]] = {
    PROJECT.logical_name: frozenset({OperationKind.UPDATE}),
    PROJECT_TASK.logical_name: _ALL,
    PROJECT_BUCKET.logical_name: _ALL,
    PROJECT_CHECKLIST.logical_name: _ALL,
    PROJECT_LABEL.logical_name: frozenset({OperationKind.UPDATE}),
    PROJECT_TASK_LABEL.logical_name: _CREATE_DELETE,
    PROJECT_TEAM.logical_name: frozenset({OperationKind.UPDATE, OperationKind.DELETE}),
    TASK_DEPENDENCY.logical_name: _CREATE_DELETE,
    RESOURCE_ASSIGNMENT.logical_name: _CREATE_DELETE,
}
_REQUIRED: Mapping[str, tuple[str, ...]] = {
    PROJECT_TASK.logical_name: ("msdyn_subject", "_msdyn_project_value"),
    PROJECT_BUCKET.logical_name: ("msdyn_name", "_msdyn_project_value"),
    PROJECT_CHECKLIST.logical_name: ("msdyn_name", "_msdyn_projecttaskid_value"),
    PROJECT_TASK_LABEL.logical_name: ("_msdyn_projecttaskid_value", "_msdyn_projectlabelid_value"),
    TASK_DEPENDENCY.logical_name: (
        "_msdyn_project_value",
        "_msdyn_predecessortask_value",
        "_msdyn_successortask_value",
    ),
    RESOURCE_ASSIGNMENT.logical_name: (
        "_msdyn_projectid_value",
        "_msdyn_taskid_value",
        "_msdyn_projectteamid_value",
    ),
}
# Rows that go with a deleted row: (table, lookup naming the deleted row).
_DEPENDENTS: Mapping[str, tuple[tuple[Table, str], ...]] = {
    PROJECT_TASK.logical_name: (
        (PROJECT_TASK, "_msdyn_parenttask_value"),
        (PROJECT_CHECKLIST, "_msdyn_projecttaskid_value"),
        (PROJECT_TASK_LABEL, "_msdyn_projecttaskid_value"),
        (TASK_DEPENDENCY, "_msdyn_predecessortask_value"),
        (TASK_DEPENDENCY, "_msdyn_successortask_value"),
        (RESOURCE_ASSIGNMENT, "_msdyn_taskid_value"),
    ),
    PROJECT_BUCKET.logical_name: ((PROJECT_TASK, "_msdyn_projectbucket_value"),),
    PROJECT_TEAM.logical_name: ((RESOURCE_ASSIGNMENT, "_msdyn_projectteamid_value"),),
}


class ExecutionFailure(Exception):
    """The operation at ``index`` broke a rule: the whole set fails."""

    def __init__(self, index: int, key: str, detail: str) -> None:
        super().__init__(detail)
        self.index = index
        self.key = key
        self.detail = detail

    def message(self) -> str:
        """The error message Dataverse carries: PSS's error, as a JSON string."""
        return json.dumps(
            {
                "errorId": -(zlib.crc32(self.key.encode()) & 0x7FFFFFFF),
                "errorKey": self.key,
                "ErrorMessage": (
                    f"Request in batch at index {self.index} failed with error: {self.detail}"
                ),
                "failedBatchRequestIndex": self.index,
                "failedBatchRequestError": {"errorKey": self.key, "ErrorMessage": self.detail},
            }
        )


def simulate(
    tables: Mapping[str, Mapping[str, Row]], operations: Sequence[Operation], *, project_id: str
) -> Draft:
    """The tables after ``operations``, as a draft the store can commit.

    Raises:
        ExecutionFailure: the first operation that breaks a rule.
    """
    draft = Draft(tables)
    for index, operation in enumerate(operations):
        try:
            _apply(draft, operation, project_id)
        except RuleBroken as broken:
            raise ExecutionFailure(index, broken.key, broken.detail) from None
    return draft


def _apply(draft: Draft, operation: Operation, project_id: str) -> None:
    table, record_id = operation.table, operation.record_id
    if operation.kind not in _SUPPORTED.get(table.logical_name, frozenset()):
        raise RuleBroken("E_PARSINGERROR", "Unsupported operation")
    existing = draft.get(table.logical_name, record_id)
    if operation.kind is OperationKind.CREATE and existing is not None:
        raise RuleBroken("E_DUPLICATERECORD", "A record with matching key values already exists.")
    if operation.kind is not OperationKind.CREATE and existing is None:
        raise RuleBroken(
            "E_RECORDNOTFOUND",
            f"Entity '{table.logical_name}' With Id = {record_id} Does Not Exist",
        )
    if operation.kind is OperationKind.DELETE and existing is not None:
        _check_project(draft, table, existing, project_id)
        _delete(draft, table, record_id)
        return
    row = {**(existing or _blank(table, record_id)), **operation.values}
    if existing is None:
        missing = [name for name in _REQUIRED.get(table.logical_name, ()) if row.get(name) is None]
        if missing:
            raise RuleBroken(
                "E_REQUIREDFIELDMISSING",
                f"The column {missing[0]} is required to create a {table.logical_name}.",
            )
    _check_references(draft, table, row, operation)
    _check_project(draft, table, row, project_id)
    if table is PROJECT_TASK:
        complete_task(draft, row, previous=existing, written=operation.values.keys())
    check_dates(table, row)
    draft.put(table.logical_name, record_id, row)
    _check_limits(draft, table, row, before=existing)


def _blank(table: Table, record_id: str) -> Row:
    return {column.name: None for column in table.columns} | {table.primary_key: record_id}


def _changed(before: Row | None, after: Row, column: str) -> bool:
    return before is None or before.get(column) != after.get(column)


def _check_references(draft: Draft, table: Table, row: Row, operation: Operation) -> None:
    """Every lookup the operation sets names an existing row of the same project."""
    for column in table.lookups:
        target = TABLES.get(column.target)
        record_id = row.get(column.name)
        if target is None or record_id is None or column.name not in operation.values:
            continue
        referenced = draft.get(target.logical_name, record_id)
        if referenced is None:
            raise RuleBroken(
                "E_REFERENCEDRECORDNOTFOUND",
                f"ScheduleAPI-AV-0006:{operation.detail_id}: Referenced row of "
                f"{column.attribute} with id {record_id} in the table {target.logical_name} "
                "does not exist.",
            )
        owner, theirs = _project_of(draft, table, row), _project_of(draft, target, referenced)
        if target is not PROJECT and owner is not None and theirs != owner:
            raise RuleBroken(
                "E_PROJECTMISMATCH",
                f"The {target.logical_name} {record_id} referenced by {column.attribute} "
                f"belongs to another project than the {table.logical_name}.",
            )


def _check_project(draft: Draft, table: Table, row: Row, project_id: str) -> None:
    """The row belongs to the operation set's project."""
    owner = _project_of(draft, table, row)
    if owner != project_id:
        raise RuleBroken(
            "E_PROJECTMISMATCH",
            f"The {table.logical_name} {row[table.primary_key]} belongs to project {owner}, "
            f"not to the operation set's project {project_id}.",
        )


def _project_of(draft: Draft, table: Table, row: Row) -> str | None:
    if table.project_lookup:
        found = row.get(table.project_lookup)
        return found if isinstance(found, str) else None
    task = draft.get(PROJECT_TASK.logical_name, row.get("_msdyn_projecttaskid_value"))
    return None if task is None else _project_of(draft, PROJECT_TASK, task)


def _delete(draft: Draft, table: Table, record_id: str) -> None:
    """Delete a row and, depth first, the rows that go with it."""
    draft.delete(table.logical_name, record_id)
    for dependent, lookup in _DEPENDENTS.get(table.logical_name, ()):
        doomed = [
            row[dependent.primary_key]
            for row in draft.rows(dependent.logical_name)
            if row.get(lookup) == record_id
        ]
        for dependent_id in doomed:
            if draft.get(dependent.logical_name, dependent_id) is not None:
                _delete(draft, dependent, dependent_id)


def _check_limits(draft: Draft, table: Table, row: Row, *, before: Row | None) -> None:
    """The limits a created or moved row could break (existing excess is left alone)."""
    if table is PROJECT_TASK:
        if before is not None and _changed(before, row, "_msdyn_parenttask_value"):
            relevel_subtree(draft, row)
        project = row.get("_msdyn_project_value")
        total = draft.count(table.logical_name, "_msdyn_project_value", project)
        if _changed(before, row, "_msdyn_project_value") and total > MAX_TASKS_PER_PROJECT:
            raise RuleBroken(
                "E_LIMITEXCEEDED_TASKS",
                f"The project {project} would have {total} tasks; "
                f"a project allows at most {MAX_TASKS_PER_PROJECT}.",
            )
    if table is PROJECT_CHECKLIST:
        task = row.get("_msdyn_projecttaskid_value")
        items = draft.count(table.logical_name, "_msdyn_projecttaskid_value", task)
        if _changed(before, row, "_msdyn_projecttaskid_value") and items > MAX_CHECKLIST_ITEMS:
            raise RuleBroken(
                "E_LIMITEXCEEDED_CHECKLISTITEMS",
                f"The task {task} would have {items} checklist items; "
                f"a task allows at most {MAX_CHECKLIST_ITEMS}.",
            )
