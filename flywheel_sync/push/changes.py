"""What a plan is made of: the writes it wants (`Change`), the conflicts it found, its notes.

A `Change` is one write in one tool, described twice: for people (target, tool, ref, field,
before → after, action: the row ``plan`` prints) and for the executor (``payload``: exactly
what the connector needs). Its idempotency key is derived from what it changes, not from the
plan, so the same write planned again by a resumed or later run is recognised in the outbox
and never made twice.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flywheel_sync.settings.targets import ConflictPolicy
from flywheel_sync.store.rows import JSONObject, PlannedWrite

__all__ = ["SUMMARIES", "Action", "Change", "Conflict", "Note", "Plan", "content_hash"]

SUMMARIES = "kpi_summaries."
"""The prefix of the summary targets' names (pages, cards, comments)."""


class Action(StrEnum):
    """What a change does in its tool."""

    SET = "set"
    """Set a field (a Jira select field, a Planner task's bucket and labels)."""
    CREATE = "create"
    """Create an object (a Jira sub-task, a Planner checklist item)."""
    RENAME = "rename"
    """Retitle an object flywheel-sync created (a template step was renamed)."""
    CREATE_PAGE = "create_page"
    UPDATE_PAGE = "update_page"
    POST = "post"
    """Post a message (an Adaptive Card to a Teams Workflows webhook)."""
    COMMENT = "comment"


