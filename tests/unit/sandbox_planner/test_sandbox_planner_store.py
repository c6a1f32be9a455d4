"""The store: seeded from the organisation, never changing it, and the same after every reset."""

from __future__ import annotations

from flywheel_sync.sandbox.graph.planner.kinds import PlannerKind
from flywheel_sync.sandbox.graph.planner.task_writes import TaskWrites
from tests.unit.sandbox_planner.builders import first, organisation, store


def test_every_seeded_object_is_kept_with_its_companions() -> None:
    planner = store()
    tenant = planner.organisation.planner

    counts = {kind: planner.count(kind) for kind in PlannerKind}

    assert counts == {
        PlannerKind.PLAN: len(tenant.plans),
        PlannerKind.PLAN_DETAILS: len(tenant.plans),
        PlannerKind.BUCKET: len(tenant.buckets),
        PlannerKind.TASK: len(tenant.tasks),
        PlannerKind.TASK_DETAILS: len(tenant.tasks),
        PlannerKind.BOARD_FORMAT: len(tenant.tasks),
    }


def test_writes_never_change_the_organisations_objects() -> None:
    seeded = organisation()
    planner = store()
    planner.load(seeded)
    task = planner.objects(PlannerKind.TASK)[0]

    TaskWrites(planner).update_task(task.id, task.etag, {"title": "Renamed"})

    assert seeded.planner.tasks[0]["title"] != "Renamed"


def test_load_forgets_every_write() -> None:
    planner = store()
    task = planner.objects(PlannerKind.TASK)[0]
    before = planner.snapshot(PlannerKind.TASK, task.id)
    TaskWrites(planner).update_task(task.id, task.etag, {"title": "Renamed"})
    TaskWrites(planner).create_task({"planId": task.body["planId"], "title": "New"})

    planner.load(planner.organisation)

    assert planner.snapshot(PlannerKind.TASK, task.id) == before
    assert planner.count(PlannerKind.TASK) == len(planner.organisation.planner.tasks)


def test_the_same_writes_after_a_reset_give_the_same_ids_and_etags() -> None:
    planner = store()
    plan_id = planner.objects(PlannerKind.PLAN)[0].id
    created = TaskWrites(planner).create_task({"planId": plan_id, "title": "New"})
    first_run = (created.id, created.etag)

    planner.load(planner.organisation)
    again = TaskWrites(planner).create_task({"planId": plan_id, "title": "New"})

    assert (again.id, again.etag) == first_run


def test_a_snapshot_is_a_copy_with_the_etag() -> None:
    planner = store()
    task = planner.objects(PlannerKind.TASK)[0]

    snapshot = planner.snapshot(PlannerKind.TASK, task.id)
    assert snapshot is not None
    snapshot["title"] = "Changed outside"

    assert snapshot["@odata.etag"] == task.etag
    assert task.body["title"] != "Changed outside"


def test_an_update_that_changes_nothing_keeps_the_etag() -> None:
    planner = store()
    task = planner.objects(PlannerKind.TASK)[0]
    etag = task.etag

    changed = planner.update(task, {"title": task.body["title"]})

    assert (changed, task.etag) == (False, etag)


def test_seeded_assignment_hints_are_service_hints_not_the_clients_first_hint() -> None:
    planner = store()
    task = first(planner, PlannerKind.TASK)

    hints = [a["orderHint"] for a in task.body["assignments"].values()]

    assert hints
    assert " !" not in hints


def test_users_are_found_by_id_or_principal_name_in_any_case() -> None:
    planner = store()
    person = planner.organisation.people[0]

    found = {planner.user_id(person.aad_id.upper()), planner.user_id(person.email.upper())}

    assert found == {person.aad_id}
