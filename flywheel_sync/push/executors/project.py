"""Makes the Microsoft Project writes of a plan through the Project Schedule API.

Every job becomes one or more schedule operations (a bucket move and a KPI note are task
updates; a label is a task-to-label row created, the task's other stage labels' rows deleted;
a checklist step is a row created or renamed), and each project's operations run as operation
sets of at most 200 (`connectors.project.ScheduleWriter`). A set's jobs are claimed (in
flight) just before it is executed, and settled by its outcome once it is confirmed.

Writes land asynchronously, and a crash may come between executing a set and confirming it.
That is safe because every row flywheel-sync creates has an id derived from what it is (the
task and the step, the task and the label): an interrupted job is first confirmed by reading
the task back, and one sent again is the same row, which Project refuses to create twice. The
KPI note is re-read before it is written, so text people added around it since the pull stays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from connectors.errors import ConnectorError
from connectors.project.schedule_operations import (
    OperationOutcome,
    ScheduleOperation,
    add_checklist_item,
    describe_task,
    label_task,
    move_task,
    unlabel_task,
    update_checklist_item,
)
from connectors.project.schedule_writer import ScheduleWriter
from flywheel_sync.push.apply import (
    Claim,
    Job,
    Result,
    Settle,
    Status,
    not_written,
    per_connection,
)
from flywheel_sync.push.changes import Action
from flywheel_sync.push.targets.project import NOTE_FIELD
from flywheel_sync.report.task_note import note_in, with_note
from flywheel_sync.store.ports import Clock
from flywheel_sync.store.rows import OwnedValue

__all__ = ["ProjectExecutor"]


_KIND_ORDER = {"delete": 0, "update": 1, "create": 2}
"""Stale label links go before the new ones are made (never two stage labels at once)."""


def _checklist_key(task_id: str, step: str) -> str:
    """The create's key, from which the row id is derived (= `checklist_row_id`)."""
    return f"checklist/{task_id}/{step}"


