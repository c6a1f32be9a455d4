"""`PlannerSource`: the plans of configured Microsoft 365 groups, polled and diffed by ETag.

Scopes are plan ids: `PlannerSource.scopes` lists ``GET /groups/{id}/planner/plans`` for each
configured group (following ``@odata.nextLink``) and remembers the plans it saw. Reading one
plan (`PlannerSource.pages`):

1. The plan itself comes from that list (``GET /planner/plans/{id}`` only for a plan the
   last `scopes` call did not list); it is a record when its ETag changed.
2. Plan details (label names) and buckets are re-read, and yielded where their ETags
   changed, on a full read, when the watermark has none, when the plan's ETag changed, when
   a task names a bucket the watermark does not know, or once ``structure_refresh`` has passed
   since they were last read. Otherwise no request is spent on them: a renamed bucket or
   label is seen within ``structure_refresh``.
3. The task list (``GET /planner/plans/{id}/tasks``, every page) is read on every poll: it is
   the one list request a plan costs when nothing changed.
4. Tasks whose ETag changed (or that are new) get their details read in ``$batch`` requests
   of 20 (`GraphReader.batch_get`). Planner changes a task's ETag when what it shows of its
   details changes (checklist counts, description present, reference count, preview type),
   so checking or adding a checklist item is seen; a checklist item only renamed, or a
   description only edited, is seen on the next full read.
5. Tasks the watermark knows and the list no longer has are reported deleted (tombstones) in
   the plan's last page; so are buckets missing from a bucket list.

Each task page becomes one `RecordPage` whose watermark (`PlanWatermark`) covers the tasks
read so far, so a crash re-reads at most one page. ``$expand`` is not used: Graph does not
document it on Planner lists, and reports disagree on whether ``tasks?$expand=details``
works (microsoft-graph-docs#8730).

A listed plan, bucket or task that is not an object with a readable id is quarantined on the
page (`connectors.quarantine`). It is not remembered, so the next poll lists it, and
quarantines it, again until Planner sends it whole.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TypeVar

from connectors.graph.planner_watermark import PlanWatermark, etag_digest
from connectors.graph.reader import GraphReader, listed_values, strip_context
from connectors.graph.session import GraphSession, JsonObject
from connectors.quarantine import quarantine, readable_id, shown
from connectors.records import QuarantinedRecord, RecordPage, SourceRecord
from connectors.retry import RetryPolicy

__all__ = [
    "PLANNER_BUCKET",
    "PLANNER_PLAN",
    "PLANNER_PLAN_DETAILS",
    "PLANNER_TASK",
    "PlannerSource",
    "tombstone",
]

PLANNER_PLAN = "planner_plan"
PLANNER_PLAN_DETAILS = "planner_plan_details"
PLANNER_BUCKET = "planner_bucket"
PLANNER_TASK = "planner_task"

T = TypeVar("T")
_PLANNER_ID = re.compile(r"[A-Za-z0-9_=.-]+")
"""Planner ids are URL-safe base64 (28 characters); what a request path can carry as is."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def tombstone(record_type: str, object_id: str) -> SourceRecord:
    """A deleted object, in Graph's delta spelling: ``{"id", "@removed": {"reason"}}``."""
    return SourceRecord(
        record_type=record_type,
        external_id=object_id,
        payload={"id": object_id, "@removed": {"reason": "deleted"}},
    )


def _record(record_type: str, entity: JsonObject, **extra: object) -> SourceRecord:
    return SourceRecord(
        record_type=record_type, external_id=str(entity["id"]), payload={**entity, **extra}
    )


def _has_id(item: JsonObject) -> bool:
    found = item.get("id")
    return isinstance(found, str) and readable_id(found) is not None


def _entities(page: JsonObject, source: str) -> list[JsonObject]:
    """The page's objects that have a readable id (anything else is not a Planner object)."""
    listed = listed_values(page, source)
    return [strip_context(item) for item in listed if isinstance(item, dict) and _has_id(item)]


def _sorted_out(
    page: JsonObject, record_type: str, source: str
) -> tuple[list[JsonObject], list[QuarantinedRecord]]:
    """The page's objects with a readable id, and the other items quarantined.

    A task's id goes into a request path (its details): it must also look like a Planner id.
    """
    entities: list[JsonObject] = []
    quarantined: list[QuarantinedRecord] = []
    for item in listed_values(page, source):
        if not isinstance(item, dict) or not _has_id(item):
            reason = f"Graph listed a {record_type} without a readable id"
            quarantined.append(quarantine(record_type, item, reason))
        elif record_type == PLANNER_TASK and _PLANNER_ID.fullmatch(item["id"]) is None:
            reason = f"the task id {shown(item['id'])} is not a Planner id"
            quarantined.append(quarantine(record_type, item, reason, external_id=item["id"]))
        else:
            entities.append(strip_context(item))
    return entities, quarantined


