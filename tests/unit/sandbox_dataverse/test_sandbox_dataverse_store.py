"""The store: seeded rows, row versions, operation sets and their asynchronous persistence."""

from __future__ import annotations

import json

import pytest

from flywheel_sync.sandbox.dataverse.operation_sets import (
    Operation,
    OperationKind,
    OperationSet,
    OperationSetStatus,
)
from flywheel_sync.sandbox.dataverse.principals import APPLICATION_USER, LICENSED_USER
from flywheel_sync.sandbox.dataverse.store import DataverseStore
from flywheel_sync.sandbox.dataverse.tables import (
    OPERATION_SET,
    PROJECT,
    PROJECT_BUCKET,
    PROJECT_CHECKLIST,
    PROJECT_LABEL,
    PROJECT_TASK,
    PROJECT_TASK_LABEL,
)
from flywheel_sync.sandbox.dataverse.wire import DataverseError
from tests.unit.sandbox_dataverse.builders import MISSING, NEW, FakeClock, organisation

CREATE, UPDATE = OperationKind.CREATE, OperationKind.UPDATE


def store(clock: FakeClock | None = None, persist_delay: float = 0.0) -> DataverseStore:
    return DataverseStore(organisation(), clock=clock or FakeClock(), persist_delay=persist_delay)


def grid(dataverse: DataverseStore) -> str:
    return next(
        str(p["msdyn_projectid"]) for p in dataverse.rows(PROJECT) if p["msdyn_subject"] == "GRID"
    )


def bucket_of(dataverse: DataverseStore, project_id: str) -> str:
    return next(
        str(b["msdyn_projectbucketid"])
        for b in dataverse.rows(PROJECT_BUCKET)
        if b["_msdyn_project_value"] == project_id
    )


def new_task(dataverse: DataverseStore, project_id: str, record_id: str = NEW) -> Operation:
    values = {
        "msdyn_subject": "Sync task",
        "_msdyn_project_value": project_id,
        "_msdyn_projectbucket_value": bucket_of(dataverse, project_id),
        "msdyn_start": "2026-06-01T08:00:00Z",
    }
    return Operation(
        kind=CREATE, table=PROJECT_TASK, record_id=record_id, values=values, detail_id="d"
    )


def staged(dataverse: DataverseStore, *operations: Operation) -> OperationSet:
    operation_set = dataverse.open_operation_set(grid(dataverse), "sync", LICENSED_USER)
    operation_set.stage(operations)
    return operation_set


def test_seeded_rows_are_copies_with_every_column_of_their_table() -> None:
    dataverse = store()
    seeded = organisation().project

    bucket = dataverse.rows(PROJECT_BUCKET)[0]
    bucket["msdyn_name"] = "changed in the store"

    tables = (
        PROJECT,
        PROJECT_BUCKET,
        PROJECT_TASK,
        PROJECT_CHECKLIST,
        PROJECT_LABEL,
        PROJECT_TASK_LABEL,
    )
    assert [len(dataverse.rows(t)) for t in tables] == [
        len(seeded.projects),
        len(seeded.buckets),
        len(seeded.tasks),
        len(seeded.checklists),
        len(seeded.labels),
        len(seeded.task_labels),
    ]
    assert seeded.buckets[0]["msdyn_name"] != "changed in the store"
    assert set(bucket) == {c.name for c in PROJECT_BUCKET.columns}
    assert bucket["createdon"] == seeded.projects[0]["createdon"]


def test_every_seeded_row_has_its_own_version() -> None:
    dataverse = store()
    tasks = dataverse.rows(PROJECT_TASK)

    versions = [dataverse.version(PROJECT_TASK, t["msdyn_projecttaskid"]) for t in tasks]
    assert len(set(versions)) == len(tasks)


def test_a_completed_set_bumps_the_version_and_modifiedon_of_what_it_wrote() -> None:
    clock = FakeClock()
    dataverse = store(clock)
    task = dataverse.rows(PROJECT_TASK)[1]
    task_id = task["msdyn_projecttaskid"]
    before = dataverse.version(PROJECT_TASK, task_id)
    update = Operation(
        kind=UPDATE,
        table=PROJECT_TASK,
        record_id=task_id,
        values={"msdyn_progress": 0.9},
        detail_id="d",
    )
    clock.advance(60)

    dataverse.execute(staged(dataverse, update))

    after = dataverse.row(PROJECT_TASK, task_id)
    assert after is not None
    assert dataverse.version(PROJECT_TASK, task_id) > before
    assert (after["msdyn_progress"], after["modifiedon"], after["createdon"]) == (
        0.9,
        "2026-03-02T09:01:00Z",
        task["createdon"],
    )


def test_an_accepted_set_persists_only_after_the_delay() -> None:
    clock = FakeClock()
    dataverse = store(clock, persist_delay=20)
    operation_set = staged(dataverse, new_task(dataverse, grid(dataverse)))

    dataverse.execute(operation_set)
    clock.advance(19)
    pending = (operation_set.status, dataverse.row(PROJECT_TASK, NEW))
    clock.advance(1)
    dataverse.settle()

    assert pending == (OperationSetStatus.PENDING, None)
    assert operation_set.status is OperationSetStatus.COMPLETED
    assert dataverse.row(PROJECT_TASK, NEW) is not None
    assert dataverse.row(OPERATION_SET, operation_set.id) == operation_set.row()
    assert operation_set.row()["msdyn_completedon"] == "2026-03-02T09:00:20Z"


