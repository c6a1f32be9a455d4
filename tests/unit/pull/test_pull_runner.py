"""The pull loop: pages and watermarks land together, failures stay in their scope."""

from __future__ import annotations

import pytest

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RecordError,
    RetryableError,
)
from flywheel_sync.failures import FailureKind
from flywheel_sync.pull import PullRunner
from flywheel_sync.store import Store
from tests.unit.pull.builders import SOURCE, Heard, ScriptedSource, page


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
    assert "end * re-authenticate" in heard.events
