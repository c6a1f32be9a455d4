"""The Jira executor against the sandbox: many stage changes are one bulk edit on Cloud.

Issues moving to the same stage go to Jira as one asynchronous bulk edit (polled until done)
once there are ``bulk_threshold`` of them; on Data Center, which has no bulk edit, they are set
one by one. Either way the fields read back with the stage, and each write is settled with
the value flywheel-sync now owns.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.errors import RetryableError, WriteRejectedError
from connectors.jira import BasicAuth, JiraFlavour
from connectors.jira.site import JiraSite
from connectors.jira.writer import JiraWriter
from connectors.retry import RetryPolicy
from flywheel_sync.push.apply import Applier
from flywheel_sync.push.changes import Action, Change, Plan
from flywheel_sync.push.executors.jira import JiraExecutor
from flywheel_sync.sandbox.jira.app import JiraFlavour as SandboxFlavour
from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer
from flywheel_sync.sandbox.services import SandboxCredentials
from flywheel_sync.store import Store, open_store
from tests.integration.jira_clients import jira_client
from tests.integration.pull_helpers import requests_between, sandbox_stats

KEYS = ("PMO-7", "PMO-10", "PMO-12")
STAGE_FIELD = "customfield_10010"
NOW = datetime(2026, 12, 5, 9, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'state.db'}") as opened:
        yield opened


def writer(sandbox: SandboxServer, flavour: JiraFlavour) -> JiraWriter:
    credentials = SandboxCredentials()
    site = JiraSite(
        source="jira:pmo",
        url=f"{sandbox.url}/jira",
        auth=BasicAuth(user=credentials.atlassian_user, token=credentials.jira_token),
        flavour=flavour,
        policy=RetryPolicy(max_attempts=2, sleep=lambda _: None),
        timeout=30,
    )
    return JiraWriter(site)


def stage_change(key: str) -> Change:
    return Change(
        target="flywheel_stage.jira",
        tool="jira",
        connection="jira:pmo",
        ref=key,
        field="Flywheel Stage",
        action=Action.SET,
        before=None,
        after="Service Improvement",
        payload={
            "field_id": STAGE_FIELD,
            "stage": "Service Improvement",
            "kind": "FlywheelStage",
        },
    )


def apply(store: Store, sandbox: SandboxServer, flavour: JiraFlavour) -> None:
    executor = JiraExecutor(
        writer_for=lambda _: writer(sandbox, flavour),
        clock=lambda: NOW,
        run_id=store.runs.start("test", "apply"),
        bulk_threshold=2,
        poll=lambda _: None,
    )
    applier = Applier(
        store=store,
        executors={"jira": executor},
        run_id=executor.run_id,
        clock=lambda: NOW,
    )
    report = applier.apply(Plan(changes=tuple(stage_change(key) for key in KEYS)))
    assert report.counts == {"applied": len(KEYS)}, report.failures


@pytest.mark.parametrize(
    ("flavour", "bulk_requests", "puts"),
    [(JiraFlavour.CLOUD, 1, 0), (JiraFlavour.DATACENTER, 0, len(KEYS))],
)
def test_stage_changes_go_in_bulk_where_jira_has_bulk_edit(
    store: Store, flavour: JiraFlavour, bulk_requests: int, puts: int
) -> None:
    sandbox_flavour = SandboxFlavour(flavour.value)
    with SandboxServer(SandboxOptions(jira_flavour=sandbox_flavour)) as sandbox:
        before = sandbox_stats(sandbox)
        apply(store, sandbox, flavour)
        made = requests_between(before, sandbox_stats(sandbox))
        jira = jira_client(sandbox)
        shown = {key: jira.issue(key).raw["fields"][STAGE_FIELD]["value"] for key in KEYS}

    assert shown == dict.fromkeys(KEYS, "Service Improvement")
    assert sum(n for route, n in made.items() if "bulk/issues/fields" in route) == bulk_requests
    assert sum(n for route, n in made.items() if route.startswith("PUT ")) == puts
    owned = store.owned.for_target("jira:pmo")
    assert {ref for ref, _ in owned} == set(KEYS)


class NoBulkPermission(JiraWriter):
    """An account without the global "Make bulk changes" permission: bulk edit answers 403."""

    def bulk_set_select(self, keys: Any, **options: Any) -> Any:
        raise WriteRejectedError(
            "You do not have the permission to make bulk changes.", source="jira:pmo", status=403
        )


def test_a_refused_bulk_edit_falls_back_to_one_issue_at_a_time(store: Store) -> None:
    with SandboxServer() as sandbox:
        refusing = NoBulkPermission(writer(sandbox, JiraFlavour.CLOUD).site)
        executor = JiraExecutor(
            writer_for=lambda _: refusing,
            clock=lambda: NOW,
            run_id=store.runs.start("test", "apply"),
            bulk_threshold=2,
            poll=lambda _: None,
        )
        before = sandbox_stats(sandbox)
        report = Applier(
            store=store, executors={"jira": executor}, run_id=executor.run_id, clock=lambda: NOW
        ).apply(Plan(changes=tuple(stage_change(key) for key in KEYS)))
        made = requests_between(before, sandbox_stats(sandbox))
        jira = jira_client(sandbox)
        shown = {key: jira.issue(key).raw["fields"][STAGE_FIELD]["value"] for key in KEYS}

    assert report.counts == {"applied": len(KEYS)}, report.failures
    assert shown == dict.fromkeys(KEYS, "Service Improvement")
    assert sum(n for route, n in made.items() if route.startswith("PUT ")) == len(KEYS)


def sub_task_change(parent: str, step: str) -> Change:
    return Change(
        target="onboarding_checklists.jira",
        tool="jira",
        connection="jira:pmo",
        ref=parent,
        field=f"checklist:{step}",
        action=Action.CREATE,
        before=None,
        after=f"Onboarding: {step}",
        payload={
            "project": "PMO",
            "parent": parent,
            "issuetype": "Sub-task",
            "summary": f"Onboarding: {step}",
            "engagement": "eng-test",
            "step": step,
        },
    )


class AnswerLost(JiraWriter):
    """Jira makes the sub-tasks, but the answer to the bulk create never arrives."""

    def create_issues(self, issues: Any) -> Any:
        super().create_issues(issues)
        raise RetryableError("the connection dropped", source="jira:pmo")


def test_sub_tasks_whose_create_answer_was_lost_are_read_back_and_owned(store: Store) -> None:
    changes = (sub_task_change("PMO-7", "kick-off"), sub_task_change("PMO-7", "access"))
    with SandboxServer() as sandbox:
        losing = AnswerLost(writer(sandbox, JiraFlavour.CLOUD).site)
        executor = JiraExecutor(
            writer_for=lambda _: losing,
            clock=lambda: NOW,
            run_id=store.runs.start("test", "apply"),
        )
        report = Applier(
            store=store, executors={"jira": executor}, run_id=executor.run_id, clock=lambda: NOW
        ).apply(Plan(changes=changes))
        made = {
            task.summary: task.key for task in writer(sandbox, JiraFlavour.CLOUD).subtasks("PMO-7")
        }

    assert report.counts == {"applied": 2}, report.failures
    owned = {key: value.external_id for key, value in store.owned.for_target("jira:pmo").items()}
    assert owned == {
        ("PMO-7", "checklist:kick-off"): made["Onboarding: kick-off"],
        ("PMO-7", "checklist:access"): made["Onboarding: access"],
    }
