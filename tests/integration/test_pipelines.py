"""The four pipelines a job can run, each against the sandbox with the real clients.

``sync`` is covered end to end by test_push_demo.py and test_serve.py; here ``pull``,
``kpi-summary`` and ``diagnose`` show they do what their names promise and nothing more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import pytest

from connectors.errors import RetryableError
from flywheel_sync.mapping import MappingOutcome
from flywheel_sync.pipelines import PipelineRun, run_pipeline
from flywheel_sync.pull import PullSummary
from flywheel_sync.pull.listeners import LogProgress
from flywheel_sync.pull.runner import PullListener
from flywheel_sync.push.apply import Job, Result
from flywheel_sync.push.changes import Plan
from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.server import SandboxServer
from flywheel_sync.settings import Configuration, load_configuration
from flywheel_sync.settings.jobs import Pipeline
from flywheel_sync.store import RunOutcome, Store, open_configured_store
from tests.integration.jira_clients import jira_client

ONBOARDING = "PMO-41"
"""An engagement a person moved into Service Onboarding: a sync would create its sub-tasks."""


class Recorder:
    """Keeps what a run told its observer."""

    def __init__(self) -> None:
        self.pulls = 0
        self.plans: list[Plan] = []
        self.writes: Counter[str] = Counter()

    def pulling(self) -> AbstractContextManager[PullListener]:
        return nullcontext(LogProgress())

    def pulled(self, summary: PullSummary, mapping: MappingOutcome) -> None:
        self.pulls += 1

    def retried(self, source: str, error: RetryableError, wait: float) -> None:
        pass

    def planned(self, plan: Plan) -> None:
        self.plans.append(plan)

    def settled(self, job: Job, result: Result) -> None:
        self.writes[job.change.target] += 1


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[SandboxServer, Configuration, Store]]:
    folder: Path = tmp_path_factory.mktemp("pipelines")
    with SandboxServer() as sandbox:
        write_sandbox_config(folder, sandbox.url, sandbox.options)
        jira_client(sandbox).issue(ONBOARDING).update(
            fields={"customfield_10010": {"value": "Service Onboarding"}}
        )
        configuration = load_configuration(folder / "flywheel.toml")
        with open_configured_store(
            configuration.settings.store, base_dir=configuration.base_dir
        ) as store:
            yield sandbox, configuration, store


def _run(
    world: tuple[SandboxServer, Configuration, Store], pipeline: Pipeline, **options: object
) -> tuple[PipelineRun, Recorder]:
    _, configuration, store = world
    recorder = Recorder()
    run_id = store.runs.start("test", pipeline.value)
    result = run_pipeline(
        configuration,
        store,
        pipeline,
        run_id=run_id,
        observer=recorder,
        **options,  # type: ignore[arg-type]
    )
    store.runs.finish(run_id, result.outcome, dict(result.counts))
    return result, recorder


def test_pull_reads_and_maps_and_writes_nothing(
    world: tuple[SandboxServer, Configuration, Store],
) -> None:
    result, recorder = _run(world, Pipeline.PULL, sources=["jira:pmo"])

    assert result.outcome is RunOutcome.SUCCEEDED
    assert result.pull is not None
    assert {scope.source for scope in result.pull.scopes} == {"jira:pmo"}
    assert result.counts["records"] > 3000
    assert result.counts["mapped.entities.engagement"] > 0
    assert (recorder.pulls, recorder.plans, result.apply) == (1, [], None)


def test_kpi_summary_publishes_summaries_only(
    world: tuple[SandboxServer, Configuration, Store],
) -> None:
    sandbox, _, _ = world
    result, recorder = _run(world, Pipeline.KPI_SUMMARY)

    assert result.outcome is RunOutcome.SUCCEEDED, result.counts
    assert recorder.writes
    assert all(target.startswith("kpi_summaries.") for target in recorder.writes)
    assert recorder.writes["kpi_summaries.confluence"] == 14
    (plan,) = recorder.plans
    assert all(change.target.startswith("kpi_summaries.") for change in plan.changes)
    subtasks = jira_client(sandbox).search_issues(f"parent = {ONBOARDING}", maxResults=10)
    assert list(subtasks) == []  # the onboarding checklist waits for a sync


def test_diagnose_counts_the_planted_symptoms(
    world: tuple[SandboxServer, Configuration, Store], caplog: pytest.LogCaptureFixture
) -> None:
    sandbox, _, _ = world
    with caplog.at_level("WARNING", logger="flywheel_sync.pipelines"):
        result, recorder = _run(world, Pipeline.DIAGNOSE)

    planted = sandbox.state.organisation.truth.symptoms
    assert result.outcome is RunOutcome.SUCCEEDED
    assert result.counts["symptoms"] == len(planted)
    assert result.counts["proposed_needs"] > 0
    assert len([r for r in caplog.records if r.getMessage().startswith("symptom ")]) == len(planted)
    assert (recorder.plans, result.apply) == ([], None)


def test_a_stop_before_the_first_page_ends_the_run_interrupted(
    world: tuple[SandboxServer, Configuration, Store],
) -> None:
    result, recorder = _run(world, Pipeline.SYNC, should_stop=lambda: True)

    assert result.outcome is RunOutcome.INTERRUPTED
    assert result.pull is not None
    assert result.pull.stopped
    assert (recorder.pulls, recorder.plans) == (0, [])
