"""A write the tool refuses fails alone: recorded with its reason, the rest applied, exit 1.

Between the pull and the apply a person fills an onboarding task's checklist up to Planner's
limit of 20 items. Our PATCH is then stale (412); flywheel-sync reads the task again and
retries once, and Planner refuses it (403 ``MaximumChecklistItemsOnTask``). That write is
recorded as failed with Planner's reason, every other write of the plan is made, and the
outbox offers the failed one again to the next plan.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from connectors.graph.planner_writer import PlannerPatch
from flywheel_sync.push.executors.planner import CHECKLIST_ITEM_TYPE
from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.server import SandboxServer
from tests.integration.jira_clients import jira_client
from tests.integration.push_helpers import cli, lean_mapping, planner_writer, store_of

ENGAGEMENT = "PMO-41"


def fill_checklist(sandbox: SandboxServer, task_id: str, count: int) -> None:
    """A person adds ``count`` checklist items of their own."""
    with planner_writer(sandbox) as writer:
        details = writer.task_details(task_id)
        items = {
            str(uuid.uuid4()): {"@odata.type": CHECKLIST_ITEM_TYPE, "title": f"Our own step {n}"}
            for n in range(count)
        }
        patch = PlannerPatch(
            target="details",
            item_id=task_id,
            etag=str(details["@odata.etag"]),
            body={"checklist": items},
        )
        [outcome] = writer.patch([patch])
        assert outcome.status == "applied", outcome


def test_a_refused_write_is_recorded_and_the_rest_applied(tmp_path: Path) -> None:
    with SandboxServer() as sandbox:
        write_sandbox_config(tmp_path, sandbox.url, sandbox.options)
        config = tmp_path / "flywheel.toml"
        lean_mapping(config)
        jira_client(sandbox).issue(ENGAGEMENT).update(
            fields={"customfield_10010": {"value": "Service Onboarding"}}
        )
        assert cli(config, "pull").exit_code == 0
        task_id = sandbox.state.organisation.truth.engagement(ENGAGEMENT).planner_task_id
        fill_checklist(sandbox, task_id, 20)

        applied = cli(config, "apply", "--yes")

        with store_of(config) as store:
            audit = store.audit.recent(500)
            failed = [e for e in audit if e.outcome == "failed"]
            made = [e for e in audit if e.outcome == "applied"]
            pending = store.outbox.pending()
        replanned = cli(config, "plan", "--json")

    assert applied.exit_code == 1
    assert "MaximumChecklistItemsOnTask" in applied.stdout
    assert {(e.ref, e.field) for e in failed} == {
        (task_id, f"checklist:{key}") for key in ("pairs", "goals", "checkpoint")
    }
    assert all("MaximumChecklistItemsOnTask" in (e.detail or "") for e in failed)
    assert any(e.field == "checklist:pairs" and e.ref == ENGAGEMENT for e in made)
    assert any(e.tool == "confluence" for e in made)
    assert pending == []  # failed writes are settled, not left in flight
    assert {row["field"] for row in replanned.json()["changes"] if row["ref"] == task_id} == {
        "checklist:pairs",
        "checklist:goals",
        "checklist:checkpoint",
    }
