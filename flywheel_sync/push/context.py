"""What every push target plans from, and the builder that collects what they plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flywheel_sync.engine.desired import DesiredState
from flywheel_sync.engine.portfolio import Portfolio
from flywheel_sync.push.changes import Action, Change, Conflict, Note, Plan, Unread
from flywheel_sync.push.ownership import Decision, Verdict, decide
from flywheel_sync.push.state import StoredState
from flywheel_sync.settings.rules import MappingRule
from flywheel_sync.settings.targets import Authority, ConflictPolicy, PushTargets
from flywheel_sync.store.ports import OwnershipRepository
from flywheel_sync.store.rows import JSONObject, OwnedValue

__all__ = ["ChangeMaker", "PlanBuilder", "PlanContext", "Slot", "fixed"]

ChangeMaker = Callable[[Decision], tuple[Action, JSONObject]]
"""Builds a write's action and payload once a decision says to write."""


def fixed(action: Action, payload: JSONObject) -> ChangeMaker:
    """A `ChangeMaker` whose write does not depend on the decision."""

    def make(_decision: Decision) -> tuple[Action, JSONObject]:
        return action, payload

    return make


@dataclass(frozen=True, kw_only=True)
class PlanContext:
    """The inputs of a plan: entities, desired state, settings, stored state, owned values."""

    portfolio: Portfolio
    desired: DesiredState
    push: PushTargets
    state: StoredState
    owned: OwnershipRepository
    now: datetime
    rules: tuple[MappingRule, ...] = ()

    def rules_of(self, source: str) -> list[MappingRule]:
        """The mapping rules that read ``source``."""
        return [rule for rule in self.rules if rule.source == source]

    def policy(self, target: Any) -> ConflictPolicy:
        """A target's conflict policy: its own, else the push-wide one."""
        own: ConflictPolicy | None = getattr(target, "conflict_policy", None)
        return own or self.push.conflict_policy

    @staticmethod
    def writes(target: Any) -> bool:
        """Whether a configured target is switched on and flywheel-sync owns its values."""
        return (
            target is not None and bool(target.enabled) and target.authority is Authority.FLYWHEEL
        )


@dataclass(frozen=True, kw_only=True)
class Slot:
    """One owned value a target wants: where it lives and what it should be."""

    target: str
    tool: str
    connection: str
    ref: str
    field: str


@dataclass
class PlanBuilder:
    """Collects the changes, conflicts, notes and adopted values of every target."""

    context: PlanContext
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    adopted: list[OwnedValue] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)
    _owned: dict[str, dict[tuple[str, str], OwnedValue]] = field(default_factory=dict)

    def mark(self) -> tuple[int, int, int, int]:
        """Where the collected lists end now, to `rewind` to if a target cannot be planned."""
        return len(self.changes), len(self.conflicts), len(self.notes), len(self.adopted)

    def rewind(self, mark: tuple[int, int, int, int], unread: Unread) -> None:
        """Drop what was collected since ``mark``: a target is not planned (``unread``).

        A target is planned whole or not at all: half of its pages, say, would publish an
        index that points at pages this run never looked at.
        """
        changes, conflicts, notes, adopted = mark
        del self.changes[changes:], self.conflicts[conflicts:]
        del self.notes[notes:], self.adopted[adopted:]
        self.unread.append(unread)

    def owned(self, connection: str, ref: str, field_name: str) -> OwnedValue | None:
        """What flywheel-sync last wrote to one field (read once per connection)."""
        if connection not in self._owned:
            self._owned[connection] = self.context.owned.for_target(connection)
        return self._owned[connection].get((ref, field_name))

    def assume_owned(self, slot: Slot, owned: OwnedValue | None) -> None:
        """Use ``owned`` for ``slot`` (ownership read from the tool itself, e.g. a page marker)."""
        if owned is None:
            return
        self.owned(slot.connection, slot.ref, slot.field)  # loads the connection's values
        self._owned[slot.connection][(slot.ref, slot.field)] = owned

    def note(self, target: str, ref: str, message: str) -> None:
        """Record something the plan will not do, and why."""
        self.notes.append(Note(target=target, ref=ref, message=message))

    def settle(
        self,
        slot: Slot,
        *,
        current: Any,
        wanted: Any,
        fetched_at: datetime | None,
        policy: ConflictPolicy,
        change: ChangeMaker,
    ) -> Decision:
        """Decide about one owned value and record the outcome.

        ``change`` builds the write's action and payload when one is needed.
        """
        owned = self.owned(slot.connection, slot.ref, slot.field)
        decision = decide(
            current=current,
            wanted=wanted,
            owned=owned,
            fetched_at=fetched_at,
            policy=policy,
            now=self.context.now,
        )
        if decision.conflict:
            self.conflicts.append(
                Conflict(
                    target=slot.target,
                    tool=slot.tool,
                    connection=slot.connection,
                    ref=slot.ref,
                    field=slot.field,
                    ours=owned.value if owned else None,
                    theirs=decision.current,
                    wanted=wanted,
                    policy=policy,
                )
            )
        if decision.adopted is not None:
            self.adopted.append(decision.adopted)
        if decision.verdict is Verdict.WRITE:
            action, payload = change(decision)
            self.changes.append(
                Change(
                    target=slot.target,
                    tool=slot.tool,
                    connection=slot.connection,
                    ref=slot.ref,
                    field=slot.field,
                    action=action,
                    before=decision.current,
                    after=wanted,
                    payload=payload,
                    conflict=decision.conflict,
                )
            )
        return decision

    def plan(self) -> Plan:
        """Everything collected, as a plan."""
        return Plan(
            changes=tuple(self.changes),
            conflicts=tuple(self.conflicts),
            notes=tuple(self.notes),
            adopted=tuple(self.adopted),
            unread=tuple(self.unread),
        )
