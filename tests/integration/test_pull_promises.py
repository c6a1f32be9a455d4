"""``flywheel-sync pull``'s promises, end to end: the sandbox, the real clients, the CLI.

test_pull_command.py shows a full pull landing the issues and a quiet second pull costing
one search per scope and one list per plan and channel. This module covers the rest of the
issue's "Done means" for pull:

- a full pull lands every record of every type the mapping selects, id for id;
- after ten issues change, the next pull fetches those and nothing else, and the pull
  after it (the edits now inside the watermark's lookback window) counts nothing again;
- with 10% of requests failing and a rate limit answering 429, the pull still exits 0 and
  stores exactly what a fault-free pull stores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest

from connectors.jira.watermark import Watermark
from flywheel_sync.sandbox.demo import DemoOrganisation
from flywheel_sync.sandbox.demo.jira_model import JiraIssue
from flywheel_sync.sandbox.server import SandboxServer
from flywheel_sync.store import StoredRecord
from tests.integration.jira_clients import jira_client
from tests.integration.pull_helpers import (
    PullRun,
    RecordKey,
    configure,
    pull,
    requests_between,
    sandbox_stats,
    stored_records,
    stored_watermarks,
)

JIRA = "jira:pmo"
SEARCH = "GET /jira/rest/api/3/search/jql"
ONCE_PER_PULL = frozenset({"GET /jira/rest/api/3/field", "GET /jira/rest/api/3/myself"})
"""Jira requests a pull makes once whatever it reads: field discovery, the user's time zone."""
EDIT_LABEL = "pull-promise"
Seeded = Callable[[DemoOrganisation], set[str]]
"""The ids the sandbox seeded of one record type."""


def stored_ids(records: dict[RecordKey, StoredRecord], source: str, record_type: str) -> set[str]:
    return {key[2] for key in records if key[:2] == (source, record_type)}


# ------------------------------------------------------------------ every record lands


def _requests_channel(organisation: DemoOrganisation) -> str:
    return next(
        str(channel["id"])
        for channel in organisation.teams.channels
        if channel["displayName"] == "PMO Requests"
    )


def _teams_messages(organisation: DemoOrganisation) -> set[str]:
    channel = _requests_channel(organisation)
    return {f"{channel}/{message['id']}" for message in organisation.teams.messages[channel]}


def _teams_replies(organisation: DemoOrganisation) -> set[str]:
    channel = _requests_channel(organisation)
    return {
        f"{channel}/{reply['id']}"
        for message in organisation.teams.messages[channel]
        for reply in organisation.teams.replies.get(str(message["id"]), [])
    }


def _rows(tool: str, table: str, key: str = "id") -> Seeded:
    """The ids of one of the organisation's tables, e.g. ``_rows("planner", "tasks")``."""
    return lambda organisation: {
        str(row[key]) for row in getattr(getattr(organisation, tool), table)
    }


PLANNER, TEAMS, PROJECT = "planner:northwind", "teams:northwind", "project:northwind"
SEEDED: dict[str, tuple[str, str, Seeded]] = {
    "jira issues": (JIRA, "issue", lambda o: {issue.key for issue in o.jira.issues}),
    "plans": (PLANNER, "planner_plan", _rows("planner", "plans")),
    "plan details": (PLANNER, "planner_plan_details", lambda o: set(o.planner.plan_details)),
    "buckets": (PLANNER, "planner_bucket", _rows("planner", "buckets")),
    "tasks": (PLANNER, "planner_task", _rows("planner", "tasks")),
    "channel messages": (TEAMS, "channel_message", _teams_messages),
    "channel replies": (TEAMS, "channel_reply", _teams_replies),
    "projects": (PROJECT, "project", _rows("project", "projects", "msdyn_projectid")),
    "project buckets": (
        PROJECT,
        "project_bucket",
        _rows("project", "buckets", "msdyn_projectbucketid"),
    ),
    "project tasks": (PROJECT, "project_task", _rows("project", "tasks", "msdyn_projecttaskid")),
    "project checklists": (
        PROJECT,
        "project_checklist_item",
        _rows("project", "checklists", "msdyn_projectchecklistid"),
    ),
}
"""What the starter mapping selects, as the sandbox seeded it, by record type.

The starter selects every Jira project, the one PMO group's plans, the PMO Requests channel,
and the GRID, HRX and PMO Engagements projects, which are all the Dataverse projects the
sandbox has.
"""


