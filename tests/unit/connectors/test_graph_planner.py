"""PlannerSource against a small in-memory Planner: what each read yields and what it costs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from connectors.errors import ConnectorConfigError
from connectors.graph.planner import (
    PLANNER_BUCKET,
    PLANNER_PLAN,
    PLANNER_PLAN_DETAILS,
    PLANNER_TASK,
    PlannerSource,
)
from connectors.graph.session import GraphSession
from connectors.records import RecordPage, SourceRecord
from connectors.retry import RetryPolicy

BASE = "https://graph.test/v1.0"
GROUP = "group-1"
PLAN = "plan-1"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _not_found() -> httpx.Response:
    return httpx.Response(
        404, json={"error": {"code": "", "message": "The requested item is not found."}}
    )


@dataclass
class FakePlanner:
    """One group's Planner: objects with versions (their ETags), lists paged ``page_size``."""

    page_size: int = 2
    objects: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    versions: dict[tuple[str, str], int] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def put(self, kind: str, body: dict[str, Any]) -> None:
        key = (kind, body["id"])
        self.objects[key] = body
        self.versions[key] = self.versions.get(key, 0) + 1

    def remove(self, kind: str, object_id: str) -> None:
        del self.objects[(kind, object_id)]

    def wire(self, kind: str, object_id: str) -> dict[str, Any] | None:
        body = self.objects.get((kind, object_id))
        if body is None:
            return None
        version = self.versions[(kind, object_id)]
        return {"@odata.etag": f'W/"{kind}-{object_id}-{version}"', **body}

    def of_kind(self, kind: str, **where: str) -> list[dict[str, Any]]:
        found = [
            self.wire(k, i)
            for (k, i), body in self.objects.items()
            if k == kind and all(body.get(f) == v for f, v in where.items())
        ]
        return [item for item in found if item is not None]

    # ---- HTTP

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1.0")
        if request.method == "POST" and path == "/$batch":
            steps = json.loads(request.content)["requests"]
            self.log.append(f"POST /$batch {len(steps)}")
            return httpx.Response(200, json={"responses": [self._step(s) for s in steps]})
        self.log.append(f"GET {path}")
        return self._get(path, request.url.params.get("$skiptoken"))

    def _step(self, step: dict[str, Any]) -> dict[str, Any]:
        found = re.fullmatch(r"/planner/tasks/([^/]+)/details", step["url"])
        body = self.wire("details", found.group(1)) if found else None
        if body is None:
            return {"id": step["id"], "status": 404, "headers": {}, "body": {"error": {"code": ""}}}
        return {
            "id": step["id"],
            "status": 200,
            "headers": {},
            "body": {"@odata.context": "c", **body},
        }

    def _get(self, path: str, skiptoken: str | None) -> httpx.Response:
        routes: list[tuple[str, Any]] = [
            (
                r"/groups/([^/]+)/planner/plans",
                lambda g: self._list(self.of_kind("plan", group=g)) if g == GROUP else _not_found(),
            ),
            (r"/planner/plans/([^/]+)", lambda p: self._one("plan", p)),
            (r"/planner/plans/([^/]+)/details", lambda p: self._one("plan_details", p)),
            (
                r"/planner/plans/([^/]+)/buckets",
                lambda p: self._list(self.of_kind("bucket", planId=p)),
            ),
            (
                r"/planner/plans/([^/]+)/tasks",
                lambda p: (
                    self._list(self.of_kind("task", planId=p), skiptoken, paged=True)
                    if ("plan", p) in self.objects
                    else _not_found()
                ),
            ),
        ]
        for pattern, answer in routes:
            found = re.fullmatch(pattern, path)
            if found:
                response: httpx.Response = answer(found.group(1))
                return response
        return httpx.Response(400, json={"error": {"code": "BadRequest", "message": path}})

    def _one(self, kind: str, object_id: str) -> httpx.Response:
        body = self.wire(kind, object_id)
        return (
            _not_found()
            if body is None
            else httpx.Response(200, json={"@odata.context": "c", **body})
        )

    def _list(
        self, items: list[dict[str, Any]], skiptoken: str | None = None, *, paged: bool = False
    ) -> httpx.Response:
        start = int(skiptoken or 0)
        size = self.page_size if paged else len(items) or 1
        body: dict[str, Any] = {"value": items[start : start + size]}
        if start + size < len(items):
            body["@odata.nextLink"] = f"{BASE}/planner/plans/{PLAN}/tasks?$skiptoken={start + size}"
        return httpx.Response(200, json=body)


