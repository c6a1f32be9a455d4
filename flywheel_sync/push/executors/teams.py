"""Makes the Teams writes of a plan: KPI summary cards posted through Workflows webhooks.

A webhook cannot be read back, so a card post is the one write that is *at least once*: a
post interrupted after Teams accepted it but before it was recorded is posted again on the
next run (a duplicate card is a nuisance; a missing one a lost report). Everything else the
push writes is exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from connectors.errors import ConnectorConfigError, WriteRejectedError
from connectors.teams import WorkflowsWebhook
from flywheel_sync.push.apply import Claim, Job, Result, Settle, Status
from flywheel_sync.store.ports import Clock
from flywheel_sync.store.rows import OwnedValue

__all__ = ["TeamsExecutor"]


@dataclass
class TeamsExecutor:
    """Runs the Teams jobs of an apply, one summary (one or more cards) at a time."""

    webhook_for: Callable[[str], WorkflowsWebhook]
    clock: Clock
    run_id: str

    def run(self, jobs: Sequence[Job], *, claim: Claim, settle: Settle) -> None:
        """Make the writes; see `flywheel_sync.push.apply.Executor`."""
        for job in jobs:
            if not job.wanted:
                settle(job, Result(status=Status.SUPERSEDED, detail="no longer wanted"))
                continue
            try:
                webhook = self.webhook_for(job.change.connection)
            except ConnectorConfigError as error:
                settle(job, Result(status=Status.FAILED, detail=str(error)))
                continue
            claim([job])
            messages = list(job.change.payload.get("messages") or ())
            try:
                for message in messages:
                    webhook.post(message)
            except WriteRejectedError as refused:
                settle(job, Result(status=Status.FAILED, detail=str(refused.detail)))
                continue
            owned = OwnedValue(
                target=job.change.connection,
                ref=job.change.ref,
                field=job.change.field,
                value=job.change.after,
                desired=job.change.after,
                written_at=self.clock(),
                run_id=self.run_id,
            )
            detail = f"posted {len(messages)} card(s)"
            settle(job, Result(status=Status.APPLIED, detail=detail, owned=(owned,)))
