"""Planner writes: task and task-details PATCHes with If-Match, sent 20 to a raw ``$batch``.

Planner refuses a PATCH without the object's current ETag in ``If-Match`` (412), and a task
and its details carry separate ETags (graph-wire.md §1): a checklist is patched on the
details with the details' ETag. `PlannerWriter.patch` sends each `PlannerPatch` as one step
of a fully parallel ``$batch`` (no ``dependsOn``) with ``Prefer: return=representation``, so
every applied step returns the object with its new ETag, and reports per patch:

===================  ==========================================================
step status          outcome
===================  ==========================================================
2xx                  ``applied``, with the new ETag and body (None on a 204)
412, 409             ``stale``: the object changed since it was read; the caller
                     re-reads it (`task`, `task_details`) and decides again
401                  `AuthenticationError` (the whole batch would fail alike)
408, 424, 429, 5xx   sent again in a later batch, after the largest
                     ``Retry-After`` (the policy's ``sleep``)
other 4xx            ``rejected``, with Graph's ``code`` (e.g.
                     ``MaximumChecklistItemsOnTask``, a 403) and message
===================  ==========================================================

A round that applies nothing counts as one failed attempt of the `RetryPolicy`, which waits
the longest ``Retry-After`` and gives up (`RetryableError`) after its attempts; a round that
settles some steps starts the attempts afresh. The batch request itself is mapped as
`GraphSession` maps any request (401/403: `AuthenticationError`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal
from urllib.parse import quote

from connectors.errors import RecordError, RetryableError, WriteRejectedError
from connectors.graph.batch import MAX_BATCH_STEPS, BatchStep, StepAnswer, send_batch
from connectors.graph.failures import GraphFailure, graph_failure
from connectors.graph.reader import strip_context
from connectors.graph.session import GraphSession, JsonObject
from connectors.retry import RetryPolicy

__all__ = ["PatchOutcome", "PatchStatus", "PlannerPatch", "PlannerTarget", "PlannerWriter"]

PlannerTarget = Literal["task", "details"]
PatchStatus = Literal["applied", "stale", "rejected"]
_STALE = frozenset({409, 412})
_TRANSIENT = frozenset({408, 424, 429})
_REFUSED_CREDENTIALS = 401


@dataclass(frozen=True, kw_only=True)
class PlannerPatch:
    """One PATCH: a task or its details, the ETag it was read with, and the changes.

    ``body`` is sent as given, e.g. for the details ``{"checklist": {"<guid>":
    {"@odata.type": "microsoft.graph.plannerChecklistItem", "title": "…", "isChecked":
    false}}}`` (an item set to None is deleted).
    """

    target: PlannerTarget
    item_id: str
    etag: str
    body: Mapping[str, Any]

    @property
    def path(self) -> str:
        """The object's path below the Graph root."""
        return _path(self.target, self.item_id)


@dataclass(frozen=True, kw_only=True)
class PatchOutcome:
    """What became of one patch.

    ``etag`` and ``body`` are the object as Planner returned it after an applied patch (None
    when it answered 204); ``code`` and ``message`` are Graph's for a stale or rejected one.
    """

    patch: PlannerPatch
    status: PatchStatus
    etag: str | None = None
    body: JsonObject | None = None
    code: str = ""
    message: str = ""


def _path(target: PlannerTarget, task_id: str) -> str:
    task = f"/planner/tasks/{quote(task_id, safe='')}"
    return f"{task}/details" if target == "details" else task


def _applied(patch: PlannerPatch, answer: StepAnswer) -> PatchOutcome:
    body = strip_context(answer.body) if isinstance(answer.body, Mapping) else None
    etag = (body or {}).get("@odata.etag") or answer.header("ETag")
    return PatchOutcome(
        patch=patch, status="applied", etag=None if etag is None else str(etag), body=body
    )


