"""Hostile records from the sandbox are quarantined with their reasons; the pull goes on.

The sandbox serves a few records the connectors cannot read (issue 8, "Hostile input"): a
Jira issue whose ``updated`` is not a time, one whose history has an entry without a
readable ``created``, and a Project task modified at the first instant of the calendar (too
near the edge to move a lookback window around). Another issue is hostile but readable (a
1 MB summary wrapped in a right-to-left override, with a NUL, a lone combining mark and an
emoji): it is stored as sent. Then:

- the pull exits 0, stores every other record, and says how many were quarantined, per
  source, in one line that names ``flywheel-sync quarantine``;
- ``flywheel-sync quarantine --json`` lists each bad record with its reason and a bounded
  excerpt, and the run's counts hold the number;
- once the sandbox serves them fixed (changed a moment ago, as a fix in the tool would be),
  the next pull reads them cleanly and the quarantine is empty.

The module runs once per store backend (SQLite and PostgreSQL), on a small sandbox.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.quarantine import MAX_EXCERPT
from flywheel_sync.sandbox.dataverse.tables import PROJECT_CHECKLIST, PROJECT_TASK
from flywheel_sync.sandbox.jira.issue_edits import jira_timestamp
from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer
from flywheel_sync.store import StoredRecord
from tests.integration.pull_helpers import (
    PullRun,
    RecordKey,
    configure,
    pull,
    stored_records,
    use_store,
)
from tests.integration.push_helpers import CliRun, cli

JIRA, PROJECT = "jira:pmo", "project:northwind"
TASK_ID, CHECKLIST_TASK = "msdyn_projecttaskid", "_msdyn_projecttaskid_value"
DAWN_OF_TIME = "0001-01-01T00:00:00Z"
SCALE = 0.05
"""A small organisation (about 250 issues): the promises do not depend on its size."""
HOSTILE_SUMMARY = "\u202e" + "x" * 1_000_000 + "\x00\u0301🙂"


@dataclass(frozen=True, kw_only=True)
class Corruption:
    """What the sandbox was made to serve: the unreadable records, and one hostile readable."""

    bad_updated: str
    bad_history: str
    bad_task: str
    big_summary: str
    seeded_issues: frozenset[str]
    seeded_tasks: frozenset[str]
    seeded_checklists: dict[str, str]
    """Checklist item id → its task's id."""

    def quarantined(self) -> set[tuple[str, str, str]]:
        return {
            (JIRA, "issue", self.bad_updated),
            (JIRA, "issue", self.bad_history),
            (PROJECT, "project_task", self.bad_task),
        }


@dataclass(frozen=True, kw_only=True)
class Story:
    """A pull of the corrupted sandbox, then a pull after the fixes."""

    corruption: Corruption
    first: PullRun
    listed: list[dict[str, Any]]
    runs: list[dict[str, Any]]
    stored: dict[RecordKey, StoredRecord]
    second: PullRun
    listed_after_fix: list[dict[str, Any]]
    stored_after_fix: dict[RecordKey, StoredRecord]


def _json_lines(run: CliRun) -> list[dict[str, Any]]:
    assert run.exit_code == 0, run.stdout + run.stderr
    return [json.loads(line) for line in run.stdout.splitlines() if line.strip()]


