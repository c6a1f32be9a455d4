"""What a pull tells people (a live display) and jobs (log records)."""

from __future__ import annotations

import io
import logging

import pytest
from rich.console import Console

from connectors.errors import RetryableError
from connectors.records import RecordPage
from flywheel_sync.failures import FailureKind
from flywheel_sync.pull.listeners import LiveProgress, LogProgress
from flywheel_sync.pull.runner import ScopeOutcome


def finished(**counts: object) -> ScopeOutcome:
    outcome = ScopeOutcome(source="jira:pmo", scope="PMO")
    for name, value in counts.items():
        setattr(outcome, name, value)
    return outcome


def test_log_progress_reports_each_scope_and_each_retry(caplog: pytest.LogCaptureFixture) -> None:
    listener = LogProgress()
    caplog.set_level(logging.INFO, logger="flywheel_sync.pull")

    listener.retried("jira:pmo", RetryableError("429", source="jira:pmo", retry_after=2), 2.0)
    listener.scope_finished(finished(records=12, changed=3, pages=2, requests=2, seconds=0.5))
    listener.scope_finished(
        finished(failure="jira:pmo: 401", failure_kind=FailureKind.REAUTHENTICATE)
    )

    assert caplog.messages == [
        "retrying jira:pmo in 2.0 s: 429",
        "pulled jira:pmo PMO: 12 records (3 new or changed) in 2 pages, 2 requests, 0.5 s",
        "pull of jira:pmo PMO failed (re-authenticate): jira:pmo: 401",
    ]
    assert listener.retries["jira:pmo"] == 1


def test_live_progress_shows_a_line_per_scope_with_its_outcome() -> None:
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=False, color_system=None)

    with LiveProgress(console) as live:
        live.scope_started("jira:pmo", "PMO")
        outcome = finished(records=1234, pages=3)
        live.page_stored(outcome, RecordPage(scope="PMO", records=()), 0)
        live.scope_finished(outcome)
        live.scope_started("jira:pmo", "GRID")
        live.scope_finished(
            ScopeOutcome(
                source="jira:pmo",
                scope="GRID",
                failure="boom",
                failure_kind=FailureKind.RETRY_LATER,
            )
        )

    shown = out.getvalue()
    assert "jira:pmo PMO ✓" in shown
    assert "1,234 records" in shown
    assert "jira:pmo GRID ✗ retry later" in shown