def seeded(tasks: int = 3) -> FakePlanner:
    planner = FakePlanner()
    planner.put("plan", {"id": PLAN, "title": "Onboarding", "group": GROUP})
    planner.put("plan_details", {"id": PLAN, "categoryDescriptions": {"category1": "Grid"}})
    for bucket in ("b1", "b2"):
        planner.put("bucket", {"id": bucket, "planId": PLAN, "name": bucket.upper()})
    for n in range(1, tasks + 1):
        add_task(planner, f"t{n}", "b1")
    return planner


def add_task(planner: FakePlanner, task_id: str, bucket: str) -> None:
    planner.put("task", {"id": task_id, "planId": PLAN, "bucketId": bucket, "title": task_id})
    planner.put("details", {"id": task_id, "checklist": {}})


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def planner() -> FakePlanner:
    return seeded()


@pytest.fixture
def source(planner: FakePlanner, clock: Clock) -> Iterator[PlannerSource]:
    session = GraphSession(base_url=BASE, token="t", transport=httpx.MockTransport(planner))
    with PlannerSource(
        name="planner:northwind",
        session=session,
        group_ids=[GROUP],
        policy=RetryPolicy(sleep=lambda s: None),
        clock=clock,
    ) as opened:
        yield opened


@dataclass
class Read:
    pages: list[RecordPage]
    watermark: str | None

    @property
    def records(self) -> list[SourceRecord]:
        return [record for page in self.pages for record in page.records]

    def kinds(self) -> list[tuple[str, str]]:
        return [(r.record_type, r.external_id) for r in self.records]


def read(source: PlannerSource, watermark: str | None = None, *, full: bool = False) -> Read:
    pages = list(source.pages(PLAN, watermark, full=full))
    marks = [page.watermark for page in pages if page.watermark is not None]
    return Read(pages, marks[-1] if marks else watermark)


def test_scopes_are_the_groups_plans(source: PlannerSource, planner: FakePlanner) -> None:
    assert source.scopes() == [PLAN]
    assert planner.log == [f"GET /groups/{GROUP}/planner/plans"]


def test_a_group_graph_does_not_know_is_a_configuration_error(
    planner: FakePlanner, source: PlannerSource
) -> None:
    source.group_ids = ("no-such-group",)

    with pytest.raises(ConnectorConfigError, match="group no-such-group"):
        source.scopes()


def test_a_first_read_yields_the_plan_its_details_buckets_and_tasks(source: PlannerSource) -> None:
    source.scopes()

    first = read(source)

    assert first.kinds() == [
        (PLANNER_PLAN, PLAN),
        (PLANNER_PLAN_DETAILS, PLAN),
        (PLANNER_BUCKET, "b1"),
        (PLANNER_BUCKET, "b2"),
        (PLANNER_TASK, "t1"),
        (PLANNER_TASK, "t2"),
        (PLANNER_TASK, "t3"),
    ]


def test_a_task_record_carries_its_details_and_both_etags(source: PlannerSource) -> None:
    task = next(r for r in read(source).records if r.external_id == "t1")

    assert task.payload["@odata.etag"] == 'W/"task-t1-1"'
    assert task.payload["details"] == {
        "@odata.etag": 'W/"details-t1-1"',
        "id": "t1",
        "checklist": {},
    }
    assert task.updated_at is None


def test_each_task_page_is_a_record_page_with_its_own_watermark(source: PlannerSource) -> None:
    first = read(source)

    assert [len(page.records) for page in first.pages] == [
        6,
        1,
    ]  # plan, details, 2 buckets, t1, t2 | t3
    assert all(page.watermark for page in first.pages)
    assert [page.details["tasks_listed"] for page in first.pages] == [2, 1]


def test_nothing_changed_yields_nothing_and_lists_only_the_tasks(
    source: PlannerSource, planner: FakePlanner
) -> None:
    source.scopes()
    first = read(source)
    planner.log.clear()

    second = read(source, first.watermark)

    assert second.records == []
    assert planner.log == [f"GET /planner/plans/{PLAN}/tasks", f"GET /planner/plans/{PLAN}/tasks"]
    assert all(page.watermark is None for page in second.pages)


def test_a_changed_task_is_the_only_record_and_its_details_are_read_again(
    source: PlannerSource, planner: FakePlanner
) -> None:
    source.scopes()
    first = read(source)
    planner.put("task", {**planner.objects[("task", "t2")], "percentComplete": 50})
    planner.log.clear()

    second = read(source, first.watermark)

    assert second.kinds() == [(PLANNER_TASK, "t2")]
    assert second.records[0].payload["percentComplete"] == 50
    assert "POST /$batch 1" in planner.log


