"""Reads sources on a bounded number of worker threads and hands every page to the writer.

Different sources are read at the same time, at most ``max_parallel`` of them; the scopes of
one source are read one after the other by one thread, because they share one client, one
retry policy and one rate limit, and a source may depend on its scope order (Jira reads its
``fields`` scope first and keeps what it learned for the others). Sources with the same name
are read by the same thread, one after the other, so two threads never advance one
watermark. The readers never touch the store: they ask the writer for each scope's watermark
and hand over whole pages (`flywheel_sync.pull.handover`).

A connector error ends its scope and the source goes on with the next one, exactly as when
reading sequentially. Anything else a reader raises is a bug: the readers are stopped, the
queue drained, and the error re-raised in the writer's thread. A reader that is stopped
finishes the request it is making, hands nothing more and ends; the threads are daemons, so
an interrupted process never waits for one.
"""

from __future__ import annotations

import contextvars
import logging
import queue
import threading
from collections.abc import Generator, Iterator, Sequence
from types import TracebackType

from connectors.errors import ConnectorError
from connectors.records import RecordPage, RecordSource
from flywheel_sync.pull.handover import (
    Handover,
    PageRead,
    ReaderExited,
    ReaderMessage,
    ReadingStopped,
    ScopeEnded,
    ScopesFailed,
)

__all__ = ["SourceReaders"]

log = logging.getLogger("flywheel_sync.pull")

_DRAIN_WAIT_SECONDS = 0.1
"""How often a stopping writer looks again whether every reader has ended."""


class SourceReaders:
    """Worker threads reading ``sources``; used as a context manager by the one writer.

    Args:
        sources: What to read; messages name a source by its position here.
        full: Passed to every `RecordSource.pages` call (read from the beginning).
        max_parallel: How many sources are read at once (threads started).
        max_pending: How many messages may wait for the writer before a reader waits.
    """

    def __init__(
        self,
        sources: Sequence[RecordSource],
        *,
        full: bool,
        max_parallel: int,
        max_pending: int,
    ) -> None:
        if max_parallel < 1:
            raise ValueError(f"max_parallel must be at least 1, got {max_parallel}")
        self._sources = sources
        self._full = full
        self._handover = Handover(max_pending=max_pending)
        self._work: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
        groups = _same_name_groups(sources)
        for group in groups:
            self._work.put(group)
        self._threads = [
            # Each reader runs in a copy of the caller's context, so its log records carry
            # the run they belong to (`flywheel_sync.logs.run_context`).
            threading.Thread(
                target=contextvars.copy_context().run,
                args=(self._read,),
                name=f"pull-reader-{number}",
                daemon=True,
            )
            for number in range(1, min(max_parallel, len(groups)) + 1)
        ]

    def __enter__(self) -> SourceReaders:
        try:
            for thread in self._threads:
                thread.start()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is None:
            for thread in self._threads:
                thread.join()
        else:
            self._stop()

    def messages(self) -> Iterator[ReaderMessage]:
        """Every reader's messages as they arrive, until every reader has ended.

        Raises:
            BaseException: What a reader could not handle (a bug), re-raised here; leaving
                the ``with`` block then stops the other readers.
        """
        running = len(self._threads)
        while running:
            message = self._handover.receive()
            if not isinstance(message, ReaderExited):
                yield message
                continue
            running -= 1
            if message.error is not None:
                raise message.error

    def _stop(self) -> None:
        """Stop the readers and drain the queue until every one of them has ended."""
        self._handover.stop()
        alive = sum(thread.is_alive() for thread in self._threads)
        if alive:
            log.info("stopping the pull: waiting for %d source readers to end", alive)
        while any(thread.is_alive() for thread in self._threads) or not self._handover.empty():
            try:
                message = self._handover.receive(timeout=_DRAIN_WAIT_SECONDS)
            except queue.Empty:
                continue
            if isinstance(message, ReaderExited) and message.error is not None:
                log.error("a source reader also failed", exc_info=message.error)

    def _read(self) -> None:
        """A reader thread: take sources until none is left or the writer stops."""
        error: BaseException | None = None
        try:
            while not self._handover.stopped:
                try:
                    group = self._work.get_nowait()
                except queue.Empty:
                    break
                for index in group:
                    self._read_source(index)
        except ReadingStopped:
            pass
        except BaseException as unexpected:  # noqa: BLE001 - the writer re-raises it
            error = unexpected
        finally:
            self._handover.exited(error)

    def _read_source(self, index: int) -> None:
        source = self._sources[index]
        try:
            scopes = source.scopes()
        except ConnectorError as failed:
            self._handover.send(ScopesFailed(source=index, error=failed))
            return
        for scope in scopes:
            watermark = self._handover.ask(index, scope)
            error = self._read_scope(index, scope, watermark)
            self._handover.send(ScopeEnded(source=index, error=error))

    def _read_scope(self, index: int, scope: str, watermark: str | None) -> ConnectorError | None:
        """Hand over the scope's pages; the connector error that ended it early, if any."""
        pages: Iterator[RecordPage] | None = None
        try:
            pages = self._sources[index].pages(scope, watermark, full=self._full)
            for page in pages:
                self._handover.send(PageRead(source=index, page=page))
        except ConnectorError as error:
            return error
        finally:
            if isinstance(pages, Generator):
                pages.close()  # a stopped reader ends the connector's requests now
        return None


def _same_name_groups(sources: Sequence[RecordSource]) -> list[list[int]]:
    """Source positions grouped by name, in first-appearance order: one thread per group."""
    groups: dict[str, list[int]] = {}
    for index, source in enumerate(sources):
        groups.setdefault(source.name, []).append(index)
    return list(groups.values())