@dataclass(frozen=True, kw_only=True)
class Landed:
    organisation: DemoOrganisation
    run: PullRun
    records: dict[RecordKey, StoredRecord]


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Landed]:
    """A full pull of a fresh sandbox."""
    with SandboxServer() as sandbox:
        config = configure(tmp_path_factory.mktemp("landed"), sandbox)
        run = pull(config)
        yield Landed(
            organisation=sandbox.state.organisation, run=run, records=stored_records(config)
        )


@pytest.mark.parametrize("kind", SEEDED)
def test_a_full_pull_lands_every_seeded_record_of_each_type(landed: Landed, kind: str) -> None:
    source, record_type, seeded = SEEDED[kind]
    assert landed.run.exit_code == 0, landed.run.stdout
    expected = seeded(landed.organisation)

    assert expected, "the sandbox seeds none: this check would prove nothing"
    assert stored_ids(landed.records, source, record_type) == expected


# ------------------------------------------------------------------ ten changed issues


@dataclass(frozen=True, kw_only=True)
class IssueEdit:
    """A change made through the jira library, and the fields the stored record must show."""

    key: str
    issue_id: str
    summary: str
    labels: tuple[str, ...]
    priority: str | None

    def fields(self) -> dict[str, Any]:
        changes: dict[str, Any] = {"summary": self.summary, "labels": list(self.labels)}
        if self.priority is not None:
            changes["priority"] = {"name": self.priority}
        return changes


def shown(payload: dict[str, Any]) -> tuple[str, tuple[str, ...], str | None]:
    """The edited fields of an issue payload: summary, labels, priority name."""
    fields = payload["fields"]
    priority = fields.get("priority")
    return fields["summary"], tuple(fields["labels"]), priority and priority["name"]


def _oldest(
    organisation: DemoOrganisation, project: str, issue_type: str | None
) -> list[JiraIssue]:
    issues = [
        issue
        for issue in organisation.jira.issues
        if issue.project_key == project and issue_type in (None, issue.fields["issuetype"]["name"])
    ]
    return sorted(issues, key=lambda issue: (issue.fields["updated"], issue.key))


def ten_edits(organisation: DemoOrganisation) -> list[IssueEdit]:
    """Ten issues over every Jira scope, each the least recently updated of its kind.

    Old issues: the incremental read must find them by their new ``updated``, not because
    they sit near the watermark. PMO issues get a new summary and label, delivery issues a
    new summary and priority.
    """
    pmo = [("Epic", 2), ("Customer", 1), ("Need", 1), ("Sub-task", 1)]
    picked = [issue for kind, n in pmo for issue in _oldest(organisation, "PMO", kind)[:n]]
    delivery = ("GRID", "DIGI", "FIN", "REG", "CSV")
    picked += [_oldest(organisation, project, None)[0] for project in delivery]
    edits = []
    for issue in picked:
        summary, labels, priority = shown({"fields": issue.fields})
        if issue.project_key == "PMO":
            labels = (*labels, EDIT_LABEL)
        else:
            priority = "Lowest" if priority != "Lowest" else "Highest"
        edits.append(
            IssueEdit(
                key=issue.key,
                issue_id=str(issue.id),
                summary=f"{summary} (edited)",
                labels=labels,
                priority=priority,
            )
        )
    return edits


@dataclass(frozen=True, kw_only=True)
class ChangeStory:
    """A full pull, ten edits, the pull that reads them, and one more pull."""

    edits: list[IssueEdit]
    scope_of: dict[str, str]
    """Each edited issue's scope, as the full pull stored it."""
    issue_scopes: frozenset[str]
    full: dict[RecordKey, StoredRecord]
    second: PullRun
    second_requests: Counter[str]
    after_second: dict[RecordKey, StoredRecord]
    watermarks: dict[str, str | None]
    third: PullRun
    after_third: dict[RecordKey, StoredRecord]

    def edited_per_scope(self) -> dict[str, int]:
        """How many edited issues each issue scope holds (zero for the others)."""
        counts = Counter(self.scope_of.values())
        return {scope: counts[scope] for scope in self.issue_scopes}

    def edited_keys(self) -> set[RecordKey]:
        return {(JIRA, "issue", edit.key) for edit in self.edits}


