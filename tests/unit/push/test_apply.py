"""The applier: writes go through the outbox, settle once, and resume without repeats."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from connectors.errors import AuthenticationError
from flywheel_sync.push.apply import Applier, Claim, Executor, Job, Result, Settle, Status
from flywheel_sync.push.changes import Action, Change, Plan
from flywheel_sync.store import OutboxStatus, OwnedValue, Store, open_store
from tests.unit.store.builders import T0, SettableClock


def change(ref: str, after: str = "Service Operation", tool: str = "jira") -> Change:
    return Change(
        target="flywheel_stage.jira",
        tool=tool,
        connection=f"{tool}:pmo",
        ref=ref,
        field="Flywheel Stage",
        action=Action.SET,
        before="Service Onboarding",
        after=after,
    )


@dataclass
class FakeExecutor:
    """Settles every job as told; records what it was asked to do."""

    outcome: dict[str, Status] = field(default_factory=dict)
    raise_error: Exception | None = None
    runs: list[list[tuple[str, bool, bool]]] = field(default_factory=list)

    def run(self, jobs: Sequence[Job], *, claim: Claim, settle: Settle) -> None:
        self.runs.append([(j.change.ref, j.resumed, j.wanted) for j in jobs])
        if self.raise_error is not None:
            raise self.raise_error
        for job in jobs:
            claim([job])
            status = self.outcome.get(job.change.ref, Status.APPLIED)
            owned = OwnedValue(
                target=job.change.connection,
                ref=job.change.ref,
                field=job.change.field,
                value=job.change.after,
                written_at=T0,
            )
            settle(job, Result(status=status, detail=status.value, owned=(owned,)))
            settle(job, Result(status=Status.FAILED, detail="settled twice"))  # ignored


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'state.db'}", clock=SettableClock()) as opened:
        yield opened


def applier(store: Store, executor: Executor) -> Applier:
    run_id = store.runs.start("test", "apply")
    return Applier(store=store, executors={"jira": executor}, run_id=run_id, clock=lambda: T0)


def test_every_write_is_settled_once_with_its_audit_and_ownership(store: Store) -> None:
    executor = FakeExecutor(outcome={"PMO-2": Status.FAILED})

    report = applier(store, executor).apply(Plan(changes=(change("PMO-1"), change("PMO-2"))))

    assert report.counts == {"applied": 1, "failed": 1}
    assert [(c.ref, reason) for c, reason in report.failures] == [("PMO-2", "failed")]
    assert store.outbox.pending() == []
    assert {(e.ref, e.outcome) for e in store.audit.recent()} == {
        ("PMO-1", "applied"),
        ("PMO-2", "failed"),
    }
    assert store.owned.get("jira:pmo", "PMO-1", "Flywheel Stage") is not None
    assert store.owned.get("jira:pmo", "PMO-2", "Flywheel Stage") is None


def test_an_applied_write_planned_again_is_not_made_again(store: Store) -> None:
    executor = FakeExecutor()
    applier(store, executor).apply(Plan(changes=(change("PMO-1"),)))

    report = applier(store, executor).apply(Plan(changes=(change("PMO-1"),)))

    assert report.counts == {}
    assert executor.runs == [[("PMO-1", False, True)]]


def test_a_failed_write_planned_again_is_retried(store: Store) -> None:
    applier(store, FakeExecutor(outcome={"PMO-1": Status.FAILED})).apply(
        Plan(changes=(change("PMO-1"),))
    )
    executor = FakeExecutor()

    report = applier(store, executor).apply(Plan(changes=(change("PMO-1"),)))

    assert report.counts == {"applied": 1}


def test_an_interrupted_write_is_handed_over_to_be_confirmed(store: Store) -> None:
    plan_id = store.plans.create(store.runs.start("test", "apply"), {})
    store.outbox.enqueue(plan_id, [change("PMO-1").planned_write()])
    [entry] = store.outbox.pending()
    store.outbox.mark_in_flight(entry.id)  # then the process died
    executor = FakeExecutor()

    applier(store, executor).apply(Plan(changes=(change("PMO-1"),)))

    assert executor.runs == [[("PMO-1", True, True)]]


def test_an_interrupted_write_no_longer_wanted_is_only_confirmed(store: Store) -> None:
    plan_id = store.plans.create(store.runs.start("test", "apply"), {})
    store.outbox.enqueue(
        plan_id, [change("PMO-1").planned_write(), change("PMO-2").planned_write()]
    )
    first, _ = store.outbox.pending()
    store.outbox.mark_in_flight(first.id)
    executor = FakeExecutor()

    applier(store, executor).apply(Plan())

    assert executor.runs == [[("PMO-1", True, False)]]
    statuses = {e.write.ref: e.status for e in store.outbox.pending()}
    assert statuses == {}  # PMO-2 (never started) superseded; PMO-1 settled by the executor


def test_refused_credentials_fail_every_unsettled_write_of_that_tool(store: Store) -> None:
    error = AuthenticationError("Jira refused the credentials (HTTP 401)", source="jira:pmo")
    executor = FakeExecutor(raise_error=error)

    report = applier(store, executor).apply(Plan(changes=(change("PMO-1"), change("PMO-2"))))

    assert report.counts == {"failed": 2}
    assert all("refused the credentials" in reason for _, reason in report.failures)
    assert store.outbox.pending() == []


def test_a_tool_without_an_executor_fails_its_writes(store: Store) -> None:
    report = applier(store, FakeExecutor()).apply(Plan(changes=(change("T1", tool="planner"),)))

    assert report.counts == {"failed": 1}
    assert "no planner connection" in report.failures[0][1]


def test_a_stop_request_leaves_the_rest_for_the_next_run(store: Store) -> None:
    executor = FakeExecutor()
    stopping = Applier(
        store=store,
        executors={"jira": executor},
        run_id=store.runs.start("test", "apply"),
        clock=lambda: T0,
        should_stop=lambda: True,
    )

    stopping.apply(Plan(changes=(change("PMO-1"),)))

    assert executor.runs == []
    assert [e.status for e in store.outbox.pending()] == [OutboxStatus.PENDING]


@dataclass
class ConfirmingExecutor:
    """Finds every write already in the tool by reading it: settles without claiming."""

    def run(self, jobs: Sequence[Job], *, claim: Claim, settle: Settle) -> None:
        for job in jobs:
            settle(job, Result(status=Status.CONFIRMED, detail="the tool already shows it"))


def test_a_write_confirmed_by_a_read_settles_without_being_claimed_first(store: Store) -> None:
    report = applier(store, ConfirmingExecutor()).apply(Plan(changes=(change("PMO-1"),)))

    assert report.counts == {"confirmed": 1}
    assert store.outbox.pending() == []
    assert [(e.ref, e.outcome) for e in store.audit.recent()] == [("PMO-1", "confirmed")]


def test_refused_credentials_say_to_re_authenticate(store: Store) -> None:
    error = AuthenticationError("Jira refused the credentials (HTTP 401)", source="jira:pmo")

    report = applier(store, FakeExecutor(raise_error=error)).apply(Plan(changes=(change("PMO-1"),)))

    assert [reason for _, reason in report.failures] == [f"not written (re-authenticate): {error}"]
