"""One background event loop that lets synchronous code drive the async Graph client.

msgraph-sdk is async only, and a client must stay on the loop that opened its connections:
a second ``asyncio.run()`` with the same client fails with "Event loop is closed"
(libraries.md §4, "Calling from sync code"). So a connector starts one loop on a daemon
thread when it is built, submits every request to it with `run`, and stops it in `close`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["EventLoopThread"]

T = TypeVar("T")


class EventLoopThread:
    """An event loop running on its own thread until `close`.

    Args:
        name: The thread's name (shows in thread dumps, e.g. ``graph:planner:northwind``).
    """

    def __init__(self, name: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._closed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    @property
    def closed(self) -> bool:
        """Whether `close` has run: no more coroutines are accepted."""
        return self._closed

    def run(self, coroutine: Coroutine[Any, Any, T], *, timeout: float) -> T:
        """Run ``coroutine`` on the loop and wait at most ``timeout`` seconds for its result.

        Raises:
            TimeoutError: It did not finish in time (it is cancelled).
            RuntimeError: The loop is closed, or the call comes from the loop's own thread
                (waiting there would deadlock).
        """
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("EventLoopThread.run called from its own loop: await instead")
        with self._lock:
            if self._closed:
                coroutine.close()
                raise RuntimeError("the Graph connection is closed")
            future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"no answer within {timeout:g} s") from None

    def close(self, final: Coroutine[Any, Any, None] | None = None, *, timeout: float = 10) -> None:
        """Run ``final`` (e.g. closing connections) on the loop, then stop it. Idempotent."""
        with self._lock:
            if self._closed:
                if final is not None:
                    final.close()
                return
            self._closed = True
        try:
            if final is not None:
                asyncio.run_coroutine_threadsafe(final, self._loop).result(timeout)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
            if not self._thread.is_alive():
                self._loop.run_until_complete(self._loop.shutdown_asyncgens())
                self._loop.close()
