"""Quarantined records in a pull: kept, counted, released once read cleanly; the scope goes on."""

from __future__ import annotations

import io
import logging
from collections.abc import Collection, Iterable

import pytest
from rich.console import Console

from connectors.errors import RetryableError
from connectors.quarantine import quarantine as quarantined
from connectors.records import RecordPage
from flywheel_sync.pull import PullRunner, ScopeOutcome
from flywheel_sync.pull.listeners import LiveProgress, LogProgress
from flywheel_sync.store import RecordRepository, Store
from flywheel_sync.store.quarantine import (
    EntryKey,
    MemoryQuarantine,
    QuarantineEntry,
    QuarantineNote,
)
from flywheel_sync.store.rows import RawRecord
from tests.unit.pull.builders import SOURCE, Heard, ScriptedSource, record

REASON = "the issue has no readable 'updated' ('soon')"


def page(
    scope: str, *keys: str, bad: tuple[str | None, ...] = (), watermark: str | None = None
) -> RecordPage:
    """A page of ``keys``, with the records ``bad`` (an id, or None for none) quarantined."""
    return RecordPage(
        scope=scope,
        records=tuple(record(key) for key in keys),
        watermark=watermark,
        quarantined=tuple(
            quarantined(
                "issue", {"key": key, "fields": {"updated": "soon"}}, REASON, external_id=key
            )
            for key in bad
        ),
    )


def held(entries: list[QuarantineEntry]) -> list[tuple[str, str | None]]:
    return [(entry.scope, entry.external_id) for entry in entries]


def test_a_quarantined_record_is_kept_and_counted_and_the_scope_is_ok(store: Store) -> None:
    quarantine = MemoryQuarantine()
    source = ScriptedSource({"PMO": [page("PMO", "PMO-1", bad=("PMO-2", None), watermark="w1")]})

    summary = PullRunner(store.records, Heard(), quarantine=quarantine).pull([source])

    (outcome,) = summary.scopes
    assert summary.ok
    assert (outcome.records, outcome.quarantined, outcome.first_reason) == (1, 2, REASON)
    assert summary.total("quarantined") == 2
    assert summary.quarantined_by_source() == {SOURCE: 2}
    assert held(quarantine.entries()) == [("PMO", None), ("PMO", "PMO-2")]
    assert store.records.watermark(SOURCE, "PMO") == "w1"  # it moved past the bad record


def test_a_record_read_cleanly_later_is_released(store: Store) -> None:
    quarantine = MemoryQuarantine()
    runner = PullRunner(store.records, Heard(), quarantine=quarantine)
    runner.pull([ScriptedSource({"PMO": [page("PMO", "PMO-1", bad=("PMO-2",), watermark="w1")]})])

    summary = runner.pull([ScriptedSource({"PMO": [page("PMO", "PMO-2", watermark="w2")]})])

    assert (summary.scopes[0].released, summary.total("quarantined")) == (1, 0)
    assert quarantine.entries() == []
    assert [r.external_id for r in store.records.iter_records()] == ["PMO-1", "PMO-2"]


def test_an_incremental_read_leaves_entries_it_did_not_meet(store: Store) -> None:
    quarantine = MemoryQuarantine()
    runner = PullRunner(store.records, Heard(), quarantine=quarantine)
    runner.pull([ScriptedSource({"PMO": [page("PMO", "PMO-1", bad=(None,), watermark="w1")]})])

    runner.pull([ScriptedSource({"PMO": [page("PMO", "PMO-3", watermark="w2")]})])

    assert held(quarantine.entries()) == [("PMO", None)]


def test_a_full_read_to_its_end_releases_the_entries_it_did_not_meet(store: Store) -> None:
    quarantine = MemoryQuarantine()
    runner = PullRunner(store.records, Heard(), quarantine=quarantine)
    first = {"PMO": [page("PMO", "PMO-1", bad=(None, "PMO-2"), watermark="w1")]}
    runner.pull([ScriptedSource(first | {"OPS": [page("OPS", bad=("OPS-1",))]})])

    summary = runner.pull(
        [ScriptedSource({"PMO": [page("PMO", "PMO-1", bad=("PMO-2",))], "OPS": []})], full=True
    )

    assert held(quarantine.entries()) == [("PMO", "PMO-2")]  # met again; OPS-1 is gone
    assert [scope.released for scope in summary.scopes] == [1, 1]


def test_a_scope_without_a_watermark_is_read_whole_and_releases_the_same_way(
    store: Store,
) -> None:
    quarantine = MemoryQuarantine()
    runner = PullRunner(store.records, Heard(), quarantine=quarantine)
    runner.pull([ScriptedSource({"fields": [page("fields", "summary", bad=(None,))]})])

    runner.pull([ScriptedSource({"fields": [page("fields", "summary")]})])

    assert quarantine.entries() == []