def _changed(
    before: dict[RecordKey, StoredRecord], after: dict[RecordKey, StoredRecord]
) -> set[RecordKey]:
    return {
        key
        for key, record in after.items()
        if key not in before or before[key].content_hash != record.content_hash
    }


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChangeStory]:
    """A fresh sandbox pulled in full, ten issues edited, then pulled twice more."""
    with SandboxServer() as sandbox:
        config = configure(tmp_path_factory.mktemp("changes"), sandbox)
        assert pull(config).exit_code == 0
        full = stored_records(config)
        edits = ten_edits(sandbox.state.organisation)
        jira = jira_client(sandbox)
        for edit in edits:
            jira.issue(edit.key).update(fields=edit.fields())

        before = sandbox_stats(sandbox)
        second = pull(config)
        after = sandbox_stats(sandbox)
        after_second = stored_records(config)
        issue_scopes = frozenset(r.scope for k, r in full.items() if k[:2] == (JIRA, "issue"))
        watermarks = stored_watermarks(config, JIRA, issue_scopes)
        third = pull(config)
        yield ChangeStory(
            edits=edits,
            scope_of={edit.key: full[JIRA, "issue", edit.key].scope for edit in edits},
            issue_scopes=issue_scopes,
            full=full,
            second=second,
            second_requests=requests_between(before, after),
            after_second=after_second,
            watermarks=watermarks,
            third=third,
            after_third=stored_records(config),
        )


def test_the_ten_edits_reach_every_jira_scope(story: ChangeStory) -> None:
    assert len(story.edits) == 10
    assert set(story.scope_of.values()) == story.issue_scopes


def test_the_next_pull_stores_exactly_the_ten_edited_issues_as_changed(
    story: ChangeStory,
) -> None:
    assert story.second.exit_code == 0, story.second.stdout

    assert _changed(story.full, story.after_second) == story.edited_keys()


def test_the_stored_records_hold_the_edits(story: ChangeStory) -> None:
    stored = {
        edit.key: shown(story.after_second[JIRA, "issue", edit.key].payload) for edit in story.edits
    }

    assert stored == {edit.key: (edit.summary, edit.labels, edit.priority) for edit in story.edits}


def test_each_jira_scope_yields_only_its_edited_issues(story: ChangeStory) -> None:
    reports = story.second.of(JIRA)
    # Counted as records, not as search hits: the search also returns the seeded issues in
    # the lookback window before the first watermark, and the connector skips those (it
    # knows them from the watermark's ``seen``). Skips are not reported, so this is exact.
    yielded = {scope: reports[scope].records for scope in story.issue_scopes}

    assert yielded == story.edited_per_scope()


def test_each_jira_scope_counts_only_its_edited_issues_as_changed(story: ChangeStory) -> None:
    changed = {scope: report.changed for scope, report in story.second.of(JIRA).items()}

    assert changed == {scope: story.edited_per_scope().get(scope, 0) for scope in changed}


def test_the_next_pull_searches_one_page_per_scope_and_reads_no_issue_alone(
    story: ChangeStory,
) -> None:
    jira = {route: n for route, n in story.second_requests.items() if " /jira/" in route}
    once = {route: jira.pop(route) for route in ONCE_PER_PULL if route in jira}

    assert jira == {SEARCH: len(story.issue_scopes)}
    assert set(once.values()) <= {1}


def test_each_edited_scope_s_watermark_reaches_its_newest_edit(story: ChangeStory) -> None:
    newest: dict[str, datetime] = {}
    for edit in story.edits:
        updated = story.after_second[JIRA, "issue", edit.key].updated_at
        assert updated is not None
        scope = story.scope_of[edit.key]
        newest[scope] = max(updated, newest.get(scope, updated))

    reached = {
        scope: Watermark.parse(value).updated for scope, value in story.watermarks.items() if value
    }

    assert reached == newest


def test_each_edited_scope_s_watermark_remembers_its_edits_as_seen(story: ChangeStory) -> None:
    # All ten edits lie inside the lookback window that ends at the watermark: the next read
    # finds them again and must know them by id, or it would count them as changes again.
    edited: dict[str, set[str]] = {}
    for edit in story.edits:
        edited.setdefault(story.scope_of[edit.key], set()).add(edit.issue_id)

    seen = {
        scope: set(Watermark.parse(value).seen) & edited.get(scope, set())
        for scope, value in story.watermarks.items()
        if value
    }

    assert seen == edited