class Sandbox:
    """Makes the sandbox serve the hostile records, and later serve them fixed."""

    def __init__(self, sandbox: SandboxServer) -> None:
        self.sandbox = sandbox
        jira = sandbox.state.jira
        pmo = [issue for issue in jira.issues if issue.key.startswith("PMO-")]
        self.bad_updated, self.big = pmo[1], pmo[2]
        self.bad_history = next(
            i for i in pmo if i.changelog and i not in (self.bad_updated, self.big)
        )
        self.history = dict(self.bad_history.changelog[0])
        # The store's own rows: changing one in place is how a test makes the service misbehave.
        self.tasks = sandbox.state.dataverse.rows(PROJECT_TASK)
        self.task = next(row for row in self.tasks if _checklists_of(sandbox, row[TASK_ID]))
        self.task_id = str(self.task[TASK_ID])

    def corrupt(self) -> Corruption:
        seeded_issues = frozenset(issue.key for issue in self.sandbox.state.jira.issues)
        seeded_tasks = frozenset(str(row[TASK_ID]) for row in self.tasks)
        checklists = self.sandbox.state.dataverse.rows(PROJECT_CHECKLIST)
        self.bad_updated.fields["updated"] = "not a time"
        self.bad_history.changelog[0] = dict(self.history, created="soon")
        self.big.fields["summary"] = HOSTILE_SUMMARY
        self.task["modifiedon"] = DAWN_OF_TIME
        self.sandbox.state.jira.touch()
        return Corruption(
            bad_updated=self.bad_updated.key,
            bad_history=self.bad_history.key,
            bad_task=self.task_id,
            big_summary=self.big.key,
            seeded_issues=seeded_issues,
            seeded_tasks=seeded_tasks,
            seeded_checklists={
                str(row["msdyn_projectchecklistid"]): str(row[CHECKLIST_TASK]) for row in checklists
            },
        )

    def repair(self) -> None:
        moment = datetime.now(UTC) - timedelta(seconds=1)
        for issue in (self.bad_updated, self.bad_history):
            issue.fields["updated"] = jira_timestamp(moment)
        self.bad_history.changelog[0] = self.history
        self.task["modifiedon"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.sandbox.state.jira.touch()


def _checklists_of(sandbox: SandboxServer, task_id: str) -> list[Any]:
    rows = sandbox.state.dataverse.rows(PROJECT_CHECKLIST)
    return [row for row in rows if row[CHECKLIST_TASK] == task_id]


@pytest.fixture(scope="module")
def story(
    tmp_path_factory: pytest.TempPathFactory, module_store_url: str | None
) -> Iterator[Story]:
    with SandboxServer(SandboxOptions(scale=SCALE)) as sandbox:
        config = configure(tmp_path_factory.mktemp("quarantine"), sandbox)
        use_store(config, module_store_url)
        hostile = Sandbox(sandbox)
        corruption = hostile.corrupt()
        first = pull(config)
        listed = _json_lines(cli(config, "quarantine", "--json"))
        runs = _json_lines(cli(config, "runs", "--json"))
        stored = stored_records(config)
        hostile.repair()
        second = pull(config)
        yield Story(
            corruption=corruption,
            first=first,
            listed=listed,
            runs=runs,
            stored=stored,
            second=second,
            listed_after_fix=_json_lines(cli(config, "quarantine", "--json")),
            stored_after_fix=stored_records(config),
        )


def _ids(records: dict[RecordKey, StoredRecord], source: str, record_type: str) -> set[str]:
    return {key[2] for key in records if key[:2] == (source, record_type)}


def test_the_pull_goes_on_and_exits_0(story: Story) -> None:
    assert story.first.exit_code == 0, story.first.stdout


def test_the_pull_says_how_many_records_each_source_quarantined(story: Story) -> None:
    lines = [line for line in story.first.stdout.splitlines() if "quarantined" in line]

    assert lines == [
        f"{JIRA}: 2 records quarantined (could not be read; the rest was stored) "
        "— flywheel-sync quarantine",
        f"{PROJECT}: 1 record quarantined (could not be read; the rest was stored) "
        "— flywheel-sync quarantine",
    ]


def test_every_readable_record_is_stored(story: Story) -> None:
    bad = {story.corruption.bad_updated, story.corruption.bad_history}

    assert _ids(story.stored, JIRA, "issue") == story.corruption.seeded_issues - bad
    assert _ids(story.stored, PROJECT, "project_task") == (
        story.corruption.seeded_tasks - {story.corruption.bad_task}
    )


def test_the_checklist_items_of_a_quarantined_task_are_stored(story: Story) -> None:
    # Items are asked for by their task's id, which could be read: they need not wait.
    seeded = story.corruption.seeded_checklists

    assert story.corruption.bad_task in seeded.values()
    assert _ids(story.stored, PROJECT, "project_checklist_item") == set(seeded)


def test_a_hostile_but_readable_record_is_stored_as_sent(story: Story) -> None:
    record = story.stored[JIRA, "issue", story.corruption.big_summary]

    assert record.payload["fields"]["summary"] == HOSTILE_SUMMARY


def test_each_unreadable_record_is_listed_with_its_reason(story: Story) -> None:
    reasons = {
        (entry["source"], entry["record_type"], entry["external_id"]): entry["reason"]
        for entry in story.listed
    }

    assert set(reasons) == story.corruption.quarantined()
    assert reasons[JIRA, "issue", story.corruption.bad_updated] == (
        "the issue has no readable 'updated' ('not a time')"
    )
    assert reasons[JIRA, "issue", story.corruption.bad_history] == (
        "a changelog history has no readable created or id"
    )
    assert reasons[PROJECT, "project_task", story.corruption.bad_task] == (
        f"project_task has no readable modifiedon ('{DAWN_OF_TIME}')"
    )


def test_each_listed_record_carries_a_bounded_excerpt_of_what_was_sent(story: Story) -> None:
    excerpts = {entry["external_id"]: entry["excerpt"] for entry in story.listed}

    assert all(len(excerpt) <= MAX_EXCERPT for excerpt in excerpts.values())
    assert '"updated":"not a time"' in excerpts[story.corruption.bad_updated]
    assert f'"modifiedon":"{DAWN_OF_TIME}"' in excerpts[story.corruption.bad_task]


def test_the_run_counts_the_quarantined_records(story: Story) -> None:
    (run,) = story.runs

    assert (run["pipeline"], run["outcome"]) == ("pull", "succeeded")
    assert run["counts"]["quarantined"] == len(story.corruption.quarantined())


def test_once_served_fixed_the_records_are_stored_and_the_quarantine_is_empty(
    story: Story,
) -> None:
    assert story.second.exit_code == 0, story.second.stdout
    assert story.corruption.quarantined() <= set(story.stored_after_fix)
    assert story.listed_after_fix == []
    assert "quarantined" not in story.second.stdout


def test_the_releases_are_logged_per_scope(story: Story) -> None:
    messages = [
        json.loads(line)["message"]
        for line in story.second.stderr.splitlines()
        if line.startswith("{") and "out of quarantine" in line
    ]
    released = sum(int(message.rsplit(": ", 1)[1].split()[0]) for message in messages)

    assert released == len(story.corruption.quarantined())
