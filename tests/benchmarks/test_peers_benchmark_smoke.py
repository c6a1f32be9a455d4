"""Seconds-long smoke runs of the peers benchmark (issue 8, scenario 5).

tap-jira runs only where its virtualenv (``benchmarks/.venv-peers``) is already there: making
it installs tap-jira from PyPI, which a smoke test must not depend on. The first full run of
``python -m benchmarks.peers`` makes it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import peers
from flywheel_sync.settings.loading import load_configuration


def test_the_naive_script_and_ours_report_every_measure(tmp_path: Path) -> None:
    results = peers.main(
        [
            *("--scale", "0.1", "--latency-ms", "0", "--peers", "naive_jira"),
            *("--updates", "12", "--stages", "1", "--update-scale", "0.1"),
            *("--out", str(tmp_path)),
        ]
    )

    [run] = results["runs"]
    pulls = run["pull"]
    assert set(pulls) == {"ours", "naive_jira"}
    assert pulls["ours"]["issues"] == pulls["naive_jira"]["issues"] == run["jira_issues"] > 100
    for figures in pulls.values():
        assert figures["exit_code"] == 0
        assert 0 < figures["cpu_s"] < figures["wall_s"] * 2  # two cores at most
        assert figures["peak_rss_mb"] > 10
        assert figures["requests"] >= 5
        assert 0 <= figures["first_request_s"] <= figures["last_request_s"] <= figures["wall_s"]
    ratios = run["pull_ratios"]["naive_jira"]
    assert ratios["requests"] == pytest.approx(
        pulls["ours"]["requests"] / pulls["naive_jira"]["requests"], abs=0.001
    )
    assert {"wall_s", "peak_rss_mb", "speedup"} <= ratios.keys()

    updates = run["updates"]
    assert updates["changes"] == 12
    assert updates["naive_jira"]["updated"] == updates["ours"]["updated"] == 12
    # The naive script: a PUT and the library's reload GET per issue. Ours: one editmeta,
    # one bulk edit submitted and polled twice (the sandbox completes it on the second poll).
    assert updates["naive_jira"]["update_requests"] == 24
    assert updates["ours"]["update_requests"] == 4
    assert updates["ours"]["bulk_edits"] == 1
    assert (tmp_path / "peers.json").is_file()


def test_the_jira_only_configuration_names_no_other_tool(tmp_path: Path) -> None:
    with peers.https_sandbox(scale=0.1, latency_ms=0) as sandbox:
        config = peers.write_jira_only_config(tmp_path, sandbox)
        configuration = load_configuration(config)

    settings = configuration.settings
    assert list(settings.jira) == ["pmo"]
    assert settings.jira["pmo"].ca_bundle == sandbox.tls.ca_certificate
    assert settings.jira["pmo"].url.startswith("https://127.0.0.1:")
    assert settings.graph == {}
    assert settings.confluence == {}
    assert settings.dataverse == {}
    assert {rule.source for rule in configuration.mapping.rules} == {"jira:pmo"}


@pytest.mark.skipif(
    peers.installed_tap() is None,
    reason="tap-jira's virtualenv is not there (python -m benchmarks.peers makes it from PyPI)",
)
def test_tap_jira_reads_every_issue_over_https(tmp_path: Path) -> None:
    with peers.https_sandbox(scale=0.1, latency_ms=0) as sandbox:
        figures = peers.pull_tap(sandbox, tmp_path, peers.peers_python())
        issues = sandbox.state.organisation.jira_issue_count

    assert figures["exit_code"] == 0
    assert figures["issues"] == issues
    # serverInfo, myself, the one-issue probe, then 50 issues a page.
    assert figures["requests_by_route"]["GET /jira/rest/api/2/search/jql"] == 1 + -(-issues // 50)
    assert figures["output_mb"] > 0
