"""``flywheel-sync demo``: the whole job on the embedded sandbox, and the safety of its folder.

The demo runs once, in this process, on a small scale of the demo organisation (the symptoms
show at any scale; a quarter of the delivery work keeps the run to a few seconds).
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import threading
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from flywheel_sync.cli import demo_cmd
from flywheel_sync.cli.demo_cmd import STEPS, _wait_until_stopped
from flywheel_sync.cli.main import run
from flywheel_sync.demo import MARKER, REPORT_NAME, STORE_FOLDER, prepare_folder
from flywheel_sync.push.changes import Action, Change, Plan
from flywheel_sync.store.rows import RunOutcome
from tests.integration.push_helpers import CliRun, store_of
from tests.unit.report.test_html import external_resources

SCALE = "0.25"


def demo(*args: str) -> CliRun:
    """Run ``flywheel-sync demo ARGS`` in this process, capturing its output."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            run(["demo", *args])
        except SystemExit as ended:
            code = int(ended.code or 0)
        else:  # pragma: no cover - run() always ends with SystemExit
            raise AssertionError("flywheel-sync returned without an exit code")
    return CliRun(exit_code=code, stdout=out.getvalue(), stderr=err.getvalue())


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CliRun]:
    folder = tmp_path_factory.mktemp("demo") / "flywheel-demo"
    return folder, demo(str(folder), "--scale", SCALE)


def section(output: str, number: int) -> str:
    """What step ``number`` printed."""
    start = output.index(f"Step {number}/{len(STEPS)} · ")
    following = output.find(f"Step {number + 1}/{len(STEPS)} · ", start)
    return output[start : following if following != -1 else None]


def test_the_demo_runs_through(ran: tuple[Path, CliRun]) -> None:
    _, result = ran

    assert result.exit_code == 0, result.stdout + result.stderr
    assert "error" not in result.stderr.lower()


def test_every_step_is_shown_in_order(ran: tuple[Path, CliRun]) -> None:
    _, result = ran

    headings = re.findall(r"Step (\d+)/\d+ · ([^─\n]+?) ─", result.stdout)

    assert headings == [(str(n), title) for n, title in enumerate(STEPS, start=1)]


def test_the_steps_show_what_the_commands_show(ran: tuple[Path, CliRun]) -> None:
    _, result = ran

    assert "Pulled" in section(result.stdout, 2)
    assert "Engagements by flywheel stage" in section(result.stdout, 3)
    assert "Customers and their engagements" in section(result.stdout, 3)
    assert "On-time" in section(result.stdout, 4)
    assert "Symptoms" in section(result.stdout, 5)
    assert "Proposed needs" in section(result.stdout, 5)
    assert re.search(r"Plan: \d+ writes", section(result.stdout, 6))
    assert re.search(r"Applied: \d+ applied\.", section(result.stdout, 6))


def test_the_plan_after_the_push_is_empty(ran: tuple[Path, CliRun]) -> None:
    _, result = ran

    assert "Nothing to write: the tools already show the desired state." in section(
        result.stdout, 7
    )


def test_the_report_is_written_and_opens_offline(ran: tuple[Path, CliRun]) -> None:
    folder, _ = ran

    page = (folder / REPORT_NAME).read_text(encoding="utf-8")

    assert external_resources(page) == []
    assert page.count("<svg") > 10
    assert "Northwind Utilities" in page
    assert "Missed deadlines — Regulatory Affairs" in page


def test_the_summary_says_where_everything_is(ran: tuple[Path, CliRun]) -> None:
    folder, result = ran
    summary = result.stdout.split("Done ─", 1)[1]

    for label, path in (
        ("folder", folder),
        ("config", folder / "flywheel.toml"),
        ("mapping", folder / "mapping.yaml"),
        ("report", folder / REPORT_NAME),
    ):
        assert f"  {label:<8} {path}\n" in summary
    assert f"  store    sqlite:///{folder / STORE_FOLDER / 'state.db'}\n" in summary
    counts = re.search(
        r"([\d,]+) records · (\d+) engagements · (\d+) writes applied · (\d+) symptoms", summary
    )
    assert counts is not None
    records, engagements, applied, symptoms = (int(n.replace(",", "")) for n in counts.groups())
    assert records > 1000
    assert engagements == 16
    assert applied > 0
    assert symptoms >= 4
    assert "The sandbox has stopped" in summary
    assert re.search(r"The demo's steps took \d+\.\d s\.", summary)


def test_the_runs_are_recorded_in_the_store(ran: tuple[Path, CliRun]) -> None:
    folder, _ = ran

    with store_of(folder / "flywheel.toml") as store:
        runs = [(r.job, r.pipeline, r.outcome) for r in store.runs.recent(10)]
        (sync,) = [r for r in store.runs.recent(10) if (r.job, r.pipeline) == ("demo", "sync")]

    assert ("demo", "pull", RunOutcome.SUCCEEDED) in runs
    assert sync.outcome is RunOutcome.SUCCEEDED
    assert sync.counts["writes.applied"] == sync.counts["writes.planned"] > 0


def test_a_plan_left_after_the_push_is_a_bug_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned_again = demo_cmd._plan_again_step
    stray = Change(
        target="flywheel_stage.jira",
        tool="jira",
        connection="jira:pmo",
        ref="PMO-1",
        field="Flywheel Stage",
        action=next(iter(Action)),
        before="Awareness Building",
        after="Needs Assessment",
    )

    def not_converged(*args: Any, **kwargs: Any) -> Plan:
        planned_again(*args, **kwargs)
        return Plan(changes=(stray,))

    monkeypatch.setattr(demo_cmd, "_plan_again_step", not_converged)

    result = demo(str(tmp_path / "d"), "--scale", "0.05")

    assert result.exit_code == 1
    assert "the plan after the push still holds 1 write:" in result.stderr
    assert "This is a bug in flywheel-sync" in result.stderr
    assert (tmp_path / "d" / REPORT_NAME).is_file()  # the rest still ran


def test_a_folder_holding_other_files_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")

    result = demo(str(folder))

    assert result.exit_code == 2
    assert "not made by 'flywheel-sync demo'" in result.stderr
    assert "notes.txt" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("", encoding="utf-8")

    result = demo(str(path))

    assert result.exit_code == 2
    assert "is a file" in " ".join(result.stderr.replace("│", " ").split())


def test_a_port_in_use_is_a_usage_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = demo(str(tmp_path / "d"), "--port", str(port), "--scale", "0.05")

    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_a_previous_demo_starts_afresh_and_other_files_stay(tmp_path: Path) -> None:
    assert prepare_folder(tmp_path / "new") is False
    folder = tmp_path / "new"
    (folder / STORE_FOLDER).mkdir()
    (folder / STORE_FOLDER / "state.db").write_text("old", encoding="utf-8")
    (folder / REPORT_NAME).write_text("old", encoding="utf-8")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")

    assert prepare_folder(folder) is True

    assert sorted(p.name for p in folder.iterdir()) == [MARKER, "notes.txt"]


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    assert prepare_folder(tmp_path) is False
    assert (tmp_path / MARKER).is_file()


def test_keep_waits_until_sigterm_and_restores_the_handlers() -> None:
    before = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()

    _wait_until_stopped()

    timer.join()
    assert signal.getsignal(signal.SIGTERM) is before
