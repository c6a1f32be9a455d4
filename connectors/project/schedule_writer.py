"""Project writes: operation sets of the Project Schedule API, run one at a time, confirmed.

Dataverse refuses plain Web API writes to scheduling tables; they go through the Schedule
API (graph-wire.md §4). `ScheduleWriter.run` cuts the operations into sets of at most 200
(the service's limit), in order, and holds one set open at a time (a user may hold 10).
Per set, the requests are::

    POST msdyn_CreateOperationSetV1 {ProjectId, Description}       -> {OperationSetId}
    POST msdyn_Pss{Create,Update,Delete}V2 {OperationSetId, EntityCollection}
                                                 one per run of operations of one kind
    on_executing(set_id, operations)             the caller marks them in flight
    POST msdyn_ExecuteOperationSetV1 {OperationSetId}   validates, accepts, persists later
    GET  msdyn_operationsets(<id>)?$select=msdyn_status,...   until Completed or Failed

so N checklist rows cost 4 requests per 200 (the V1 actions would cost N + 3). The POSTs
that make or run something are retried only after a 429 (`RetryPolicy.for_creates`): an
Execute sent twice after a dropped answer could run twice. The polls retry as reads do.

Failures, and what the outcomes (`connectors.project.schedule_operations`) say:

- a staging call refused (400) is split in halves until the refused operations stand alone:
  each is ``failed`` with Project's message, and the set goes on without it;
- a set that fails on execution, at once (400 with PSS's error) or while persisting (status
  Failed), applied nothing: a create whose row exists already (an earlier attempt made it)
  and a delete whose row is gone are ``landed``; the operation Project named is ``failed``;
  the rest go again in a new set (split in halves when Project named none), at most
  ``max_resubmits`` times per run; a set still open after failing is abandoned;
- an Execute without an answer is not sent again: the set is read, abandoned if still open
  (``skipped``), else followed to its end; polls that outlast ``poll_timeout`` leave the
  set's operations ``unconfirmed``;
- trouble that outlasts the retry policy stops the run: the operations not sent are
  ``skipped``, those whose fate is unknown ``unconfirmed``;
- the application user's token is refused (403): `AuthenticationError`, saying that the
  Schedule API needs a delegated sign-in by a Project-licensed user. It and
  `ConnectorConfigError` (an unknown project) are raised, not reported per operation.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.errors import (
    AuthenticationError,
    ConnectorError,
    RetryableError,
    WriteRejectedError,
)
from connectors.project.odata import ODataClient
from connectors.project.odata_query import any_equal, batched
from connectors.project.schedule_operations import (
    MAX_OPERATIONS,
    SCHEDULING_ENTITIES,
    OperationOutcome,
    OperationSetState,
    OperationSetStatus,
    OutcomeStatus,
    PssFailure,
    ScheduleOperation,
    guid,
    pss_failure,
)

__all__ = [
    "ChecklistRow",
    "ExecutingListener",
    "ProjectLabel",
    "ScheduleTask",
    "ScheduleWriter",
    "TaskLabel",
]

ExecutingListener = Callable[[str, tuple[ScheduleOperation, ...]], None]
"""Told a set's id and its operations just before it is executed, for every set (those sent
again included): the last call naming an operation names the set that carries it. If the
listener raises, the set is abandoned and the error propagates."""
Indexed = tuple[int, ScheduleOperation]
_KIND_ACTION = {
    "create": "msdyn_PssCreateV2",
    "update": "msdyn_PssUpdateV2",
    "delete": "msdyn_PssDeleteV2",
}
_SET_COLUMNS = "msdyn_status,msdyn_executedon,msdyn_completedon,_msdyn_psserrorlog_value"
_IDS_PER_READ = 50
"""Ids per ``$filter`` or-chain in `ScheduleWriter.rows_exist`: keeps the URL short."""
_THROTTLED = 429
_OPEN = OperationSetStatus.OPEN
_LICENSED_USER_HINT = (
    "The Project Schedule API accepts only a delegated sign-in by a user with a Project "
    "licence (device code sign-in); an application user (client secret or certificate) may "
    "read Project but not write to it."
)


@dataclass(frozen=True, kw_only=True)
class ScheduleTask:
    """A task's columns a push plans with."""

    id: str
    subject: str | None
    description: str | None
    bucket_id: str | None
    project_id: str | None
    etag: str | None
    modified_on: str | None


