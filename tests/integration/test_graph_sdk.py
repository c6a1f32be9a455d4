"""msgraph-sdk against the sandbox: the calls flywheel-sync's Planner connector will make.

Each test runs one coroutine with a client created inside its own event loop (a client's
pooled connections belong to one loop; libraries.md §4). The model path is used where the
connector will read typed objects; ``$batch`` goes raw through the request adapter, because
the SDK's batch response parsing drops JSON bodies (libraries.md §4).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.planner_task import PlannerTask
from msgraph.graph_service_client import GraphServiceClient

from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer
from tests.integration.graph_clients import graph_client

T = TypeVar("T")
PAGE_SIZE = 2


@pytest.fixture(scope="module")
def small_pages() -> Iterator[SandboxServer]:
    """A sandbox whose Planner pages hold two tasks, so every plan's tasks span pages."""
    with SandboxServer(SandboxOptions(planner_page_size=PAGE_SIZE)) as server:
        yield server


def run(sandbox: SandboxServer, work: Any) -> Any:
    """Run ``work(client)`` in a fresh event loop with a fresh client."""

    async def main() -> Any:
        async with graph_client(sandbox.url) as client:
            result: Coroutine[Any, Any, Any] = work(client)
            return await result

    return asyncio.run(main())


def etag_of(entity: Any) -> str:
    etag = entity.additional_data.get("@odata.etag")
    assert isinstance(etag, str)
    return etag


def if_match(etag: str) -> RequestConfiguration[Any]:
    config: RequestConfiguration[Any] = RequestConfiguration()
    config.headers.add("If-Match", etag)
    return config


def busiest_plan(sandbox: SandboxServer) -> str:
    """The id of the plan with the most tasks in the seeded data."""
    counts: dict[str, int] = {}
    for task in sandbox.state.organisation.planner.tasks:
        counts[task["planId"]] = counts.get(task["planId"], 0) + 1
    return max(counts, key=lambda plan: counts[plan])


def first_task(sandbox: SandboxServer) -> str:
    task_id = sandbox.state.organisation.planner.tasks[0]["id"]
    assert isinstance(task_id, str)
    return task_id


def test_lists_the_groups_plans(small_pages: SandboxServer) -> None:
    organisation = small_pages.state.organisation

    async def work(client: GraphServiceClient) -> list[str]:
        plans = await client.groups.by_group_id(organisation.group_id).planner.plans.get()
        assert plans is not None
        return sorted(plan.title or "" for plan in plans.value or [])

    titles = run(small_pages, work)

    assert titles == sorted(plan["title"] for plan in organisation.planner.plans)


def test_follows_next_links_through_every_task_of_a_plan(small_pages: SandboxServer) -> None:
    plan_id = busiest_plan(small_pages)
    expected = [
        t["id"] for t in small_pages.state.organisation.planner.tasks if t["planId"] == plan_id
    ]
    assert len(expected) > PAGE_SIZE, "the seeded plan must span pages for this test"

    async def work(client: GraphServiceClient) -> tuple[list[str], int]:
        builder = client.planner.plans.by_planner_plan_id(plan_id).tasks
        page = await builder.get()
        seen: list[str] = []
        pages = 0
        while page is not None:
            pages += 1
            seen.extend(task.id or "" for task in page.value or [])
            page = (
                await builder.with_url(page.odata_next_link).get() if page.odata_next_link else None
            )
        return seen, pages

    seen, pages = run(small_pages, work)

    assert sorted(seen) == sorted(expected)
    assert pages == -(-len(expected) // PAGE_SIZE)


def test_reads_task_details_with_their_checklist(small_pages: SandboxServer) -> None:
    organisation = small_pages.state.organisation
    task_id = next(t for t, d in organisation.planner.task_details.items() if d.get("checklist"))
    seeded = organisation.planner.task_details[task_id]["checklist"]

    async def work(client: GraphServiceClient) -> dict[str, Any]:
        details = await client.planner.tasks.by_planner_task_id(task_id).details.get()
        assert details is not None
        assert details.checklist is not None
        etag_of(details)
        return dict(details.checklist.additional_data)

    checklist = run(small_pages, work)

    assert set(checklist) == set(seeded)
    assert {item["title"] for item in checklist.values()} == {i["title"] for i in seeded.values()}


def test_patch_with_the_current_etag_is_applied(sandbox: SandboxServer) -> None:
    task_id = first_task(sandbox)

    async def work(client: GraphServiceClient) -> tuple[Any, PlannerTask, str]:
        tasks = client.planner.tasks.by_planner_task_id(task_id)
        before = await tasks.get()
        assert before is not None
        answer = await tasks.patch(PlannerTask(percent_complete=100), if_match(etag_of(before)))
        after = await tasks.get()
        assert after is not None
        return answer, after, etag_of(before)

    answer, after, old_etag = run(sandbox, work)

    assert answer is None  # 204 No Content
    assert after.percent_complete == 100
    assert after.completed_date_time is not None
    assert etag_of(after) != old_etag


def test_patch_with_a_stale_etag_raises_odata_error_412(sandbox: SandboxServer) -> None:
    task_id = first_task(sandbox)

    async def work(client: GraphServiceClient) -> tuple[ODataError, str | None]:
        tasks = client.planner.tasks.by_planner_task_id(task_id)
        before = await tasks.get()
        assert before is not None
        stale = etag_of(before)
        await tasks.patch(PlannerTask(title="First rename"), if_match(stale))
        with pytest.raises(ODataError) as raised:
            await tasks.patch(PlannerTask(title="Second rename"), if_match(stale))
        after = await tasks.get()
        assert after is not None
        return raised.value, after.title

    error, title = run(sandbox, work)

    assert error.response_status_code == 412
    assert error.error is not None
    assert title == "First rename"


def test_raw_batch_through_the_request_adapter(sandbox: SandboxServer) -> None:
    task_id = first_task(sandbox)
    group_id = sandbox.state.organisation.group_id

    async def work(client: GraphServiceClient) -> dict[str, Any]:
        request = RequestInformation(Method.POST, "{+baseurl}/$batch")
        request.headers.add("Content-Type", "application/json")
        request.content = json.dumps(
            {
                "requests": [
                    {"id": "1", "method": "GET", "url": f"/planner/tasks/{task_id}"},
                    {"id": "2", "method": "GET", "url": f"/groups/{group_id}/planner/plans"},
                    {"id": "3", "method": "GET", "url": "/planner/tasks/does-not-exist"},
                ]
            }
        ).encode()
        raw = await client.request_adapter.send_primitive_async(request, "bytes", None)
        answer: dict[str, Any] = json.loads(raw)
        return answer

    answer = run(sandbox, work)
    by_id = {step["id"]: step for step in answer["responses"]}

    assert by_id["1"]["status"] == 200
    assert by_id["1"]["body"]["id"] == task_id
    assert by_id["1"]["body"]["@odata.etag"]
    assert by_id["2"]["status"] == 200
    assert len(by_id["2"]["body"]["value"]) == len(sandbox.state.organisation.planner.plans)
    assert by_id["3"]["status"] == 404
    assert by_id["3"]["body"]["error"]["message"]
