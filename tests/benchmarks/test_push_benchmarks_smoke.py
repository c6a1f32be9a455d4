"""Smoke runs of the push and start-up benchmarks: small, but every promised figure is there."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from benchmarks import push, startup
from benchmarks.harness import benchmark_sandbox

SERVICES = ("portfolio-governance", "health-checks", "capacity-planning")
SMALL = push.Scenario(
    stage_changes=60, checklists=6, summaries=31, planner_twins=5, project_twins=1, scale=0.1
)


def test_a_small_push_writes_what_was_asked_in_bulk_and_leaves_nothing_to_replan(
    tmp_path: Path,
) -> None:
    results = push.main(
        [
            *("--stage-changes", "60", "--checklists", "6", "--summaries", "31"),
            *("--planner-twins", "5", "--project-twins", "1", "--scale", "0.1"),
            *("--out", str(tmp_path)),
        ]
    )

    (run,) = results["runs"]
    writes = run["writes"]
    assert (writes["stage_changes"], writes["checklists"], writes["summaries"]) == (60, 6, 31)
    assert run["replan"] == {"writes": 0, "conflicts": 0, "first": []}
    targets = {row["targets"]: row for row in run["targets"]}
    assert "other" not in targets
    assert targets["jira stage field"]["writes"] == 60 - 5 - 2
    assert targets["jira stage field"]["requests"] < 53 // 2  # bulk edits, not a PUT each
    assert targets["jira sub-tasks"]["requests"] == 2  # one bulk fetch, one bulk create
    assert targets["planner buckets and checklists"]["requests"] == 1  # one $batch
    assert run["push"]["http_requests"] == sum(row["requests"] for row in run["targets"])
    for grouped in ("jira stage field", "jira sub-tasks", "planner buckets and checklists"):
        assert targets[grouped]["requests"] < targets[grouped]["writes"]
    assert run["fewer_than_one_by_one"] == round(writes["total"] / run["push"]["http_requests"], 1)
    assert run["push"]["throttled"] == 0
    assert (tmp_path / "push.json").is_file()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"summaries": 20}, "summaries must be at least"),
        ({"stage_changes": 14}, "too few stage changes"),
        ({"stage_changes": 20}, "too many twins"),
        ({"planner_twins": 50}, "too many twins"),
    ],
)
def test_sizes_that_do_not_add_up_are_refused(change: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(SMALL, **change).check()


def test_engagements_are_chosen_the_same_way_twice_with_twins_in_one_tool_each() -> None:
    with benchmark_sandbox(scale=SMALL.scale) as sandbox:
        first = push.choose(sandbox, SMALL, SERVICES)
        again = push.choose(sandbox, SMALL, SERVICES)

    assert first == again
    assert len(first) == SMALL.engagements
    assert sum(e.planner for e in first) == SMALL.planner_twins
    assert sum(e.project for e in first) == SMALL.project_twins
    assert not any(e.planner and e.project for e in first)
    assert {e.service for e in first} == set(SERVICES)


def test_too_small_a_sandbox_for_the_scenario_is_named() -> None:
    big = dataclasses.replace(SMALL, checklists=400, stage_changes=2000, summaries=100)
    with (
        benchmark_sandbox(scale=SMALL.scale) as sandbox,
        pytest.raises(ValueError, match="raise --scale"),
    ):
        push.choose(sandbox, big, SERVICES)


def test_startup_reports_help_and_status_times_and_the_slowest_imports(tmp_path: Path) -> None:
    results = startup.main(["--runs", "1", "--scale", "0.1", "--out", str(tmp_path)])

    for measured in ("python_pass", "help", "help_plain", "status"):
        assert 0 < results[measured]["median_ms"] < 60_000
    assert results["python_pass"]["median_ms"] < results["help"]["median_ms"]
    assert results["status"]["requests"] == 0  # the store only
    assert isinstance(results["help_target_met"], bool)
    help_imports, status_imports = results["imports"]["help"], results["imports"]["status"]
    assert "typer" in {row["module"] for row in help_imports["modules"]}
    help_packages = {row["package"] for row in help_imports["packages"]}
    assert {"typer", "rich", "flywheel_sync"} <= help_packages
    assert "sqlalchemy" in {row["package"] for row in status_imports["packages"]}
    assert (tmp_path / "startup.json").is_file()