@dataclass
class ProjectExecutor:
    """Runs the Project jobs of an apply, with one `ScheduleWriter` per connection."""

    writer_for: Callable[[str], ScheduleWriter]
    clock: Clock
    run_id: str
    _claim: Claim = field(init=False, repr=False)
    _settle: Settle = field(init=False, repr=False)

    def run(self, jobs: Sequence[Job], *, claim: Claim, settle: Settle) -> None:
        """Make the writes; see `flywheel_sync.push.apply.Executor`."""
        self._claim, self._settle = claim, settle
        for writer, batch in per_connection(jobs, self.writer_for, settle):
            self._run(writer, batch)

    def _run(self, writer: ScheduleWriter, jobs: list[Job]) -> None:
        to_write = [job for job in jobs if not self._confirmed(writer, job)]
        by_project: dict[str, list[Job]] = {}
        for job in to_write:
            by_project.setdefault(str(job.change.payload["project_id"]), []).append(job)
        for project_id, project_jobs in by_project.items():
            self._write(writer, project_id, project_jobs)

    # -- confirming interrupted writes ---------------------------------------------------

    def _confirmed(self, writer: ScheduleWriter, job: Job) -> bool:
        """Settle a job that needs no write (landed before a crash, or no longer wanted)."""
        if not (job.resumed or not job.wanted):
            return False
        if self._shows(writer, job):
            self._done(job, Status.CONFIRMED, "found written after an interrupted apply")
            return True
        if not job.wanted:
            self._settle(job, Result(status=Status.SUPERSEDED, detail="no longer wanted"))
            return True
        return False

    @staticmethod
    def _shows(writer: ScheduleWriter, job: Job) -> bool:
        """Whether Project already holds what the job writes."""
        data, change = job.change.payload, job.change
        task_id = str(data["task_id"])
        if change.field == "bucket":
            task = writer.task(task_id)
            return task is not None and task.bucket_id == data["bucket_id"]
        if change.field == "label":
            links = writer.task_labels(task_id)
            removed = set(data.get("remove_links") or ())
            return any(link.label_id == data["label_id"] for link in links) and not any(
                link.id in removed for link in links
            )
        if change.field == NOTE_FIELD:
            task = writer.task(task_id)
            return task is not None and note_in(task.description) == data["note"]
        rows = {row.id: row for row in writer.checklist(task_id)}
        row = rows.get(str(data["row_id"]))
        return row is not None and row.name == data["title"]

    # -- writing -----------------------------------------------------------------------

    def _operations(self, writer: ScheduleWriter, job: Job) -> list[ScheduleOperation]:
        data, change = job.change.payload, job.change
        task_id = str(data["task_id"])
        if change.field == "bucket":
            return [
                move_task(key=f"bucket/{task_id}", task_id=task_id, bucket_id=data["bucket_id"])
            ]
        if change.field == "label":
            label_id = str(data["label_id"])
            operations = [
                unlabel_task(key=f"unlabel/{link}", link_id=str(link))
                for link in data.get("remove_links") or ()
            ]
            if not data.get("has_label"):
                key = f"label/{task_id}/{label_id}"
                operations.append(label_task(key=key, task_id=task_id, label_id=label_id))
            return operations
        if change.field == NOTE_FIELD:
            task = writer.task(task_id)  # fresh: keep what people wrote since the pull
            fresh = task.description if task is not None else data.get("description")
            note = str(data["note"])
            return [
                describe_task(
                    key=f"note/{task_id}", task_id=task_id, description=with_note(fresh, note)
                )
            ]
        if change.action is Action.RENAME:
            row = str(data["item"])
            return [update_checklist_item(key=f"rename/{row}", item_id=row, name=data["title"])]
        return [
            add_checklist_item(
                key=_checklist_key(task_id, str(data["step"])),
                task_id=task_id,
                name=str(data["title"]),
                order=float(data.get("order") or 0) or None,
            )
        ]

    def _write(self, writer: ScheduleWriter, project_id: str, jobs: list[Job]) -> None:
        owner: dict[str, Job] = {}
        operations: list[ScheduleOperation] = []
        for job in jobs:
            for operation in self._operations(writer, job):
                owner[operation.key] = job
                operations.append(operation)
        # The writer stages each run of same-kind operations in one request, and no write of
        # a push depends on another's order: grouped by kind, a set costs 3 stagings at most.
        operations.sort(key=lambda operation: _KIND_ORDER[operation.kind])
        claimed: set[int] = set()

        def executing(set_id: str, batch: tuple[ScheduleOperation, ...]) -> None:
            fresh = {owner[op.key].entry.id: owner[op.key] for op in batch}
            new = [job for entry_id, job in fresh.items() if entry_id not in claimed]
            if new:
                self._claim(new)
                claimed.update(job.entry.id for job in new)

        try:
            outcomes = writer.run(
                project_id,
                operations,
                description=f"flywheel-sync {self.run_id}",
                on_executing=executing,
            )
        except ConnectorError as error:
            for job in jobs:
                self._settle(job, Result(status=Status.FAILED, detail=not_written(error)))
            return
        self._settle_outcomes(jobs, owner, outcomes)

    def _settle_outcomes(
        self, jobs: list[Job], owner: Mapping[str, Job], outcomes: Sequence[OperationOutcome]
    ) -> None:
        by_job: dict[int, list[OperationOutcome]] = {}
        for outcome in outcomes:
            by_job.setdefault(owner[outcome.key].entry.id, []).append(outcome)
        for job in jobs:
            results = by_job.get(job.entry.id, [])
            failed = [o for o in results if o.status != "landed"]
            if results and not failed:
                self._done(job, Status.APPLIED, "")
                continue
            reasons = "; ".join(f"{o.status}: {o.detail}" for o in failed) or "not sent"
            self._settle(job, Result(status=Status.FAILED, detail=f"Project: {reasons}"))

    def _done(self, job: Job, status: Status, detail: str) -> None:
        change = job.change
        row = change.payload.get("row_id")
        owned = OwnedValue(
            target=change.connection,
            ref=change.ref,
            field=change.field,
            value=change.after,
            desired=change.after,
            external_id=None if row is None else str(row),
            written_at=self.clock(),
            run_id=self.run_id,
        )
        self._settle(job, Result(status=status, detail=detail, owned=(owned,)))
