"""The Planner and Teams connectors against the sandbox, through msgraph-sdk's real adapter.

What "done" means for them (issue 5): a full read yields every seeded object; a second read
with nothing changed yields nothing and costs one task list per plan (one delta request per
channel), plus the group's plan list; a change made through Graph is the only record of the
next read; reads complete with 10 % faults and under a rate limit.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation

from connectors.errors import AuthenticationError
from connectors.graph import (
    CHANNEL_MESSAGE,
    CHANNEL_REPLY,
    DIRECTORY_USER,
    PLANNER_BUCKET,
    PLANNER_PLAN,
    PLANNER_PLAN_DETAILS,
    PLANNER_TASK,
    ChannelRef,
    GraphSession,
    PlannerSource,
    TeamsSource,
)
from connectors.records import RecordSource, SourceRecord
from connectors.retry import RetryPolicy
from flywheel_sync.sandbox.graph.app import GRAPH_ROOT
from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer
from tests.integration.graph_clients import GRAPH_TOKEN, graph_client

FAST = RetryPolicy(sleep=lambda seconds: None, max_attempts=8)
TASKS_ROUTE = f"GET {GRAPH_ROOT}/planner/plans/{{plan_id}}/tasks"
PLANS_ROUTE = f"GET {GRAPH_ROOT}/groups/{{group_id}}/planner/plans"
BATCH_ROUTE = f"POST {GRAPH_ROOT}/$batch"
DETAILS_ROUTE = f"GET {GRAPH_ROOT}/planner/tasks/{{task_id}}/details"
DELTA_ROUTE = f"GET {GRAPH_ROOT}/teams/{{team_id}}/channels/{{channel_id}}/messages/delta"


@pytest.fixture(scope="module")
def paged() -> Iterator[SandboxServer]:
    """A sandbox whose Planner pages hold two tasks, so plans span pages (read-only tests)."""
    with SandboxServer(SandboxOptions(planner_page_size=2)) as server:
        yield server


def session(sandbox: SandboxServer, token: str = GRAPH_TOKEN) -> GraphSession:
    return GraphSession(base_url=sandbox.url + GRAPH_ROOT, token=token, timeout=10)


def planner(sandbox: SandboxServer, policy: RetryPolicy = FAST) -> PlannerSource:
    group = sandbox.state.organisation.group_id
    return PlannerSource(
        name="planner:demo", session=session(sandbox), group_ids=[group], policy=policy
    )


def teams(sandbox: SandboxServer, policy: RetryPolicy = FAST) -> TeamsSource:
    tenant = sandbox.state.organisation.teams
    channels = [ChannelRef(team_id=tenant.team["id"], channel_id=c["id"]) for c in tenant.channels]
    return TeamsSource(
        name="teams:demo", session=session(sandbox), channels=channels, policy=policy
    )


@dataclass
class Pull:
    """What one pull of every scope yielded, and the watermarks it left."""

    records: list[SourceRecord]
    watermarks: dict[str, str]
    pages: int

    def counts(self) -> Counter[str]:
        return Counter(record.record_type for record in self.records)


def pull(source: RecordSource, watermarks: dict[str, str] | None = None) -> Pull:
    """Read every scope from its watermark, keeping each page's watermark as a store would."""
    kept = dict(watermarks or {})
    records: list[SourceRecord] = []
    pages = 0
    for scope in source.scopes():
        for page in source.pages(scope, kept.get(scope)):
            pages += 1
            records.extend(page.records)
            if page.watermark is not None:
                kept[scope] = page.watermark
    return Pull(records, kept, pages)


def stats(sandbox: SandboxServer) -> dict[str, Any]:
    answer: dict[str, Any] = httpx.get(f"{sandbox.url}/_sandbox/stats").json()
    return answer


def requests_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    counts = {r: n - before["requests"].get(r, 0) for r, n in after["requests"].items()}
    return {route: n for route, n in counts.items() if n}


def set_faults(sandbox: SandboxServer, **knobs: object) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/faults", json=knobs).raise_for_status()


def graph_write(
    sandbox: SandboxServer, method: Method, path: str, etag: str, body: Any = None
) -> None:
    """One Planner write through msgraph's request adapter, with ``If-Match``."""

    async def send() -> None:
        async with graph_client(sandbox.url) as client:
            request = RequestInformation(method)
            request.url = f"{sandbox.url}{GRAPH_ROOT}{path}"
            request.headers.add("If-Match", etag)
            if body is not None:
                request.headers.add("Content-Type", "application/json")
                request.content = json.dumps(body).encode()
            await client.request_adapter.send_no_response_content_async(request, None)

    asyncio.run(send())


# ---- Planner