def test_a_deleted_task_is_reported_in_the_last_page(
    source: PlannerSource, planner: FakePlanner
) -> None:
    add_task(planner, "t4", "b2")
    add_task(planner, "t5", "b2")
    first = read(source)
    planner.remove("task", "t1")

    second = read(source, first.watermark)

    assert [[r.external_id for r in page.records] for page in second.pages] == [[], ["t1"]]
    assert second.records[0].record_type == PLANNER_TASK
    assert second.records[0].payload == {"id": "t1", "@removed": {"reason": "deleted"}}
    assert read(source, second.watermark).records == []


def test_a_task_deleted_between_the_list_and_its_details_is_reported_deleted(
    source: PlannerSource, planner: FakePlanner
) -> None:
    planner.remove("details", "t3")

    first = read(source)

    assert (PLANNER_TASK, "t3") in first.kinds()
    assert next(r for r in first.records if r.external_id == "t3").payload["@removed"]


def test_a_crash_after_a_page_re_reads_only_what_was_not_stored(
    source: PlannerSource, planner: FakePlanner
) -> None:
    first = read(source)
    for task_id in ("t1", "t3"):
        planner.put("task", {**planner.objects[("task", task_id)], "title": "renamed"})
    interrupted = source.pages(PLAN, first.watermark)
    stored = next(interrupted).watermark

    resumed = read(source, stored)

    assert resumed.kinds() == [(PLANNER_TASK, "t3")]


def test_a_task_in_an_unknown_bucket_makes_the_buckets_read_again(
    source: PlannerSource, planner: FakePlanner
) -> None:
    first = read(source)
    planner.put("bucket", {"id": "b3", "planId": PLAN, "name": "B3"})
    add_task(planner, "t4", "b3")
    planner.log.clear()

    second = read(source, first.watermark)

    assert second.kinds() == [(PLANNER_BUCKET, "b3"), (PLANNER_TASK, "t4")]
    assert f"GET /planner/plans/{PLAN}/buckets" in planner.log


@pytest.mark.parametrize(
    ("elapsed", "reread"), [(timedelta(minutes=59), False), (timedelta(hours=1), True)]
)
def test_details_and_buckets_are_read_again_once_they_are_stale(
    source: PlannerSource, planner: FakePlanner, clock: Clock, elapsed: timedelta, reread: bool
) -> None:
    first = read(source)
    planner.put("plan_details", {"id": PLAN, "categoryDescriptions": {"category1": "Grid Ops"}})
    planner.remove("bucket", "b2")
    clock.now = START + elapsed

    second = read(source, first.watermark)

    expected = [(PLANNER_PLAN_DETAILS, PLAN), (PLANNER_BUCKET, "b2")] if reread else []
    assert second.kinds() == expected


def test_a_changed_plan_is_yielded_with_its_structure_read_again(
    source: PlannerSource, planner: FakePlanner
) -> None:
    first = read(source)
    planner.put("plan", {**planner.objects[("plan", PLAN)], "title": "Renamed"})
    planner.log.clear()

    second = read(source, first.watermark)

    assert second.kinds() == [(PLANNER_PLAN, PLAN)]
    assert f"GET /planner/plans/{PLAN}/details" in planner.log


def test_a_plan_scopes_did_not_list_is_read_by_id(
    source: PlannerSource, planner: FakePlanner
) -> None:
    first = read(source)

    assert first.kinds()[0] == (PLANNER_PLAN, PLAN)
    assert planner.log[0] == f"GET /planner/plans/{PLAN}"


def test_a_full_read_yields_everything_and_still_reports_deletions(
    source: PlannerSource, planner: FakePlanner
) -> None:
    first = read(source)
    planner.remove("task", "t2")

    again = read(source, first.watermark, full=True)

    assert [k for k in again.kinds() if k[0] == PLANNER_TASK] == [
        (PLANNER_TASK, "t1"),
        (PLANNER_TASK, "t3"),
        (PLANNER_TASK, "t2"),
    ]
    assert again.records[-1].payload["@removed"] == {"reason": "deleted"}


def test_an_unreadable_watermark_means_a_full_read(source: PlannerSource) -> None:
    assert len(read(source, "not a watermark").records) == 7


def test_a_plan_that_is_gone_is_a_configuration_error(
    source: PlannerSource, planner: FakePlanner
) -> None:
    planner.remove("plan", PLAN)

    with pytest.raises(ConnectorConfigError, match=f"plan {PLAN}"):
        read(source)


def test_requests_are_counted_per_page(source: PlannerSource) -> None:
    source.scopes()

    first = read(source)

    # page 1: details, buckets, tasks page 1, tasks page 2 (look-ahead), one $batch
    assert [page.requests for page in first.pages] == [5, 1]
