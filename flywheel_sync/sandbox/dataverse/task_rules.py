"""What the sandbox's scheduling engine does to a task row, and the limits it enforces.

Project's engine schedules with calendars and assignments; the sandbox keeps only what a sync
client can observe and rely on, in calendar days:

- a task's outline level follows its parent (1 for a root task), and moving a task moves
  its subtree; more than 10 levels fail with ``E_LIMITEXCEEDED_TASKLEVEL``;
- ``msdyn_finish`` is ``msdyn_start`` plus ``msdyn_duration`` days, unless the finish is
  written, in which case the duration follows; moving only the start keeps the duration;
  a new task lasts one day; a zero-day task is a milestone;
- a new task gets the next display sequence of its project and zero effort and progress;
- dates stay within 2000-01-01 and 2149-12-31; at most 3,000 tasks per project and 20
  checklist items per task (project-and-task-limitations.md).

Nothing is rolled up: summary tasks and projects keep their dates.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from flywheel_sync.sandbox.dataverse.draft import Draft
from flywheel_sync.sandbox.dataverse.tables import PROJECT_TASK, ColumnKind, Table
from flywheel_sync.sandbox.dataverse.wire import parse_time, wire_time

__all__ = [
    "MAX_CHECKLIST_ITEMS",
    "MAX_OUTLINE_LEVEL",
    "MAX_TASKS_PER_PROJECT",
    "RuleBroken",
    "check_dates",
    "complete_task",
    "relevel_subtree",
]

MAX_OUTLINE_LEVEL = 10
MAX_TASKS_PER_PROJECT = 3000
MAX_CHECKLIST_ITEMS = 20
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_AFTER_LATEST = datetime(2150, 1, 1, tzinfo=UTC)
_TASKS = PROJECT_TASK.logical_name
_PARENT = "_msdyn_parenttask_value"
Row = dict[str, Any]


class RuleBroken(Exception):
    """An operation the scheduling engine refuses; ``key`` is the PSS ``errorKey``."""

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(detail)
        self.key = key
        self.detail = detail


def complete_task(
    draft: Draft, row: Row, *, previous: Row | None, written: Collection[str]
) -> None:
    """Fill what the engine computes into a task row about to be created or updated.

    Raises:
        RuleBroken: the outline would be too deep or circular, or the finish precedes the start.
    """
    if previous is None:
        _defaults(draft, row)
    _effort(row, written)
    _dates(row, creating=previous is None, written=written)
    row["msdyn_outlinelevel"] = outline_level(draft, row)


def outline_level(draft: Draft, row: Row) -> int:
    """The level a task sits at under its parents (1 for a root task).

    Raises:
        RuleBroken: the parent chain loops back to the task, or is deeper than 10 levels.
    """
    level, seen = 1, {row[PROJECT_TASK.primary_key]}
    parent_id = row.get(_PARENT)
    while parent_id is not None:
        if parent_id in seen:
            raise RuleBroken(
                "E_CIRCULARREFERENCE",
                f"The task {row[PROJECT_TASK.primary_key]} cannot be its own ancestor.",
            )
        parent = draft.get(_TASKS, parent_id)
        if parent is None:
            break
        seen.add(parent_id)
        level += 1
        parent_id = parent.get(_PARENT)
    if level > MAX_OUTLINE_LEVEL:
        raise RuleBroken(
            "E_LIMITEXCEEDED_TASKLEVEL",
            f"The task {row[PROJECT_TASK.primary_key]} would be at outline level {level}; "
            f"a project allows at most {MAX_OUTLINE_LEVEL} levels.",
        )
    return level


def relevel_subtree(draft: Draft, task: Row) -> None:
    """Give every descendant of a moved task the outline level its new place implies.

    Raises:
        RuleBroken: a descendant would sit deeper than 10 levels.
    """
    parents = [task]
    while parents:
        parent = parents.pop()
        parent_id = parent[PROJECT_TASK.primary_key]
        for child in [r for r in draft.rows(_TASKS) if r.get(_PARENT) == parent_id]:
            moved = {**child, "msdyn_outlinelevel": outline_level(draft, child)}
            draft.put(_TASKS, child[PROJECT_TASK.primary_key], moved)
            parents.append(moved)


def check_dates(table: Table, row: Row) -> None:
    """Refuse a row with a date outside what Project supports.

    Raises:
        RuleBroken: ``E_DATEOUTOFRANGE``.
    """
    for column in table.columns:
        moment = parse_time(row.get(column.name)) if column.kind is ColumnKind.DATETIME else None
        if moment is not None and not _EARLIEST <= moment < _AFTER_LATEST:
            raise RuleBroken(
                "E_DATEOUTOFRANGE",
                f"The value {row[column.name]} of {column.name} is outside the dates a project "
                "supports (2000-01-01 to 2149-12-31).",
            )


def _defaults(draft: Draft, row: Row) -> None:
    project = row.get("_msdyn_project_value")
    if row.get("msdyn_displaysequence") is None:
        sequences = [
            r.get("msdyn_displaysequence") or 0.0
            for r in draft.rows(_TASKS)
            if r.get("_msdyn_project_value") == project
        ]
        row["msdyn_displaysequence"] = max(sequences, default=0.0) + 1.0
    for name in ("msdyn_effort", "msdyn_effortcompleted", "msdyn_progress"):
        if row.get(name) is None:
            row[name] = 0.0
    if row.get("msdyn_LinkStatus") is None:
        row["msdyn_LinkStatus"] = 192350000
    row["statecode"] = 0


def _effort(row: Row, written: Collection[str]) -> None:
    touched = {"msdyn_effort", "msdyn_effortcompleted"} & set(written)
    if (touched or row.get("msdyn_effortremaining") is None) and (
        "msdyn_effortremaining" not in written
    ):
        remaining = (row.get("msdyn_effort") or 0.0) - (row.get("msdyn_effortcompleted") or 0.0)
        row["msdyn_effortremaining"] = max(0.0, remaining)


def _dates(row: Row, *, creating: bool, written: Collection[str]) -> None:
    start = parse_time(row.get("msdyn_start"))
    finish = parse_time(row.get("msdyn_finish"))
    duration = row.get("msdyn_duration")
    if duration is None:
        duration = 1.0 if creating else 0.0
    if start is not None:
        if "msdyn_finish" in written and finish is not None:
            duration = round((finish - start).total_seconds() / 86400, 2)
        elif finish is None or {"msdyn_start", "msdyn_duration"} & set(written):
            finish = start + timedelta(days=duration)
    if start is not None and finish is not None and finish < start:
        raise RuleBroken(
            "E_INVALIDDATES",
            f"The task {row[PROJECT_TASK.primary_key]} would finish ({wire_time(finish)}) before "
            f"it starts ({wire_time(start)}).",
        )
    row["msdyn_finish"] = None if finish is None else wire_time(finish)
    row["msdyn_duration"] = float(duration)
    row["msdyn_ismilestone"] = duration == 0
