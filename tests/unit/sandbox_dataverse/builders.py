"""Rows, tables, operations and a clock for the Dataverse emulator's unit tests."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from flywheel_sync.sandbox.dataverse.operation_sets import Operation, OperationKind
from flywheel_sync.sandbox.dataverse.tables import (
    PROJECT,
    PROJECT_BUCKET,
    PROJECT_CHECKLIST,
    PROJECT_TASK,
    TABLES,
    Table,
)
from flywheel_sync.sandbox.demo import DemoOrganisation, build_demo_organisation

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
GRID = "00000000-0000-0000-0000-000000000001"
HRX = "00000000-0000-0000-0000-000000000002"
BUCKET = "00000000-0000-0000-0000-00000000000b"
OTHER_BUCKET = "00000000-0000-0000-0000-00000000000c"
ROOT = "00000000-0000-0000-0000-0000000000a1"
CHILD = "00000000-0000-0000-0000-0000000000a2"
LEAF = "00000000-0000-0000-0000-0000000000a3"
ITEM = "00000000-0000-0000-0000-0000000000c1"
NEW = "00000000-0000-0000-0000-0000000000f1"
MISSING = "00000000-0000-0000-0000-0000000000ee"
Row = dict[str, Any]


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@functools.cache
def organisation(scale: float = 0.05) -> DemoOrganisation:
    """A small demo organisation (GRID and HRX, a few tasks each), built once; do not mutate."""
    return build_demo_organisation(seed=1, scale=scale, now=NOW)


def row(table: Table, **values: Any) -> Row:
    """A full row of ``table``: every column null unless given."""
    return {column.name: None for column in table.columns} | values


def project(project_id: str, subject: str) -> Row:
    return row(PROJECT, msdyn_projectid=project_id, msdyn_subject=subject, statecode=0)


def task(
    task_id: str, subject: str, *, parent: str | None = None, project_id: str = GRID, **values: Any
) -> Row:
    return row(
        PROJECT_TASK,
        msdyn_projecttaskid=task_id,
        msdyn_subject=subject,
        _msdyn_project_value=project_id,
        _msdyn_projectbucket_value=BUCKET if project_id == GRID else None,
        _msdyn_parenttask_value=parent,
        msdyn_outlinelevel=1 if parent is None else 2,
        **values,
    )


def tables() -> dict[str, dict[str, Row]]:
    """GRID with a bucket, a root task with a child and a leaf, a checklist item; HRX empty."""
    found: dict[str, dict[str, Row]] = {name: {} for name in TABLES}
    rows = [
        (PROJECT, project(GRID, "GRID")),
        (PROJECT, project(HRX, "HRX")),
        (
            PROJECT_BUCKET,
            row(
                PROJECT_BUCKET,
                msdyn_projectbucketid=BUCKET,
                msdyn_name="Build",
                _msdyn_project_value=GRID,
            ),
        ),
        (
            PROJECT_BUCKET,
            row(
                PROJECT_BUCKET,
                msdyn_projectbucketid=OTHER_BUCKET,
                msdyn_name="Run",
                _msdyn_project_value=HRX,
            ),
        ),
        (
            PROJECT_TASK,
            task(
                ROOT,
                "Design",
                msdyn_start="2026-04-01T08:00:00Z",
                msdyn_finish="2026-04-11T08:00:00Z",
                msdyn_duration=10.0,
                msdyn_progress=0.5,
                msdyn_displaysequence=1.0,
            ),
        ),
        (
            PROJECT_TASK,
            task(
                CHILD,
                "Install meters",
                parent=ROOT,
                msdyn_start="2026-04-01T08:00:00Z",
                msdyn_finish="2026-04-03T08:00:00Z",
                msdyn_duration=2.0,
                msdyn_progress=1.0,
                msdyn_displaysequence=2.0,
            ),
        ),
        (
            PROJECT_TASK,
            task(
                LEAF,
                "Test SCADA",
                msdyn_description="late",
                msdyn_start="2026-05-01T08:00:00Z",
                msdyn_finish="2026-05-02T08:00:00Z",
                msdyn_duration=1.0,
                msdyn_progress=0.0,
                msdyn_ismilestone=False,
                msdyn_displaysequence=3.0,
            ),
        ),
        (
            PROJECT_CHECKLIST,
            row(
                PROJECT_CHECKLIST,
                msdyn_projectchecklistid=ITEM,
                msdyn_name="Scope agreed",
                msdyn_projectchecklistcompleted=True,
                _msdyn_projecttaskid_value=CHILD,
            ),
        ),
    ]
    for table, values in rows:
        found[table.logical_name][values[table.primary_key]] = values
    return found


def operation(kind: OperationKind, table: Table, record_id: str, **values: Any) -> Operation:
    return Operation(
        kind=kind, table=table, record_id=record_id, values=values, detail_id="detail-1"
    )


def create_task(record_id: str = NEW, **values: Any) -> Operation:
    """A valid create of a GRID task in the Build bucket, overridable."""
    defaults: dict[str, Any] = {
        "msdyn_subject": "New task",
        "_msdyn_project_value": GRID,
        "_msdyn_projectbucket_value": BUCKET,
        "msdyn_start": "2026-06-01T08:00:00Z",
    }
    return operation(OperationKind.CREATE, PROJECT_TASK, record_id, **(defaults | values))
