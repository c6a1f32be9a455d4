"""``kill -9`` at random points of ``apply``, 20 times: no write is lost and none is made twice.

The sandbox runs in this process; ``flywheel-sync apply --yes`` runs in a child process, as a
job would. Each attempt kills the child (SIGKILL: no clean-up runs) a random few milliseconds
after the sandbox received its k-th request of that attempt, with k random: kills land before
a write, while the tool applies it, after the tool answered but before the outbox recorded it,
during the reads that confirm an interrupted write, and in the store's bookkeeping. Then one
more apply runs to the end, and the tools are read back with the real clients:

- every onboarding sub-task, Planner checklist item, summary page and stage comment exists
  exactly once, and none is missing;
- every service has its KPI card. Cards are the one write that is at least once (a webhook
  cannot be read back), so a kill right after Teams accepted a card may repeat that card;
- a fresh plan after a pull is empty.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from flywheel_sync.engine.portfolio import Portfolio
from flywheel_sync.push.targets.summaries import PAGE_MARKER
from flywheel_sync.report.jira_comment import comment_has_marker
from flywheel_sync.sandbox.demo.confluence import SPACE_KEY
from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.faults import FaultSettings
from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer
from tests.integration.jira_clients import jira_client
from tests.integration.push_helpers import (
    cli,
    confluence_site,
    inbox,
    lean_mapping,
    planner_writer,
    store_of,
)
from tests.integration.resilience_helpers import KillSwitch

KILLS = 20
ONBOARDING = ("PMO-41", "PMO-42", "PMO-43", "PMO-48", "PMO-49")
"""Engagements without a checklist, moved into Service Onboarding by people before the run."""


def apply_in_child(config: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "flywheel_sync.cli.main", "-c", str(config), "apply", "--yes"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def crashed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SandboxServer, Path, int]]:
    folder = tmp_path_factory.mktemp("crash")
    options = SandboxOptions(faults=FaultSettings(latency_ms=5))
    with SandboxServer(options) as sandbox:
        write_sandbox_config(folder, sandbox.url, sandbox.options)
        config = folder / "flywheel.toml"
        lean_mapping(config)
        jira = jira_client(sandbox)
        for key in ONBOARDING:
            jira.issue(key).update(fields={"customfield_10010": {"value": "Service Onboarding"}})
        assert cli(config, "pull").exit_code == 0
        moments = random.Random(20261205)  # noqa: S311 - when to kill, not a secret
        switch = KillSwitch(sandbox, moments)
        kills = 0
        for _ in range(KILLS * 3):
            child = apply_in_child(config)
            switch.arm(child)
            child.wait(timeout=120)
            kills += switch.fired.is_set()
            if kills >= KILLS or not switch.fired.is_set():
                break
        switch.disarm()
        final = cli(config, "apply", "--yes")
        assert final.exit_code == 0, final.stdout + final.stderr
        yield sandbox, config, kills


def test_the_apply_was_killed_twenty_times(crashed: tuple[SandboxServer, Path, int]) -> None:
    _, _, kills = crashed

    assert kills == KILLS


def test_every_sub_task_exists_exactly_once(crashed: tuple[SandboxServer, Path, int]) -> None:
    sandbox, config, _ = crashed
    jira = jira_client(sandbox)
    with store_of(config) as store:
        portfolio = Portfolio.from_entities(store.entities.iter_entities())

    for key in ONBOARDING:
        service = portfolio.services[portfolio.engagements[key].service_id]
        summaries = Counter(
            issue.fields.summary for issue in jira.search_issues(f"parent = {key}", maxResults=100)
        )
        assert summaries == Counter(step.title for step in service.onboarding_template), key


def test_every_checklist_item_exists_exactly_once(
    crashed: tuple[SandboxServer, Path, int],
) -> None:
    sandbox, config, _ = crashed
    truth = sandbox.state.organisation.truth
    with store_of(config) as store:
        portfolio = Portfolio.from_entities(store.entities.iter_entities())

    with planner_writer(sandbox) as writer:
        for key in ONBOARDING:
            service = portfolio.services[portfolio.engagements[key].service_id]
            details = writer.task_details(truth.engagement(key).planner_task_id)
            titles = Counter(item["title"] for item in details["checklist"].values())
            assert titles == Counter(step.title for step in service.onboarding_template), key


def test_every_summary_page_exists_exactly_once(crashed: tuple[SandboxServer, Path, int]) -> None:
    sandbox, config, _ = crashed
    site = confluence_site(sandbox)
    with store_of(config) as store:
        owned = store.owned.for_target("confluence:pmo")
    titles = {
        page.title: page.id
        for value in owned.values()
        if (page := site.page(str(value.external_id))) is not None
    }

    assert len(owned) == len(titles) == 14
    for title, page_id in titles.items():
        found = site.find_page(SPACE_KEY, title)
        assert found is not None
        assert found.id == page_id
        assert site.page_property(page_id, PAGE_MARKER) is not None
    pages = sandbox.state.confluence.find(space_key=SPACE_KEY, title=None)
    assert len([p for p in pages if p.title in titles]) == 14


def test_every_comment_exists_exactly_once(crashed: tuple[SandboxServer, Path, int]) -> None:
    sandbox, config, _ = crashed
    jira = jira_client(sandbox)
    with store_of(config) as store:
        commented = {
            ref
            for (ref, _field) in store.owned.for_target("jira:pmo")
            if _field.startswith("comment:")
        }

    assert commented
    for key in commented:
        ours = [
            c for c in jira.comments(key) if comment_has_marker(c.raw["body"], "flywheel-sync:")
        ]
        assert len(ours) == 1, key


def test_every_service_has_its_card(crashed: tuple[SandboxServer, Path, int]) -> None:
    sandbox, config, _ = crashed
    with store_of(config) as store:
        services = Portfolio.from_entities(store.entities.iter_entities()).services.values()

    texts = [str(card["payload"]) for card in inbox(sandbox)]

    for service in services:
        assert any(service.name in text for text in texts), service.name


def test_nothing_is_left_to_write(crashed: tuple[SandboxServer, Path, int]) -> None:
    _, config, _ = crashed

    pulled = cli(config, "plan", "--pull", "--json")
    synced = cli(config, "sync")
    after = cli(config, "plan", "--json")

    # The new checklists changed the onboarding KPIs, so summaries may be due again; no stage
    # or checklist write may be left over from the interrupted applies.
    rows = pulled.json()["changes"]
    assert [row for row in rows if not row["target"].startswith("kpi_summaries.")] == []
    assert synced.exit_code == 0
    assert after.json()["changes"] == []