def content_hash(value: Any) -> str:
    """A short, stable hash of a JSON value (rendered pages and cards are compared by it)."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


@dataclass(frozen=True, kw_only=True)
class Change:
    """One write a plan wants made.

    Attributes:
        target: The push target that wants it (``flywheel_stage.jira``).
        tool: The tool written (``jira``, ``planner``, ``confluence``, ``teams``).
        connection: The configured connection (``jira:pmo``, ``teams_webhook:pmo``).
        ref: The item written (``PMO-12``, a Planner task id, a page title).
        field: What in it (``Flywheel Stage``, ``bucket``, ``checklist:owner``, ``page``).
        action: What the write does.
        before: The value now (None when creating).
        after: The value wanted.
        payload: What the executor needs to make the write.
        conflict: Set when the write overrides a person's edit (policy ``overwrite``).
    """

    target: str
    tool: str
    connection: str
    ref: str
    field: str
    action: Action
    before: Any
    after: Any
    payload: JSONObject = dataclasses.field(default_factory=dict)
    conflict: bool = False

    @property
    def key(self) -> str:
        """The idempotency key: the same write from the same starting point, the same key.

        ``before`` is part of it, so undoing a change and making it again (A → B → A → B)
        is a new write, while re-planning one not yet seen in the tool is not. A payload's
        ``revision`` tells apart writes that are otherwise alike (re-creating an item a
        person deleted: the deleted item's id).
        """
        identity = [self.connection, self.ref, self.field, self.action.value, self.before]
        revision = self.payload.get("revision")
        return f"{self.tool}:{content_hash([*identity, self.after, revision])}"

    def as_row(self) -> JSONObject:
        """The row ``plan --json`` prints."""
        return {
            "target": self.target,
            "tool": self.tool,
            "connection": self.connection,
            "ref": self.ref,
            "field": self.field,
            "before": self.before,
            "after": self.after,
            "action": self.action.value,
        }

    def planned_write(self) -> PlannedWrite:
        """The change as the outbox keeps it."""
        return PlannedWrite(
            idempotency_key=self.key,
            tool=self.tool,
            target=self.connection,
            ref=self.ref,
            action=self.action.value,
            field=self.field,
            payload={
                "push_target": self.target,
                "before": self.before,
                "after": self.after,
                "conflict": self.conflict,
                "data": self.payload,
            },
        )

    @classmethod
    def from_planned(cls, write: PlannedWrite) -> Change:
        """The change an outbox entry holds (the inverse of `planned_write`)."""
        payload = write.payload
        return cls(
            target=str(payload.get("push_target", "")),
            tool=write.tool,
            connection=write.target,
            ref=write.ref,
            field=write.field or "",
            action=Action(write.action),
            before=payload.get("before"),
            after=payload.get("after"),
            payload=dict(payload.get("data") or {}),
            conflict=bool(payload.get("conflict")),
        )


@dataclass(frozen=True, kw_only=True)
class Conflict:
    """A person changed a value flywheel-sync owns since its last write.

    ``ours`` is what flywheel-sync last wrote, ``theirs`` what the tool holds now, ``wanted``
    what flywheel-sync would write; ``policy`` says what was done about it.
    """

    target: str
    tool: str
    connection: str
    ref: str
    field: str
    ours: Any
    theirs: Any
    wanted: Any
    policy: ConflictPolicy

    @property
    def outcome(self) -> str:
        """What the policy does: the person's value is kept, overwritten or adopted."""
        return {
            ConflictPolicy.SKIP: "kept theirs (skip)",
            ConflictPolicy.OVERWRITE: "overwritten (overwrite)",
            ConflictPolicy.ADOPT: "adopted theirs (adopt)",
        }[self.policy]

    def as_row(self) -> JSONObject:
        """The row ``plan --json`` prints under ``conflicts``."""
        return {
            "target": self.target,
            "tool": self.tool,
            "connection": self.connection,
            "ref": self.ref,
            "field": self.field,
            "ours": self.ours,
            "theirs": self.theirs,
            "wanted": self.wanted,
            "policy": self.policy.value,
        }


@dataclass(frozen=True, kw_only=True)
class Note:
    """Something the plan will not do, and why (a limit, a missing bucket, a deleted item)."""

    target: str
    ref: str
    message: str

    def as_row(self) -> JSONObject:
        """The row ``plan --json`` prints under ``notes``."""
        return {"target": self.target, "ref": self.ref, "message": self.message}


@dataclass(frozen=True, kw_only=True)
class Unread:
    """A target left out of the plan because its tool could not be read while planning."""

    target: str
    what_to_do: str
    """As the pull words it: ``re-authenticate``, ``retry later``, ``fix the configuration``."""
    reason: str

    def as_row(self) -> JSONObject:
        """The row ``plan --json`` prints under ``unread``."""
        return {"target": self.target, "what_to_do": self.what_to_do, "reason": self.reason}


@dataclass(frozen=True, kw_only=True)
class Plan:
    """Every write, conflict and note of one plan."""

    changes: tuple[Change, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    notes: tuple[Note, ...] = ()
    adopted: tuple[Any, ...] = dataclasses.field(default=(), repr=False)
    """Owned values to record because a person's value was adopted (no write needed)."""
    unread: tuple[Unread, ...] = ()
    """Targets not planned at all because their tool could not be read while planning."""

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to write."""
        return not self.changes

    def writes_to_tools(self) -> Plan:
        """Only the stage and checklist writes (no summaries, conflicts or adoptions).

        ``sync`` applies these first: the summaries report on them, so they are planned again
        once the tools show them.
        """
        return Plan(changes=tuple(c for c in self.changes if not c.target.startswith(SUMMARIES)))

    def summaries_only(self) -> Plan:
        """Only the KPI summary writes (pages, cards, comments): what a ``kpi-summary`` job makes.

        Their conflicts and notes stay; stage and checklist writes wait for a ``sync``.
        """
        return Plan(
            changes=tuple(c for c in self.changes if c.target.startswith(SUMMARIES)),
            conflicts=tuple(c for c in self.conflicts if c.target.startswith(SUMMARIES)),
            notes=tuple(n for n in self.notes if n.target.startswith(SUMMARIES)),
            unread=tuple(u for u in self.unread if u.target.startswith(SUMMARIES)),
        )

    def summary(self) -> JSONObject:
        """Counts by target and action, and of conflicts, notes and targets not read."""
        by_target = Counter(change.target for change in self.changes)
        by_action = Counter(change.action.value for change in self.changes)
        return {
            "changes": len(self.changes),
            "by_target": dict(sorted(by_target.items())),
            "by_action": dict(sorted(by_action.items())),
            "conflicts": len(self.conflicts),
            "notes": len(self.notes),
            "unread": len(self.unread),
        }

    def as_json(self) -> JSONObject:
        """What ``plan --json`` prints."""
        return {
            "changes": [change.as_row() for change in self.changes],
            "conflicts": [conflict.as_row() for conflict in self.conflicts],
            "notes": [note.as_row() for note in self.notes],
            "unread": [unread.as_row() for unread in self.unread],
            "summary": self.summary(),
        }
