"""PlannerWriter's step table, for answers the sandbox does not give on demand.

Batches go through a real `GraphSession` (msgraph's adapter and middleware) into an
``httpx.MockTransport`` that answers each step as the test says.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from connectors.errors import AuthenticationError, RetryableError
from connectors.graph import GraphSession, PlannerPatch, PlannerWriter
from connectors.graph.batch import BatchStep, send_batch
from connectors.retry import RetryPolicy

BASE = "https://graph.test/v1.0"
ETAG = 'W/"JzEtVGFzayAgQEBAQEBAQEBAQEBAQEBAWCc="'
StepAnswerer = Callable[[dict[str, Any], int], dict[str, Any]]
"""Answers one step (as sent) in the n-th batch (from 0): ``{"status", "headers", "body"}``."""


class Batches:
    """A transport handler for ``$batch``: keeps every batch and answers each step."""

    def __init__(self, answer: StepAnswerer) -> None:
        self.answer = answer
        self.sent: list[list[dict[str, Any]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        steps = json.loads(request.content)["requests"]
        self.sent.append(steps)
        number = len(self.sent) - 1
        answers = [{"id": step["id"], **self.answer(step, number)} for step in steps]
        return httpx.Response(200, json={"responses": list(reversed(answers))})


def applied(step: dict[str, Any], batch: int) -> dict[str, Any]:
    body = {"id": step["url"].split("/")[3], "@odata.etag": f'W/"{batch}"', **step["body"]}
    return {"status": 200, "headers": {"Content-Type": "application/json"}, "body": body}


def error(status: int, code: str = "", **headers: str) -> dict[str, Any]:
    return {"status": status, "headers": headers, "body": {"error": {"code": code, "message": "x"}}}


def patch(item_id: str = "t1", **body: Any) -> PlannerPatch:
    return PlannerPatch(target="task", item_id=item_id, etag=ETAG, body=body or {"title": "A"})


@pytest.fixture
def open_writer() -> Iterator[Callable[..., PlannerWriter]]:
    sessions: list[GraphSession] = []

    def make(handler: Any, *, policy: RetryPolicy | None = None) -> PlannerWriter:
        session = GraphSession(base_url=BASE, token="t", transport=httpx.MockTransport(handler))
        sessions.append(session)
        chosen = policy or RetryPolicy(sleep=lambda seconds: None, max_attempts=3)
        return PlannerWriter(session=session, source="planner:northwind", policy=chosen)

    yield make
    for session in sessions:
        session.close()


def test_each_step_is_a_parallel_patch_with_if_match_and_prefer(
    open_writer: Callable[..., PlannerWriter],
) -> None:
    batches = Batches(applied)
    details = PlannerPatch(target="details", item_id="t 2", etag=ETAG, body={"checklist": {}})

    open_writer(batches).patch([patch(), details])

    (steps,) = batches.sent
    assert steps[0] == {
        "id": "0",
        "method": "PATCH",
        "url": "/planner/tasks/t1",
        "headers": {
            "If-Match": ETAG,
            "Content-Type": "application/json",
            "Prefer": "return=representation",
        },
        "body": {"title": "A"},
    }
    assert steps[1]["url"] == "/planner/tasks/t%202/details"
    assert all("dependsOn" not in step for step in steps)


@pytest.mark.parametrize(
    ("answer", "status", "code"),
    [
        (error(412), "stale", ""),
        (error(409, "Conflict"), "stale", "Conflict"),
        (error(403, "MaximumChecklistItemsOnTask"), "rejected", "MaximumChecklistItemsOnTask"),
        (error(404, "NotFound"), "rejected", "NotFound"),
        (error(400, "BadRequest"), "rejected", "BadRequest"),
    ],
)
def test_a_settled_step_is_stale_or_rejected_by_its_status(
    open_writer: Callable[..., PlannerWriter], answer: dict[str, Any], status: str, code: str
) -> None:
    (outcome,) = open_writer(Batches(lambda step, n: answer)).patch([patch()])

    assert (outcome.status, outcome.code, outcome.message) == (status, code, "x")


def test_a_204_is_applied_without_an_etag(open_writer: Callable[..., PlannerWriter]) -> None:
    (outcome,) = open_writer(Batches(lambda step, n: {"status": 204})).patch([patch()])

    assert (outcome.status, outcome.etag, outcome.body) == ("applied", None, None)


@pytest.mark.parametrize("transient", [error(503), error(500), error(424), {}])
def test_a_failed_or_missing_step_is_sent_again_alone(
    open_writer: Callable[..., PlannerWriter], transient: dict[str, Any]
) -> None:
    def answer(step: dict[str, Any], batch: int) -> dict[str, Any]:
        return transient if step["id"] == "1" and batch == 0 else applied(step, batch)

    batches = Batches(answer)

    outcomes = open_writer(batches).patch([patch("t1"), patch("t2")])

    assert [o.status for o in outcomes] == ["applied", "applied"]
    assert [len(steps) for steps in batches.sent] == [2, 1]
    assert outcomes[1].etag == 'W/"1"'


def test_throttling_that_never_ends_gives_up_after_the_policys_attempts(
    open_writer: Callable[..., PlannerWriter],
) -> None:
    waits: list[float] = []
    policy = RetryPolicy(sleep=waits.append, max_attempts=3, max_total_wait=100)
    batches = Batches(lambda step, n: error(429, "TooManyRequests", **{"Retry-After": "4"}))

    with pytest.raises(RetryableError) as gave_up:
        open_writer(batches, policy=policy).patch([patch()])

    assert gave_up.value.status == 429
    assert waits == [4.0, 4.0]
    assert len(batches.sent) == 3


def test_a_step_refusing_the_token_is_an_authentication_error(
    open_writer: Callable[..., PlannerWriter],
) -> None:
    with pytest.raises(AuthenticationError):
        open_writer(Batches(lambda step, n: error(401, "InvalidAuthenticationToken"))).patch(
            [patch()]
        )


def test_a_refused_batch_is_an_authentication_error(
    open_writer: Callable[..., PlannerWriter],
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"error": {"code": "Forbidden", "message": "no"}})

    with pytest.raises(AuthenticationError):
        open_writer(refuse).patch([patch()])


def test_a_batch_takes_at_most_twenty_steps_with_unique_ids() -> None:
    session = GraphSession(
        base_url=BASE, token="t", transport=httpx.MockTransport(Batches(applied))
    )
    try:
        many = [BatchStep(id=str(n), method="GET", url="/x") for n in range(21)]
        twice = [
            BatchStep(id="a", method="GET", url="/x"),
            BatchStep(id="A", method="GET", url="/y"),
        ]
        with pytest.raises(ValueError, match="at most 20"):
            send_batch(session, many, source="planner:northwind")
        with pytest.raises(ValueError, match="unique"):
            send_batch(session, twice, source="planner:northwind")
    finally:
        session.close()


def test_a_step_with_a_body_names_its_content_type() -> None:
    step = BatchStep(id="1", method="POST", url="/planner/tasks", body={"title": "A"})

    assert step.wire()["headers"] == {"Content-Type": "application/json"}
