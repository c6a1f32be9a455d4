"""Apply a plan through the outbox: every write persisted before it is made, settled after.

The order of events for one write, and what a crash (``kill -9``) at each point leaves:

1. the plan's writes are **enqueued** (one transaction): a crash leaves them pending, and the
   next run's plan wants the same writes under the same keys, so nothing is added twice;
2. a batch is **claimed** (in flight) just before its request is sent;
3. the tool answers; each write is **settled** as applied (with the values it now owns: one
   transaction) or failed (with the reason). A crash between 2 and 3 leaves the entries in
   flight: the write may or may not have happened. The next run never sends an in-flight write
   blindly: its executor first **confirms** it by reading the tool (the sub-task exists, the
   checklist item is there, the field holds the value), and writes only what did not land.

Entries of an earlier, interrupted apply that the new plan no longer wants are superseded; if
they were in flight they are confirmed first, so a write that did land is still recorded.
Every settled write, and every conflict, gets an audit entry with the run id.

A graceful stop (``should_stop``, asked before every batch is claimed) never cuts a write in
half: the batch being sent is settled, and the writes not yet claimed stay pending in the
outbox for the next run.

A tool that refuses one write (400, 403 limit) fails that write only: it is recorded with its
reason and the rest go on. A refusal of the credentials stops that tool's writes (the rest
would fail the same way), and the run ends with exit code 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from connectors.errors import ConnectorConfigError, ConnectorError
from flywheel_sync.failures import FailureKind, failure_kind
from flywheel_sync.push.changes import Change, Conflict, Plan
from flywheel_sync.store import Store
from flywheel_sync.store.ports import Clock
from flywheel_sync.store.rows import AuditEntry, OutboxEntry, OutboxStatus, OwnedValue, PlanStatus

__all__ = [
    "Applier",
    "ApplyReport",
    "Executor",
    "Job",
    "Result",
    "Status",
    "not_written",
    "per_connection",
]

_Writer = TypeVar("_Writer")


class Status(StrEnum):
    """How one write ended."""

    APPLIED = "applied"
    CONFIRMED = "confirmed"
    """It had landed before a crash; found by reading the tool, not written again."""
    FAILED = "failed"
    SUPERSEDED = "superseded"
    """Not made: the plan no longer wants it, or a person's edit came first (a conflict)."""


class _StopRequested(Exception):
    """Raised by ``claim`` when a graceful stop was asked for: no new batch is sent."""


@dataclass(frozen=True, kw_only=True)
class Job:
    """One outbox entry for an executor.

    Attributes:
        entry: The outbox entry.
        change: The write it holds.
        resumed: It was in flight when an earlier apply stopped: confirm before writing.
        wanted: The current plan wants it; when False, only confirm (never write).
    """

    entry: OutboxEntry
    change: Change
    resumed: bool
    wanted: bool = True


@dataclass(frozen=True, kw_only=True)
class Result:
    """How an executor settled one job, and what flywheel-sync owns afterwards."""

    status: Status
    detail: str = ""
    owned: tuple[OwnedValue, ...] = ()
    after: Any = None
    """The value the tool now holds, when it differs from the change's ``after``."""


Claim = Callable[[Sequence[Job]], None]
Settle = Callable[[Job, Result], None]


def per_connection(
    jobs: Iterable[Job], writer_for: Callable[[str], _Writer], settle: Settle
) -> Iterator[tuple[_Writer, list[Job]]]:
    """The jobs of each connection with its writer; a connection without one fails its jobs."""
    grouped: dict[str, list[Job]] = {}
    for job in jobs:
        grouped.setdefault(job.change.connection, []).append(job)
    for connection, batch in grouped.items():
        try:
            writer = writer_for(connection)
        except ConnectorConfigError as error:
            for job in batch:
                settle(job, Result(status=Status.FAILED, detail=str(error)))
            continue
        yield writer, batch


class Executor(Protocol):
    """Makes one tool's writes; batches them as the tool allows."""

    def run(self, jobs: Sequence[Job], *, claim: Claim, settle: Settle) -> None:
        """Make the writes of ``jobs``.

        ``claim`` every batch just before its request is sent, ``settle`` every job once,
        in any order. Raise a `ConnectorError` (e.g. `AuthenticationError`) to stop this
        tool's remaining writes: the caller settles every unsettled job as failed with it.
        """
        ...


@dataclass
class ApplyReport:
    """What an apply did."""

    plan_id: str
    planned: int = 0
    """How many writes the plan held."""
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[Change, str]] = field(default_factory=list)
    stopped: bool = False
    """A graceful stop came first: some writes stay pending in the outbox for the next run."""

    def merged(self, other: ApplyReport) -> ApplyReport:
        """This report and a later one of the same run, added up (the later plan's id)."""
        counts = dict(self.counts)
        for status, count in other.counts.items():
            counts[status] = counts.get(status, 0) + count
        return ApplyReport(
            plan_id=other.plan_id,
            planned=self.planned + other.planned,
            counts=counts,
            failures=self.failures + other.failures,
            stopped=self.stopped or other.stopped,
        )

    @property
    def ok(self) -> bool:
        """True when no write failed."""
        return not self.failures

    def count(self, status: Status) -> int:
        """How many writes ended with ``status``."""
        return self.counts.get(status.value, 0)


def not_written(error: ConnectorError) -> str:
    """Why a tool's remaining writes were not made, saying what to do as the pull does."""
    if failure_kind(error) is FailureKind.REAUTHENTICATE:
        return f"not written ({FailureKind.REAUTHENTICATE}): {error}"
    return f"not written: {error}"