def test_a_full_read_that_fails_releases_nothing(store: Store) -> None:
    quarantine = MemoryQuarantine()
    runner = PullRunner(store.records, Heard(), quarantine=quarantine)
    runner.pull([ScriptedSource({"PMO": [page("PMO", bad=(None,), watermark="w1")]})])
    failing = ScriptedSource(
        {"PMO": [page("PMO", "PMO-1")]}, fail={"PMO": RetryableError("503", source=SOURCE)}
    )

    runner.pull([failing], full=True)

    assert held(quarantine.entries()) == [("PMO", None)]


def test_without_a_repository_the_records_are_counted_and_reported_only(store: Store) -> None:
    source = ScriptedSource({"PMO": [page("PMO", "PMO-1", bad=("PMO-2",), watermark="w1")]})

    summary = PullRunner(store.records, Heard()).pull([source])

    assert (summary.ok, summary.total("quarantined")) == (True, 1)
    assert store.quarantine.entries() == []


class Journal:
    """Records the order of the store's writes across the records and the quarantine."""

    def __init__(self, store: Store) -> None:
        self.writes: list[str] = []
        self._records = store.records
        self._quarantine = store.quarantine

    # RecordRepository
    def upsert_page(
        self, source: str, scope: str, records: Iterable[RawRecord], watermark: str | None
    ) -> int:
        self.writes.append(f"page {scope}")
        return self._records.upsert_page(source, scope, records, watermark)

    def watermark(self, source: str, scope: str) -> str | None:
        return self._records.watermark(source, scope)

    # QuarantineRepository
    def keys(self, source: str) -> set[EntryKey]:
        return self._quarantine.keys(source)

    def settle(
        self,
        source: str,
        scope: str,
        *,
        held: Iterable[QuarantineNote],
        released: Iterable[EntryKey],
    ) -> None:
        self.writes.append(f"quarantine {scope}")
        self._quarantine.settle(source, scope, held=held, released=released)

    def release_others(self, source: str, scope: str, kept: Collection[EntryKey]) -> int:
        self.writes.append(f"release others {scope}")
        return self._quarantine.release_others(source, scope, kept)

    def entries(self, *, source: str | None = None) -> list[QuarantineEntry]:
        return self._quarantine.entries(source=source)

    def counts(self) -> dict[str, int]:
        return self._quarantine.counts()


def test_the_quarantine_is_written_before_its_page_and_only_when_needed(store: Store) -> None:
    journal = Journal(store)
    records: RecordRepository = journal  # type: ignore[assignment]
    source = ScriptedSource(
        {"PMO": [page("PMO", "PMO-1", watermark="w1"), page("PMO", bad=("PMO-2",), watermark="w2")]}
    )
    runner = PullRunner(records, Heard(), quarantine=journal)

    runner.pull([source])
    again = ScriptedSource({"PMO": [page("PMO", "PMO-3", watermark="w3"), page("PMO", "PMO-2")]})
    runner.pull([again])

    assert journal.writes == [
        "page PMO",  # nothing quarantined yet: no quarantine write
        "quarantine PMO",
        "page PMO",
        "page PMO",  # PMO-3 was never quarantined: no quarantine write
        "quarantine PMO",  # PMO-2 read cleanly: released before its page is stored
        "page PMO",
    ]
    assert journal.entries() == []


# ---------------------------------------------------------------- what people and jobs hear


def finished(**counts: object) -> ScopeOutcome:
    outcome = ScopeOutcome(source=SOURCE, scope="PMO")
    for name, value in counts.items():
        setattr(outcome, name, value)
    return outcome


def test_the_log_names_each_quarantined_record_and_sums_up_each_scope(
    caplog: pytest.LogCaptureFixture,
) -> None:
    listener = LogProgress()
    caplog.set_level(logging.INFO, logger="flywheel_sync.pull")

    listener.page_stored(finished(), page("PMO", bad=("PMO-2", None)), 0)
    listener.scope_finished(finished(records=3, quarantined=2, released=1, first_reason=REASON))

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", f"quarantined {SOURCE} issue PMO-2: {REASON}"),
        ("INFO", f"quarantined {SOURCE} issue (no id): {REASON}"),
        (
            "WARNING",
            f"{SOURCE} PMO: 2 records quarantined, e.g. {REASON}; "
            "list them with flywheel-sync quarantine",
        ),
        ("INFO", f"{SOURCE} PMO: 1 records out of quarantine"),
        (
            "INFO",
            f"pulled {SOURCE} PMO: 3 records (0 new or changed) in 0 pages, 0 requests, 0.0 s",
        ),
    ]


def test_the_live_display_marks_a_scope_with_its_quarantined_count() -> None:
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=False, color_system=None)

    with LiveProgress(console) as live:
        live.scope_started(SOURCE, "PMO")
        live.scope_finished(finished(records=3, quarantined=2))

    assert "jira:pmo PMO ✓ 2 quarantined" in out.getvalue()
