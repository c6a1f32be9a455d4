"""``flywheel-sync sync`` on the demo organisation: the tools end up showing what the engine says.

Before the sync, people have moved things on, as they do: an epic entered Service Onboarding
in Jira (it has no onboarding checklist yet, and its Planner task is still in the old bucket),
and a Planner task was dragged into the wrong bucket. After one sync, read back through the
real clients, every engagement's Jira stage field and Planner bucket match the engine, the new
onboarding has its sub-tasks and Planner checklist, every KPI summary page and card is
published, the engagement in Value Recognition has its comment, and the next plan is empty.
The module runs on a SQLite store and on a PostgreSQL one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from jira import JIRA

from flywheel_sync.domain import FlywheelStage
from flywheel_sync.engine.portfolio import Portfolio
from flywheel_sync.push.executors.jira import MARKER_PROPERTY
from flywheel_sync.push.targets.checklists import planner_item_id
from flywheel_sync.push.targets.summaries import PAGE_MARKER
from flywheel_sync.report.jira_comment import comment_has_marker
from flywheel_sync.sandbox.demo.confluence import SPACE_KEY, VALUE_REPORTS_TITLE
from flywheel_sync.sandbox.demo.truth import DemoTruth
from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.server import SandboxServer
from tests.integration.jira_clients import jira_client
from tests.integration.pull_helpers import use_store
from tests.integration.push_helpers import (
    CliRun,
    bucket_of,
    cli,
    confluence_site,
    inbox,
    move_task,
    planner_writer,
    store_of,
)

NEW_ONBOARDING = "PMO-41"  # HR Transformation with PM Coaching, in Service Development when seeded
DRIFTED = "PMO-10"  # Grid Operations with Portfolio Governance, in Value Delivery


@pytest.fixture(scope="module")
def synced(
    tmp_path_factory: pytest.TempPathFactory, module_store_url: str | None
) -> Iterator[tuple[SandboxServer, Path, CliRun]]:
    folder = tmp_path_factory.mktemp("push")
    with SandboxServer() as sandbox:
        write_sandbox_config(folder, sandbox.url, sandbox.options)
        use_store(folder / "flywheel.toml", module_store_url)
        jira = jira_client(sandbox)
        jira.issue(NEW_ONBOARDING).update(
            fields={"customfield_10010": {"value": "Service Onboarding"}}
        )
        move_task(sandbox, truth(sandbox).engagement(DRIFTED).planner_task_id, "Service Operation")
        yield sandbox, folder / "flywheel.toml", cli(folder / "flywheel.toml", "sync")


def truth(sandbox: SandboxServer) -> DemoTruth:
    found: DemoTruth = sandbox.state.organisation.truth
    return found


def portfolio(config: Path) -> Portfolio:
    with store_of(config) as store:
        return Portfolio.from_entities(store.entities.iter_entities())


def test_sync_succeeds(synced: tuple[SandboxServer, Path, CliRun]) -> None:
    _, _, ran = synced

    assert ran.exit_code == 0, ran.stdout + ran.stderr


def test_the_sync_kept_its_state_in_the_store_under_test(
    synced: tuple[SandboxServer, Path, CliRun], store_backend: str
) -> None:
    _, config, _ = synced

    with store_of(config) as store:
        assert store.backend == store_backend
        assert "sync" in {run.pipeline for run in store.runs.recent(job="manual")}
    assert (config.parent / ".flywheel" / "state.db").exists() is (store_backend == "sqlite")


def test_every_engagement_shows_its_stage_in_jira_and_planner(
    synced: tuple[SandboxServer, Path, CliRun],
) -> None:
    sandbox, config, _ = synced
    jira = jira_client(sandbox)
    engagements = portfolio(config).engagements
    assert engagements[NEW_ONBOARDING].current_stage is FlywheelStage.SERVICE_ONBOARDING

    for seeded in truth(sandbox).engagements:
        stage = engagements[seeded.id].current_stage
        field = jira.issue(seeded.id, fields="customfield_10010").fields.customfield_10010
        assert FlywheelStage.parse(field.value) is stage, seeded.id
        assert bucket_of(sandbox, seeded.planner_task_id) == stage.label, seeded.id


def _template(config: Path) -> list[tuple[str, str]]:
    service = portfolio(config).services["pm-coaching"]
    return [(step.key, step.title) for step in service.onboarding_template]


def test_the_new_onboarding_has_its_sub_tasks(
    synced: tuple[SandboxServer, Path, CliRun],
) -> None:
    sandbox, config, _ = synced
    jira: JIRA = jira_client(sandbox)

    subtasks = jira.search_issues(f"parent = {NEW_ONBOARDING}", maxResults=50)

    found = {(tuple(issue.fields.labels), issue.fields.summary) for issue in subtasks}
    assert found == {((f"onboarding-{key}",), title) for key, title in _template(config)}
    for issue in subtasks:
        marker = jira.issue_property(issue.key, MARKER_PROPERTY).value
        assert (marker.createdBy, marker.engagement) == ("flywheel-sync", NEW_ONBOARDING)


def test_the_new_onboarding_has_its_planner_checklist(
    synced: tuple[SandboxServer, Path, CliRun],
) -> None:
    sandbox, config, _ = synced
    task_id = truth(sandbox).engagement(NEW_ONBOARDING).planner_task_id

    with planner_writer(sandbox) as writer:
        checklist = writer.task_details(task_id)["checklist"]

    assert {item_id: item["title"] for item_id, item in checklist.items()} == {
        planner_item_id(task_id, key): title for key, title in _template(config)
    }
    assert not any(item["isChecked"] for item in checklist.values())


def test_every_summary_page_is_published_under_the_reports_page(
    synced: tuple[SandboxServer, Path, CliRun],
) -> None:
    sandbox, config, _ = synced
    site = confluence_site(sandbox)
    parent = site.find_page(SPACE_KEY, VALUE_REPORTS_TITLE)
    with store_of(config) as store:
        owned = store.owned.for_target("confluence:pmo")
    assert parent is not None
    assert len(owned) == 8 + 6  # a page per service and per customer

    for (ref, _), value in owned.items():
        page = site.page(str(value.external_id))
        assert page is not None, ref
        assert page.parent_id == parent.id
        marker = site.page_property(page.id, PAGE_MARKER)
        assert marker is not None
        assert marker.value == {"hash": value.value, "version": page.version}


def test_every_service_gets_a_card(synced: tuple[SandboxServer, Path, CliRun]) -> None:
    sandbox, config, _ = synced
    services = portfolio(config).services.values()

    cards = inbox(sandbox)

    texts = [str(card["payload"]) for card in cards]
    assert len(cards) == len(services)
    for service in services:
        assert sum(service.name in text for text in texts) >= 1, service.name


def test_the_engagement_in_value_recognition_gets_one_comment(
    synced: tuple[SandboxServer, Path, CliRun],
) -> None:
    sandbox, config, _ = synced
    jira = jira_client(sandbox)
    recognising = [
        e
        for e in portfolio(config).engagements.values()
        if e.current_stage is FlywheelStage.VALUE_RECOGNITION
    ]
    assert recognising

    for engagement in recognising:
        ours = [
            c
            for c in jira.comments(engagement.id)
            if comment_has_marker(c.raw["body"], "flywheel-sync:")
        ]
        assert len(ours) == 1, engagement.id


def test_the_next_plan_is_empty(synced: tuple[SandboxServer, Path, CliRun]) -> None:
    _, config, _ = synced

    planned = cli(config, "plan", "--json")

    assert planned.exit_code == 0
    assert planned.json()["changes"] == []


def test_a_second_sync_writes_nothing(synced: tuple[SandboxServer, Path, CliRun]) -> None:
    sandbox, config, _ = synced
    cards = len(inbox(sandbox))

    again = cli(config, "sync")

    assert again.exit_code == 0
    assert "Applied: nothing to do." in again.stdout
    assert len(inbox(sandbox)) == cards
    with store_of(config) as store:
        last = store.runs.recent(1)[0]
    assert last.counts["writes.planned"] == 0


def test_the_summary_pages_are_titled_by_the_report(
    synced: tuple[SandboxServer, Path, CliRun],
) -> None:
    sandbox, config, _ = synced
    site = confluence_site(sandbox)
    with store_of(config) as store:
        owned = store.owned.for_target("confluence:pmo")
    services = portfolio(config).services

    titles = {site.page(str(v.external_id)).title for v in owned.values()}  # type: ignore[union-attr]

    assert "Value summary — Project Health Checks" in titles
    assert len(titles) == len(owned)
    assert all(any(s.name in t for t in titles) for s in services.values())
