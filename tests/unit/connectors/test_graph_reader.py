"""GraphReader: retried requests, nextLink paging with a loop guard, and ``$batch`` GETs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from connectors.errors import AuthenticationError, ConnectorError, RetryableError
from connectors.graph.reader import GraphReader
from connectors.graph.session import GraphSession
from connectors.retry import RetryPolicy

BASE = "https://graph.test/v1.0"
SOURCE = "planner:northwind"
Handler = Callable[[httpx.Request], httpx.Response]


class Steps:
    """A ``$batch`` endpoint whose steps answer from a script, one status list per path."""

    def __init__(
        self, script: dict[str, list[int]], retry_after: dict[str, str] | None = None
    ) -> None:
        self.script = script
        self.retry_after = retry_after or {}
        self.batches: list[list[str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        steps = json.loads(request.content)["requests"]
        self.batches.append([step["url"] for step in steps])
        return httpx.Response(200, json={"responses": [self._answer(s) for s in steps]})

    def _answer(self, step: dict[str, Any]) -> dict[str, Any]:
        statuses = self.script.get(step["url"], [])
        status = statuses.pop(0) if statuses else 200
        if status == 200:
            body = {"@odata.context": "ctx", "id": step["url"], "@odata.etag": 'W/"x"'}
            return {"id": step["id"], "status": 200, "headers": {}, "body": body}
        wait = self.retry_after.get(step["url"], "3")
        headers = {"Retry-After": wait} if status == 429 else {}
        error = {"error": {"code": "", "message": f"step {status}"}}
        return {"id": step["id"], "status": status, "headers": headers, "body": error}


@pytest.fixture
def make_reader() -> Iterator[Callable[..., tuple[GraphReader, list[float]]]]:
    sessions: list[GraphSession] = []

    def make(handler: Handler, **policy: Any) -> tuple[GraphReader, list[float]]:
        session = GraphSession(base_url=BASE, token="t", transport=httpx.MockTransport(handler))
        sessions.append(session)
        waits: list[float] = []
        settings: dict[str, Any] = {"sleep": waits.append, "jitter": lambda cap: cap} | policy
        return GraphReader(session, RetryPolicy(**settings), source=SOURCE), waits

    yield make
    for session in sessions:
        session.close()


def test_get_retries_a_throttled_request_after_its_retry_after(
    make_reader: Callable[..., tuple[GraphReader, list[float]]],
) -> None:
    answers = iter(
        [
            httpx.Response(
                429,
                json={"error": {"code": "TooManyRequests", "message": "x"}},
                headers={"Retry-After": "2"},
            ),
            httpx.Response(200, json={"id": "p1"}),
        ]
    )
    reader, waits = make_reader(lambda r: next(answers))

    assert reader.get("/planner/plans/p1") == {"id": "p1"}
    assert waits == [2.0]
    assert reader.take_requests() == 2
    assert reader.take_requests() == 0


def _paged(links: dict[str, str | None]) -> Handler:
    """Answers each URL with one item and the next link the table gives."""

    def handler(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        body: dict[str, Any] = {"value": [{"id": url}]}
        if links[url] is not None:
            body["@odata.nextLink"] = links[url]
        return httpx.Response(200, json=body)

    return handler


def test_pages_follow_next_links_verbatim_until_there_is_none(
    make_reader: Callable[..., tuple[GraphReader, list[float]]],
) -> None:
    first = f"{BASE}/planner/plans/p1/tasks"
    second = f"{BASE}/planner/plans/p1/tasks?$skiptoken=a%2Bb"
    reader, _ = make_reader(_paged({first: second, second: None}))

    pages = list(reader.pages("/planner/plans/p1/tasks"))

    assert [page["value"][0]["id"] for page in pages] == [first, second]


def test_pages_refuse_a_link_they_already_followed(
    make_reader: Callable[..., tuple[GraphReader, list[float]]],
) -> None:
    first = f"{BASE}/tasks"
    second = f"{BASE}/tasks?$skiptoken=1"
    reader, _ = make_reader(_paged({first: second, second: second}))

    with pytest.raises(ConnectorError, match="repeated the page link"):
        list(reader.pages(first))


def test_batch_get_reads_in_batches_of_twenty_and_drops_the_context(
    make_reader: Callable[..., tuple[GraphReader, list[float]]],
) -> None:
    steps = Steps({})
    reader, _ = make_reader(steps)
    paths = [f"/planner/tasks/t{n}/details" for n in range(25)]

    found = reader.batch_get(paths)

    assert [len(batch) for batch in steps.batches] == [20, 5]
    assert found[paths[0]] == {"id": paths[0], "@odata.etag": 'W/"x"'}
    assert reader.requests == 2


def test_batch_get_answers_none_for_a_missing_object(
    make_reader: Callable[..., tuple[GraphReader, list[float]]],
) -> None:
    reader, _ = make_reader(Steps({"/planner/tasks/gone/details": [404]}))

    found = reader.batch_get(["/planner/tasks/gone/details", "/planner/tasks/t1/details"])

    assert found["/planner/tasks/gone/details"] is None
    assert found["/planner/tasks/t1/details"] is not None


def test_batch_get_resends_only_the_failed_steps_without_waiting_while_some_complete(
    make_reader: Callable[..., tuple[GraphReader, list[float]]],
) -> None:
    steps = Steps({"/b": [429], "/c": [503]})
    reader, waits = make_reader(steps)

    found = reader.batch_get(["/a", "/b", "/c"])

    assert steps.batches == [["/a", "/b", "/c"], ["/b", "/c"]]
    assert set(found) == {"/a", "/b", "/c"}
    assert waits == []


def test_a_round_where_no_step_completes_waits_the_longest_retry_after(
    make_reader: Callable[..., tuple[GraphReader, list[float]]],
) -> None:
    steps = Steps({"/a": [429, 429], "/b": [429]}, retry_after={"/a": "2", "/b": "5"})
    reader, waits = make_reader(steps)

    reader.batch_get(["/a", "/b"])

    assert steps.batches == [["/a", "/b"], ["/a", "/b"], ["/a"]]
    assert waits == [5.0]


def test_batch_get_gives_up_when_the_policy_does(
    make_reader: Callable[..., tuple[GraphReader, list[float]]],
) -> None:
    reader, waits = make_reader(Steps({"/a": [503] * 10}), max_attempts=3)

    with pytest.raises(RetryableError, match="1 \\$batch steps failed"):
        reader.batch_get(["/a"])
    assert len(waits) == 2


def test_a_step_refused_for_good_raises_its_error(
    make_reader: Callable[..., tuple[GraphReader, list[float]]],
) -> None:
    reader, _ = make_reader(Steps({"/planner/tasks/t1/details": [403]}))

    with pytest.raises(AuthenticationError, match="GET /planner/tasks/t1/details answered 403"):
        reader.batch_get(["/planner/tasks/t1/details"])


def test_a_throttled_batch_request_is_retried_whole(
    make_reader: Callable[..., tuple[GraphReader, list[float]]],
) -> None:
    steps = Steps({})
    answers: list[Handler] = [
        lambda r: httpx.Response(
            429, json={"error": {"code": "", "message": ""}}, headers={"Retry-After": "1"}
        ),
        steps,
    ]
    reader, waits = make_reader(lambda request: answers.pop(0)(request))

    assert reader.batch_get(["/a"])["/a"] is not None
    assert waits == [1.0]
    assert reader.requests == 2
