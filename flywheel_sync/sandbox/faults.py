"""Latency, rate limiting and injected faults: the sandbox's knobs for realistic trouble.

Settable at start (``sandbox serve --latency-ms --rate-limit --fault-rate``) and at runtime
through ``/_sandbox/faults``. The rate limit is a token bucket per service, answered with 429
and an integer ``Retry-After`` (the jira library crashes on HTTP-date values; libraries.md §2).
Faults are 500/503 answers and connections dropped mid-response.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Fault", "FaultSettings", "Faults", "TokenBucket"]


class FaultSettings(BaseModel):
    """The knobs, as accepted by ``POST /_sandbox/faults`` (missing keys keep their value)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    latency_ms: float = Field(default=0.0, ge=0, le=60_000)
    latency_jitter_ms: float = Field(default=0.0, ge=0, le=60_000)
    rate_limit: float | None = Field(
        default=None, gt=0, description="Requests per second per service; None: unlimited."
    )
    burst: int | None = Field(default=None, ge=1, description="Bucket size; default: 1 s worth.")
    fault_rate: float = Field(default=0.0, ge=0, le=1, description="Share of requests failed.")


class Fault(StrEnum):
    """What an injected fault does to a request."""

    ERROR_500 = "500"
    ERROR_503 = "503"
    DROP = "drop"


@dataclass
class TokenBucket:
    """A token bucket: ``rate`` tokens a second, holding at most ``capacity``."""

    rate: float
    capacity: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take one token; return 0 when granted, else the seconds until one is available."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class Faults:
    """Thread-safe fault decisions shared by every request of one sandbox."""

    def __init__(
        self,
        settings: FaultSettings,
        *,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)  # noqa: S311 - fault injection, not cryptography
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._settings = settings

    @property
    def settings(self) -> FaultSettings:
        """The knobs in force."""
        return self._settings

    def update(self, changes: FaultSettings, fields: set[str]) -> FaultSettings:
        """Apply the given fields of ``changes``; buckets restart full under a new limit."""
        with self._lock:
            merged = self._settings.model_copy(update={f: getattr(changes, f) for f in fields})
            self._settings = FaultSettings.model_validate(merged.model_dump())
            self._buckets.clear()
            return self._settings

    def latency_seconds(self) -> float:
        """How long to hold the next request."""
        with self._lock:
            base, jitter = self._settings.latency_ms, self._settings.latency_jitter_ms
            extra = self._random.uniform(0, jitter) if jitter else 0.0
        return (base + extra) / 1000

    def retry_after(self, service: str) -> int | None:
        """None when the request may proceed, else the whole seconds the client must wait."""
        with self._lock:
            rate = self._settings.rate_limit
            if rate is None:
                return None
            bucket = self._buckets.get(service)
            now = self._clock()
            if bucket is None:
                capacity = float(self._settings.burst or max(1, math.ceil(rate)))
                bucket = TokenBucket(rate=rate, capacity=capacity, tokens=capacity, updated=now)
                self._buckets[service] = bucket
            wait = bucket.take(now)
        return None if wait == 0 else max(1, math.ceil(wait))

    def fault(self) -> Fault | None:
        """The fault to inject into the next request, if any."""
        with self._lock:
            if self._settings.fault_rate == 0 or self._random.random() >= self._settings.fault_rate:
                return None
            return self._random.choice(tuple(Fault))