def test_edits_inside_the_lookback_window_are_not_yielded_again(story: ChangeStory) -> None:
    # The third pull starts its search 5 minutes before the watermark, which is the newest
    # edit, made seconds ago: the search returns the edited issues again.
    reports = story.third.of(JIRA)

    assert story.third.exit_code == 0, story.third.stdout
    assert {scope: reports[scope].records for scope in story.issue_scopes} == dict.fromkeys(
        story.issue_scopes, 0
    )
    assert sum(report.changed for report in story.third.scopes) == 0


def test_edits_inside_the_lookback_window_change_nothing_in_the_store(story: ChangeStory) -> None:
    assert _changed(story.after_second, story.after_third) == set()


# ------------------------------------------------------------------ faults and 429s

TROUBLE = {"fault_rate": 0.1, "rate_limit": 10, "burst": 10}
"""10% of requests answered 500/503 or cut off mid-body, and 10 requests a second per service.

Each service's first 10 requests pass at once; a pull asks faster than 10 a second (about
60 a second here), so each service is throttled several times. A 429's ``Retry-After`` is
whole seconds: most of this fixture's 15-20 s. The starter's ``max_retries = 5`` stays:
a call fails only after six refusals in a row, about one in a million at 10% (a throttled
retry waits until the bucket has refilled), and the fault sequence is seeded.
"""


@dataclass(frozen=True, kw_only=True)
class TroubledPull:
    clean: PullRun
    troubled: PullRun
    stats: dict[str, Any]
    clean_records: dict[RecordKey, StoredRecord]
    troubled_records: dict[RecordKey, StoredRecord]


def content(records: dict[RecordKey, StoredRecord]) -> dict[tuple[str, str], dict[str, str]]:
    """External id -> content hash, per source and record type."""
    grouped: dict[tuple[str, str], dict[str, str]] = {}
    for (source, record_type, external_id), record in records.items():
        grouped.setdefault((source, record_type), {})[external_id] = record.content_hash
    return grouped


@pytest.fixture(scope="module")
def troubled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TroubledPull]:
    """One sandbox pulled twice into two stores: first without trouble, then with it.

    The same sandbox, not a twin: payloads carry the server's URL (port included), and reads
    change nothing, so both pulls see identical data.
    """
    with SandboxServer() as sandbox:
        clean_config = configure(tmp_path_factory.mktemp("clean"), sandbox)
        troubled_config = configure(tmp_path_factory.mktemp("troubled"), sandbox)
        clean = pull(clean_config)
        answer = httpx.post(f"{sandbox.url}/_sandbox/faults", json=TROUBLE)
        answer.raise_for_status()
        before = sandbox_stats(sandbox)
        troubled_run = pull(troubled_config)
        after = sandbox_stats(sandbox)
        yield TroubledPull(
            clean=clean,
            troubled=troubled_run,
            stats={name: after[name] - before[name] for name in ("total", "throttled", "faults")},
            clean_records=stored_records(clean_config),
            troubled_records=stored_records(troubled_config),
        )


def test_the_sandbox_really_throttled_and_failed_requests(troubled: TroubledPull) -> None:
    assert troubled.stats["throttled"] > 0, troubled.stats
    assert troubled.stats["faults"] > 0, troubled.stats


def test_a_pull_through_faults_and_429s_reads_every_scope_to_its_end(
    troubled: TroubledPull,
) -> None:
    finished = {(report.source, report.scope) for report in troubled.troubled.scopes}

    assert troubled.troubled.exit_code == 0, troubled.troubled.stdout
    assert finished == {(report.source, report.scope) for report in troubled.clean.scopes}


def test_a_pull_through_faults_and_429s_stores_what_a_fault_free_pull_stores(
    troubled: TroubledPull,
) -> None:
    assert troubled.clean.exit_code == 0, troubled.clean.stdout
    expected = content(troubled.clean_records)
    assert len(expected) >= len(SEEDED), "the fault-free pull must land every record type"

    assert content(troubled.troubled_records) == expected
