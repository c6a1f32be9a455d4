"""Cloud's asynchronous bulk edit: submit a task, then poll it until it is complete.

``POST /bulk/issues/fields`` checks the request and answers 201 ``{"taskId"}``; the edit has
not happened yet. Polling the task (``GET /bulk/queue/{taskId}``, or the generic
``GET /task/{taskId}``) moves it on one step per poll, so tests are deterministic without
threads or sleeps: the first poll finds it RUNNING, the second applies every issue's edit
at once (under the store lock) and finds it COMPLETE. Each issue is edited as ``PUT /issue``
would edit it; issues that refuse their values are listed with the reasons, unknown ones
are only counted. Tasks live in the store, so a sandbox reset drops queued ones too.

Times: the bulk queue gives RFC 3339 strings (the spec's ``format: date-time``, although its
example shows epoch milliseconds); ``/task`` gives epoch milliseconds, as Jira's task API does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flywheel_sync.sandbox.demo.jira_model import JsonObject
from flywheel_sync.sandbox.handlers import Handler
from flywheel_sync.sandbox.jira.bulk_input import BulkEditRequest, BulkRejected
from flywheel_sync.sandbox.jira.issue_edits import EditRejected, IssueEditor
from flywheel_sync.sandbox.jira.wire import BadRequest, api_version, base_url, jira_error, json_body

__all__ = ["BulkEditTask", "BulkEdits"]


@dataclass(kw_only=True)
class BulkEditTask:
    """One submitted bulk edit and, once run, its outcome (times are epoch milliseconds)."""

    task_id: str
    request: BulkEditRequest
    submitted: int
    status: str = "ENQUEUED"
    started: int | None = None
    finished: int | None = None
    processed: list[int] = field(default_factory=list)
    failed: dict[str, list[str]] = field(default_factory=dict)
    invalid: int = 0

    @property
    def progress(self) -> int:
        """Percent done: 0 until the edit has run, then 100."""
        return 100 if self.status == "COMPLETE" else 0

    @property
    def last_update(self) -> int:
        """When the task last changed state."""
        return self.finished or self.started or self.submitted

    def outcome(self) -> JsonObject:
        """What happened to the issues (empty lists until the task has run)."""
        return {
            "totalIssueCount": len(self.request.issues),
            "processedAccessibleIssues": list(self.processed),
            "failedAccessibleIssues": {k: list(v) for k, v in self.failed.items()},
            "invalidOrInaccessibleIssueCount": self.invalid,
        }


class BulkEdits:
    """Bulk edit submission and polling over one `IssueEditor`."""

    def __init__(self, editor: IssueEditor) -> None:
        self.editor = editor

    def _now(self) -> int:
        return int(self.editor.clock().timestamp() * 1000)

    async def submit(self, request: Request) -> Response:
        """``POST /bulk/issues/fields`` → 201 ``{"taskId"}``, or 400 ``{"errors": [...]}``."""
        try:
            body = await json_body(request)
            edit = BulkEditRequest.parse(body, self.editor.inputs("3"))
        except BadRequest as problem:
            return JSONResponse(BulkRejected(problem.message).body(), status_code=400)
        except BulkRejected as rejected:
            return JSONResponse(rejected.body(), status_code=400)
        store = self.editor.store
        with store.lock:
            task = BulkEditTask(task_id=store.next_task_id(), request=edit, submitted=self._now())
            store.tasks[task.task_id] = task
        return JSONResponse({"taskId": task.task_id}, status_code=201)

    def _poll(self, task_id: str) -> BulkEditTask | None:
        """The task after one more step (ENQUEUED → RUNNING → COMPLETE), or None."""
        with self.editor.store.lock:
            task = self.editor.store.tasks.get(task_id)
            if not isinstance(task, BulkEditTask):
                return None
            if task.status == "ENQUEUED":
                task.status, task.started = "RUNNING", self._now()
            elif task.status == "RUNNING":
                self._run(task)
                task.status, task.finished = "COMPLETE", self._now()
            return task

    def _run(self, task: BulkEditTask) -> None:
        store = self.editor.store
        for wanted in task.request.issues:
            issue = store.issue(wanted)
            if issue is None:
                task.invalid += 1
                continue
            try:
                self.editor.edit(issue, {"update": task.request.update}, version="3")
            except EditRejected as rejected:
                task.failed[issue.id] = [*rejected.messages, *rejected.errors.values()]
            else:
                task.processed.append(int(issue.id))

    async def queue(self, request: Request) -> Response:
        """``GET /bulk/queue/{taskId}``: ``BulkOperationProgress``."""
        task = self._poll(request.path_params["task"])
        if task is None:
            return _unknown(request.path_params["task"])
        body: JsonObject = {
            "taskId": task.task_id,
            "status": task.status,
            "progressPercent": task.progress,
            "submittedBy": {"accountId": self.editor.author.get("accountId")},
            "created": _date_time(task.submitted),
            "updated": _date_time(task.last_update),
            **task.outcome(),
        }
        if task.started is not None:
            body["started"] = _date_time(task.started)
        return JSONResponse(body)

    async def task(self, request: Request) -> Response:
        """``GET /task/{taskId}``: the generic long-running task view, ``result`` when done."""
        task = self._poll(request.path_params["task"])
        if task is None:
            return _unknown(request.path_params["task"])
        link = f"{base_url(request)}/rest/api/{api_version(request)}/task/{task.task_id}"
        body: JsonObject = {
            "self": link,
            "id": task.task_id,
            "description": f"Bulk edit of {len(task.request.issues)} issues",
            "status": task.status,
            "progress": task.progress,
            "elapsedRuntime": task.last_update - (task.started or task.submitted),
            "submitted": task.submitted,
            "lastUpdate": task.last_update,
        }
        if task.started is not None:
            body["started"] = task.started
        if task.status == "COMPLETE":
            body |= {"finished": task.finished, "result": task.outcome()}
        return JSONResponse(body)

    def routes(self) -> list[Route]:
        """Bulk edit routes, for both REST versions (Cloud only: Data Center has none)."""
        table: list[tuple[str, Handler, str]] = [
            ("/bulk/issues/fields", self.submit, "POST"),
            ("/bulk/queue/{task}", self.queue, "GET"),
            ("/task/{task}", self.task, "GET"),
        ]
        return [
            Route(f"/rest/api/{version}{path}", handler, methods=[method])
            for version in ("2", "3")
            for path, handler, method in table
        ]


def _date_time(epoch_millis: int) -> str:
    """RFC 3339 with milliseconds, as the spec's ``format: date-time`` asks."""
    moment = datetime.fromtimestamp(epoch_millis / 1000, tz=UTC)
    return moment.isoformat(timespec="milliseconds")


def _unknown(task_id: str) -> Response:
    return jira_error(404, f"The task with id '{task_id}' does not exist.")