class PlannerWriter:
    """Writes to Planner over a Graph session.

    Args:
        session: The Graph connection.
        source: The source name errors carry, e.g. ``planner:northwind``.
        policy: Retries the reads, the batches, and the throttled steps.
    """

    def __init__(self, *, session: GraphSession, source: str, policy: RetryPolicy) -> None:
        self.session = session
        self.source = source
        self.policy = policy

    def task(self, task_id: str) -> JsonObject:
        """The task as Planner has it now, with its ``@odata.etag``.

        Raises:
            WriteRejectedError: The task is gone (404).
        """
        return self._read(_path("task", task_id), task_id)

    def task_details(self, task_id: str) -> JsonObject:
        """The task's details (checklist, description) now, with their own ``@odata.etag``.

        Raises:
            WriteRejectedError: The task is gone (404).
        """
        return self._read(_path("details", task_id), task_id)

    def _read(self, path: str, task_id: str) -> JsonObject:
        def attempt() -> JsonObject:
            return self.session.get_json(
                path, source=self.source, record=task_id, missing=RecordError
            )

        try:
            return strip_context(self.policy.call(attempt))
        except RecordError as gone:
            raise WriteRejectedError(
                gone.detail, source=self.source, record=task_id, status=404, reasons=(gone.detail,)
            ) from gone

    def patch(self, patches: Sequence[PlannerPatch]) -> list[PatchOutcome]:
        """Apply ``patches`` in ``$batch`` requests of at most 20; one outcome each, in order.

        Raises:
            AuthenticationError: Graph refused the credentials.
            RetryableError: Throttling or failures outlasted the retry policy.
        """
        outcomes: dict[int, PatchOutcome] = {}
        for start in range(0, len(patches), MAX_BATCH_STEPS):
            pending = list(range(start, min(start + MAX_BATCH_STEPS, len(patches))))
            while pending:
                pending = self.policy.call(partial(self._round, patches, pending, outcomes))
        return [outcomes[number] for number in range(len(patches))]

    def _round(
        self, patches: Sequence[PlannerPatch], pending: list[int], outcomes: dict[int, PatchOutcome]
    ) -> list[int]:
        """Send ``pending`` once; keep the settled outcomes; return the patches to send again.

        Raises:
            RetryableError: No patch settled (the policy then waits and tries again).
        """
        steps = [
            BatchStep(
                id=str(number),
                method="PATCH",
                url=patches[number].path,
                headers={
                    "If-Match": patches[number].etag,
                    "Content-Type": "application/json",
                    "Prefer": "return=representation",
                },
                body=patches[number].body,
            )
            for number in pending
        ]
        answers = send_batch(self.session, steps, source=self.source)
        again = [n for n in pending if self._transient(answers[str(n)])]
        for number in pending:
            if number not in again:
                outcomes[number] = self._outcome(patches[number], answers[str(number)])
        waits = [w for n in again if (w := answers[str(n)].retry_after) is not None]
        if again and len(again) == len(pending):
            code, message = answers[str(again[0])].error
            raise RetryableError(
                f"{len(again)} Planner PATCH steps were not applied, e.g. "
                f"{patches[again[0]].path} answered {answers[str(again[0])].status} "
                f"{code} {message}".rstrip(),
                source=self.source,
                retry_after=max(waits) if waits else None,
                status=answers[str(again[0])].status,
            )
        if waits:
            self.policy.sleep(max(waits))
        return again

    @staticmethod
    def _transient(answer: StepAnswer) -> bool:
        return answer.status in _TRANSIENT or answer.status >= 500

    def _outcome(self, patch: PlannerPatch, answer: StepAnswer) -> PatchOutcome:
        if 200 <= answer.status < 300:
            return _applied(patch, answer)
        code, message = answer.error
        if answer.status == _REFUSED_CREDENTIALS:
            failure = GraphFailure(answer.status, code=code, message=message)
            raise graph_failure(failure, what=f"$batch PATCH {patch.path}", source=self.source)
        status: PatchStatus = "stale" if answer.status in _STALE else "rejected"
        return PatchOutcome(patch=patch, status=status, code=code, message=message)
