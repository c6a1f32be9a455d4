"""Executing operations against the builder's tables: what applies, what fails and why."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from flywheel_sync.sandbox.dataverse.draft import Draft
from flywheel_sync.sandbox.dataverse.execution import ExecutionFailure, simulate
from flywheel_sync.sandbox.dataverse.operation_sets import Operation, OperationKind
from flywheel_sync.sandbox.dataverse.tables import (
    PROJECT,
    PROJECT_BUCKET,
    PROJECT_CHECKLIST,
    PROJECT_TASK,
    PROJECT_TEAM,
    RESOURCE_ASSIGNMENT,
    TASK_DEPENDENCY,
)
from tests.unit.sandbox_dataverse.builders import (
    BUCKET,
    CHILD,
    GRID,
    HRX,
    ITEM,
    LEAF,
    MISSING,
    NEW,
    OTHER_BUCKET,
    ROOT,
    create_task,
    operation,
    tables,
)

CREATE, UPDATE, DELETE = OperationKind.CREATE, OperationKind.UPDATE, OperationKind.DELETE
TASKS = PROJECT_TASK.logical_name


def run(*operations: Operation, project_id: str = GRID) -> Draft:
    return simulate(tables(), operations, project_id=project_id)


def failure(*operations: Operation, project_id: str = GRID) -> tuple[int, str, str]:
    with pytest.raises(ExecutionFailure) as raised:
        run(*operations, project_id=project_id)
    return raised.value.index, raised.value.key, raised.value.detail


def task_after(draft: Draft, record_id: str = NEW) -> dict[str, Any]:
    found = draft.get(TASKS, record_id)
    assert found is not None
    return found


def test_a_created_task_gets_what_the_engine_computes() -> None:
    created = task_after(run(create_task()))

    assert {
        name: created[name]
        for name in (
            "msdyn_finish",
            "msdyn_duration",
            "msdyn_ismilestone",
            "msdyn_outlinelevel",
            "msdyn_displaysequence",
            "msdyn_progress",
            "msdyn_effortremaining",
            "msdyn_LinkStatus",
            "statecode",
        )
    } == {
        "msdyn_finish": "2026-06-02T08:00:00Z",
        "msdyn_duration": 1.0,
        "msdyn_ismilestone": False,
        "msdyn_outlinelevel": 1,
        "msdyn_displaysequence": 4.0,
        "msdyn_progress": 0.0,
        "msdyn_effortremaining": 0.0,
        "msdyn_LinkStatus": 192350000,
        "statecode": 0,
    }


@pytest.mark.parametrize(
    ("values", "start", "finish", "duration"),
    [
        (
            {"msdyn_start": "2026-04-05T08:00:00Z"},
            "2026-04-05T08:00:00Z",
            "2026-04-15T08:00:00Z",
            10.0,
        ),
        (
            {"msdyn_finish": "2026-04-04T20:00:00Z"},
            "2026-04-01T08:00:00Z",
            "2026-04-04T20:00:00Z",
            3.5,
        ),
        ({"msdyn_duration": 0.0}, "2026-04-01T08:00:00Z", "2026-04-01T08:00:00Z", 0.0),
        ({"msdyn_subject": "Renamed"}, "2026-04-01T08:00:00Z", "2026-04-11T08:00:00Z", 10.0),
        (
            {"msdyn_start": "2026-04-02T08:00:00Z", "msdyn_finish": "2026-04-03T08:00:00Z"},
            "2026-04-02T08:00:00Z",
            "2026-04-03T08:00:00Z",
            1.0,
        ),
    ],
)
def test_updating_dates_keeps_start_finish_and_duration_consistent(
    values: dict[str, Any], start: str, finish: str, duration: float
) -> None:
    updated = task_after(run(operation(UPDATE, PROJECT_TASK, ROOT, **values)), ROOT)

    assert (updated["msdyn_start"], updated["msdyn_finish"], updated["msdyn_duration"]) == (
        start,
        finish,
        duration,
    )
    assert updated["msdyn_ismilestone"] is (duration == 0)


def test_effort_remaining_follows_effort_and_effort_completed() -> None:
    updated = task_after(
        run(operation(UPDATE, PROJECT_TASK, ROOT, msdyn_effort=40.0, msdyn_effortcompleted=16.0)),
        ROOT,
    )

    assert updated["msdyn_effortremaining"] == 24.0


def test_a_parent_sets_the_outline_level_and_moving_a_task_moves_its_subtree() -> None:
    draft = run(
        create_task(_msdyn_parenttask_value=CHILD),
        operation(UPDATE, PROJECT_TASK, ROOT, _msdyn_parenttask_value=LEAF),
    )

    levels = {row["msdyn_subject"]: row["msdyn_outlinelevel"] for row in draft.rows(TASKS)}
    assert levels == {"Design": 2, "Install meters": 3, "Test SCADA": 1, "New task": 4}


def test_operations_in_one_set_see_each_other() -> None:
    draft = run(
        create_task(),
        operation(UPDATE, PROJECT_TASK, NEW, msdyn_subject="Renamed"),
        operation(
            CREATE,
            PROJECT_CHECKLIST,
            ITEM.replace("c1", "c2"),
            msdyn_name="Done?",
            _msdyn_projecttaskid_value=NEW,
        ),
    )

    assert task_after(draft)["msdyn_subject"] == "Renamed"
    assert draft.count(PROJECT_CHECKLIST.logical_name, "_msdyn_projecttaskid_value", NEW) == 1


def test_deleting_a_task_deletes_its_subtasks_checklist_items_dependencies_and_assignments() -> (
    None
):
    base = tables()
    team, link, assignment = (MISSING.replace("ee", suffix) for suffix in ("d1", "d2", "d3"))
    base[PROJECT_TEAM.logical_name][team] = {
        "msdyn_projectteamid": team,
        "_msdyn_project_value": GRID,
    }
    base[TASK_DEPENDENCY.logical_name][link] = {
        "msdyn_projecttaskdependencyid": link,
        "_msdyn_project_value": GRID,
        "_msdyn_predecessortask_value": LEAF,
        "_msdyn_successortask_value": CHILD,
    }
    base[RESOURCE_ASSIGNMENT.logical_name][assignment] = {
        "msdyn_resourceassignmentid": assignment,
        "_msdyn_projectid_value": GRID,
        "_msdyn_taskid_value": CHILD,
        "_msdyn_projectteamid_value": team,
    }

    draft = simulate(base, [operation(DELETE, PROJECT_TASK, ROOT)], project_id=GRID)

    gone = {(change.table, change.record_id) for change in draft.changes() if change.row is None}
    assert gone == {
        (TASKS, ROOT),
        (TASKS, CHILD),
        (PROJECT_CHECKLIST.logical_name, ITEM),
        (TASK_DEPENDENCY.logical_name, link),
        (RESOURCE_ASSIGNMENT.logical_name, assignment),
    }


def test_deleting_a_bucket_deletes_its_tasks() -> None:
    draft = run(operation(DELETE, PROJECT_BUCKET, BUCKET))

    assert [row["msdyn_subject"] for row in draft.rows(TASKS)] == []


def test_a_row_created_and_deleted_in_one_set_leaves_no_change() -> None:
    draft = run(create_task(), operation(DELETE, PROJECT_TASK, NEW))

    assert draft.changes() == []


@pytest.mark.parametrize(
    ("operations", "expected"),
    [
        (
            [create_task(), operation(UPDATE, TASK_DEPENDENCY, MISSING, msdyn_linktype=1)],
            (1, "E_PARSINGERROR", "Unsupported operation"),
        ),
        ([operation(DELETE, PROJECT, GRID)], (0, "E_PARSINGERROR", "Unsupported operation")),
        (
            [operation(CREATE, PROJECT_TEAM, NEW, msdyn_name="x", _msdyn_project_value=GRID)],
            (0, "E_PARSINGERROR", "Unsupported operation"),
        ),
        (
            [create_task(ROOT)],
            (0, "E_DUPLICATERECORD", "A record with matching key values already exists."),
        ),
        (
            [operation(UPDATE, PROJECT_TASK, MISSING, msdyn_subject="x")],
            (
                0,
                "E_RECORDNOTFOUND",
                f"Entity 'msdyn_projecttask' With Id = {MISSING} Does Not Exist",
            ),
        ),
        (
            [create_task(msdyn_subject=None)],
            (
                0,
                "E_REQUIREDFIELDMISSING",
                "The column msdyn_subject is required to create a msdyn_projecttask.",
            ),
        ),
        (
            [create_task(_msdyn_parenttask_value=MISSING)],
            (
                0,
                "E_REFERENCEDRECORDNOTFOUND",
                f"ScheduleAPI-AV-0006:detail-1: Referenced row of msdyn_parenttask with id "
                f"{MISSING} in the table msdyn_projecttask does not exist.",
            ),
        ),
        (
            [create_task(_msdyn_projectbucket_value=OTHER_BUCKET)],
            (
                0,
                "E_PROJECTMISMATCH",
                f"The msdyn_projectbucket {OTHER_BUCKET} referenced by msdyn_projectbucket "
                "belongs to another project than the msdyn_projecttask.",
            ),
        ),
        (
            [create_task(_msdyn_project_value=HRX, _msdyn_projectbucket_value=OTHER_BUCKET)],
            (
                0,
                "E_PROJECTMISMATCH",
                f"The msdyn_projecttask {NEW} belongs to project {HRX}, not to the operation set's "
                f"project {GRID}.",
            ),
        ),
        (
            [operation(UPDATE, PROJECT_TASK, ROOT, _msdyn_parenttask_value=CHILD)],
            (0, "E_CIRCULARREFERENCE", f"The task {ROOT} cannot be its own ancestor."),
        ),
        (
            [create_task(msdyn_start="1999-12-31T23:59:59Z")],
            (
                0,
                "E_DATEOUTOFRANGE",
                "The value 1999-12-31T23:59:59Z of msdyn_start is outside the dates a project "
                "supports (2000-01-01 to 2149-12-31).",
            ),
        ),
        (
            [operation(UPDATE, PROJECT_TASK, ROOT, msdyn_finish="2150-01-01T00:00:00Z")],
            (
                0,
                "E_DATEOUTOFRANGE",
                "The value 2150-01-01T00:00:00Z of msdyn_finish is outside the dates a project "
                "supports (2000-01-01 to 2149-12-31).",
            ),
        ),
        (
            [operation(UPDATE, PROJECT_TASK, ROOT, msdyn_finish="2026-03-01T08:00:00Z")],
            (
                0,
                "E_INVALIDDATES",
                f"The task {ROOT} would finish (2026-03-01T08:00:00Z) before it starts "
                "(2026-04-01T08:00:00Z).",
            ),
        ),
    ],
)
def test_a_broken_rule_fails_the_set_at_its_operation(
    operations: Sequence[Operation], expected: tuple[int, str, str]
) -> None:
    assert failure(*operations) == expected


def test_an_update_of_the_operation_sets_own_project_is_allowed() -> None:
    draft = run(operation(UPDATE, PROJECT, GRID, msdyn_subject="GRID 2030"))

    project = draft.get(PROJECT.logical_name, GRID)
    assert project is not None
    assert project["msdyn_subject"] == "GRID 2030"


def test_more_than_ten_outline_levels_fail() -> None:
    # LEAF is a root task (level 1): the tenth task chained below it sits at level 11.
    ids = [NEW[:-2] + f"{n:02d}" for n in range(10)]
    chain = [create_task(ids[0], _msdyn_parenttask_value=LEAF)]
    chain += [create_task(ids[n], _msdyn_parenttask_value=ids[n - 1]) for n in range(1, 10)]

    assert failure(*chain) == (
        9,
        "E_LIMITEXCEEDED_TASKLEVEL",
        f"The task {ids[9]} would be at outline level 11; a project allows at most 10 levels.",
    )


def test_more_than_twenty_checklist_items_on_a_task_fail() -> None:
    items = [
        operation(
            CREATE,
            PROJECT_CHECKLIST,
            NEW[:-2] + f"{n:02d}",
            msdyn_name=f"Item {n}",
            _msdyn_projecttaskid_value=CHILD,
        )
        for n in range(20)
    ]

    assert failure(*items)[:2] == (19, "E_LIMITEXCEEDED_CHECKLISTITEMS")


def test_more_than_three_thousand_tasks_in_a_project_fail() -> None:
    base = tables()
    for n in range(2997):
        record_id = f"00000000-0000-0000-0001-{n:012d}"
        base[TASKS][record_id] = {"msdyn_projecttaskid": record_id, "_msdyn_project_value": GRID}

    with pytest.raises(ExecutionFailure) as raised:
        simulate(base, [create_task()], project_id=GRID)

    assert (raised.value.key, raised.value.detail) == (
        "E_LIMITEXCEEDED_TASKS",
        f"The project {GRID} would have 3001 tasks; a project allows at most 3000.",
    )


def test_a_failure_message_is_pss_json_naming_the_operations_index() -> None:
    message = json.loads(ExecutionFailure(2, "E_PARSINGERROR", "Unsupported operation").message())
    error_id = message.pop("errorId")

    assert isinstance(error_id, int)
    assert error_id < 0
    assert message == {
        "errorKey": "E_PARSINGERROR",
        "ErrorMessage": "Request in batch at index 2 failed with error: Unsupported operation",
        "failedBatchRequestIndex": 2,
        "failedBatchRequestError": {
            "errorKey": "E_PARSINGERROR",
            "ErrorMessage": "Unsupported operation",
        },
    }
