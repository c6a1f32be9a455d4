"""``flywheel-sync pull`` against the sandbox, with the configuration ``sandbox serve`` writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from flywheel_sync.cli.main import run
from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.server import SandboxServer
from tests.integration.pull_helpers import (
    requests_between,
    sandbox_stats,
    stored_records,
    use_store,
)


@pytest.fixture(scope="module")
def configured(
    tmp_path_factory: pytest.TempPathFactory, module_store_url: str | None
) -> Iterator[tuple[SandboxServer, Path]]:
    """A sandbox and the flywheel.toml + mapping.yaml pointing at it, on each store backend."""
    folder = tmp_path_factory.mktemp("pull")
    with SandboxServer() as sandbox:
        write_sandbox_config(folder, sandbox.url, sandbox.options)
        use_store(folder / "flywheel.toml", module_store_url)
        yield sandbox, folder / "flywheel.toml"


def invoke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        run(list(args))
    out, err = capsys.readouterr()
    return int(ended.value.code or 0), out, err


def stored(config: Path, source: str, record_type: str) -> int:
    return sum(1 for key in stored_records(config) if key[:2] == (source, record_type))


def test_a_full_pull_lands_every_seeded_record_and_a_second_pull_reads_only_lists(
    configured: tuple[SandboxServer, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, config = configured
    organisation = sandbox.state.organisation

    code, out, err = invoke(capsys, "-c", str(config), "pull")

    assert code == 0, err
    assert "Pulled" in out
    assert stored(config, "jira:pmo", "issue") == organisation.jira_issue_count
    assert stored(config, "planner:northwind", "planner_task") == len(organisation.planner.tasks)
    assert stored(config, "planner:northwind", "planner_plan") == len(organisation.planner.plans)
    assert stored(config, "project:northwind", "project_task") == len(organisation.project.tasks)

    before = sandbox_stats(sandbox)
    code, out, err = invoke(capsys, "-c", str(config), "pull")
    made = requests_between(before, sandbox_stats(sandbox))

    assert code == 0, err
    jql_scopes = 5  # the starter mapping's Jira rules select five distinct queries
    assert made["GET /jira/rest/api/3/search/jql"] == jql_scopes
    plans = len(organisation.planner.plans)
    assert made["GET /graph/v1.0/planner/plans/{plan_id}/tasks"] == plans
    assert "GET /graph/v1.0/planner/tasks/{task_id}/details" not in made
    teams = {route: n for route, n in made.items() if "/teams/" in route}
    assert sum(teams.values()) == 1, teams  # one delta request for the one channel


def test_an_unknown_source_is_a_configuration_error(
    configured: tuple[SandboxServer, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, config = configured

    code, _, err = invoke(capsys, "-c", str(config), "pull", "--source", "planner:nowhere")

    assert code == 2
    assert "planner:nowhere: no such source (configured: " in err
