"""The connectors' one retry policy: what it retries, how long it waits, when it gives up."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from connectors.errors import AuthenticationError, RetryableError
from connectors.retry import RetryPolicy, retry_after_seconds

SOURCE = "jira:pmo"
NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)


class Flaky:
    """Fails with the given errors in turn, then answers "done"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def throttled(retry_after: float | None = None) -> RetryableError:
    return RetryableError("429 Too Many Requests", source=SOURCE, retry_after=retry_after)


def policy(waits: list[float], **overrides: object) -> RetryPolicy:
    settings: dict[str, object] = {"sleep": waits.append, "jitter": lambda cap: cap}
    return RetryPolicy(**(settings | overrides))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 0 ", 0.0),
        ("Mon, 23 Nov 2026 12:00:30 GMT", 30.0),
        ("Mon, 23 Nov 2026 11:59:00 GMT", 0.0),  # already past
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(
    header: str | None, seconds: float | None
) -> None:
    assert retry_after_seconds(header, now=NOW) == seconds


def test_retry_after_is_honoured_as_sent() -> None:
    waits: list[float] = []
    flaky = Flaky(throttled(retry_after=3), throttled(retry_after=0))

    assert policy(waits).call(flaky) == "done"
    assert waits == [3, 0]
    assert flaky.calls == 3


def test_without_retry_after_the_backoff_doubles_up_to_its_cap() -> None:
    waits: list[float] = []
    flaky = Flaky(*(throttled() for _ in range(4)))

    policy(waits, base_delay=1, max_delay=3, max_total_wait=100).call(flaky)

    assert waits == [1, 2, 3, 3]


def test_attempts_are_bounded_and_the_last_error_surfaces() -> None:
    waits: list[float] = []
    flaky = Flaky(*(throttled(retry_after=1) for _ in range(10)))

    with pytest.raises(RetryableError):
        policy(waits, max_attempts=3).call(flaky)

    assert flaky.calls == 3
    assert waits == [1, 1]


def test_a_wait_that_would_overrun_the_total_budget_is_not_taken() -> None:
    waits: list[float] = []
    flaky = Flaky(throttled(retry_after=5), throttled(retry_after=6))

    with pytest.raises(RetryableError):
        policy(waits, max_total_wait=10).call(flaky)

    assert waits == [5]
    assert flaky.calls == 2


def test_errors_that_retrying_cannot_fix_surface_at_once() -> None:
    waits: list[float] = []
    flaky = Flaky(AuthenticationError("401 Unauthorized", source=SOURCE))

    with pytest.raises(AuthenticationError, match="jira:pmo: 401 Unauthorized"):
        policy(waits).call(flaky)

    assert flaky.calls == 1
    assert waits == []


def test_listeners_hear_of_every_retry_and_its_wait() -> None:
    heard: list[tuple[str, float]] = []
    waits: list[float] = []

    policy(waits, on_retry=lambda error, wait: heard.append((error.detail, wait))).call(
        Flaky(throttled(retry_after=2))
    )

    assert heard == [("429 Too Many Requests", 2)]


def test_coroutines_are_retried_with_a_fresh_attempt_each_time() -> None:
    waits: list[float] = []
    flaky = Flaky(throttled(retry_after=4))

    async def attempt() -> str:
        return flaky()

    async def record(seconds: float) -> None:
        waits.append(seconds)

    result = asyncio.run(policy([], async_sleep=record).call_async(attempt))

    assert result == "done"
    assert waits == [4]


@pytest.mark.parametrize(
    "settings",
    [{"max_attempts": 0}, {"max_total_wait": -1}, {"base_delay": -0.5}],
)
def test_nonsense_settings_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        RetryPolicy(**settings)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "calls"),
    [
        pytest.param(RetryableError("429", source=SOURCE, status=429), 2, id="throttled: again"),
        pytest.param(RetryableError("503", source=SOURCE, status=503), 1, id="5xx: not again"),
        pytest.param(RetryableError("dropped", source=SOURCE), 1, id="network: not again"),
    ],
)
def test_a_create_is_sent_again_only_when_the_tool_did_not_handle_it(
    error: RetryableError, calls: int
) -> None:
    flaky = Flaky(error)

    try:
        policy([]).for_creates().call(flaky)
    except RetryableError:
        assert calls == 1
    assert flaky.calls == calls
