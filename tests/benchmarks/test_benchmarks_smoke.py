"""Seconds-long smoke runs of the benchmarks: they still run and report what they promise."""

from __future__ import annotations

from pathlib import Path

from benchmarks import sandbox_search_page


def test_search_page_benchmark_reports_every_measure(tmp_path: Path) -> None:
    results = sandbox_search_page.main(
        ["--scales", "0.1", "--repeats", "1", "--pages", "2", "--out", str(tmp_path)]
    )

    run = results["runs"][0]
    assert run["jira_issues"] > 100
    assert run["samples"] == {"first": 1, "next": 2, "get": 1}
    assert {"first_page_ms", "next_page_ms", "get_issue_ms"} <= run.keys()
    assert (tmp_path / "sandbox_search_page.json").is_file()
