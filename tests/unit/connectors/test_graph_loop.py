"""EventLoopThread: synchronous callers drive coroutines on one background loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from connectors.graph.loop import EventLoopThread


@pytest.fixture
def loop() -> Iterator[EventLoopThread]:
    runner = EventLoopThread("graph:test")
    yield runner
    runner.close()


async def _thread_name() -> str:
    await asyncio.sleep(0)
    return threading.current_thread().name


def test_run_answers_the_coroutines_result_from_the_loop_thread(loop: EventLoopThread) -> None:
    assert loop.run(_thread_name(), timeout=5) == "graph:test"


def test_every_call_runs_on_the_same_loop(loop: EventLoopThread) -> None:
    async def current() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    assert loop.run(current(), timeout=5) is loop.run(current(), timeout=5)


def test_a_coroutine_that_overruns_its_timeout_is_cancelled(loop: EventLoopThread) -> None:
    cancelled = threading.Event()

    async def forever() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    with pytest.raises(TimeoutError, match=r"no answer within 0\.05 s"):
        loop.run(forever(), timeout=0.05)
    assert cancelled.wait(5)


def test_exceptions_reach_the_caller(loop: EventLoopThread) -> None:
    async def fail() -> None:
        raise LookupError("from the loop")

    with pytest.raises(LookupError, match="from the loop"):
        loop.run(fail(), timeout=5)


def test_close_runs_the_final_coroutine_then_refuses_work() -> None:
    runner = EventLoopThread("graph:closing")
    finished: list[str] = []

    async def final() -> None:
        finished.append("connections closed")

    runner.close(final())
    runner.close()

    assert finished == ["connections closed"]
    assert runner.closed
    with pytest.raises(RuntimeError, match="closed"):
        runner.run(_thread_name(), timeout=5)


def test_run_from_the_loop_thread_is_refused(loop: EventLoopThread) -> None:
    async def nested() -> str:
        inner = _thread_name()
        try:
            loop.run(inner, timeout=1)
        except RuntimeError as error:
            return str(error)
        return "ran"

    assert "own loop" in loop.run(nested(), timeout=5)