@dataclass(frozen=True, kw_only=True)
class ProjectLabel:
    """One of a project's labels (``msdyn_projectlabel``); unnamed ones have an empty name."""

    id: str
    name: str


@dataclass(frozen=True, kw_only=True)
class TaskLabel:
    """A label on a task: its ``msdyn_projecttasktolabel`` row (delete it to unlabel)."""

    id: str
    label_id: str | None


@dataclass(frozen=True, kw_only=True)
class ChecklistRow:
    """One ``msdyn_projectchecklist`` row."""

    id: str
    name: str | None
    completed: bool
    order: float | None


@dataclass
class _SetResult:
    """What one operation set settled, what must go again, and whether to stop the run."""

    settled: dict[int, OperationOutcome] = field(default_factory=dict)
    again: list[tuple[list[int], str]] = field(default_factory=list)
    halt: str | None = None


class ScheduleWriter:
    """Writes to Project for the web through the Project Schedule API.

    Args:
        client: The environment's OData client, signed in as a Project-licensed user.
        source: The source name errors carry (``project:northwind``).
        poll_interval: Seconds between polls of an executed set.
        poll_timeout: Seconds an executed set may take to persist before its operations are
            reported ``unconfirmed``.
        max_resubmits: Sets a run may send again after failed sets, to apply what a failed
            operation held back.
        sleep: Waits between polls (tests advance a fake clock).
        monotonic: The clock of ``poll_timeout``.
    """

    def __init__(
        self,
        client: ODataClient,
        *,
        source: str,
        poll_interval: float = 1.0,
        poll_timeout: float = 120.0,
        max_resubmits: int = 10,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.source = source
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout
        self.max_resubmits = max_resubmits
        self._sleep = sleep
        self._monotonic = monotonic

    # ---- writing

    def run(
        self,
        project_id: str,
        operations: Sequence[ScheduleOperation],
        *,
        description: str,
        on_executing: ExecutingListener | None = None,
    ) -> list[OperationOutcome]:
        """Apply ``operations`` to one project in order; one outcome each, in input order.

        Raises:
            AuthenticationError: Project refused the credentials (the application user).
            ConnectorConfigError: The project or the Schedule API is not there.
        """
        project_id = guid(project_id, what="project id")
        queue = deque(list(chunk) for chunk in batched(range(len(operations)), MAX_OPERATIONS))
        outcomes: dict[int, OperationOutcome] = {}
        resubmits, halt = self.max_resubmits, None
        while queue:
            indexes = queue.popleft()
            if halt is not None:
                outcomes |= {i: _outcome(operations[i], "skipped", halt) for i in indexes}
                continue
            batch = [(i, operations[i]) for i in indexes]
            result = self._attempt(project_id, batch, description, on_executing)
            outcomes |= result.settled
            halt = result.halt
            for group, why in reversed(result.again):
                if resubmits > 0:
                    queue.appendleft(group)
                    resubmits -= 1
                else:
                    outcomes |= {i: _outcome(operations[i], "failed", why) for i in group}
        return [outcomes[i] for i in range(len(operations))]

    def _attempt(
        self,
        project_id: str,
        batch: list[Indexed],
        description: str,
        on_executing: ExecutingListener | None,
    ) -> _SetResult:
        """One operation set: open, stage, execute, confirm."""
        result = _SetResult()
        try:
            set_id = self._action(
                "msdyn_CreateOperationSetV1", {"ProjectId": project_id, "Description": description}
            )["OperationSetId"]
        except (RetryableError, WriteRejectedError, KeyError) as error:
            result.halt = f"no operation set could be opened: {_detail(error)}"
            result.settled = {i: _outcome(op, "skipped", result.halt) for i, op in batch}
            return result
        staged = self._stage_all(str(set_id), batch, result)
        if result.halt is not None or not staged:
            self.abandon(str(set_id))
            why = result.halt or ""
            result.settled |= {i: _outcome(op, "skipped", why, str(set_id)) for i, op in staged}
            return result
        if on_executing is not None:
            try:
                on_executing(str(set_id), tuple(op for _, op in staged))
            except BaseException:
                self.abandon(str(set_id))
                raise
        self._execute(str(set_id), staged, result)
        return result

    def _stage_all(self, set_id: str, batch: list[Indexed], result: _SetResult) -> list[Indexed]:
        """Stage every run of same-kind operations; refused ones are settled as failed.

        After trouble that outlasts the retry policy nothing more is staged, and every
        operation of the batch not refused is returned, to be skipped with the set.
        """
        staged: list[Indexed] = []
        for _, run in itertools.groupby(batch, key=lambda item: item[1].kind):
            group = list(run)
            try:
                staged += self._stage(set_id, group, result)
            except RetryableError as trouble:
                result.halt = f"staging in operation set {set_id} failed: {trouble.detail}"
                return [item for item in batch if item[0] not in result.settled]
        return staged

    def _stage(self, set_id: str, group: list[Indexed], result: _SetResult) -> list[Indexed]:
        """Stage ``group`` in one call; when refused, each half on its own, down to one."""
        action = _KIND_ACTION[group[0][1].kind]
        entities = [op.payload() for _, op in group]
        try:
            self._action(action, {"OperationSetId": set_id, "EntityCollection": entities})
        except WriteRejectedError as refused:
            if len(group) == 1:
                index, operation = group[0]
                result.settled[index] = _outcome(operation, "failed", _reason(refused), set_id)
                return []
            half = len(group) // 2
            return self._stage(set_id, group[:half], result) + self._stage(
                set_id, group[half:], result
            )
        return group

    def _execute(self, set_id: str, staged: list[Indexed], result: _SetResult) -> None:
        stop_when_open = False
        try:
            self._action("msdyn_ExecuteOperationSetV1", {"OperationSetId": set_id})
        except WriteRejectedError as refused:
            self._failed(set_id, staged, pss_failure(_reason(refused)), result)
            return
        except RetryableError as lost:
            # No answer, or throttled until the policy gave up: the set may or may not have
            # run. Abandoning it settles the race: only an open set can be abandoned.
            state = self._state_or_none(set_id)
            if lost.status == _THROTTLED or state is None or state.status is _OPEN:
                self.abandon(set_id)
            stop_when_open = True
            result.halt = f"msdyn_ExecuteOperationSetV1 got no answer: {lost.detail}"
        try:
            state = self._poll(set_id, stop_when_open=stop_when_open)
        except ConnectorError as trouble:
            result.halt = f"operation set {set_id} could not be read: {trouble.detail}"
            state = None
        self._settle(set_id, staged, state, result)

    def _settle(
        self,
        set_id: str,
        staged: list[Indexed],
        state: OperationSetState | None,
        result: _SetResult,
    ) -> None:
        """Outcomes from the set's last known state."""
        status = OperationSetStatus.UNKNOWN if state is None else state.status
        if status is OperationSetStatus.COMPLETED:
            result.settled |= {i: _outcome(op, "landed", "", set_id) for i, op in staged}
            result.halt = None
        elif status is OperationSetStatus.FAILED:
            log = f" (PSS error log {state.error_log_id})" if state and state.error_log_id else ""
            failure = PssFailure(
                index=None, key="", message=f"operation set {set_id} failed to persist{log}"
            )
            self._failed(set_id, staged, failure, result, state=state)
            result.halt = None
        elif status is OperationSetStatus.ABANDONED:
            why = f"operation set {set_id} was abandoned before it ran"
            if result.halt is not None:
                why = f"{result.halt}; {why}"
            result.settled |= {i: _outcome(op, "skipped", why, set_id) for i, op in staged}
        else:
            why = (
                f"operation set {set_id} is {status.value} after {self.poll_timeout:g} s; "
                "confirm it with operation_set_status or by reading the rows"
            )
            if result.halt is not None:
                why = f"{result.halt}; {why}"
            result.settled |= {i: _outcome(op, "unconfirmed", why, set_id) for i, op in staged}

    def _failed(
        self,
        set_id: str,
        staged: list[Indexed],
        failure: PssFailure,
        result: _SetResult,
        *,
        state: OperationSetState | None = None,
    ) -> None:
        """A set that applied nothing: settle what can be settled, send the rest again."""
        state = state or self._state_or_none(set_id)
        if state is not None and state.status is _OPEN:
            self.abandon(set_id)
        position = failure.index
        culprit = staged[position] if position is not None and 0 <= position < len(staged) else None
        remaining = staged
        if culprit is None or culprit[1].kind != "update":
            remaining = self._settle_already_done(set_id, staged, result)
        if culprit is not None:
            blamed = [item for item in remaining if item[0] == culprit[0]]
        elif len(remaining) == len(staged) == 1:
            blamed = remaining  # unnamed, but alone: it is the culprit
        else:
            # Unnamed: when an earlier attempt's creates or deletes explain the failure,
            # the rest is innocent; otherwise halves find the culprit below.
            blamed = []
        for number, operation in blamed:
            result.settled[number] = _outcome(operation, "failed", failure.text(), set_id)
        rest = [item for item in remaining if item not in blamed]
        # Unnamed, the culprit may be anywhere: halves isolate it in a few more sets.
        unnamed = culprit is None and len(remaining) == len(staged)
        groups = [rest[: len(rest) // 2], rest[len(rest) // 2 :]] if unnamed else [rest]
        why = f"not applied: operation set {set_id} failed ({failure.text()})"
        result.again += [([number for number, _ in group], why) for group in groups if group]

    def _settle_already_done(
        self, set_id: str, staged: list[Indexed], result: _SetResult
    ) -> list[Indexed]:
        """Settle as landed the creates whose row exists and the deletes whose row is gone.

        Such an operation fails a set only because an earlier attempt already applied it:
        its id is the caller's. Returns the operations still unsettled.
        """
        remaining: list[Indexed] = []
        checked = [item for item in staged if item[1].kind != "update"]
        try:
            existing = self._existing(op for _, op in checked)
        except ConnectorError:
            return staged
        for index, operation in staged:
            exists = (operation.entity, operation.record_id) in existing
            if (operation.kind == "create" and exists) or (
                operation.kind == "delete" and not exists
            ):
                done = "already created" if exists else "already deleted"
                detail = f"{done} (an earlier attempt applied it)"
                result.settled[index] = _outcome(operation, "landed", detail, set_id)
            else:
                remaining.append((index, operation))
        return remaining

    def _existing(self, operations: Iterable[ScheduleOperation]) -> set[tuple[str, str]]:
        by_entity: dict[str, list[str]] = {}
        for operation in operations:
            by_entity.setdefault(operation.entity, []).append(operation.record_id)
        return {
            (entity, record_id)
            for entity, ids in by_entity.items()
            for record_id in self.rows_exist(SCHEDULING_ENTITIES[entity].entity_set, ids)
        }

    def _poll(self, set_id: str, *, stop_when_open: bool) -> OperationSetState | None:
        """Read the set until it settles, or ``poll_timeout`` passes; its last state."""
        deadline = self._monotonic() + self.poll_timeout
        while True:
            state = self.operation_set_status(set_id)
            if state is None or state.status.settled:
                return state
            if stop_when_open and state.status is _OPEN:
                return state
            if self._monotonic() + self.poll_interval > deadline:
                return state
            self._sleep(self.poll_interval)

    def _action(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST a Schedule API action that makes or runs something (retried after 429 only).

        Raises:
            AuthenticationError: with the hint that a licensed user must sign in.
        """
        try:
            return self.client.post(action, body, creates=True)
        except AuthenticationError as refused:
            raise AuthenticationError(
                f"{refused.detail}. {_LICENSED_USER_HINT}", source=self.source
            ) from refused

    def abandon(self, set_id: str) -> bool:
        """Abandon an open operation set (``msdyn_AbandonOperationSetV1``), as far as it can be.

        Returns:
            Whether Project abandoned it; False when the set is not open (it ran, or was
            abandoned already) or the request failed.
        """
        try:
            self._action("msdyn_AbandonOperationSetV1", {"OperationSetId": set_id})
        except (RetryableError, WriteRejectedError):
            return False
        return True

    # ---- reading

    def operation_set_status(self, set_id: str) -> OperationSetState | None:
        """The set's ``msdyn_operationsets`` row now; None when there is no such set."""
        set_id = guid(set_id, what="operation set id")
        row = self.client.get_one(
            f"msdyn_operationsets({set_id})", [("$select", _SET_COLUMNS)], record=set_id
        )
        if row is None:
            return None
        code = row.get("msdyn_status")
        return OperationSetState(
            id=set_id,
            status=OperationSetStatus.from_code(code),
            code=code if isinstance(code, int) else None,
            executed_on=row.get("msdyn_executedon"),
            completed_on=row.get("msdyn_completedon"),
            error_log_id=row.get("_msdyn_psserrorlog_value"),
        )

    def _state_or_none(self, set_id: str) -> OperationSetState | None:
        try:
            return self.operation_set_status(set_id)
        except ConnectorError:
            return None

    def task(self, task_id: str) -> ScheduleTask | None:
        """The task as Project has it now; None when there is no such task."""
        task_id = guid(task_id, what="task id")
        columns = "msdyn_subject,msdyn_description,_msdyn_projectbucket_value"
        row = self.client.get_one(
            f"msdyn_projecttasks({task_id})",
            [("$select", f"{columns},_msdyn_project_value,modifiedon")],
            record=task_id,
        )
        if row is None:
            return None
        return ScheduleTask(
            id=task_id,
            subject=row.get("msdyn_subject"),
            description=row.get("msdyn_description"),
            bucket_id=row.get("_msdyn_projectbucket_value"),
            project_id=row.get("_msdyn_project_value"),
            etag=row.get("@odata.etag"),
            modified_on=row.get("modifiedon"),
        )

    def labels(self, project_id: str) -> tuple[ProjectLabel, ...]:
        """A project's labels (Project makes 25 per project; people name the ones they use)."""
        project_id = guid(project_id, what="project id")
        options = [
            ("$select", "msdyn_projectlabelid,msdyn_projectlabeltext"),
            ("$filter", f"_msdyn_projectid_value eq {project_id}"),
        ]
        return tuple(
            ProjectLabel(
                id=str(row.get("msdyn_projectlabelid")),
                name=str(row.get("msdyn_projectlabeltext") or ""),
            )
            for page in self.client.pages("msdyn_projectlabels", options, record=project_id)
            for row in page.rows
        )

    def task_labels(self, task_id: str) -> tuple[TaskLabel, ...]:
        """The labels on a task, one per ``msdyn_projecttasktolabel`` row."""
        task_id = guid(task_id, what="task id")
        options = [
            ("$select", "msdyn_projecttasktolabelid,_msdyn_projectlabelid_value"),
            ("$filter", f"_msdyn_projecttaskid_value eq {task_id}"),
        ]
        return tuple(
            TaskLabel(
                id=str(row.get("msdyn_projecttasktolabelid")),
                label_id=row.get("_msdyn_projectlabelid_value"),
            )
            for page in self.client.pages("msdyn_projecttasktolabels", options, record=task_id)
            for row in page.rows
        )

    def checklist(self, task_id: str) -> tuple[ChecklistRow, ...]:
        """A task's checklist rows, in their order."""
        task_id = guid(task_id, what="task id")
        options = [
            (
                "$select",
                "msdyn_projectchecklistid,msdyn_name,msdyn_projectchecklistcompleted,"
                "msdyn_projectchecklistorder",
            ),
            ("$filter", f"_msdyn_projecttaskid_value eq {task_id}"),
            ("$orderby", "msdyn_projectchecklistorder asc"),
        ]
        return tuple(
            ChecklistRow(
                id=str(row.get("msdyn_projectchecklistid")),
                name=row.get("msdyn_name"),
                completed=bool(row.get("msdyn_projectchecklistcompleted")),
                order=row.get("msdyn_projectchecklistorder"),
            )
            for page in self.client.pages("msdyn_projectchecklists", options, record=task_id)
            for row in page.rows
        )

    def rows_exist(self, entity_set: str, ids: Iterable[str]) -> frozenset[str]:
        """Which of ``ids`` are rows of ``entity_set`` (lower-case GUIDs); one read per 50.

        Raises:
            ValueError: ``entity_set`` is not a scheduling table's.
        """
        table = next((t for t in SCHEDULING_ENTITIES.values() if t.entity_set == entity_set), None)
        if table is None:
            raise ValueError(f"{entity_set!r} is not the entity set of a scheduling table")
        wanted = dict.fromkeys(guid(i, what=f"{entity_set} id") for i in ids)
        found: set[str] = set()
        for chunk in batched(wanted, _IDS_PER_READ):
            options = [
                ("$select", table.primary_key),
                ("$filter", any_equal(table.primary_key, chunk)),
            ]
            for page in self.client.pages(entity_set, options):
                found |= {str(row.get(table.primary_key)).lower() for row in page.rows}
        return frozenset(found & set(wanted))


def _outcome(
    operation: ScheduleOperation, status: OutcomeStatus, detail: str, set_id: str | None = None
) -> OperationOutcome:
    return OperationOutcome(
        key=operation.key,
        record_id=operation.record_id,
        status=status,
        detail=detail,
        operation_set_id=set_id,
    )


def _reason(refused: WriteRejectedError) -> str:
    """Project's whole message (a PSS error is JSON text), else the error's own."""
    return refused.reasons[0] if refused.reasons else refused.detail


def _detail(error: Exception) -> str:
    if isinstance(error, ConnectorError):
        return error.detail
    return f"the answer carried no {error}"
