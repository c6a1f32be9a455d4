"""The hand-over between readers and the writer: ordered, bounded, and stoppable."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from flywheel_sync.pull.handover import (
    Handover,
    PageRead,
    ReaderExited,
    ReaderMessage,
    ReadingStopped,
    ScopeEnded,
    ScopeStarted,
)
from tests.unit.pull.builders import WAIT, page


def asked_on_a_thread(handover: Handover) -> tuple[threading.Thread, list[object]]:
    """A reader thread asking where ``PMO`` starts; its answer (or error) lands in the list."""
    answers: list[object] = []

    def ask() -> None:
        try:
            answers.append(handover.ask(0, "PMO"))
        except ReadingStopped as stopped:
            answers.append(stopped)

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    return thread, answers


def test_messages_arrive_in_the_order_they_were_sent() -> None:
    handover = Handover(max_pending=4)
    sent: list[ReaderMessage] = [
        PageRead(source=0, page=page("PMO", "PMO-1")),
        PageRead(source=1, page=page("plan", "T-1")),
        ScopeEnded(source=0),
    ]

    for message in sent:
        handover.send(message)
    handover.exited(None)

    assert [handover.receive(timeout=WAIT) for _ in range(4)] == [*sent, ReaderExited()]


def test_a_reader_gets_the_watermark_the_writer_gives() -> None:
    handover = Handover(max_pending=1)
    thread, answers = asked_on_a_thread(handover)

    started = handover.receive(timeout=WAIT)
    assert isinstance(started, ScopeStarted)
    assert (started.source, started.scope) == (0, "PMO")
    started.answer.give("2026-11-23T10:00:00Z")
    thread.join(WAIT)

    assert answers == ["2026-11-23T10:00:00Z"]


def test_stop_wakes_a_reader_waiting_for_its_watermark() -> None:
    handover = Handover(max_pending=1)
    thread, answers = asked_on_a_thread(handover)
    assert isinstance(handover.receive(timeout=WAIT), ScopeStarted)

    handover.stop()
    thread.join(WAIT)

    assert not thread.is_alive()
    assert [type(answer) for answer in answers] == [ReadingStopped]


@pytest.mark.parametrize(
    "reader_step",
    [
        pytest.param(lambda h: h.send(ScopeEnded(source=0)), id="send"),
        pytest.param(lambda h: h.ask(0, "PMO"), id="ask"),
    ],
)
def test_after_stop_a_reader_can_neither_send_nor_ask(
    reader_step: Callable[[Handover], object],
) -> None:
    handover = Handover(max_pending=1)
    handover.stop()

    with pytest.raises(ReadingStopped):
        reader_step(handover)
    assert handover.empty()


def test_a_reader_still_reports_its_exit_after_stop() -> None:
    handover = Handover(max_pending=1)
    handover.stop()
    bug = RuntimeError("connector bug")

    handover.exited(bug)

    assert handover.receive(timeout=WAIT) == ReaderExited(error=bug)


def test_fewer_than_one_pending_message_is_refused() -> None:
    with pytest.raises(ValueError, match="max_pending must be at least 1, got 0"):
        Handover(max_pending=0)
