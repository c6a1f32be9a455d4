"""PlannerWriter against the sandbox: raw ``$batch`` PATCHes through msgraph's request adapter.

Each test patches tasks it creates itself, and reads them back from the sandbox's Graph
endpoints over plain HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from itertools import count
from typing import Any

import httpx
import pytest

from connectors.errors import AuthenticationError, RetryableError, WriteRejectedError
from connectors.graph import GraphSession, PlannerPatch, PlannerWriter
from connectors.retry import RetryPolicy
from flywheel_sync.sandbox.graph.app import GRAPH_ROOT
from flywheel_sync.sandbox.server import SandboxServer
from tests.integration.graph_clients import GRAPH_TOKEN

FAST = RetryPolicy(sleep=lambda seconds: None, max_attempts=3)
ITEM = "microsoft.graph.plannerChecklistItem"
_numbers = count(1)


def guid() -> str:
    return f"00000000-0000-4000-8000-{next(_numbers):012d}"


def graph(server: SandboxServer) -> httpx.Client:
    headers = {"Authorization": f"Bearer {GRAPH_TOKEN}"}
    return httpx.Client(base_url=server.url + GRAPH_ROOT, headers=headers)


def new_task(server: SandboxServer, title: str = "Onboard Grid Ops") -> dict[str, Any]:
    plan_id = server.state.organisation.planner.plans[0]["id"]
    with graph(server) as client:
        created = client.post("/planner/tasks", json={"planId": plan_id, "title": title})
    created.raise_for_status()
    return dict(created.json())


def read(server: SandboxServer, path: str) -> dict[str, Any]:
    with graph(server) as client:
        answer = client.get(path)
    answer.raise_for_status()
    return dict(answer.json())


def checklist(items: dict[str, str]) -> dict[str, Any]:
    return {
        "checklist": {
            key: {"@odata.type": ITEM, "title": title, "isChecked": False}
            for key, title in items.items()
        }
    }


def set_faults(server: SandboxServer, **knobs: object) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=knobs).raise_for_status()


def batches(server: SandboxServer) -> int:
    stats = httpx.get(f"{server.url}/_sandbox/stats").json()
    return int(stats["requests"].get("POST /graph/v1.0/$batch", 0))


@pytest.fixture
def open_writer() -> Iterator[Any]:
    sessions: list[GraphSession] = []

    def make(
        server: SandboxServer, *, policy: RetryPolicy = FAST, token: str = GRAPH_TOKEN
    ) -> PlannerWriter:
        session = GraphSession(base_url=server.url + GRAPH_ROOT, token=token, timeout=10)
        sessions.append(session)
        return PlannerWriter(session=session, source="planner:northwind", policy=policy)

    yield make
    for session in sessions:
        session.close()


def test_task_and_details_are_read_fresh_with_their_own_etags(
    cloud: SandboxServer, open_writer: Any
) -> None:
    created = new_task(cloud)
    writer = open_writer(cloud)

    task, details = writer.task(created["id"]), writer.task_details(created["id"])

    assert task["@odata.etag"] == created["@odata.etag"]
    assert details["@odata.etag"] != task["@odata.etag"]
    assert "@odata.context" not in task


def test_reading_a_task_that_is_gone_is_a_404_refusal(
    cloud: SandboxServer, open_writer: Any
) -> None:
    with pytest.raises(WriteRejectedError) as refused:
        open_writer(cloud).task("no-such-task-0000000000000")

    assert refused.value.status == 404


def test_a_task_patch_is_applied_and_returns_the_new_etag(
    cloud: SandboxServer, open_writer: Any
) -> None:
    created = new_task(cloud)
    patch = PlannerPatch(
        target="task", item_id=created["id"], etag=created["@odata.etag"], body={"title": "Done"}
    )

    (outcome,) = open_writer(cloud).patch([patch])

    after = read(cloud, f"/planner/tasks/{created['id']}")
    assert outcome.status == "applied"
    assert outcome.patch is patch
    assert outcome.etag == after["@odata.etag"] != created["@odata.etag"]
    assert outcome.body is not None
    assert outcome.body["title"] == after["title"] == "Done"


def test_checklist_items_are_added_with_the_details_etag(
    cloud: SandboxServer, open_writer: Any
) -> None:
    created = new_task(cloud)
    writer = open_writer(cloud)
    details = writer.task_details(created["id"])
    items = {guid(): "Kick-off held", guid(): "Owner named"}

    (outcome,) = writer.patch(
        [
            PlannerPatch(
                target="details",
                item_id=created["id"],
                etag=details["@odata.etag"],
                body=checklist(items),
            )
        ]
    )

    stored = read(cloud, f"/planner/tasks/{created['id']}/details")["checklist"]
    assert outcome.status == "applied"
    assert {key: item["title"] for key, item in stored.items()} == items
    assert outcome.etag == read(cloud, f"/planner/tasks/{created['id']}/details")["@odata.etag"]


def test_a_stale_etag_is_reported_stale_and_changes_nothing(
    cloud: SandboxServer, open_writer: Any
) -> None:
    created = new_task(cloud)
    writer = open_writer(cloud)
    first = PlannerPatch(
        target="task", item_id=created["id"], etag=created["@odata.etag"], body={"title": "A"}
    )
    writer.patch([first])

    (outcome,) = writer.patch([replace(first, body={"title": "B"})])

    assert outcome.status == "stale"
    assert outcome.etag is None
    assert read(cloud, f"/planner/tasks/{created['id']}")["title"] == "A"


def test_a_twenty_first_checklist_item_is_rejected_with_graphs_code(
    cloud: SandboxServer, open_writer: Any
) -> None:
    created = new_task(cloud)
    writer = open_writer(cloud)
    details = writer.task_details(created["id"])
    items = {guid(): f"Step {n}" for n in range(21)}

    (outcome,) = writer.patch(
        [
            PlannerPatch(
                target="details",
                item_id=created["id"],
                etag=details["@odata.etag"],
                body=checklist(items),
            )
        ]
    )

    assert outcome.status == "rejected"
    assert outcome.code == "MaximumChecklistItemsOnTask"
    assert outcome.message
    assert read(cloud, f"/planner/tasks/{created['id']}/details")["checklist"] == {}


def test_outcomes_come_in_input_order_twenty_patches_a_batch(
    sandbox: SandboxServer, open_writer: Any
) -> None:
    tasks = [new_task(sandbox, f"Task {n}") for n in range(23)]
    patches = [
        PlannerPatch(
            target="task",
            item_id=task["id"],
            etag=task["@odata.etag"] if n != 21 else 'W/"JzEtVGFzayAgQEBAQEBAQEBAQEBAQEBAWCc="',
            body={"percentComplete": 50},
        )
        for n, task in enumerate(tasks)
    ]

    outcomes = open_writer(sandbox).patch(patches)

    assert [o.patch.item_id for o in outcomes] == [t["id"] for t in tasks]
    assert [o.status for o in outcomes] == ["applied"] * 21 + ["stale", "applied"]
    assert batches(sandbox) == 2
    assert read(sandbox, f"/planner/tasks/{tasks[22]['id']}")["percentComplete"] == 50


def test_throttled_steps_are_sent_again_after_their_retry_after(
    sandbox: SandboxServer, open_writer: Any
) -> None:
    tasks = [new_task(sandbox, f"Task {n}") for n in range(3)]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        set_faults(sandbox, rate_limit=None)  # the wait is over: lift the limit

    writer = open_writer(sandbox, policy=RetryPolicy(sleep=sleep, max_total_wait=1000))
    # Two tokens: one for the batch, one for its first step; the other two steps get 429.
    set_faults(sandbox, rate_limit=0.01, burst=2)
    patches = [
        PlannerPatch(target="task", item_id=t["id"], etag=t["@odata.etag"], body={"title": "X"})
        for t in tasks
    ]

    outcomes = writer.patch(patches)

    assert [o.status for o in outcomes] == ["applied"] * 3
    assert waits == [100.0]
    assert batches(sandbox) == 2


def test_steps_throttled_every_time_end_in_a_retryable_error(
    sandbox: SandboxServer, open_writer: Any
) -> None:
    task = new_task(sandbox)
    waits: list[float] = []
    writer = open_writer(
        sandbox, policy=RetryPolicy(sleep=waits.append, max_attempts=2, max_total_wait=1000)
    )
    # One token: the first batch passes and its step is throttled; then the batch is too.
    set_faults(sandbox, rate_limit=0.01, burst=1)

    with pytest.raises(RetryableError) as gave_up:
        writer.patch(
            [PlannerPatch(target="task", item_id=task["id"], etag=task["@odata.etag"], body={})]
        )

    assert gave_up.value.status == 429
    assert waits == [100.0]
    set_faults(sandbox, rate_limit=None)
    assert read(sandbox, f"/planner/tasks/{task['id']}")["@odata.etag"] == task["@odata.etag"]


def test_a_refused_token_is_an_authentication_error(cloud: SandboxServer, open_writer: Any) -> None:
    created = new_task(cloud)
    patch = PlannerPatch(target="task", item_id=created["id"], etag='W/"x"', body={})

    with pytest.raises(AuthenticationError):
        open_writer(cloud, token="not-the-token").patch([patch])
