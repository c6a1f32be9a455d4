"""Pushing into Microsoft Project through the Project Schedule API, read back through OData.

The demo hosts four engagements as tasks of the "PMO Engagements" project, with drift planted
for the push to fix: a task in the wrong bucket with the wrong stage label, an onboarding task
with no checklist, and one whose checklist a person ticked and added to. One ``sync`` (with
writes landing asynchronously, as the Schedule API persists them) must leave every hosted
engagement with the right bucket, label, checklist and KPI note, and the next plan empty.
Then: a plan of more than 200 operations runs as several operation sets, and ``kill -9``
between executing a set and confirming it leaves no duplicate row after the next run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.project.odata import ODataClient
from connectors.project.schedule_writer import ScheduleWriter
from flywheel_sync.domain import FlywheelStage
from flywheel_sync.engine.portfolio import Portfolio
from flywheel_sync.push.apply import Applier
from flywheel_sync.push.changes import Action, Change, Plan
from flywheel_sync.push.connections import Connections
from flywheel_sync.push.targets.project import PROJECT_CHECKLIST, checklist_row_id
from flywheel_sync.report.task_note import note_in
from flywheel_sync.sandbox.demo.truth import DemoTruth
from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer
from flywheel_sync.sandbox.services import SandboxCredentials
from flywheel_sync.settings import load_configuration
from tests.integration.push_helpers import cli, lean_mapping, store_of

CREDENTIALS = SandboxCredentials()
SOURCE = "project:northwind"


@contextmanager
def _writer(sandbox: SandboxServer) -> Iterator[ScheduleWriter]:
    """Project read back through its OData API, as the push's writer reads it."""
    client = ODataClient(
        source=SOURCE,
        environment_url=f"{sandbox.url}/dataverse",
        token=CREDENTIALS.dataverse_token,
    )
    try:
        yield ScheduleWriter(client, source=SOURCE, poll_interval=0.05)
    finally:
        client.close()


@pytest.fixture
def reader() -> Iterator[Callable[[SandboxServer], ScheduleWriter]]:
    """Opens writers to read Project back; closes them after the test."""
    with ExitStack() as stack:
        yield lambda sandbox: stack.enter_context(_writer(sandbox))


def _configured(folder: Path, sandbox: SandboxServer) -> Path:
    write_sandbox_config(folder, sandbox.url, sandbox.options)
    config = folder / "flywheel.toml"
    lean_mapping(config)
    return config


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SandboxServer, Path]]:
    options = SandboxOptions(project_persist_seconds=0.3)  # writes land asynchronously
    with SandboxServer(options) as sandbox:
        config = _configured(tmp_path_factory.mktemp("project"), sandbox)
        result = cli(config, "sync")
        assert result.exit_code == 0, result.stdout + result.stderr
        yield sandbox, config


def _truth(sandbox: SandboxServer) -> DemoTruth:
    return sandbox.state.organisation.truth


def _portfolio(config: Path) -> Portfolio:
    with store_of(config) as store:
        return Portfolio.from_entities(store.entities.iter_entities())


def test_every_hosted_task_is_in_its_stage_bucket_with_only_its_stage_label(
    synced: tuple[SandboxServer, Path], reader: Callable[[SandboxServer], ScheduleWriter]
) -> None:
    sandbox, config = synced
    hosted = _truth(sandbox).project_engagements
    portfolio = _portfolio(config)
    stage_labels = {label: stage for stage, label in hosted.label_ids.items()}
    writer = reader(sandbox)
    checked = 0
    for engagement in _truth(sandbox).engagements:
        if engagement.project_task_id is None:
            continue
        stage = portfolio.engagements[engagement.id].current_stage
        task = writer.task(engagement.project_task_id)
        assert task is not None
        assert task.bucket_id == hosted.bucket_ids[stage], engagement.id
        labels = [link.label_id for link in writer.task_labels(engagement.project_task_id)]
        assert [stage_labels[label] for label in labels if label in stage_labels] == [stage]
        checked += 1
    assert checked == 4
    misplaced = _truth(sandbox).engagement(hosted.misplaced)
    assert portfolio.engagements[hosted.misplaced].current_stage is not hosted.misplaced_stage
    assert misplaced.project_task_id is not None


def test_onboarding_checklists_are_complete_and_the_people_s_rows_kept(
    synced: tuple[SandboxServer, Path], reader: Callable[[SandboxServer], ScheduleWriter]
) -> None:
    sandbox, config = synced
    hosted = _truth(sandbox).project_engagements
    portfolio = _portfolio(config)
    writer = reader(sandbox)
    for key in (hosted.unlisted, hosted.partial):
        task_id = _truth(sandbox).engagement(key).project_task_id
        assert task_id is not None
        rows = writer.checklist(task_id)
        service = portfolio.services[portfolio.engagements[key].service_id]
        template = Counter(step.title for step in service.onboarding_template)
        names = Counter(row.name for row in rows)
        assert names - Counter({hosted.own_item_title: 1}) == template, key  # once each
        if key == hosted.partial:
            by_id = {row.id: row for row in rows}
            assert by_id[hosted.ticked_item_id].completed  # a person ticked it: still ticked
            assert by_id[hosted.own_item_id].name == hosted.own_item_title
        else:
            ours = {checklist_row_id(task_id, step.key) for step in service.onboarding_template}
            assert {row.id for row in rows} == ours  # ids derived from task and step


