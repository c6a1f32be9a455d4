"""Hostile Planner and Teams items: quarantined with their reasons, the page goes on.

A scripted Graph answers each list with the hostile items followed by a valid witness, over
the real `GraphSession` (kiota, httpx); one session serves every example of a test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.errors import RetryableError
from connectors.graph.planner import PLANNER_BUCKET, PLANNER_PLAN, PLANNER_TASK, PlannerSource
from connectors.graph.session import GraphSession
from connectors.graph.teams import CHANNEL_MESSAGE, CHANNEL_REPLY, ChannelRef, TeamsSource
from connectors.quarantine import readable_id
from connectors.records import RecordPage
from connectors.retry import RetryPolicy
from tests.unit.connectors.hostile_records import (
    EVERY_RUN,
    assert_storable,
    hostile_items,
)

BASE = "https://graph.test/v1.0"
PLAN, TEAM, CHANNEL = "plan-1", "team-1", "19:general@thread.tacv2"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NO_WAIT = RetryPolicy(sleep=lambda seconds: None, max_attempts=2)

TASK = {
    "@odata.etag": 'W/"task-1"',
    "id": "task-1",
    "planId": PLAN,
    "bucketId": "bucket-1",
    "title": "Kick-off",
    "percentComplete": 0,
    "appliedCategories": {"category1": True},
    "assignments": {"user-1": {"orderHint": "8585"}},
}
WITNESS_TASK = TASK | {"id": "task-witness", "@odata.etag": 'W/"witness"'}
BUCKET = {"@odata.etag": 'W/"b"', "id": "bucket-1", "planId": PLAN, "name": "Onboarding"}
MESSAGE = {
    "id": "1700000000001",
    "replyToId": None,
    "messageType": "message",
    "lastModifiedDateTime": "2026-11-23T08:00:00.000Z",
    "from": {"user": {"id": "user-1", "displayName": "Ada", "userIdentityType": "aadUser"}},
    "body": {"contentType": "html", "content": "<p>Hello</p>"},
    "replies": [{"id": "1700000000002", "replyToId": "1700000000001"}],
}
WITNESS_MESSAGE = MESSAGE | {"id": "1700000000009", "replies": []}


@dataclass
class ScriptedGraph:
    """Answers every GET from ``answers`` by path (404 otherwise) and every batch step 404."""

    answers: dict[str, Any] = field(default_factory=dict)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1.0")
        if request.method == "POST":
            return httpx.Response(200, json={"responses": self._steps(request.content)})
        answer = self.answers.get(path)
        if answer is None:
            return httpx.Response(404, json={"error": {"code": "NotFound", "message": path}})
        return httpx.Response(200, json=answer)

    def _steps(self, content: bytes) -> list[dict[str, Any]]:
        found = []
        for step in json.loads(content)["requests"]:
            body = self.answers.get(step["url"].split("?")[0])
            status = 404 if body is None else 200
            found.append({"id": step["id"], "status": status, "headers": {}, "body": body or {}})
        return found


@pytest.fixture
def graph() -> ScriptedGraph:
    return ScriptedGraph()


@pytest.fixture
def session(graph: ScriptedGraph) -> Iterator[GraphSession]:
    with GraphSession(base_url=BASE, token="t", transport=httpx.MockTransport(graph)) as opened:
        yield opened


def _readable(item: Any) -> bool:
    return (
        isinstance(item, dict) and isinstance(item.get("id"), str) and bool(readable_id(item["id"]))
    )


# ---------------------------------------------------------------- Planner


def script_plan(graph: ScriptedGraph, tasks: list[Any], buckets: list[Any]) -> None:
    """Graph answers the plan with these tasks and buckets, each list ending with a valid one."""
    graph.answers = {
        f"/planner/plans/{PLAN}": {"id": PLAN, "title": "Onboarding", "@odata.etag": 'W/"p"'},
        f"/planner/plans/{PLAN}/details": {"id": PLAN, "categoryDescriptions": {}},
        f"/planner/plans/{PLAN}/buckets": {"value": [*buckets, BUCKET]},
        f"/planner/plans/{PLAN}/tasks": {"value": [*tasks, WITNESS_TASK]},
    }
    for task in filter(_readable, [*tasks, WITNESS_TASK]):
        details = {"id": task["id"], "checklist": {}}
        graph.answers[f"/planner/tasks/{task['id']}/details"] = details


def read_plan(session: GraphSession) -> list[RecordPage]:
    planner = PlannerSource(
        name="planner:test", session=session, group_ids=["g"], policy=NO_WAIT, clock=lambda: NOW
    )
    return list(planner.pages(PLAN, None))


@settings(EVERY_RUN)
@given(
    tasks=st.lists(hostile_items(TASK), min_size=1, max_size=4),
    buckets=st.lists(hostile_items(BUCKET), max_size=2),
)
def test_every_hostile_task_and_bucket_is_a_record_or_quarantined(
    session: GraphSession, graph: ScriptedGraph, tasks: list[Any], buckets: list[Any]
) -> None:
    script_plan(graph, tasks, buckets)

    pages = read_plan(session)

    assert_storable(pages)
    records = {(r.record_type, r.external_id) for page in pages for r in page.records}
    quarantined = [entry for page in pages for entry in page.quarantined]
    assert (PLANNER_TASK, WITNESS_TASK["id"]) in records  # the page went on
    assert (PLANNER_BUCKET, BUCKET["id"]) in records
    unreadable = [item for item in [*tasks, *buckets] if not _readable(item)]
    assert len(quarantined) >= len(unreadable)
    for task in filter(_readable, tasks):
        in_quarantine = (PLANNER_TASK, task["id"]) in {
            (entry.record_type, entry.external_id) for entry in quarantined
        }
        assert ((PLANNER_TASK, task["id"]) in records) or in_quarantine


PLANNER_CASES: dict[str, tuple[Any, str | None, str]] = {
    "not an object": ("task", None, "Graph listed a planner_task without a readable id"),
    "no id": (
        {k: v for k, v in TASK.items() if k != "id"},
        None,
        "Graph listed a planner_task without a readable id",
    ),
    "an id of another type": (
        TASK | {"id": 7},
        None,
        "Graph listed a planner_task without a readable id",
    ),
    "an id that is a path": (
        TASK | {"id": "../groups"},
        "../groups",
        "the task id '../groups' is not a Planner id",
    ),
}


@pytest.mark.parametrize("case", PLANNER_CASES)
def test_an_unreadable_task_is_quarantined_with_its_reason(
    session: GraphSession, graph: ScriptedGraph, case: str
) -> None:
    task, external_id, reason = PLANNER_CASES[case]
    script_plan(graph, [task], [])

    pages = read_plan(session)

    (entry,) = [entry for page in pages for entry in page.quarantined]
    assert (entry.record_type, entry.external_id, entry.reason) == (
        PLANNER_TASK,
        external_id,
        reason,
    )


def test_a_plan_answered_without_an_id_is_quarantined(
    session: GraphSession, graph: ScriptedGraph
) -> None:
    script_plan(graph, [], [])
    graph.answers[f"/planner/plans/{PLAN}"] = {"title": "No id"}

    pages = read_plan(session)

    quarantined = [(e.record_type, e.external_id) for p in pages for e in p.quarantined]
    assert quarantined == [(PLANNER_PLAN, PLAN)]
    assert (PLANNER_TASK, WITNESS_TASK["id"]) in {
        (r.record_type, r.external_id) for p in pages for r in p.records
    }


def test_a_list_whose_value_is_not_a_list_fails_the_scope(
    session: GraphSession, graph: ScriptedGraph
) -> None:
    script_plan(graph, [], [])
    graph.answers[f"/planner/plans/{PLAN}/tasks"] = {"value": {"id": "task-1"}}

    with pytest.raises(RetryableError, match="'value' is not a list"):
        read_plan(session)


# ---------------------------------------------------------------- Teams

LIST = f"/teams/{TEAM}/channels/{CHANNEL}/messages"


def read_channel(
    session: GraphSession, graph: ScriptedGraph, messages: list[Any]
) -> list[RecordPage]:
    graph.answers = {
        LIST: {"value": [*messages, WITNESS_MESSAGE]},
        f"{LIST}/delta": {"value": [], "@odata.deltaLink": f"{BASE}{LIST}/delta?$deltatoken=1"},
        f"{LIST}/1700000000001/replies": {"value": [{"id": "1700000000003"}]},
    }
    teams = TeamsSource(
        name="teams:test",
        session=session,
        channels=[ChannelRef(team_id=TEAM, channel_id=CHANNEL)],
        policy=NO_WAIT,
        clock=lambda: NOW,
    )
    return list(teams.pages(f"{TEAM}/{CHANNEL}", None))


HOSTILE_MESSAGE = MESSAGE | {"replies@odata.nextLink": f"{BASE}{LIST}/1700000000001/replies"}


@settings(EVERY_RUN)
@given(messages=st.lists(hostile_items(HOSTILE_MESSAGE), min_size=1, max_size=4))
def test_every_hostile_message_is_a_record_or_quarantined(
    session: GraphSession, graph: ScriptedGraph, messages: list[Any]
) -> None:
    pages = read_channel(session, graph, messages)

    assert_storable(pages)
    records = {(r.record_type, r.external_id) for page in pages for r in page.records}
    quarantined = [entry for page in pages for entry in page.quarantined]
    assert (CHANNEL_MESSAGE, f"{CHANNEL}/{WITNESS_MESSAGE['id']}") in records
    unreadable_roots = [m for m in messages if not _readable(m)]
    assert len([e for e in quarantined if e.record_type == CHANNEL_MESSAGE]) == len(
        unreadable_roots
    )


TEAMS_CASES: dict[str, tuple[Any, str, str]] = {
    "a root without an id": (
        {k: v for k, v in MESSAGE.items() if k != "id"},
        CHANNEL_MESSAGE,
        "Graph listed a channel_message without a readable id",
    ),
    "a reply that is not an object": (
        MESSAGE | {"replies": ["hello"]},
        CHANNEL_REPLY,
        "Graph listed a channel_reply without a readable id",
    ),
    "replies that are not a list": (
        MESSAGE | {"replies": {"id": "2"}},
        CHANNEL_REPLY,
        "message 1700000000001: its 'replies' are not a list (dict of 1)",
    ),
    "a replies link outside Graph": (
        MESSAGE | {"replies@odata.nextLink": "https://attacker.test/steal"},
        CHANNEL_REPLY,
        "message 1700000000001: its replies link is not a Graph link "
        "('https://attacker.test/steal')",
    ),
}


@pytest.mark.parametrize("case", TEAMS_CASES)
def test_an_unreadable_message_is_quarantined_with_its_reason(
    session: GraphSession, graph: ScriptedGraph, case: str
) -> None:
    message, record_type, reason = TEAMS_CASES[case]

    pages = read_channel(session, graph, [message])

    (entry,) = [entry for page in pages for entry in page.quarantined]
    assert (entry.record_type, entry.reason) == (record_type, reason)


def test_a_replies_link_outside_graph_is_never_requested(
    session: GraphSession, graph: ScriptedGraph
) -> None:
    asked: list[str] = []
    answer: Callable[[httpx.Request], httpx.Response] = graph.__call__

    def spy(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return answer(request)

    message = MESSAGE | {"replies@odata.nextLink": "https://attacker.test/steal"}
    with GraphSession(base_url=BASE, token="t", transport=httpx.MockTransport(spy)) as spied:
        read_channel(spied, graph, [message])

    assert not [url for url in asked if "attacker" in url]
