"""A person's edit to a value flywheel-sync owns is a conflict, settled by the configured policy.

flywheel-sync moves a drifted Planner task back to its stage's bucket (so it owns that
bucket); then a person drags the task elsewhere. With ``skip`` the plan reports the conflict
and writes nothing; with ``overwrite`` it writes ours again and says so; with ``adopt`` it
keeps theirs and stops reporting it until what flywheel-sync wants changes. A person's value
equal to ours is no conflict (our own write, read back, is no echo either).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.server import SandboxServer
from tests.integration.push_helpers import bucket_of, cli, lean_mapping, move_task, store_of

ENGAGEMENT = "PMO-10"  # in Value Delivery


@pytest.fixture
def owned_bucket(tmp_path: Path) -> Iterator[tuple[SandboxServer, Path, str]]:
    """A sandbox where flywheel-sync has just written PMO-10's bucket (it owns it now)."""
    with SandboxServer() as sandbox:
        write_sandbox_config(tmp_path, sandbox.url, sandbox.options)
        config = tmp_path / "flywheel.toml"
        lean_mapping(config)
        task_id = sandbox.state.organisation.truth.engagement(ENGAGEMENT).planner_task_id
        move_task(sandbox, task_id, "Service Operation")
        assert cli(config, "sync").exit_code == 0
        assert bucket_of(sandbox, task_id) == "Value Delivery"
        yield sandbox, config, task_id


def set_policy(config: Path, policy: str) -> None:
    mapping = config.parent / "mapping.yaml"
    text = mapping.read_text()
    assert "  conflict_policy: skip\n" in text
    mapping.write_text(text.replace("  conflict_policy: skip\n", f"  conflict_policy: {policy}\n"))


def plan_after_pull(config: Path) -> dict[str, Any]:
    planned = cli(config, "plan", "--pull", "--json")
    assert planned.exit_code == 0, planned.stderr
    result: dict[str, Any] = planned.json()  # the pull's report goes to stderr
    return result


def bucket_rows(plan: dict[str, Any], task_id: str, key: str) -> list[dict[str, Any]]:
    return [row for row in plan[key] if row["ref"] == task_id and row["field"] == "bucket"]


def test_skip_reports_the_conflict_and_keeps_theirs(
    owned_bucket: tuple[SandboxServer, Path, str],
) -> None:
    sandbox, config, task_id = owned_bucket
    move_task(sandbox, task_id, "Service Improvement")

    plan = plan_after_pull(config)
    applied = cli(config, "apply", "--yes")

    [conflict] = bucket_rows(plan, task_id, "conflicts")
    assert (conflict["ours"], conflict["theirs"], conflict["wanted"], conflict["policy"]) == (
        "Value Delivery",
        "Service Improvement",
        "Value Delivery",
        "skip",
    )
    assert bucket_rows(plan, task_id, "changes") == []
    assert applied.exit_code == 0
    assert bucket_of(sandbox, task_id) == "Service Improvement"
    with store_of(config) as store:
        audited = [e for e in store.audit.recent(200) if e.outcome == "conflict"]
    assert [(e.ref, e.field, e.before, e.after) for e in audited] == [
        (task_id, "bucket", "Value Delivery", "Service Improvement")
    ]


def test_overwrite_writes_ours_again(owned_bucket: tuple[SandboxServer, Path, str]) -> None:
    sandbox, config, task_id = owned_bucket
    move_task(sandbox, task_id, "Service Improvement")
    set_policy(config, "overwrite")

    plan = plan_after_pull(config)
    applied = cli(config, "apply", "--yes")

    [change] = bucket_rows(plan, task_id, "changes")
    assert (change["before"], change["after"]) == ("Service Improvement", "Value Delivery")
    assert len(bucket_rows(plan, task_id, "conflicts")) == 1
    assert applied.exit_code == 0
    assert bucket_of(sandbox, task_id) == "Value Delivery"


def test_adopt_keeps_theirs_and_stops_reporting_it(
    owned_bucket: tuple[SandboxServer, Path, str],
) -> None:
    sandbox, config, task_id = owned_bucket
    move_task(sandbox, task_id, "Service Improvement")
    set_policy(config, "adopt")

    first = plan_after_pull(config)
    assert cli(config, "apply", "--yes").exit_code == 0
    second = plan_after_pull(config)

    assert len(bucket_rows(first, task_id, "conflicts")) == 1
    assert bucket_rows(first, task_id, "changes") == []
    assert bucket_rows(second, task_id, "conflicts") == []
    assert bucket_rows(second, task_id, "changes") == []
    assert bucket_of(sandbox, task_id) == "Service Improvement"


def test_our_own_write_read_back_is_no_conflict(
    owned_bucket: tuple[SandboxServer, Path, str],
) -> None:
    _, config, task_id = owned_bucket

    plan = plan_after_pull(config)

    assert bucket_rows(plan, task_id, "conflicts") == []
    assert plan["changes"] == []
