"""How a pull reports its progress: a live Rich display for people, log lines for jobs.

Both implement `PullListener`. The live display shows one line per scope (records, pages,
requests, retries, records per second); the log listener writes one line per stored page at
debug level and one per finished scope at info level, so ``--log-format json`` gives a job's
log a machine-readable record of every scope. A failed scope is an error, except the later
scopes of a source whose credentials were refused: one error per source says that.

Quarantined records (the connector could not read them; the scope went on) are logged one
per record at info level, with the reason, and summed up in one warning per scope that names
``flywheel-sync quarantine``; the live display marks the scope's line with the count.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from types import TracebackType

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from connectors.errors import RetryableError
from connectors.records import RecordPage
from flywheel_sync.failures import FailureKind
from flywheel_sync.pull.runner import ScopeOutcome

__all__ = ["LiveProgress", "LogProgress"]

log = logging.getLogger("flywheel_sync.pull")


class LogProgress:
    """Reports a pull as log records (the form scheduled jobs use)."""

    def __init__(self) -> None:
        self.retries: Counter[str] = Counter()
        self._counting = threading.Lock()
        self._refused: set[str] = set()

    def retried(self, source: str, error: RetryableError, wait: float) -> None:
        """A request of ``source`` is retried after ``wait`` seconds (called from any thread)."""
        with self._counting:
            self.retries[source] += 1
        log.info("retrying %s in %.1f s: %s", source, wait, error.detail)

    def scope_started(self, source: str, scope: str) -> None:
        """A scope's read begins."""
        log.debug("pulling %s %s", source, scope)

    def page_stored(self, outcome: ScopeOutcome, page: RecordPage, changed: int) -> None:
        """A page was stored; its quarantined records are logged one by one."""
        log.debug(
            "%s %s: page of %d records (%d new or changed)",
            outcome.source,
            outcome.scope,
            len(page.records),
            changed,
        )
        for record in page.quarantined:
            log.info(
                "quarantined %s %s %s: %s",
                outcome.source,
                record.record_type,
                record.external_id or "(no id)",
                record.reason,
            )

    def scope_finished(self, outcome: ScopeOutcome) -> None:
        """A scope ended."""
        if outcome.quarantined:
            log.warning(
                "%s %s: %d records quarantined, e.g. %s; list them with flywheel-sync quarantine",
                outcome.source,
                outcome.scope,
                outcome.quarantined,
                outcome.first_reason,
            )
        if outcome.released:
            log.info(
                "%s %s: %d records out of quarantine",
                outcome.source,
                outcome.scope,
                outcome.released,
            )
        if outcome.ok:
            log.info(
                "pulled %s %s: %d records (%d new or changed) in %d pages, %d requests, %.1f s",
                outcome.source,
                outcome.scope,
                outcome.records,
                outcome.changed,
                outcome.pages,
                outcome.requests,
                outcome.seconds,
            )
        else:
            # Refused credentials fail every scope of the source alike: one error says it,
            # the scopes after it are recorded at info level.
            refused = outcome.failure_kind is FailureKind.REAUTHENTICATE
            repeated = refused and outcome.source in self._refused
            if refused:
                self._refused.add(outcome.source)
            log.log(
                logging.INFO if repeated else logging.ERROR,
                "pull of %s %s failed (%s): %s",
                outcome.source,
                outcome.scope,
                outcome.failure_kind,
                outcome.failure,
            )


class LiveProgress(LogProgress):
    """A live display, one line per scope, on top of the log records."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.fields[records]:>8,} records"),
            TextColumn("{task.fields[pages]:>5,} pages"),
            TextColumn("{task.fields[retries]:>3} retries"),
            TextColumn("{task.fields[rate]:>7.0f}/s"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[tuple[str, str], TaskID] = {}

    def __enter__(self) -> LiveProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def scope_started(self, source: str, scope: str) -> None:
        """Add the scope's line."""
        super().scope_started(source, scope)
        self._tasks[source, scope] = self._progress.add_task(
            f"{source} {scope}", total=None, records=0, pages=0, retries=0, rate=0.0
        )

    def page_stored(self, outcome: ScopeOutcome, page: RecordPage, changed: int) -> None:
        """Refresh the scope's counters."""
        super().page_stored(outcome, page, changed)
        task = self._tasks[outcome.source, outcome.scope]
        elapsed = self._progress.tasks[task].elapsed or 0.0
        self._progress.update(
            task,
            records=outcome.records,
            pages=outcome.pages,
            retries=self.retries[outcome.source],
            rate=outcome.records / elapsed if elapsed else 0.0,
        )

    def scope_finished(self, outcome: ScopeOutcome) -> None:
        """Mark the scope done, or failed."""
        super().scope_finished(outcome)
        task = self._tasks.get((outcome.source, outcome.scope))
        if task is None:
            return
        mark = "[green]✓[/]" if outcome.ok else f"[red]✗ {outcome.failure_kind}[/]"
        if outcome.quarantined:
            mark += f" [yellow]{outcome.quarantined:,} quarantined[/]"
        self._progress.update(
            task,
            description=f"{outcome.source} {outcome.scope} {mark}",
            retries=self.retries[outcome.source],
            total=1,
            completed=1,
        )
