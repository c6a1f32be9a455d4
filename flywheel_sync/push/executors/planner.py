"""Makes the Planner writes of a plan: stage buckets and labels, onboarding checklist items.

Every change to one task becomes one PATCH of the task (bucket, labels) and one of its details
(checklist items), each with the ETag it was read with; the PATCHes go 20 to a ``$batch``.

A stale ETag (412) means the task changed since the pull. The task is read again:

- a checklist: items a person added meanwhile do not clash with ours, so the PATCH is sent
  once more with the fresh ETag (if our items are not already there);
- a bucket or label: if the task already shows what we want, the write is confirmed; if it
  still shows what the plan saw, the PATCH is sent once more; if it shows something else, a
  person moved it after the pull: nothing is written, and the next plan decides by policy.

Interrupted writes are confirmed the same way, by reading the task before writing again.
New checklist items carry ids derived from the task and the step, and no ``isChecked``, so
sending one twice neither duplicates it nor unticks what a person ticked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from connectors.errors import WriteRejectedError
from connectors.graph.planner_writer import PatchOutcome, PlannerPatch, PlannerWriter
from flywheel_sync.push.apply import Claim, Job, Result, Settle, Status, per_connection
from flywheel_sync.push.changes import Action
from flywheel_sync.store.ports import Clock
from flywheel_sync.store.rows import OwnedValue

__all__ = ["CHECKLIST_ITEM_TYPE", "PlannerExecutor"]

CHECKLIST_ITEM_TYPE = "microsoft.graph.plannerChecklistItem"


@dataclass(frozen=True, kw_only=True)
class _TaskWrite:
    """The jobs merged into one PATCH of a task or of its details."""

    target: Literal["task", "details"]
    task_id: str
    jobs: tuple[Job, ...]

    def body(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for job in self.jobs:
            data = job.change.payload
            if self.target == "task":
                for key, value in data["body"].items():
                    merged[key] = (
                        {**merged.get(key, {}), **value} if isinstance(value, dict) else value
                    )
            else:
                item: dict[str, Any] = {"@odata.type": CHECKLIST_ITEM_TYPE, "title": data["title"]}
                merged.setdefault("checklist", {})[str(data["item_id"])] = item
        return merged

    def etag(self) -> str:
        return str(self.jobs[0].change.payload.get("etag") or "")


@dataclass
class PlannerExecutor:
    """Runs the Planner jobs of an apply, with one `PlannerWriter` per connection."""

    writer_for: Callable[[str], PlannerWriter]
    clock: Clock
    run_id: str
    _claim: Claim = field(init=False, repr=False)
    _settle: Settle = field(init=False, repr=False)

    def run(self, jobs: Sequence[Job], *, claim: Claim, settle: Settle) -> None:
        """Make the writes; see `flywheel_sync.push.apply.Executor`."""
        self._claim, self._settle = claim, settle
        for writer, batch in per_connection(jobs, self.writer_for, settle):
            self._run(writer, batch)

    def _run(self, writer: PlannerWriter, jobs: list[Job]) -> None:
        grouped: dict[tuple[Literal["task", "details"], str], list[Job]] = {}
        for job in jobs:
            target: Literal["task", "details"] = (
                "task" if job.change.action is Action.SET else "details"
            )
            task_id = str(job.change.payload["task_id"])
            grouped.setdefault((target, task_id), []).append(job)
        writes: list[_TaskWrite] = []
        for (target, task_id), group in grouped.items():
            remaining = self._confirm_resumed(writer, target, task_id, group)
            if remaining:
                writes.append(_TaskWrite(target=target, task_id=task_id, jobs=tuple(remaining)))
        if not writes:
            return
        self._claim([job for write in writes for job in write.jobs])
        outcomes = writer.patch([self._patch(write, write.etag()) for write in writes])
        retries: list[tuple[_TaskWrite, PlannerPatch]] = []
        for write, outcome in zip(writes, outcomes, strict=True):
            retry = self._settle_outcome(writer, write, outcome, last_try=False)
            if retry is not None:
                retries.append((write, retry))
        if retries:
            again = writer.patch([patch for _, patch in retries])
            for (write, _), outcome in zip(retries, again, strict=True):
                self._settle_outcome(writer, write, outcome, last_try=True)

    @staticmethod
    def _patch(write: _TaskWrite, etag: str) -> PlannerPatch:
        return PlannerPatch(
            target=write.target, item_id=write.task_id, etag=etag, body=write.body()
        )

    # -- reading the task back ----------------------------------------------------------

    def _read(self, writer: PlannerWriter, target: str, task_id: str) -> dict[str, Any]:
        return writer.task(task_id) if target == "task" else writer.task_details(task_id)

    @staticmethod
    def _shows(current: Mapping[str, Any], job: Job) -> bool:
        """Whether the task (or its details) already holds what the job writes."""
        data = job.change.payload
        if job.change.action is not Action.SET:
            item = (current.get("checklist") or {}).get(str(data["item_id"])) or {}
            return bool(item) and item.get("title") == data["title"]
        for key, value in data["body"].items():
            held = current.get(key)
            if isinstance(value, dict):
                held = held or {}
                if any(bool(held.get(k)) != bool(v) for k, v in value.items()):
                    return False
            elif held != value:
                return False
        return True

    def _confirm_resumed(
        self, writer: PlannerWriter, target: str, task_id: str, jobs: list[Job]
    ) -> list[Job]:
        """Settle interrupted or unwanted jobs by reading the task; the rest still to write."""
        if not any(job.resumed or not job.wanted for job in jobs):
            return jobs
        try:
            current = self._read(writer, target, task_id)
        except WriteRejectedError as gone:
            for job in jobs:
                self._settle(job, Result(status=Status.FAILED, detail=str(gone.detail)))
            return []
        remaining = []
        for job in jobs:
            if self._shows(current, job):
                self._done(job, Status.CONFIRMED, "found written after an interrupted apply", None)
            elif not job.wanted:
                self._settle(job, Result(status=Status.SUPERSEDED, detail="no longer wanted"))
            else:
                remaining.append(job)
        return remaining

    # -- settling -----------------------------------------------------------------------

    def _done(self, job: Job, status: Status, detail: str, etag: str | None) -> None:
        change = job.change
        item = change.payload.get("item_id")
        owned = OwnedValue(
            target=change.connection,
            ref=change.ref,
            field=change.field,
            value=change.after,
            desired=change.after,
            external_id=None if item is None else str(item),
            version=etag,
            written_at=self.clock(),
            run_id=self.run_id,
        )
        self._settle(job, Result(status=status, detail=detail, owned=(owned,)))

    def _settle_outcome(
        self, writer: PlannerWriter, write: _TaskWrite, outcome: PatchOutcome, *, last_try: bool
    ) -> PlannerPatch | None:
        """Settle a write's jobs; the PATCH to send once more after a stale ETag, if any."""
        if outcome.status == "applied":
            for job in write.jobs:
                self._done(job, Status.APPLIED, "", outcome.etag)
            return None
        if outcome.status == "rejected":
            reason = f"Planner refused it ({outcome.code or 'error'}): {outcome.message}"
            for job in write.jobs:
                self._settle(job, Result(status=Status.FAILED, detail=reason))
            return None
        current = self._read(writer, write.target, write.task_id)
        retry = []
        for job in write.jobs:
            if self._shows(current, job):
                self._done(job, Status.CONFIRMED, "already there", current.get("@odata.etag"))
            elif last_try or not self._unchanged(current, job):
                detail = "changed in Planner since the pull; the next plan decides"
                self._settle(job, Result(status=Status.SUPERSEDED, detail=detail))
            else:
                retry.append(job)
        if not retry:
            return None
        fresh = _TaskWrite(target=write.target, task_id=write.task_id, jobs=tuple(retry))
        return self._patch(fresh, str(current.get("@odata.etag") or ""))

    @staticmethod
    def _unchanged(current: Mapping[str, Any], job: Job) -> bool:
        """Whether what the job replaces is still as the plan saw it (checklists: always)."""
        if job.change.action is not Action.SET:
            return True
        before = job.change.payload.get("before_value")
        if before is None:
            return True
        field_name = next(iter(job.change.payload["body"]))
        return bool(current.get(field_name) == before)