def test_a_set_invalid_at_execution_fails_with_nothing_applied() -> None:
    dataverse = store()
    bad = new_task(dataverse, grid(dataverse))
    bad = Operation(
        kind=CREATE,
        table=PROJECT_TASK,
        record_id=NEW,
        values={**bad.values, "_msdyn_parenttask_value": MISSING},
        detail_id="d",
    )
    operation_set = staged(
        dataverse, new_task(dataverse, grid(dataverse), MISSING[:-2] + "01"), bad
    )

    with pytest.raises(DataverseError) as raised:
        dataverse.execute(operation_set)

    assert (raised.value.status, raised.value.code) == (400, "0x80040265")
    assert json.loads(raised.value.message)["failedBatchRequestIndex"] == 1
    assert operation_set.status is OperationSetStatus.FAILED
    assert dataverse.row(PROJECT_TASK, MISSING[:-2] + "01") is None


def test_a_set_that_no_longer_fits_when_it_persists_fails_then() -> None:
    clock = FakeClock()
    dataverse = store(clock, persist_delay=5)
    first = staged(dataverse, new_task(dataverse, grid(dataverse)))
    second = staged(dataverse, new_task(dataverse, grid(dataverse)))

    dataverse.execute(first)
    dataverse.execute(second)  # valid now: the first set has not persisted yet
    clock.advance(5)
    dataverse.settle()

    assert (first.status, second.status) == (
        OperationSetStatus.COMPLETED,
        OperationSetStatus.FAILED,
    )
    assert json.loads(second.failure or "{}")["errorKey"] == "E_DUPLICATERECORD"


def test_a_set_is_executed_once() -> None:
    dataverse = store()
    operation_set = staged(dataverse)
    dataverse.execute(operation_set)

    with pytest.raises(DataverseError) as raised:
        dataverse.execute(operation_set)

    assert raised.value.message == (
        f"The operation set {operation_set.id} is Completed and cannot be executed; "
        "only an Open operation set can be changed, executed or abandoned."
    )


def test_an_abandoned_set_takes_no_operations_and_frees_its_place() -> None:
    dataverse = store()
    sets = [dataverse.open_operation_set(grid(dataverse), str(n), LICENSED_USER) for n in range(10)]

    with pytest.raises(DataverseError) as eleventh:
        dataverse.open_operation_set(grid(dataverse), "11", LICENSED_USER)
    dataverse.abandon(sets[0])
    replacement = dataverse.open_operation_set(grid(dataverse), "11", LICENSED_USER)
    with pytest.raises(DataverseError) as staging:
        sets[0].stage([new_task(dataverse, grid(dataverse))])

    assert eleventh.value.message == (
        "A user can have at most 10 open operation sets: "
        "execute or abandon one before creating another."
    )
    assert replacement.status is OperationSetStatus.OPEN
    assert staging.value.message.startswith(f"The operation set {sets[0].id} is Abandoned")


def test_the_open_set_limit_is_per_user() -> None:
    dataverse = store()
    for n in range(10):
        dataverse.open_operation_set(grid(dataverse), str(n), LICENSED_USER)

    other = dataverse.open_operation_set(grid(dataverse), "mine", APPLICATION_USER)

    assert other.user_aad_id == APPLICATION_USER.aad_id


def test_an_operation_set_holds_at_most_two_hundred_operations() -> None:
    dataverse = store()
    operations = [
        new_task(dataverse, grid(dataverse), f"00000000-0000-0000-0002-{n:012d}")
        for n in range(201)
    ]
    operation_set = dataverse.open_operation_set(grid(dataverse), "big", LICENSED_USER)
    operation_set.stage(operations[:200])

    with pytest.raises(DataverseError) as raised:
        operation_set.stage(operations[200:])

    assert raised.value.message == (
        f"An operation set can have at most 200 operations; operation set {operation_set.id} "
        "would have 201."
    )
    assert len(operation_set.operations) == 200


def test_an_unknown_project_or_set_is_404() -> None:
    dataverse = store()

    with pytest.raises(DataverseError) as project:
        dataverse.open_operation_set(MISSING, "x", LICENSED_USER)
    with pytest.raises(DataverseError) as operation_set:
        dataverse.operation_set(MISSING)

    assert (project.value.status, project.value.message) == (
        404,
        f"Entity 'msdyn_project' With Id = {MISSING} Does Not Exist",
    )
    assert (operation_set.value.status, operation_set.value.code) == (404, "0x80040217")


def test_creating_a_project_adds_its_default_bucket() -> None:
    dataverse = store()

    project = dataverse.create_project(
        {"msdyn_subject": "New"}, project_id=NEW, owner=LICENSED_USER, with_bucket=True
    )

    buckets = [
        b["msdyn_name"] for b in dataverse.rows(PROJECT_BUCKET) if b["_msdyn_project_value"] == NEW
    ]
    assert buckets == ["Bucket 1"]
    assert (project["_ownerid_value"], project["statecode"], project["statuscode"]) == (
        LICENSED_USER.systemuser_id,
        0,
        1,
    )


def test_load_forgets_every_write_and_restarts_the_id_sequence() -> None:
    dataverse = store()
    first_ids = [dataverse.new_id("x") for _ in range(2)]
    dataverse.execute(staged(dataverse, new_task(dataverse, grid(dataverse))))

    dataverse.load(organisation())

    assert dataverse.row(PROJECT_TASK, NEW) is None
    assert dataverse.operation_sets == {}
    assert [dataverse.new_id("x") for _ in range(2)] == first_ids


def test_names_of_rows_and_users_resolve_for_annotations() -> None:
    dataverse = store()
    project = dataverse.rows(PROJECT)[0]
    owner = next(
        p.display_name for p in organisation().people if p.aad_id == project["_ownerid_value"]
    )

    assert (
        dataverse.name_of("msdyn_project", project["msdyn_projectid"]) == project["msdyn_subject"]
    )
    assert dataverse.name_of("systemuser", project["_ownerid_value"]) == owner
    assert dataverse.name_of("msdyn_project", MISSING) is None
