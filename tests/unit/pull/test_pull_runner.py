"""The pull loop: pages and watermarks land together, failures stay in their scope."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RecordError,
    RetryableError,
)
from connectors.records import RecordPage, SourceRecord
from flywheel_sync.pull import PullRunner, ScopeOutcome
from flywheel_sync.pull.runner import FailureKind
from flywheel_sync.store import Store, open_store

SOURCE = "jira:pmo"


def record(key: str, summary: str = "x") -> SourceRecord:
    return SourceRecord(
        record_type="issue",
        external_id=key,
        payload={"key": key, "summary": summary},
        updated_at=datetime(2026, 11, 23, tzinfo=UTC),
    )


def page(scope: str, *keys: str, watermark: str | None = None) -> RecordPage:
    return RecordPage(scope=scope, records=tuple(record(k) for k in keys), watermark=watermark)


class ScriptedSource:
    """Yields the scripted pages per scope, then raises the scripted error if any."""

    def __init__(
        self,
        pages: dict[str, list[RecordPage]],
        *,
        name: str = SOURCE,
        fail: dict[str, ConnectorError] | None = None,
        scopes_error: ConnectorError | None = None,
    ) -> None:
        self.name = name
        self._pages = pages
        self._fail = fail or {}
        self._scopes_error = scopes_error
        self.asked: list[tuple[str, str | None, bool]] = []

    def scopes(self) -> list[str]:
        if self._scopes_error is not None:
            raise self._scopes_error
        return list(self._pages)

    def pages(
        self, scope: str, watermark: str | None, *, full: bool = False
    ) -> Iterator[RecordPage]:
        self.asked.append((scope, watermark, full))
        yield from self._pages[scope]
        if scope in self._fail:
            raise self._fail[scope]


class Heard:
    """A listener that writes down what it was told."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def scope_started(self, source: str, scope: str) -> None:
        self.events.append(f"start {scope}")

    def page_stored(self, outcome: ScopeOutcome, page: RecordPage, changed: int) -> None:
        self.events.append(f"page {outcome.scope} {len(page.records)} changed {changed}")

    def scope_finished(self, outcome: ScopeOutcome) -> None:
        self.events.append(f"end {outcome.scope} {'ok' if outcome.ok else outcome.failure_kind}")


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store("sqlite://") as opened:
        yield opened


def test_pages_and_their_watermarks_are_stored(store: Store) -> None:
    source = ScriptedSource(
        {
            "PMO": [
                page("PMO", "PMO-1", "PMO-2", watermark="w1"),
                page("PMO", "PMO-3", watermark="w2"),
            ]
        }
    )
    heard = Heard()

    summary = PullRunner(store.records, heard).pull([source])

    assert summary.ok
    assert (summary.total("records"), summary.total("changed"), summary.total("pages")) == (3, 3, 2)
    assert store.records.watermark(SOURCE, "PMO") == "w2"
    assert heard.events == [
        "start PMO",
        "page PMO 2 changed 2",
        "page PMO 1 changed 1",
        "end PMO ok",
    ]


def test_the_next_pull_starts_from_the_stored_watermark_unless_full(store: Store) -> None:
    source = ScriptedSource({"PMO": [page("PMO", "PMO-1", watermark="w1")]})
    runner = PullRunner(store.records, Heard())

    runner.pull([source])
    again = runner.pull([source])
    runner.pull([source], full=True)

    assert source.asked == [("PMO", None, False), ("PMO", "w1", False), ("PMO", None, True)]
    assert again.total("changed") == 0  # the same payloads are not rewritten


def test_a_failing_scope_keeps_its_stored_pages_and_the_others_still_run(store: Store) -> None:
    throttled = RetryableError("429 after 5 attempts", source=SOURCE, retry_after=30)
    source = ScriptedSource(
        {
            "PMO": [page("PMO", "PMO-1", watermark="w1")],
            "GRID": [page("GRID", "GRID-1", watermark="g1")],
        },
        fail={"PMO": throttled},
    )

    summary = PullRunner(store.records, Heard()).pull([source])

    pmo, grid = summary.scopes
    assert not summary.ok
    assert (pmo.records, pmo.failure_kind, pmo.failure) == (
        1,
        FailureKind.RETRY_LATER,
        "jira:pmo: 429 after 5 attempts",
    )
    assert grid.ok
    assert store.records.watermark(SOURCE, "PMO") == "w1"
    assert store.records.watermark(SOURCE, "GRID") == "g1"


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (RetryableError("503", source=SOURCE), FailureKind.RETRY_LATER),
        (ConnectorConfigError("no project NOPE", source=SOURCE), FailureKind.FIX_CONFIGURATION),
        (AuthenticationError("401", source=SOURCE), FailureKind.REAUTHENTICATE),
        (RecordError("unreadable", source=SOURCE, record="PMO-9"), FailureKind.BAD_RECORD),
    ],
)
def test_failures_are_named_after_what_the_user_should_do(
    store: Store, error: ConnectorError, kind: FailureKind
) -> None:
    source = ScriptedSource({"PMO": []}, fail={"PMO": error})

    (outcome,) = PullRunner(store.records, Heard()).pull([source]).scopes

    assert outcome.failure_kind is kind


def test_a_source_that_cannot_list_its_scopes_is_reported_and_others_run(store: Store) -> None:
    broken = ScriptedSource(
        {},
        name="graph:northwind",
        scopes_error=AuthenticationError("401", source="graph:northwind"),
    )
    healthy = ScriptedSource({"PMO": [page("PMO", "PMO-1")]})
    heard = Heard()

    summary = PullRunner(store.records, heard).pull([broken, healthy])

    assert [(s.source, s.scope, s.ok) for s in summary.scopes] == [
        ("graph:northwind", "*", False),
        (SOURCE, "PMO", True),
    ]
    assert heard.events[0] == "end * re-authenticate"
