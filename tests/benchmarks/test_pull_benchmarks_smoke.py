"""Smoke runs of the pull and compute benchmarks, and the floor and volume they rest on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from benchmarks import compute, pull
from benchmarks.floor import floor_summary, request_floor
from benchmarks.harness import benchmark_sandbox
from flywheel_sync.sandbox.demo import DemoVolume, build_demo_organisation
from flywheel_sync.sandbox.stats import RequestStats
from flywheel_sync.settings import load_configuration

NOW = dt.datetime(2026, 6, 15, tzinfo=dt.UTC)
TOOLS = {"jira", "planner", "teams", "project"}


def test_the_default_volume_adds_nothing_and_the_benchmark_volume_adds_tasks_and_chatter() -> None:
    story = build_demo_organisation(scale=0.1, now=NOW)
    unchanged = build_demo_organisation(scale=0.1, now=NOW, volume=DemoVolume())
    bigger = build_demo_organisation(scale=0.1, now=NOW, volume=DemoVolume.benchmark())

    assert unchanged == story
    assert len(bigger.planner.tasks) == len(story.planner.tasks) + round(0.1 * 167)
    assert bigger.teams_message_count == story.teams_message_count + round(0.1 * 127)
    assert bigger.jira == story.jira
    assert bigger.truth == story.truth
    assert set(bigger.planner.task_details) == {task["id"] for task in bigger.planner.tasks}


def test_a_negative_volume_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        DemoVolume(planner_tasks=-1)


def test_stats_count_bytes_and_batch_steps_apart_from_the_requests() -> None:
    stats = RequestStats()
    stats.count("POST /graph/v1.0/$batch")
    stats.count("GET /graph/v1.0/users/{user_id}", batch_step=True)
    stats.served("POST /graph/v1.0/$batch", 120)

    traffic = stats.traffic()

    assert stats.snapshot()["total"] == 2
    assert traffic["bytes"] == {"POST /graph/v1.0/$batch": 120}
    assert traffic["batch_steps"] == {"GET /graph/v1.0/users/{user_id}": 1}
    assert traffic["first"] is not None
    assert traffic["last"] >= traffic["first"]
    stats.reset()
    assert stats.traffic() == {"bytes": {}, "batch_steps": {}, "first": None, "last": None}


def test_the_floor_counts_what_the_starter_mapping_selects(tmp_path: Path) -> None:
    with benchmark_sandbox(scale=0.1, volume=DemoVolume.benchmark()) as sandbox:
        config = pull.benchmark_config(sandbox, tmp_path)
        organisation = sandbox.state.organisation
        floors = request_floor(organisation, load_configuration(config).mapping)

    assert floors["jira"].records == organisation.jira_issue_count
    assert floors["jira"].pages == 1 + -(-organisation.jira_issue_count // 100)
    plans = len(organisation.planner.plans)
    tasks = len(organisation.planner.tasks)
    assert floors["planner"].pages == 1 + 3 * plans + tasks  # one task page per plan here
    assert floors["planner"].http == 1 + 3 * plans + -(-tasks // 20)
    assert floors["project"].pages == 4
    assert floor_summary(floors)["pages"] == sum(f.pages for f in floors.values())


def test_pull_benchmark_reports_full_and_incremental_pulls_against_the_floor(
    tmp_path: Path,
) -> None:
    results = pull.main(["--scales", "0.05", "--out", str(tmp_path)])

    run = results["runs"][0]
    case = run["cases"][0]
    full, unchanged = case["full"], case["incremental_unchanged"]
    assert set(full["by_tool"]) >= TOOLS
    for tool, versus in full["against_floor"]["by_tool"].items():
        assert versus["pages"] >= versus["floor_pages"], tool  # nothing beats the floor
    assert full["bytes"] > unchanged["bytes"] > 0
    assert unchanged["requests"] < full["requests"]
    assert full["http_requests"] < full["requests"]  # $batch steps are pages, not requests
    assert {"startup_s", "reading_s", "after_reading_s"} <= full["phases"].keys()
    # The sampled RSS is the command's (through the harness's launcher), not the launcher's.
    assert max(mb for _, mb in full["rss_mb"]) > 40
    assert full["peak_rss_mb"] > 40
    assert set(case["changed"]["records"]) == TOOLS
    assert all(count >= 1 for count in case["changed"]["records"].values())
    changed = case["incremental_changed"]["by_tool"]
    assert changed["planner"]["pages"] > unchanged["by_tool"]["planner"]["pages"]
    assert "Mapped" in full["mapped"]
    assert set(case["targets"]) == {
        "full_pull_pages_within_1.1x_floor",
        "full_pull_http_within_1.1x_floor",
        "incremental_unchanged_under_2s",
        "peak_rss_under_300mb",
    }
    assert (tmp_path / "pull.json").is_file()


def test_compute_benchmark_times_mapping_and_engine(tmp_path: Path) -> None:
    results = compute.main(["--scales", "0.05", "--out", str(tmp_path)])

    run = results["runs"][0]
    assert run["records"] > 100
    assert run["entities"]["work_item"] > 0
    assert run["mapping_s"] > 0
    assert run["engine_s"] > 0
    assert run["peak_rss_mb"] >= run["rss_after_mapping_mb"] * 0.9
    assert run["kpis_cli"]["wall_s"] > 0
    assert results["growth"]["compute_s"] is None  # one scale: no slope
    assert (tmp_path / "compute.json").is_file()


def test_growth_is_one_for_work_proportional_to_records() -> None:
    runs = [{"records": 1000, "compute_s": 2.0}, {"records": 10000, "compute_s": 20.0}]

    assert compute.growth(runs, "compute_s") == 1.0