def _with_last(items: Iterable[T]) -> Iterator[tuple[T, bool]]:
    """Each item and whether it is the last (looks one item ahead)."""
    iterator = iter(items)
    try:
        current = next(iterator)
    except StopIteration:
        return
    for following in iterator:
        yield current, False
        current = following
    yield current, True


class _PlanRead:
    """One read of one plan: what was known before, and the watermark being built."""

    def __init__(
        self,
        reader: GraphReader,
        plan_id: str,
        previous: PlanWatermark | None,
        *,
        full: bool,
        now: datetime,
    ) -> None:
        self.reader = reader
        self.plan_id = plan_id
        self.previous = previous
        self.known = PlanWatermark() if full or previous is None else previous
        self.state = previous.copy() if previous else PlanWatermark()
        self.now = now
        self.structure_read = False
        self.quarantined: list[QuarantinedRecord] = []
        """Listed items that could not be read, not yet handed over with a page."""

    @property
    def _where(self) -> str:
        return f"plan {self.plan_id}"

    def plan_records(self, plan: JsonObject) -> list[SourceRecord]:
        """The plan, if its ETag changed."""
        if not _has_id(plan):
            reason = "Graph answered the plan without a readable id"
            self.quarantined.append(
                quarantine(PLANNER_PLAN, plan, reason, external_id=readable_id(self.plan_id))
            )
            return []
        digest = etag_digest(plan.get("@odata.etag"))
        self.state.plan = digest
        return [] if digest == self.known.plan else [_record(PLANNER_PLAN, plan)]

    def structure_due(self, refresh: timedelta) -> bool:
        """Whether plan details and buckets must be read now (see the module's step 2)."""
        if self.previous is None or self.known is not self.previous:
            return True
        if self.state.plan != self.previous.plan:
            return True
        read_at = self.previous.structure_read_at
        return read_at is None or self.now - read_at >= refresh

    def names_unknown_bucket(self, tasks: list[JsonObject]) -> bool:
        """Whether a task sits in a bucket the watermark does not know."""
        return any(
            isinstance(t.get("bucketId"), str) and t["bucketId"] not in self.state.buckets
            for t in tasks
        )

    def structure_records(self) -> list[SourceRecord]:
        """Plan details and buckets that changed, and tombstones of deleted buckets."""
        self.structure_read = True
        records: list[SourceRecord] = []
        details = strip_context(
            self.reader.get(f"/planner/plans/{self.plan_id}/details", record=self._where)
        )
        digest = etag_digest(details.get("@odata.etag"))
        if digest != self.known.details:
            records.append(
                SourceRecord(
                    record_type=PLANNER_PLAN_DETAILS, external_id=self.plan_id, payload=details
                )
            )
        self.state.details = digest
        buckets: dict[str, str] = {}
        for page in self.reader.pages(f"/planner/plans/{self.plan_id}/buckets", record=self._where):
            buckets_read, unreadable = _sorted_out(page, PLANNER_BUCKET, self.reader.source)
            self.quarantined += unreadable
            for bucket in buckets_read:
                buckets[bucket["id"]] = etag_digest(bucket.get("@odata.etag"))
                if buckets[bucket["id"]] != self.known.buckets.get(bucket["id"]):
                    records.append(_record(PLANNER_BUCKET, bucket))
        gone = sorted(self.state.buckets.keys() - buckets.keys())
        records.extend(tombstone(PLANNER_BUCKET, bucket_id) for bucket_id in gone)
        self.state.buckets = buckets
        self.state.structure_read_at = self.now
        return records

    def task_records(self, tasks: list[JsonObject]) -> list[SourceRecord]:
        """New and changed tasks, each with its details under ``"details"``."""
        changed = {
            t["id"]: t
            for t in tasks
            if etag_digest(t.get("@odata.etag")) != self.known.tasks.get(t["id"])
        }
        paths = {f"/planner/tasks/{task_id}/details": task_id for task_id in changed}
        details = self.reader.batch_get(list(paths)) if paths else {}
        records: list[SourceRecord] = []
        for path, task_id in paths.items():
            found = details.get(path)
            if found is None:  # deleted between the list and the details read
                self.state.tasks.pop(task_id, None)
                records.append(tombstone(PLANNER_TASK, task_id))
                continue
            task = changed[task_id]
            self.state.tasks[task_id] = etag_digest(task.get("@odata.etag"))
            records.append(_record(PLANNER_TASK, task, details=found))
        return records

    def gone_tasks(self, listed: set[str]) -> list[SourceRecord]:
        """Tombstones of the tasks remembered before that the list no longer has."""
        gone = sorted(self.state.tasks.keys() - listed)
        for task_id in gone:
            del self.state.tasks[task_id]
        return [tombstone(PLANNER_TASK, task_id) for task_id in gone]