def test_a_full_planner_read_yields_every_seeded_object(paged: SandboxServer) -> None:
    seeded = paged.state.organisation.planner

    with planner(paged) as source:
        full = pull(source)

    assert full.counts() == {
        PLANNER_PLAN: len(seeded.plans),
        PLANNER_PLAN_DETAILS: len(seeded.plan_details),
        PLANNER_BUCKET: len(seeded.buckets),
        PLANNER_TASK: len(seeded.tasks),
    }
    assert full.pages > len(seeded.plans), "two-task pages: some plan must span pages"


def test_every_task_comes_with_its_details_checklist(paged: SandboxServer) -> None:
    seeded = paged.state.organisation.planner

    with planner(paged) as source:
        tasks = [r for r in pull(source).records if r.record_type == PLANNER_TASK]

    assert len(tasks) == len(seeded.task_details)
    for task in tasks:
        details = task.payload["details"]
        assert details["id"] == task.external_id
        assert set(details["checklist"]) == set(seeded.task_details[task.external_id]["checklist"])


def test_records_keep_the_etags_later_writes_need(paged: SandboxServer) -> None:
    with planner(paged) as source:
        records = pull(source).records

    assert all(str(r.payload["@odata.etag"]).startswith('W/"') for r in records)
    task = next(r for r in records if r.record_type == PLANNER_TASK)
    assert task.payload["details"]["@odata.etag"] != task.payload["@odata.etag"]


def test_label_names_come_with_the_plan_details(paged: SandboxServer) -> None:
    seeded = paged.state.organisation.planner

    with planner(paged) as source:
        details = [r for r in pull(source).records if r.record_type == PLANNER_PLAN_DETAILS]

    for record in details:
        expected = seeded.plan_details[record.external_id]["categoryDescriptions"]
        assert record.payload["categoryDescriptions"] == expected


def test_nothing_changed_costs_one_task_list_per_plan_and_yields_nothing(
    sandbox: SandboxServer,
) -> None:
    plans = len(sandbox.state.organisation.planner.plans)
    with planner(sandbox) as source:
        first = pull(source)
        before = stats(sandbox)

        second = pull(source, first.watermarks)

    assert second.records == []
    assert requests_between(before, stats(sandbox)) == {PLANS_ROUTE: 1, TASKS_ROUTE: plans}


def test_a_task_changed_through_graph_is_the_only_record_of_the_next_read(
    sandbox: SandboxServer,
) -> None:
    with planner(sandbox) as source:
        first = pull(source)
        task = next(r for r in first.records if r.record_type == PLANNER_TASK)
        etag = task.payload["@odata.etag"]
        graph_write(
            sandbox,
            Method.PATCH,
            f"/planner/tasks/{task.external_id}",
            etag,
            {"percentComplete": 100},
        )

        before = stats(sandbox)
        second = pull(source, first.watermarks)

    assert [(r.record_type, r.external_id) for r in second.records] == [
        (PLANNER_TASK, task.external_id)
    ]
    plans = len(sandbox.state.organisation.planner.plans)
    assert requests_between(before, stats(sandbox)) == {
        PLANS_ROUTE: 1,
        TASKS_ROUTE: plans,
        BATCH_ROUTE: 1,
        DETAILS_ROUTE: 1,  # the batch's one step: only the changed task's details
    }
    changed = second.records[0].payload
    assert changed["percentComplete"] == 100
    assert changed["@odata.etag"] != etag


def test_checking_a_checklist_item_yields_the_task_with_its_new_details(
    sandbox: SandboxServer,
) -> None:
    with planner(sandbox) as source:
        first = pull(source)
        task = next(
            r
            for r in first.records
            if r.record_type == PLANNER_TASK
            and any(not item["isChecked"] for item in r.payload["details"]["checklist"].values())
        )
        details = task.payload["details"]
        item = next(k for k, v in details["checklist"].items() if not v["isChecked"])
        change = {
            "checklist": {
                item: {"@odata.type": "microsoft.graph.plannerChecklistItem", "isChecked": True}
            }
        }
        graph_write(
            sandbox,
            Method.PATCH,
            f"/planner/tasks/{task.external_id}/details",
            details["@odata.etag"],
            change,
        )

        second = pull(source, first.watermarks)

    assert [r.external_id for r in second.records] == [task.external_id]
    assert second.records[0].payload["details"]["checklist"][item]["isChecked"] is True


def test_a_task_deleted_through_graph_is_reported_deleted(sandbox: SandboxServer) -> None:
    with planner(sandbox) as source:
        first = pull(source)
        task = next(r for r in first.records if r.record_type == PLANNER_TASK)
        graph_write(
            sandbox,
            Method.DELETE,
            f"/planner/tasks/{task.external_id}",
            task.payload["@odata.etag"],
        )

        second = pull(source, first.watermarks)
        third = pull(source, second.watermarks)

    assert [(r.record_type, r.payload) for r in second.records] == [
        (PLANNER_TASK, {"id": task.external_id, "@removed": {"reason": "deleted"}})
    ]
    assert third.records == []


