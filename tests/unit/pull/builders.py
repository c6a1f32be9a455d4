"""Fake sources, listeners and a store spy for the pull runner's tests.

The sources take hooks that run on the reader's thread just before a page is yielded, so a
test can make readers meet (a `threading.Barrier`) or wait for the writer (an `Event`)
instead of sleeping.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from connectors.records import RecordPage, SourceRecord
from flywheel_sync.pull import ScopeOutcome
from flywheel_sync.store import RecordRepository, StoredRecord
from flywheel_sync.store.rows import RawRecord

__all__ = [
    "SOURCE",
    "WAIT",
    "EndlessSource",
    "Heard",
    "ScriptedSource",
    "SpiedRecords",
    "Stored",
    "page",
    "pages",
    "raised_within",
    "reader_threads_alive",
    "record",
    "waited",
]

SOURCE = "jira:pmo"
WAIT = 10.0
"""Seconds a test waits for something that should happen at once (only reached on a bug)."""

RUNAWAY = 2_000
"""Pages an `EndlessSource` yields before it concludes its reader was never stopped."""

PageHook = Callable[[str, int], None]
"""Called on the reader's thread with the scope and the page's number before it is yielded."""


def record(key: str, summary: str = "x") -> SourceRecord:
    return SourceRecord(
        record_type="issue",
        external_id=key,
        payload={"key": key, "summary": summary},
        updated_at=datetime(2026, 11, 23, tzinfo=UTC),
    )


def page(scope: str, *keys: str, watermark: str | None = None) -> RecordPage:
    return RecordPage(scope=scope, records=tuple(record(k) for k in keys), watermark=watermark)


def pages(scope: str, count: int) -> list[RecordPage]:
    """``count`` one-record pages of ``scope``, watermarked ``<scope>-1``, ``<scope>-2``, ..."""
    return [page(scope, f"{scope}-{n}", watermark=f"{scope}-{n}") for n in range(1, count + 1)]


class ScriptedSource:
    """Yields the scripted pages per scope, then raises the scripted error if any.

    Every scope's read is written down in ``journal`` as ``("enter"|"exit", scope, thread)``.
    """

    def __init__(
        self,
        pages: dict[str, list[RecordPage]],
        *,
        name: str = SOURCE,
        fail: dict[str, BaseException] | None = None,
        scopes_error: BaseException | None = None,
        before_page: PageHook | None = None,
        before_scopes: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self._pages = pages
        self._before_scopes = before_scopes
        self._fail = fail or {}
        self._scopes_error = scopes_error
        self._before_page = before_page
        self.asked: list[tuple[str, str | None, bool]] = []
        self.journal: list[tuple[str, str, str]] = []

    def scopes(self) -> list[str]:
        if self._before_scopes is not None:
            self._before_scopes()
        if self._scopes_error is not None:
            raise self._scopes_error
        return list(self._pages)

    def pages(
        self, scope: str, watermark: str | None, *, full: bool = False
    ) -> Iterator[RecordPage]:
        self.asked.append((scope, watermark, full))
        thread = threading.current_thread().name
        self.journal.append(("enter", scope, thread))
        try:
            for number, scripted in enumerate(self._pages[scope], start=1):
                if self._before_page is not None:
                    self._before_page(scope, number)
                yield scripted
            if scope in self._fail:
                raise self._fail[scope]
        finally:
            self.journal.append(("exit", scope, thread))


class EndlessSource:
    """One scope whose pages only a stopped reader ends (``closed`` is set then).

    After `RUNAWAY` pages it raises instead, so a runner that fails to stop its readers
    fails the test rather than spinning on behind it.
    """

    def __init__(self, name: str, *, before_page: PageHook | None = None) -> None:
        self.name = name
        self._before_page = before_page
        self.yielded = 0
        self.closed = threading.Event()

    def scopes(self) -> list[str]:
        return ["forever"]

    def pages(
        self, scope: str, watermark: str | None, *, full: bool = False
    ) -> Iterator[RecordPage]:
        try:
            while self.yielded < RUNAWAY:
                self.yielded += 1
                if self._before_page is not None:
                    self._before_page(scope, self.yielded)
                yield page(scope, f"E-{self.yielded}", watermark=f"e{self.yielded}")
            raise AssertionError(f"{self.name} was never stopped: {RUNAWAY} pages read")
        finally:
            self.closed.set()


class Heard:
    """A listener that writes down what it was told, and on which thread.

    ``events`` omits the source (one-source tests); ``finished`` names ``source scope``.
    ``on_page`` and ``on_finished`` run on the writer's thread after the note is taken.
    """

    def __init__(
        self,
        *,
        on_page: Callable[[ScopeOutcome], None] | None = None,
        on_finished: Callable[[ScopeOutcome], None] | None = None,
    ) -> None:
        self.events: list[str] = []
        self.sourced: list[str] = []
        self.finished: list[str] = []
        self.threads: set[str] = set()
        self._on_page = on_page
        self._on_finished = on_finished

    def scope_started(self, source: str, scope: str) -> None:
        self._note(f"start {scope}", source)

    def page_stored(self, outcome: ScopeOutcome, page: RecordPage, changed: int) -> None:
        self._note(f"page {outcome.scope} {len(page.records)} changed {changed}", outcome.source)
        if self._on_page is not None:
            self._on_page(outcome)

    def scope_finished(self, outcome: ScopeOutcome) -> None:
        self._note(
            f"end {outcome.scope} {'ok' if outcome.ok else outcome.failure_kind}", outcome.source
        )
        self.finished.append(f"{outcome.source} {outcome.scope}")
        if self._on_finished is not None:
            self._on_finished(outcome)

    def _note(self, event: str, source: str) -> None:
        self.events.append(event)
        self.sourced.append(f"{source}: {event}")
        self.threads.add(threading.current_thread().name)


@dataclass(frozen=True, kw_only=True)
class Stored:
    """One `upsert_page` call as the spy saw it."""

    source: str
    scope: str
    keys: tuple[str, ...]
    watermark: str | None
    thread: str


class SpiedRecords:
    """A `RecordRepository` that writes down every call (and its thread), then delegates."""

    def __init__(self, records: RecordRepository) -> None:
        self._records = records
        self.stored: list[Stored] = []
        self.threads: set[str] = set()

    def upsert_page(
        self, source: str, scope: str, records: Iterable[RawRecord], watermark: str | None
    ) -> int:
        listed = list(records)
        thread = threading.current_thread().name
        self.threads.add(thread)
        keys = tuple(r.external_id for r in listed)
        self.stored.append(
            Stored(source=source, scope=scope, keys=keys, watermark=watermark, thread=thread)
        )
        return self._records.upsert_page(source, scope, listed, watermark)

    def watermark(self, source: str, scope: str) -> str | None:
        self.threads.add(threading.current_thread().name)
        return self._records.watermark(source, scope)

    def iter_records(
        self, *, source: str | None = None, record_type: str | None = None
    ) -> Iterator[StoredRecord]:
        return self._records.iter_records(source=source, record_type=record_type)

    def get_many(
        self, source: str, record_type: str, external_ids: Iterable[str]
    ) -> dict[str, StoredRecord]:
        return self._records.get_many(source, record_type, external_ids)


def raised_within(action: Callable[[], object], seconds: float = WAIT) -> BaseException | None:
    """Run ``action`` on a daemon thread; what it raised, failing the test if it hangs."""
    raised: list[BaseException] = []

    def attempt() -> None:
        try:
            action()
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            raised.append(error)

    thread = threading.Thread(target=attempt, name="pull-caller", daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the pull did not end within {seconds} s"
    return raised[0] if raised else None


def reader_threads_alive() -> list[str]:
    """Names of the runner's reader threads still running."""
    return [t.name for t in threading.enumerate() if t.name.startswith("pull-reader")]


def waited(event: threading.Event) -> None:
    """Wait for ``event``; raise (failing the pull, hence the test) if it never comes."""
    if not event.wait(WAIT):
        raise TimeoutError(f"waited {WAIT} s for an event that never came")
