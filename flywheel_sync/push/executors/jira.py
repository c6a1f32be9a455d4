"""Makes the Jira writes of a plan: stage fields, onboarding sub-tasks, stage comments.

Requests are grouped where Jira allows: many issues moving to the same stage are one
asynchronous bulk edit on Cloud (``bulk_threshold`` issues or more), sub-tasks are created 50
to a request. Writes that cannot be made twice safely are checked against the tool first:

- a sub-task is created only if its parent does not list one with the same summary (read
  from the parent's ``subtasks`` field, which is consistent at once, unlike a search; 100
  parents a request on Cloud);
- a comment is posted only if no comment of the issue carries its marker.

An interrupted field write is confirmed by reading the field back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.errors import (
    AuthenticationError,
    ConnectorError,
    RetryableError,
    StaleWriteError,
    WriteRejectedError,
)
from connectors.jira import JiraFlavour
from connectors.jira.writer import BulkEditUnavailableError, CreatedIssue, JiraWriter, SubtaskInfo
from flywheel_sync.domain import CustomerExperienceStage, FlywheelStage, StageParseError
from flywheel_sync.push.adf_checklist import TaskItem, task_items, with_items
from flywheel_sync.push.apply import Claim, Job, Result, Settle, Status, per_connection
from flywheel_sync.push.changes import Action
from flywheel_sync.report.jira_comment import comment_has_marker
from flywheel_sync.store.ports import Clock
from flywheel_sync.store.rows import OwnedValue

__all__ = ["MARKER_PROPERTY", "JiraExecutor"]

MARKER_PROPERTY = "flywheel-sync"
_FORBIDDEN = 403
log = logging.getLogger("flywheel_sync.push")
"""The issue property every sub-task flywheel-sync creates carries (who made it, for what)."""

_STAGE_KINDS: Mapping[str, type[FlywheelStage] | type[CustomerExperienceStage]] = {
    "FlywheelStage": FlywheelStage,
    "CustomerExperienceStage": CustomerExperienceStage,
}


def _means(kind: str, text: str, stage: str) -> bool:
    """Whether the option ``text`` names the stage labelled ``stage``."""
    parse = _STAGE_KINDS.get(kind, FlywheelStage).parse
    try:
        return parse(text) is parse(stage)
    except StageParseError:
        return False


@dataclass
class JiraExecutor:
    """Runs the Jira jobs of an apply, with one `JiraWriter` per connection."""

    writer_for: Callable[[str], JiraWriter]
    clock: Clock
    run_id: str
    bulk_threshold: int = 10
    poll: Callable[[float], None] | None = None
    _claim: Claim = field(init=False, repr=False)
    _settle: Settle = field(init=False, repr=False)

    def run(self, jobs: Sequence[Job], *, claim: Claim, settle: Settle) -> None:
        """Make the writes; see `flywheel_sync.push.apply.Executor`."""
        self._claim, self._settle = claim, settle
        for writer, batch in per_connection(jobs, self.writer_for, settle):
            in_description = [j for j in batch if "local_id" in j.change.payload]
            rest = [j for j in batch if "local_id" not in j.change.payload]
            actions = {action: [j for j in rest if j.change.action is action] for action in Action}
            self._stage_fields(writer, actions[Action.SET])
            self._sub_tasks(writer, actions[Action.CREATE])
            self._renames(writer, actions[Action.RENAME])
            self._comments(writer, actions[Action.COMMENT])
            self._description_checklists(writer, in_description)

    # -- settling -----------------------------------------------------------------------

    def _owned(self, job: Job, *, external_id: str | None = None) -> OwnedValue:
        change = job.change
        return OwnedValue(
            target=change.connection,
            ref=change.ref,
            field=change.field,
            value=change.after,
            desired=change.after,
            external_id=external_id,
            written_at=self.clock(),
            run_id=self.run_id,
        )

    def _done(
        self, job: Job, status: Status, detail: str = "", external_id: str | None = None
    ) -> None:
        owned = self._owned(job, external_id=external_id)
        self._settle(job, Result(status=status, detail=detail, owned=(owned,)))

    def _fail(self, job: Job, reason: str) -> None:
        self._settle(job, Result(status=Status.FAILED, detail=reason))

    def _unwanted(self, job: Job) -> None:
        self._settle(
            job, Result(status=Status.SUPERSEDED, detail="not written: the plan no longer wants it")
        )

    # -- stage fields -------------------------------------------------------------------

    def _stage_fields(self, writer: JiraWriter, jobs: list[Job]) -> None:
        to_write: dict[tuple[str, str], list[Job]] = {}
        for job in jobs:
            data = job.change.payload
            if job.resumed and self._field_shows(writer, job):
                self._done(job, Status.CONFIRMED, "found written after an interrupted apply")
                continue
            if not job.wanted:
                self._unwanted(job)
                continue
            try:
                options = writer.select_options(job.change.ref, str(data["field_id"]))
            except WriteRejectedError as refused:
                self._fail(job, str(refused.detail))
                continue
            option = next(
                (i for text, i in options.items() if _means(data["kind"], text, data["stage"])),
                None,
            )
            if option is None:
                self._fail(job, f"field {job.change.field!r} has no option for {data['stage']!r}")
                continue
            to_write.setdefault((str(data["field_id"]), option), []).append(job)
        for (field_id, option), group in to_write.items():
            bulk = len(group) >= self.bulk_threshold and writer.flavour is JiraFlavour.CLOUD
            if bulk and self._bulk(writer, group, field_id, option):
                continue
            for job in group:
                self._set_one(writer, job, {field_id: {"id": option}})

    def _field_shows(self, writer: JiraWriter, job: Job) -> bool:
        data = job.change.payload
        field_id = str(data["field_id"])
        issue = writer.site.issue(job.change.ref, fields=field_id, expand=None, properties=())
        value = (issue.get("fields") or {}).get(field_id)
        text = value.get("value") if isinstance(value, dict) else value
        return isinstance(text, str) and _means(data["kind"], text, data["stage"])

    def _bulk(self, writer: JiraWriter, group: list[Job], field_id: str, option: str) -> bool:
        keys = [job.change.ref for job in group]
        self._claim(group)
        try:
            outcome = (
                writer.bulk_set_select(keys, field_id=field_id, option_id=option, poll=self.poll)
                if self.poll is not None
                else writer.bulk_set_select(keys, field_id=field_id, option_id=option)
            )
        except BulkEditUnavailableError:
            return False
        except WriteRejectedError as refused:
            if refused.status != _FORBIDDEN:
                raise
            # Bulk edit needs the global "Make bulk changes" permission; editing one issue at
            # a time needs only "Edit issues", so the writes still go, just slower.
            log.warning(
                "Jira refused the bulk edit (%s): setting the fields issue by issue",
                refused.detail,
            )
            return False
        edited = set(outcome.edited)
        for job in group:
            if job.change.ref in edited:
                self._done(job, Status.APPLIED, "bulk edit")
            else:
                reason = outcome.failed.get(job.change.ref, "not edited by the bulk edit")
                self._fail(job, reason)
        return True

    def _set_one(self, writer: JiraWriter, job: Job, fields: Mapping[str, Any]) -> None:
        self._claim([job])
        try:
            writer.set_fields(job.change.ref, fields)
        except StaleWriteError:
            try:
                writer.set_fields(job.change.ref, fields)  # Jira's 409: one more try
            except (WriteRejectedError, StaleWriteError) as refused:
                self._fail(job, str(refused.detail))
                return
        except WriteRejectedError as refused:
            self._fail(job, str(refused.detail))
            return
        self._done(job, Status.APPLIED)

    # -- onboarding sub-tasks -----------------------------------------------------------

    def _sub_tasks(self, writer: JiraWriter, jobs: list[Job]) -> None:
        existing = _SubTasks(writer).read(jobs)
        to_create: list[Job] = []
        for job in jobs:
            found = existing.key_of(job)
            if found is not None:
                self._done(job, Status.CONFIRMED, f"sub-task {found} already exists", found)
            elif not job.wanted:
                self._unwanted(job)
            else:
                to_create.append(job)
        if not to_create:
            return
        self._claim(to_create)
        try:
            created = writer.create_issues([_sub_task(job) for job in to_create])
        except RetryableError as lost:
            self._confirm_sub_tasks(writer, to_create, lost)
            return
        for job, outcome in zip(to_create, created, strict=True):
            if isinstance(outcome, CreatedIssue):
                self._done(job, Status.APPLIED, f"created {outcome.key}", outcome.key)
            else:
                self._fail(job, str(outcome.detail))

    def _confirm_sub_tasks(self, writer: JiraWriter, jobs: list[Job], lost: RetryableError) -> None:
        """After a bulk create whose answer was lost, find out by reading which ones landed.

        A create is never sent twice (`RetryPolicy.for_creates`), but Jira may have made some
        or all of the sub-tasks: each parent's ``subtasks`` are read again, and a sub-task
        there with the summary sent is ours, owned as if the answer had come. Were they left
        failed, the next plan would find them unowned and take them for a person's.
        """
        listed = _SubTasks(writer).read(jobs)
        for job in jobs:
            found = listed.key_of(job)
            if found is None:
                self._fail(job, f"not written: {lost}")
            else:
                self._done(job, Status.APPLIED, f"created {found} (read back)", found)

    def _renames(self, writer: JiraWriter, jobs: list[Job]) -> None:
        for job in jobs:
            item = job.change.payload.get("item")
            if not job.wanted or not item:
                self._unwanted(job)
                continue
            self._claim([job])
            try:
                writer.set_fields(str(item), {"summary": job.change.after})
            except (WriteRejectedError, StaleWriteError) as refused:
                self._fail(job, str(refused.detail))
                continue
            self._done(job, Status.APPLIED, external_id=str(item))

    # -- description checklists ----------------------------------------------------------

    def _description_checklists(self, writer: JiraWriter, jobs: list[Job]) -> None:
        """Add or retitle our task items in each issue's description, read fresh first.

        The description is read just before it is written, so ticks and text people added
        since the pull are kept; items already there are confirmed, not added again.
        """
        by_issue: dict[str, list[Job]] = {}
        for job in jobs:
            by_issue.setdefault(str(job.change.payload["issue"]), []).append(job)
        for key, group in by_issue.items():
            issue = writer.site.issue(key, fields="description", expand=None, properties=())
            doc = (issue.get("fields") or {}).get("description")
            items = task_items(doc)
            to_write = []
            for job in group:
                data = job.change.payload
                found = items.get(str(data["local_id"]))
                if found is not None and found.text == data["title"]:
                    self._done(job, Status.CONFIRMED, "already in the description", found.local_id)
                elif not job.wanted:
                    self._unwanted(job)
                else:
                    to_write.append(job)
            if to_write:
                self._write_description(writer, key, doc, to_write, items)

    def _write_description(
        self,
        writer: JiraWriter,
        key: str,
        doc: Any,
        jobs: list[Job],
        items: Mapping[str, TaskItem],
    ) -> None:
        first = jobs[0].change.payload
        updated = with_items(
            doc,
            list_id=str(first["list_id"]),
            heading=str(first["heading"]),
            add=[
                (str(j.change.payload["local_id"]), str(j.change.payload["title"]))
                for j in jobs
                if str(j.change.payload["local_id"]) not in items
            ],
            retitle={
                str(j.change.payload["local_id"]): str(j.change.payload["title"])
                for j in jobs
                if str(j.change.payload["local_id"]) in items
            },
        )
        self._claim(jobs)
        try:
            writer.set_fields(key, {"description": updated})
        except (WriteRejectedError, StaleWriteError) as refused:
            for job in jobs:
                self._fail(job, str(refused.detail))
            return
        for job in jobs:
            self._done(job, Status.APPLIED, external_id=str(job.change.payload["local_id"]))

    # -- comments -----------------------------------------------------------------------

    def _comments(self, writer: JiraWriter, jobs: list[Job]) -> None:
        for job in jobs:
            data = job.change.payload
            marker = str(data["marker"])
            try:
                comments = writer.comments(job.change.ref)
            except AuthenticationError:
                raise  # every comment would be refused alike: the applier fails the rest
            except ConnectorError as error:
                self._fail(job, str(error))
                continue
            found = next((c for c in comments if comment_has_marker(c.body, marker)), None)
            if found is not None:
                self._done(job, Status.CONFIRMED, f"comment {found.id} already posted", found.id)
                continue
            if not job.wanted:
                self._unwanted(job)
                continue
            self._claim([job])
            try:
                comment_id = writer.add_comment(job.change.ref, data["body"])
            except WriteRejectedError as refused:
                self._fail(job, str(refused.detail))
                continue
            self._done(job, Status.APPLIED, f"comment {comment_id}", comment_id)


@dataclass
class _SubTasks:
    """Each parent's sub-tasks by summary, read once (fresh) when first asked."""

    writer: JiraWriter
    _by_parent: dict[str, dict[str, str]] = field(default_factory=dict)

    def read(self, jobs: Sequence[Job]) -> _SubTasks:
        """Read the parents of ``jobs`` at once (100 a request on Cloud); returns itself."""
        parents = dict.fromkeys(str(job.change.payload["parent"]) for job in jobs)
        missing = [parent for parent in parents if parent not in self._by_parent]
        for parent, tasks in self.writer.subtasks_of(missing).items():
            self._by_parent[parent] = _by_summary(tasks)
        return self

    def key_of(self, job: Job) -> str | None:
        """The key of the sub-task ``job`` creates, when its parent already has it."""
        parent = str(job.change.payload["parent"])
        if parent not in self._by_parent:  # not returned by `read`: its own read says why
            self._by_parent[parent] = _by_summary(self.writer.subtasks(parent))
        return self._by_parent[parent].get(_summary_key(str(job.change.after)))


def _summary_key(summary: str) -> str:
    return summary.strip().casefold()


def _by_summary(tasks: Iterable[SubtaskInfo]) -> dict[str, str]:
    """Sub-task keys by summary, as `_SubTasks.key_of` looks them up."""
    return {_summary_key(task.summary): task.key for task in tasks}


def _sub_task(job: Job) -> dict[str, Any]:
    data = job.change.payload
    fields: dict[str, Any] = {
        "project": {"key": data["project"]},
        "parent": {"key": data["parent"]},
        "issuetype": {"name": data["issuetype"]},
        "summary": data["summary"],
    }
    if data.get("labels"):
        fields["labels"] = list(data["labels"])
    marker = {"createdBy": "flywheel-sync", "engagement": data["engagement"], "step": data["step"]}
    return {"fields": fields, "properties": [{"key": MARKER_PROPERTY, "value": marker}]}
