"""``flywheel-sync quarantine``: what the pull could not read and why; a line per source."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from flywheel_sync.cli import quarantine_cmd
from flywheel_sync.cli.main import run
from flywheel_sync.cli.quarantine_cmd import quarantine_lines
from flywheel_sync.pull import PullSummary, ScopeOutcome
from flywheel_sync.store import open_store, resolve_store_url
from flywheel_sync.store.quarantine import QuarantineNote
from tests.unit.settings.builders import write_config


def invoke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        run(list(args))
    code = done.value.code
    return (code if isinstance(code, int) else 0), capsys.readouterr().out


def note(external_id: str | None, reason: str, record_type: str = "issue") -> QuarantineNote:
    return QuarantineNote(
        record_type=record_type,
        external_id=external_id,
        reason=reason,
        excerpt=json.dumps({"key": external_id, "token": "***"}),
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A configuration whose store holds two Jira entries and one Planner entry."""
    path = write_config(tmp_path)
    with open_store(resolve_store_url(None, base_dir=tmp_path)) as store:
        quarantine = store.quarantine
        quarantine.settle(
            "jira:pmo",
            "PMO",
            held=[
                note("PMO-7", "the issue has no readable 'updated' ('soon')"),
                note("PMO-[b]", "a [bold]key[/] that looks like markup"),
            ],
            released=[],
        )
        quarantine.settle(
            "planner:northwind",
            "plan-1",
            held=[note(None, "Graph listed a planner_task without a readable id", "planner_task")],
            released=[],
        )
    return path


def test_the_listing_names_each_record_and_why(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    wide = Console(highlight=False, soft_wrap=True, width=250)  # one table row per line
    monkeypatch.setattr(quarantine_cmd, "stdout", wide)

    code, out = invoke(capsys, "-c", str(config), "quarantine")

    assert code == 0
    assert "Quarantined records (3)" in out
    flat = " ".join(out.replace("│", " ").split())
    assert "jira:pmo issue PMO-7 PMO the issue has no readable 'updated' ('soon')" in flat
    assert "planner_task (no id)" in flat
    assert "a [bold]key[/] that looks like markup" in flat  # shown, not interpreted


def test_json_lines_carry_every_field_with_the_excerpt(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = invoke(capsys, "-c", str(config), "quarantine", "--json", "--source", "jira:pmo")

    entries = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [entry["external_id"] for entry in entries] == ["PMO-7", "PMO-[b]"]
    assert set(entries[0]) == {
        "source",
        "scope",
        "record_type",
        "external_id",
        "reason",
        "excerpt",
        "first_seen_at",
        "last_seen_at",
        "times_seen",
    }
    assert json.loads(entries[0]["excerpt"]) == {"key": "PMO-7", "token": "***"}


def test_the_listing_is_cut_at_the_limit_and_says_so(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = invoke(capsys, "-c", str(config), "quarantine", "--limit", "1")

    assert code == 0
    assert "Quarantined records (1 of 3)" in out
    assert "… and 2 more" in out


def test_nothing_quarantined_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)

    assert invoke(capsys, "-c", str(config), "quarantine", "-s", "jira:pmo") == (
        0,
        "Nothing is quarantined for jira:pmo.\n",
    )


def test_the_pull_s_line_per_source_counts_what_this_pull_quarantined() -> None:
    summary = PullSummary(
        scopes=[
            ScopeOutcome(source="jira:pmo", scope="PMO", quarantined=2),
            ScopeOutcome(source="jira:pmo", scope="OPS", quarantined=1),
            ScopeOutcome(source="planner:northwind", scope="plan-1", quarantined=1),
            ScopeOutcome(source="teams:northwind", scope="general"),
        ]
    )
    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None)

    for line in quarantine_lines(summary):
        console.print(line)

    assert out.getvalue().splitlines() == [
        "jira:pmo: 3 records quarantined (could not be read; the rest was stored) "
        "— flywheel-sync quarantine",
        "planner:northwind: 1 record quarantined (could not be read; the rest was stored) "
        "— flywheel-sync quarantine",
    ]
