"""What source readers hand the one writer: messages through one bounded queue.

Readers (worker threads) `Handover.send` what they read and `Handover.ask` the writer where a
scope starts; the writer receives the messages in the order each reader sent them, so a
scope's pages and watermarks reach the store in the order the connector yielded them. The
queue is bounded: a reader that runs ahead of the writer waits, so memory stays flat however
fast a tool answers.

`Handover.stop` ends the hand-over: a reader's next `send` or `ask` raises `ReadingStopped`,
and an `ask` already waiting for its answer is woken up and raises too, so no reader waits
forever for a writer that has gone. `Handover.exited` is the one message sent even then: the
writer drains the queue until every reader has said it exited.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass

from connectors.errors import ConnectorError
from connectors.records import RecordPage

__all__ = [
    "Handover",
    "PageRead",
    "ReaderExited",
    "ReaderMessage",
    "ReadingStopped",
    "ScopeEnded",
    "ScopeStarted",
    "ScopesFailed",
    "WatermarkAnswer",
]


class ReadingStopped(Exception):
    """The writer stopped the hand-over: the reader ends quietly, without another page."""


class WatermarkAnswer:
    """The writer's answer to `ScopeStarted`: the watermark the scope's read starts from."""

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._watermark: str | None = None
        self._refused = False

    def give(self, watermark: str | None) -> None:
        """Answer with ``watermark`` (``None``: read from the beginning)."""
        self._watermark = watermark
        self._ready.set()

    def refuse(self) -> None:
        """Answer that the run is stopping: the reader must not start the scope."""
        self._refused = True
        self._ready.set()

    def wait(self) -> str | None:
        """The watermark, once the writer answered.

        Raises:
            ReadingStopped: The run is stopping.
        """
        self._ready.wait()
        if self._refused:
            raise ReadingStopped
        return self._watermark


@dataclass(frozen=True, kw_only=True, slots=True)
class ScopesFailed:
    """Source number ``source`` could not list its scopes."""

    source: int
    error: ConnectorError


@dataclass(frozen=True, kw_only=True, slots=True)
class ScopeStarted:
    """A reader is about to read ``scope``; the writer answers with its stored watermark."""

    source: int
    scope: str
    answer: WatermarkAnswer


@dataclass(frozen=True, kw_only=True, slots=True)
class PageRead:
    """A whole page of the scope the source's reader last started."""

    source: int
    page: RecordPage


@dataclass(frozen=True, kw_only=True, slots=True)
class ScopeEnded:
    """The scope the source's reader last started ended: read to its end, or ``error``."""

    source: int
    error: ConnectorError | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ReaderExited:
    """A reader thread ended; ``error`` is what it could not handle (a bug), if anything."""

    error: BaseException | None = None


ReaderMessage = ScopesFailed | ScopeStarted | PageRead | ScopeEnded
"""What a reader tells the writer about a source (sources are numbered in the given order)."""


class Handover:
    """The bounded queue between the readers and the writer, and the switch that stops it.

    Args:
        max_pending: How many messages may wait for the writer before a reader waits.

    Raises:
        ValueError: ``max_pending`` is below 1.
    """

    def __init__(self, *, max_pending: int) -> None:
        if max_pending < 1:
            raise ValueError(f"max_pending must be at least 1, got {max_pending}")
        self._queue: queue.Queue[ReaderMessage | ReaderExited] = queue.Queue(maxsize=max_pending)
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._waiting: set[WatermarkAnswer] = set()

    @property
    def stopped(self) -> bool:
        """Whether `stop` has run."""
        return self._stopped.is_set()

    def send(self, message: ReaderMessage) -> None:
        """Hand ``message`` to the writer, waiting while the queue is full.

        Raises:
            ReadingStopped: The writer stopped the hand-over.
        """
        if self._stopped.is_set():
            raise ReadingStopped
        self._queue.put(message)

    def ask(self, source: int, scope: str) -> str | None:
        """Tell the writer ``scope`` starts and wait for the watermark to read it from.

        Raises:
            ReadingStopped: The writer stopped the hand-over, before or while waiting.
        """
        answer = WatermarkAnswer()
        with self._lock:
            if self._stopped.is_set():
                raise ReadingStopped
            self._waiting.add(answer)
        try:
            self.send(ScopeStarted(source=source, scope=scope, answer=answer))
            return answer.wait()
        finally:
            with self._lock:
                self._waiting.discard(answer)

    def exited(self, error: BaseException | None) -> None:
        """Tell the writer a reader ended; sent even after `stop` (the writer drains)."""
        self._queue.put(ReaderExited(error=error))

    def receive(self, timeout: float | None = None) -> ReaderMessage | ReaderExited:
        """The next message, in the order it was sent.

        Raises:
            queue.Empty: None came within ``timeout`` seconds.
        """
        return self._queue.get(timeout=timeout)

    def empty(self) -> bool:
        """Whether no message is waiting."""
        return self._queue.empty()

    def stop(self) -> None:
        """Refuse every further message and wake every reader waiting for an answer."""
        with self._lock:
            self._stopped.set()
            for answer in self._waiting:
                answer.refuse()
