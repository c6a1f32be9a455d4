"""Request counters behind ``/_sandbox/stats``: what the emulators served, throttled and failed."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

__all__ = ["RequestStats"]


class RequestStats:
    """Thread-safe counters keyed by ``METHOD /prefix/route/{template}``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._total = self._throttled = self._faults = 0

    def count(self, route: str, *, throttled: bool = False, fault: bool = False) -> None:
        """Count one request to ``route`` and how it ended."""
        with self._lock:
            self._total += 1
            self._requests[route] += 1
            self._throttled += throttled
            self._faults += fault

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
            self._total = self._throttled = self._faults = 0
