"""One retry policy for every connector, built on tenacity.

The client libraries each retry differently (jira: 429/503 with ``2*Retry-After``; msgraph:
429/503/504 three times; atlassian: one retry; libraries.md §2-4). Connectors switch those
off and wrap every call in `RetryPolicy` instead, so every tool gets the same rules:

- only `RetryableError` is retried; every other error surfaces at once;
- the wait is the tool's ``Retry-After`` when it sent one (integer seconds or an HTTP date,
  `retry_after_seconds`), else exponential backoff with full jitter;
- attempts are bounded, and so is the total time spent waiting: a wait that would overrun
  ``max_total_wait`` is not taken, the last error is raised instead;
- a request that creates something (`for_creates`) is retried only when the tool said it did
  not handle it (429): after a dropped connection, a timeout or a 5xx the object may exist,
  and sending again could make it twice. The caller then checks the tool, as the push does.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception

from connectors.errors import RetryableError

__all__ = ["RetryPolicy", "retry_after_seconds"]

T = TypeVar("T")
RetryListener = Callable[[RetryableError, float], None]
"""Told of each retry: the error and the seconds about to be waited (progress, logs)."""


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for: delta-seconds or an HTTP date.

    Returns None when the header is absent or unreadable (the caller then backs off on its
    own); a date in the past gives 0.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


_THROTTLED = 429


def _throttled(error: RetryableError) -> bool:
    return error.status == _THROTTLED


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How often and how long to retry transient failures."""

    max_attempts: int = 5
    max_total_wait: float = 120.0
    """Seconds of waiting allowed over all retries of one call."""
    base_delay: float = 1.0
    max_delay: float = 60.0
    """Cap of one backoff wait (a ``Retry-After`` is honoured as sent)."""
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    async_sleep: Callable[[float], Awaitable[None]] | None = field(default=None, repr=False)
    jitter: Callable[[float], float] = field(default=lambda cap: random.uniform(0, cap), repr=False)  # noqa: S311 - jitter, not security
    on_retry: RetryListener | None = field(default=None, repr=False)
    retry_when: Callable[[RetryableError], bool] = field(default=lambda _: True, repr=False)
    """Which retryable errors to retry; `for_creates` narrows it to throttling."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.max_total_wait < 0 or self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("waits must not be negative")

    def for_creates(self) -> RetryPolicy:
        """This policy for requests that create: retried only after a 429 (see the module)."""
        return dataclasses.replace(self, retry_when=_throttled)

    def _retries(self, error: BaseException) -> bool:
        return isinstance(error, RetryableError) and self.retry_when(error)

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RetryableError) and error.retry_after is not None:
            return error.retry_after
        backoff = min(self.max_delay, self.base_delay * 2 ** (state.attempt_number - 1))
        return self.jitter(backoff)

    def _stop(self, state: RetryCallState) -> bool:
        if state.attempt_number >= self.max_attempts:
            return True
        return state.idle_for + (state.upcoming_sleep or 0.0) > self.max_total_wait

    def _notify(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        if self.on_retry is not None and isinstance(error, RetryableError):
            self.on_retry(error, state.upcoming_sleep or 0.0)

    def call(self, operation: Callable[[], T]) -> T:
        """Run ``operation``, retrying it while it raises `RetryableError`."""
        retrying = Retrying(
            retry=retry_if_exception(self._retries),
            wait=self._wait,
            stop=self._stop,
            sleep=self.sleep,
            before_sleep=self._notify,
            reraise=True,
        )
        return retrying(operation)

    async def call_async(self, operation: Callable[[], Awaitable[T]]) -> T:
        """`call` for coroutines: ``operation()`` is awaited afresh on every attempt."""
        retrying = AsyncRetrying(
            sleep=self.async_sleep or asyncio.sleep,
            retry=retry_if_exception(self._retries),
            wait=self._wait,
            stop=self._stop,
            before_sleep=self._notify,
            reraise=True,
        )
        return await retrying(operation)
