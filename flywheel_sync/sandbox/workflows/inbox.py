"""The cards the sandbox's Workflows webhooks accepted, for tests and the demo to read back.

A real Workflows webhook turns each post into a Teams message nobody can fetch over Graph
(the flow bot posts it); the sandbox keeps them instead, served at ``/_sandbox/inbox``.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

__all__ = ["WorkflowsInbox"]


class WorkflowsInbox:
    """Every accepted webhook post, oldest first. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cards: list[dict[str, Any]] = []

    def receive(self, webhook: str, payload: dict[str, Any]) -> None:
        """Keep one accepted post: the webhook's name and the JSON body as sent."""
        received_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        with self._lock:
            self._cards.append({"received_at": received_at, "webhook": webhook, "payload": payload})

    def snapshot(self) -> dict[str, Any]:
        """``{"cards": [{"received_at", "webhook", "payload"}, ...]}``, oldest first."""
        with self._lock:
            return {"cards": list(self._cards)}

    def clear(self) -> None:
        """Forget every card."""
        with self._lock:
            self._cards.clear()
