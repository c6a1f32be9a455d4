"""The shipped mapping against the demo organisation: every engagement as the sandbox seeded it.

``flywheel-sync pull`` reads the sandbox with the real clients and maps what it read; the
entities must equal the demo's truth (stages, cycles, dated histories with the changelog
behind each move, experience stages, onboarding checklists in both tools), and nothing may
be left unplaced.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from flywheel_sync.cli.main import run
from flywheel_sync.sandbox.demo.truth import DemoTruth
from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.server import SandboxServer
from flywheel_sync.store import EntityRecord, open_store
from tests.integration.pull_helpers import store_url, use_store


@pytest.fixture(scope="module")
def pulled(
    tmp_path_factory: pytest.TempPathFactory, module_store_url: str | None
) -> Iterator[tuple[SandboxServer, Path]]:
    """A sandbox, the configuration ``sandbox serve`` writes for it, and one pull done."""
    folder = tmp_path_factory.mktemp("mapping")
    with SandboxServer() as sandbox:
        write_sandbox_config(folder, sandbox.url, sandbox.options)
        config = folder / "flywheel.toml"
        use_store(config, module_store_url)
        with pytest.raises(SystemExit) as ended:
            run(["-c", str(config), "pull"])
        assert ended.value.code in (0, None)
        yield sandbox, config


def invoke(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as ended:
        run(["-c", str(config), *args])
    out, err = capsys.readouterr()
    return int(ended.value.code or 0), out + err


def entities(config: Path, kind: str) -> dict[str, EntityRecord]:
    with open_store(store_url(config)) as store:
        return {entity.entity_id: entity for entity in store.entities.iter_entities(kind)}


def truth(sandbox: SandboxServer) -> DemoTruth:
    found: DemoTruth = sandbox.state.organisation.truth
    return found


def test_every_engagement_has_the_seeded_stage_cycle_and_dated_history(
    pulled: tuple[SandboxServer, Path],
) -> None:
    sandbox, config = pulled
    engagements = entities(config, "engagement")

    assert set(engagements) == {e.id for e in truth(sandbox).engagements}
    for seeded in truth(sandbox).engagements:
        payload = engagements[seeded.id].payload
        expected = seeded.to_engagement().model_dump(mode="json")
        for key in ("customer_id", "service_id", "current_stage", "cycle", "stage_history"):
            assert payload[key] == expected[key], (seeded.id, key)
        refs = {(ref["tool"], ref["ref"]) for ref in payload["external_refs"]}
        hosted = {("project", seeded.project_task_id)} if seeded.project_task_id else set()
        assert refs == {("jira", seeded.id), ("planner", seeded.planner_task_id)} | hosted


def test_stage_history_lands_in_the_store_with_its_changelog_ids(
    pulled: tuple[SandboxServer, Path],
) -> None:
    sandbox, config = pulled
    seeded = max(truth(sandbox).engagements, key=lambda e: len(e.history))

    with open_store(store_url(config)) as store:
        stored = store.stage_history.for_engagement(seeded.id)

    assert [(c.stage, c.cycle, c.entered_at) for c in stored] == [
        (entry.stage.value, entry.cycle, entry.entered_at) for entry in seeded.history
    ]
    assert [c.source_ref for c in stored][1:] == [
        entry.changelog_id for entry in seeded.history[1:]
    ]


def test_customers_have_the_seeded_experience_stage_and_history(
    pulled: tuple[SandboxServer, Path],
) -> None:
    sandbox, config = pulled
    customers = entities(config, "customer")

    for seeded in truth(sandbox).customers:
        customer = customers[seeded.id]
        assert customer.experience_stage == seeded.experience_stage.value
        history = [(s["stage"], s["entered_at"]) for s in customer.payload["experience_history"]]
        assert history == [
            (entry.stage.value, entry.entered_at.isoformat()) for entry in seeded.history
        ]


def test_onboarding_checklists_are_read_from_jira_and_planner_alike(
    pulled: tuple[SandboxServer, Path],
) -> None:
    sandbox, config = pulled
    checklists = entities(config, "checklist")

    with_checklists = [e for e in truth(sandbox).engagements if e.checklist]
    assert with_checklists
    for seeded in with_checklists:
        expected = {(item.key, item.done) for item in seeded.checklist}
        jira = checklists[f"{seeded.id}@jira:pmo"].payload["items"]
        planner = checklists[f"{seeded.id}@planner:northwind"].payload["items"]
        assert {(item["key"], item["done"]) for item in jira} == expected
        assert {(item["key"], item["done"]) for item in planner} == expected
        assert {item["external_id"] for item in jira} == {i.jira_key for i in seeded.checklist}
        assert {item["origin"] for item in jira + planner} == {"template"}


def test_needs_symptoms_and_work_items_are_attributed_to_customers(
    pulled: tuple[SandboxServer, Path],
) -> None:
    sandbox, config = pulled
    needs = entities(config, "need")
    symptoms = entities(config, "symptom")
    work = entities(config, "work_item")

    seeded_needs = {key for customer in truth(sandbox).customers for key in customer.need_keys}
    assert set(needs) == seeded_needs
    by_customer = {c.id: set(c.need_keys) for c in truth(sandbox).customers}
    for key, need in needs.items():
        assert key in by_customer[need.payload["customer_id"]]
    planted = [s for s in truth(sandbox).symptoms if s.kind.value != "resource_overload"]
    assert planted
    for symptom in planted:
        for ref in symptom.record_refs:
            assert work[ref].payload["customer_id"] == symptom.customer_id
    customer_messages = [s for s in symptoms.values() if s.payload["customer_id"]]
    assert customer_messages, "customer messages are attributed through the author's department"


def test_everything_is_placed_and_only_the_planted_drift_disagrees(
    pulled: tuple[SandboxServer, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, config = pulled
    drift = truth(sandbox).project_engagements
    misplaced = truth(sandbox).engagement(drift.misplaced)

    code, unplaced = invoke(capsys, config, "explain", "--unplaced")
    status_code, status = invoke(capsys, config, "status")

    assert code == 0
    for section in ("Unmatched", "Conflicts", "Rejected"):
        assert f"{section} " in unplaced
    assert unplaced.count(": 0\n") == 3, unplaced
    assert "Disagreements (joined records that differ): 1\n" in unplaced
    assert (
        f"engagement {misplaced.id}: flywheel_stage is {misplaced.stage.value!r} per "
        f"{misplaced.id}; {misplaced.planner_task_id} says {misplaced.stage.value!r}, "
        f"{misplaced.project_task_id} says {drift.misplaced_stage.value!r}"
    ) in unplaced
    assert status_code == 0
    assert "Customers and their engagements" in status
    assert "10. Value Recognition" in status
    assert "not placed: 1 disagreements" in status


def test_explain_shows_the_rule_the_values_read_and_the_engagement_produced(
    pulled: tuple[SandboxServer, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, config = pulled
    seeded = truth(sandbox).engagements[0]

    code, by_key = invoke(capsys, config, "explain", seeded.id)
    _, by_task = invoke(capsys, config, "explain", seeded.planner_task_id)

    assert code == 0
    assert f"jira:pmo issue {seeded.id}" in by_key
    assert "rule engagements → engagement" in by_key
    assert f"produced engagement {seeded.id}" in by_key
    assert f"current_stage: {seeded.stage.value}" in by_key
    assert "rule planner-engagements → engagement" in by_task
    assert "join_key: field 'title' = " in by_task
    assert f"produced engagement {seeded.id}" in by_task


def test_engagements_hosted_in_project_join_their_epics(
    pulled: tuple[SandboxServer, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, config = pulled
    drift = truth(sandbox).project_engagements
    hosted = [e for e in truth(sandbox).engagements if e.project_task_id]
    engagements = entities(config, "engagement")

    assert {e.service_id for e in hosted} == set(drift.service_ids)
    assert len(engagements) == len(truth(sandbox).engagements)
    for seeded in hosted:
        code, explained = invoke(capsys, config, "explain", str(seeded.project_task_id))
        assert code == 0
        assert "rule project-engagements → engagement" in explained
        assert f"join_key: field 'msdyn_subject' = '[{seeded.id}] " in explained
        assert f"produced engagement {seeded.id}" in explained
        assert engagements[seeded.id].flywheel_stage == seeded.stage.value


def test_project_checklists_keep_a_persons_tick_and_own_step(
    pulled: tuple[SandboxServer, Path],
) -> None:
    sandbox, config = pulled
    drift = truth(sandbox).project_engagements
    partial = truth(sandbox).engagement(drift.partial)
    checklists = entities(config, "checklist")

    items = checklists[f"{partial.id}@project:northwind"].payload["items"]

    copied = {entry.project_item_id: entry for entry in partial.checklist if entry.project_item_id}
    template = [item for item in items if item["origin"] == "template"]
    assert {(item["key"], item["external_id"]) for item in template} == {
        (entry.key, item_id) for item_id, entry in copied.items()
    }
    assert copied[drift.ticked_item_id].done is False
    assert next(i for i in items if i["external_id"] == drift.ticked_item_id)["done"] is True
    assert [(i["title"], i["origin"]) for i in items if i["origin"] == "human"] == [
        (drift.own_item_title, "human")
    ]
    assert f"{drift.unlisted}@project:northwind" not in checklists


def test_project_tasks_rule_reads_only_the_delivery_schedules(
    pulled: tuple[SandboxServer, Path],
) -> None:
    sandbox, config = pulled
    organisation = sandbox.state.organisation
    schedules = {
        p["msdyn_projectid"]
        for p in organisation.project.projects
        if p["msdyn_subject"] != "PMO Engagements"
    }
    work = [
        entity
        for entity in entities(config, "work_item").values()
        if entity.payload["rule"] == "project-tasks"
    ]

    expected = {
        t["msdyn_projecttaskid"]
        for t in organisation.project.tasks
        if t["_msdyn_project_value"] in schedules
    }
    assert {ref["ref"] for entity in work for ref in entity.payload["external_refs"]} == expected


def test_a_planner_task_moved_to_another_bucket_is_reported_as_drift(
    pulled: tuple[SandboxServer, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, config = pulled
    seeded = truth(sandbox).engagements[-1]
    with httpx.Client(
        base_url=f"{sandbox.url}/graph/v1.0",
        headers={"Authorization": "Bearer sandbox-graph-token"},
    ) as graph:
        task: dict[str, Any] = graph.get(f"/planner/tasks/{seeded.planner_task_id}").json()
        buckets = graph.get(f"/planner/plans/{task['planId']}/buckets").json()["value"]
        other = next(b for b in buckets if b["id"] != task["bucketId"])
        moved = graph.patch(
            f"/planner/tasks/{task['id']}",
            json={"bucketId": other["id"]},
            headers={"If-Match": task["@odata.etag"]},
        )
    assert moved.status_code == 204

    pull_code, _ = invoke(capsys, config, "pull")
    _, unplaced = invoke(capsys, config, "explain", "--unplaced")

    assert pull_code == 0
    assert f"engagement {seeded.id}: flywheel_stage is {seeded.stage.value!r} per {seeded.id}" in (
        unplaced
    )
    assert f"{seeded.planner_task_id} says" in unplaced
    assert entities(config, "engagement")[seeded.id].flywheel_stage == seeded.stage.value
