"""Request counters behind ``/_sandbox/stats``: what the emulators served, throttled and failed."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

__all__ = ["RequestStats"]


class RequestStats:
    """Thread-safe counters keyed by ``METHOD /prefix/route/{template}``.

    Besides the requests (`snapshot`, the ``/_sandbox/stats`` body), `traffic` tells the bytes
    served and which requests were steps of a Graph ``$batch``: benchmarks compare requests
    and bytes per source with what the APIs must serve at least, and a batch step is a page
    served (Graph throttles each) but not an HTTP request of its own.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._bytes: Counter[str] = Counter()
        self._batch_steps: Counter[str] = Counter()
        self._total = self._throttled = self._faults = 0
        self._first: float | None = None
        self._last: float | None = None

    def count(
        self, route: str, *, throttled: bool = False, fault: bool = False, batch_step: bool = False
    ) -> None:
        """Count one request to ``route``, how it ended, and whether a ``$batch`` made it."""
        with self._lock:
            self._total += 1
            self._requests[route] += 1
            self._throttled += throttled
            self._faults += fault
            if batch_step:
                self._batch_steps[route] += 1
            self._last = time.monotonic()
            if self._first is None:
                self._first = self._last

    def served(self, route: str, size: int) -> None:
        """Count ``size`` response body bytes sent for ``route``."""
        with self._lock:
            self._bytes[route] += size

    def traffic(self) -> dict[str, Any]:
        """Bytes and ``$batch`` steps per route (sorted), and when the first and last came.

        ``{"bytes": {route: n}, "batch_steps": {route: n}, "first": t, "last": t}``: the
        times are `time.monotonic` readings (None before any request), so a client that
        noted its own start on the same clock can tell its reading from its other work.
        """
        with self._lock:
            return {
                "bytes": dict(sorted(self._bytes.items())),
                "batch_steps": dict(sorted(self._batch_steps.items())),
                "first": self._first,
                "last": self._last,
            }

    def snapshot(self) -> dict[str, Any]:
        """``{"total", "throttled", "faults", "requests": {route: n}}``, routes sorted."""
        with self._lock:
            return {
                "total": self._total,
                "throttled": self._throttled,
                "faults": self._faults,
                "requests": dict(sorted(self._requests.items())),
            }

    def reset(self) -> None:
        """Start counting from zero."""
        with self._lock:
            self._requests.clear()
            self._bytes.clear()
            self._batch_steps.clear()
            self._first = self._last = None
            self._total = self._throttled = self._faults = 0