def test_every_hosted_task_carries_its_service_kpi_note(
    synced: tuple[SandboxServer, Path], reader: Callable[[SandboxServer], ScheduleWriter]
) -> None:
    sandbox, config = synced
    portfolio = _portfolio(config)
    writer = reader(sandbox)
    for engagement in _truth(sandbox).engagements:
        if engagement.project_task_id is None:
            continue
        task = writer.task(engagement.project_task_id)
        assert task is not None
        note = note_in(task.description)
        service = portfolio.services[portfolio.engagements[engagement.id].service_id]
        assert note is not None, engagement.id
        assert note.startswith(f"KPIs of {service.name}, ")
        assert "Full summary: http" in note


def test_the_next_plan_is_empty(synced: tuple[SandboxServer, Path]) -> None:
    _, config = synced
    planned = cli(config, "plan", "--pull")

    assert planned.exit_code == 0
    assert "Nothing to write" in planned.stdout


# ---------------------------------------------------------------- more than 200 operations


def test_a_plan_of_more_than_200_operations_runs_as_several_operation_sets(
    tmp_path: Path, reader: Callable[[SandboxServer], ScheduleWriter]
) -> None:
    with SandboxServer() as sandbox:
        config = _configured(tmp_path, sandbox)
        configuration = load_configuration(config)
        rows = sandbox.state.organisation.project
        grid = next(p["msdyn_projectid"] for p in rows.projects if p["msdyn_subject"] == "GRID")
        bare = [
            t["msdyn_projecttaskid"]
            for t in rows.tasks
            if t["_msdyn_project_value"] == grid
            and not any(
                c["_msdyn_projecttaskid_value"] == t["msdyn_projecttaskid"] for c in rows.checklists
            )
        ][:13]
        changes = tuple(
            Change(
                target=PROJECT_CHECKLIST,
                tool="project",
                connection=SOURCE,
                ref=task_id,
                field=f"checklist:step-{n}",
                action=Action.CREATE,
                before=None,
                after=f"Step {n}",
                payload={
                    "project_id": grid,
                    "task_id": task_id,
                    "row_id": checklist_row_id(task_id, f"step-{n}"),
                    "title": f"Step {n}",
                    "order": n,
                    "step": f"step-{n}",
                },
            )
            for task_id in bare
            for n in range(1, 21)
        )
        assert len(changes) == 260
        before = _operation_sets(sandbox)
        with store_of(config) as store, ExitStack() as stack:
            run_id = store.runs.start("test", "apply")
            report = Applier(
                store=store,
                executors=Connections(configuration=configuration, stack=stack).executors(
                    clock=lambda: datetime.now(UTC), run_id=run_id
                ),
                run_id=run_id,
                clock=lambda: datetime.now(UTC),
            ).apply(Plan(changes=changes))

        assert report.ok, report.failures[:3]
        assert report.counts == {"applied": 260}
        assert _operation_sets(sandbox) - before == 2  # 200 + 60
        writer = reader(sandbox)
        for task_id in bare:
            assert len(writer.checklist(task_id)) == 20


def _operation_sets(sandbox: SandboxServer) -> int:
    requests = sandbox.state.stats.snapshot()["requests"]
    return sum(n for route, n in requests.items() if route.endswith("msdyn_ExecuteOperationSetV1"))


# ---------------------------------------------------------------- kill -9 mid-confirmation


class KillOnExecute:
    """SIGKILLs the child right after the sandbox receives its first Execute."""

    def __init__(self, sandbox: SandboxServer) -> None:
        self.child: subprocess.Popen[bytes] | None = None
        self.killed = threading.Event()
        stats = sandbox.state.stats
        original: Callable[..., None] = stats.count

        def count(route: str, **how: Any) -> None:
            original(route, **how)
            child = self.child
            if route.endswith("msdyn_ExecuteOperationSetV1") and child and not self.killed.is_set():
                threading.Timer(0.05, self._kill, args=(child,)).start()
                self.killed.set()

        stats.count = count  # type: ignore[method-assign]

    @staticmethod
    def _kill(child: subprocess.Popen[bytes]) -> None:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)


def test_a_kill_between_execute_and_confirmation_duplicates_nothing(
    tmp_path: Path, reader: Callable[[SandboxServer], ScheduleWriter]
) -> None:
    # Sets persist 1.5 s after they are executed: the kill lands while the child polls.
    with SandboxServer(SandboxOptions(project_persist_seconds=1.5)) as sandbox:
        config = _configured(tmp_path, sandbox)
        assert cli(config, "pull").exit_code == 0
        killer = KillOnExecute(sandbox)
        command = [
            sys.executable,
            "-m",
            "flywheel_sync.cli.main",
            "-c",
            str(config),
            "apply",
            "--yes",
        ]
        with subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ) as child:
            killer.child = child
            child.wait(timeout=120)
        assert killer.killed.is_set()
        assert child.returncode == -signal.SIGKILL

        # At once, while the killed run's set is still pending: sync reads Project again
        # and confirms the interrupted writes before writing anything.
        again = cli(config, "sync")
        assert again.exit_code == 0, again.stdout + again.stderr

        hosted = _truth(sandbox).project_engagements
        writer = reader(sandbox)
        for key in (hosted.unlisted, hosted.partial):
            task_id = _truth(sandbox).engagement(key).project_task_id
            assert task_id is not None
            names = Counter(row.name for row in writer.checklist(task_id))
            assert max(names.values()) == 1, (key, names)
        misplaced = _truth(sandbox).engagement(hosted.misplaced).project_task_id
        assert misplaced is not None
        labels = [link.label_id for link in writer.task_labels(misplaced)]
        assert len(labels) == len(set(labels))
        assert FlywheelStage.VALUE_PROPOSITION in {
            stage for stage, label in hosted.label_ids.items() if label in labels
        }
        final = cli(config, "plan", "--pull", "--json")
        assert final.json()["changes"] == [], final.stdout