def _execute(executor: Executor, jobs: Sequence[Job], claim: Claim, settle: Settle) -> str | None:
    """Run ``executor``; the reason its unsettled jobs failed, or None when it was stopped."""
    try:
        executor.run(jobs, claim=claim, settle=settle)
    except _StopRequested:
        return None
    except ConnectorError as error:  # credentials refused, retries exhausted, ...
        return not_written(error)
    return "the executor did not settle this write"


@dataclass
class Applier:
    """Applies plans through the store's outbox with one executor per tool."""

    store: Store
    executors: Mapping[str, Executor]
    run_id: str
    clock: Clock
    should_stop: Callable[[], bool] = lambda: False
    on_settled: Callable[[Job, Result], None] | None = None

    def apply(self, plan: Plan) -> ApplyReport:
        """Record ``plan``, then make its writes (and finish an interrupted apply's)."""
        plan_id = self.store.plans.create(self.run_id, plan.summary())
        report = ApplyReport(plan_id=plan_id, planned=len(plan.changes))
        self._record_conflicts(plan.conflicts)
        if plan.adopted:
            self.store.owned.put(plan.adopted)
        wanted = {change.key: change for change in plan.changes}
        self.store.outbox.enqueue(plan_id, [change.planned_write() for change in plan.changes])
        jobs, stale = self._jobs(wanted)
        self.store.outbox.supersede(entry.id for entry in stale)
        by_tool: dict[str, list[Job]] = {}
        for job in jobs:
            by_tool.setdefault(job.change.tool, []).append(job)
        for tool, tool_jobs in by_tool.items():
            if report.stopped or self.should_stop():
                report.stopped = True
                break
            self._run_tool(tool, tool_jobs, report)
        status = PlanStatus.APPLIED if report.ok else PlanStatus.PARTIAL
        if report.ok and self.store.outbox.pending():
            status = PlanStatus.PARTIAL  # stopped early: the rest resumes next run
        self.store.plans.set_status(plan_id, status)
        return report

    def _jobs(self, wanted: Mapping[str, Change]) -> tuple[list[Job], list[OutboxEntry]]:
        jobs: list[Job] = []
        stale: list[OutboxEntry] = []
        for entry in self.store.outbox.pending():
            resumed = entry.status is OutboxStatus.IN_FLIGHT
            key = entry.write.idempotency_key
            if key in wanted:
                jobs.append(Job(entry=entry, change=wanted[key], resumed=resumed))
            elif resumed:
                change = Change.from_planned(entry.write)
                jobs.append(Job(entry=entry, change=change, resumed=True, wanted=False))
            else:
                stale.append(entry)
        return jobs, stale

    def _run_tool(self, tool: str, jobs: list[Job], report: ApplyReport) -> None:
        executor = self.executors.get(tool)
        unsettled = {job.entry.id: job for job in jobs}
        claimed = {job.entry.id for job in jobs if job.resumed}

        def claim(batch: Sequence[Job]) -> None:
            if self.should_stop():
                raise _StopRequested
            for job in batch:
                self.store.outbox.mark_in_flight(job.entry.id)
                claimed.add(job.entry.id)

        def settle(job: Job, result: Result) -> None:
            if unsettled.pop(job.entry.id, None) is None:
                return  # settled once only
            if job.entry.id not in claimed and result.status is not Status.SUPERSEDED:
                # Settled without a request of its own (confirmed by a read: the tool
                # already shows it; or failed before sending): the outbox settles only
                # claimed entries.
                self.store.outbox.mark_in_flight(job.entry.id)
                claimed.add(job.entry.id)
            self._settle(job, result, report)

        if executor is None:
            reason: str | None = f"no {tool} connection is configured to write with"
        else:
            reason = _execute(executor, jobs, claim, settle)
        if reason is None:
            # Stopped: unclaimed writes stay pending; claimed, unsettled ones stay in flight
            # and are confirmed by the next run before anything is written again.
            report.stopped = True
            return
        for job in list(unsettled.values()):  # never silent: every job ends settled
            settle(job, Result(status=Status.FAILED, detail=reason))

    def _settle(self, job: Job, result: Result, report: ApplyReport) -> None:
        change, entry_id = job.change, job.entry.id
        audit = AuditEntry(
            run_id=self.run_id,
            at=self.clock(),
            tool=change.tool,
            target=change.connection,
            ref=change.ref,
            action=change.action.value,
            outcome=result.status.value,
            field=change.field,
            before=change.before,
            after=change.after if result.after is None else result.after,
            detail=result.detail or None,
        )
        if result.status in (Status.APPLIED, Status.CONFIRMED):
            self.store.outbox.mark_applied(entry_id, audit=audit, owned=result.owned)
        elif result.status is Status.SUPERSEDED:
            self.store.outbox.supersede([entry_id])
            self.store.audit.record(audit)
        else:
            self.store.outbox.mark_failed(entry_id, result.detail, audit=audit)
            report.failures.append((change, result.detail))
        report.counts[result.status.value] = report.counts.get(result.status.value, 0) + 1
        if self.on_settled is not None:
            self.on_settled(job, result)

    def _record_conflicts(self, conflicts: Iterable[Conflict]) -> None:
        for conflict in conflicts:
            self.store.audit.record(
                AuditEntry(
                    run_id=self.run_id,
                    at=self.clock(),
                    tool=conflict.tool,
                    target=conflict.connection,
                    ref=conflict.ref,
                    action="conflict",
                    outcome="conflict",
                    field=conflict.field,
                    before=conflict.ours,
                    after=conflict.theirs,
                    detail=f"a person changed it since our last write: {conflict.outcome}",
                )
            )