def test_a_refused_token_is_an_authentication_error(paged: SandboxServer) -> None:
    group = paged.state.organisation.group_id
    source = PlannerSource(
        name="planner:demo", session=session(paged, token="wrong"), group_ids=[group], policy=FAST
    )

    with source, pytest.raises(AuthenticationError, match="401"):
        source.scopes()


# ---- Teams


def seeded_messages(sandbox: SandboxServer) -> Counter[str]:
    """The seeded messages and replies, and their distinct authors (all in the directory)."""
    tenant = sandbox.state.organisation.teams
    roots = [m for messages in tenant.messages.values() for m in messages]
    replies = [r for root in roots for r in tenant.replies.get(root["id"], [])]
    authors = {m["from"]["user"]["id"] for m in [*roots, *replies] if m["from"]["user"]}
    return Counter(
        {CHANNEL_MESSAGE: len(roots), CHANNEL_REPLY: len(replies), DIRECTORY_USER: len(authors)}
    )


def test_a_full_teams_read_yields_every_message_and_reply(paged: SandboxServer) -> None:
    with teams(paged) as source:
        full = pull(source)

    assert full.counts() == seeded_messages(paged)
    assert len({r.external_id for r in full.records}) == len(full.records)


def test_nothing_changed_costs_one_delta_request_per_channel(sandbox: SandboxServer) -> None:
    channels = len(sandbox.state.organisation.teams.channels)
    with teams(sandbox) as source:
        first = pull(source)
        before = stats(sandbox)

        second = pull(source, first.watermarks)

    assert second.records == []
    assert requests_between(before, stats(sandbox)) == {DELTA_ROUTE: channels}


def _with_new_reply(sandbox: SandboxServer) -> tuple[str, str]:
    """Someone replies in the busiest thread (the app cannot post: Graph refuses app posts)."""
    organisation = sandbox.state.organisation
    tenant = organisation.teams
    root = max(
        (m for messages in tenant.messages.values() for m in messages),
        key=lambda m: len(tenant.replies.get(m["id"], [])),
    )
    now = datetime.now(UTC)
    reply_id = str(int(now.timestamp() * 1000))
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    reply = {
        **tenant.replies[root["id"]][0],
        "id": reply_id,
        "etag": reply_id,
        "createdDateTime": stamp,
        "lastModifiedDateTime": stamp,
    }
    replies = {**tenant.replies, root["id"]: [*tenant.replies[root["id"]], reply]}
    sandbox.state.teams.load(replace(organisation, teams=replace(tenant, replies=replies)))
    return root["id"], reply_id


def test_a_new_reply_yields_its_thread_and_nothing_else(sandbox: SandboxServer) -> None:
    tenant = sandbox.state.organisation.teams
    with teams(sandbox) as source:
        first = pull(source)
        root_id, reply_id = _with_new_reply(sandbox)

        second = pull(source, first.watermarks)

    ids = [r.external_id.rsplit("/", 1)[1] for r in second.records]
    assert ids[0] == root_id
    assert reply_id in ids
    assert len(ids) == 1 + len(tenant.replies[root_id]) + 1


# ---- trouble


def test_reads_complete_with_ten_percent_faults(sandbox: SandboxServer) -> None:
    seeded = sandbox.state.organisation.planner
    set_faults(sandbox, fault_rate=0.1)

    with planner(sandbox) as plans, teams(sandbox) as channels:
        planner_read, teams_read = pull(plans), pull(channels)

    assert planner_read.counts()[PLANNER_TASK] == len(seeded.tasks)
    assert planner_read.counts()[PLANNER_BUCKET] == len(seeded.buckets)
    assert teams_read.counts() == seeded_messages(sandbox)
    assert stats(sandbox)["faults"] > 0


def test_reads_complete_under_a_rate_limit(sandbox: SandboxServer) -> None:
    seeded = sandbox.state.organisation.planner
    # 10/s throttles for certain (local requests take milliseconds); a burst of 3 leaves room
    # for a $batch and a step, which each take a token.
    set_faults(sandbox, rate_limit=10, burst=3)
    waited: list[float] = []

    def sleep(seconds: float) -> None:  # Retry-After is whole seconds: wait one token's refill
        waited.append(seconds)
        time.sleep(0.12)

    patient = RetryPolicy(sleep=sleep, max_attempts=8)
    with planner(sandbox, patient) as plans, teams(sandbox, patient) as channels:
        planner_read, teams_read = pull(plans), pull(channels)

    assert planner_read.counts()[PLANNER_TASK] == len(seeded.tasks)
    assert teams_read.counts() == seeded_messages(sandbox)
    assert stats(sandbox)["throttled"] > 0
    assert waited
    assert all(seconds >= 1 for seconds in waited)