class PlannerSource:
    """The Planner plans of some Microsoft 365 groups, as a `RecordSource`.

    Args:
        name: The source name, e.g. ``planner:northwind``.
        session: The Graph connection; the source owns it and `close` closes it.
        group_ids: The groups whose plans are read (Entra object ids).
        policy: The retry policy for every request.
        structure_refresh: How stale plan details and buckets may get between reads.
        clock: Now, timezone-aware (tests pass a fixed one).
    """

    def __init__(
        self,
        *,
        name: str,
        session: GraphSession,
        group_ids: Sequence[str],
        policy: RetryPolicy | None = None,
        structure_refresh: timedelta = timedelta(hours=1),
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.name = name
        self.session = session
        self.group_ids = tuple(group_ids)
        self.policy = policy or RetryPolicy()
        self.structure_refresh = structure_refresh
        self.clock = clock
        self._lock = threading.Lock()
        self._listed: dict[str, JsonObject] = {}

    def __repr__(self) -> str:
        return f"PlannerSource(name={self.name!r}, group_ids={self.group_ids!r})"

    def _reader(self) -> GraphReader:
        return GraphReader(self.session, self.policy, source=self.name)

    def scopes(self) -> list[str]:
        """The ids of the configured groups' plans (one list request per group).

        Raises:
            ConnectorConfigError: A group does not exist or has no Planner (404).
        """
        reader = self._reader()
        listed: dict[str, JsonObject] = {}
        for group_id in self.group_ids:
            path = f"/groups/{group_id}/planner/plans"
            for page in reader.pages(path, record=f"group {group_id}"):
                listed |= {plan["id"]: plan for plan in _entities(page, self.name)}
        with self._lock:
            self._listed = listed
        return list(listed)

    def _plan(self, plan_id: str, reader: GraphReader) -> JsonObject:
        with self._lock:
            plan = self._listed.get(plan_id)
        if plan is not None:
            return plan
        return strip_context(reader.get(f"/planner/plans/{plan_id}", record=f"plan {plan_id}"))

    def pages(
        self, scope: str, watermark: str | None, *, full: bool = False
    ) -> Iterator[RecordPage]:
        """One plan's changes since ``watermark`` (everything when ``full`` or none).

        Raises:
            ConnectorConfigError: The plan no longer exists (404) or a query was refused.
            AuthenticationError: The token lacks ``Tasks.Read.All`` (403) or was refused.
            RetryableError: Throttling or failures outlasted the retry policy.
        """
        reader = self._reader()
        read = _PlanRead(
            reader, scope, PlanWatermark.decode(watermark), full=full, now=self.clock()
        )
        records = read.plan_records(self._plan(scope, reader))
        if read.structure_due(self.structure_refresh):
            records += read.structure_records()
        listed: set[str] = set()
        tasks_path = f"/planner/plans/{scope}/tasks"
        for page, last in _with_last(reader.pages(tasks_path, record=f"plan {scope}")):
            tasks, unreadable = _sorted_out(page, PLANNER_TASK, self.name)
            read.quarantined += unreadable
            listed.update(task["id"] for task in tasks)
            if not read.structure_read and read.names_unknown_bucket(tasks):
                records += read.structure_records()
            records += read.task_records(tasks)
            if last:
                records += read.gone_tasks(listed)
            text = read.state.encode()
            yield RecordPage(
                scope=scope,
                records=tuple(records),
                watermark=None if text == watermark else text,
                requests=reader.take_requests(),
                details={"tasks_listed": len(tasks)},
                quarantined=tuple(read.quarantined),
            )
            records, read.quarantined = [], []

    def close(self) -> None:
        """Close the Graph session. Idempotent."""
        self.session.close()

    def __enter__(self) -> PlannerSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
