"""Whether to write a value flywheel-sync owns: the one rule every push target follows.

The push remembers what it last wrote to each owned field (`OwnedValue`). Comparing that with
the tool's current value tells our own writes from people's edits:

- the tool shows what we want: nothing to do;
- we never wrote it: write (the target is configured to own the field);
- the tool still shows our last write and we now want something else: write;
- the tool shows something else than our last write: a person edited it since, a **conflict**,
  settled by the policy: ``skip`` (keep theirs, report it), ``overwrite`` (write ours, report
  it) or ``adopt`` (accept theirs until our wanted value changes again).

A record pulled before our last write cannot show it yet: the tool is then taken to hold what
we wrote. That is how our own writes are recognised ("no echoes"), and why an immediate second
plan is empty without pulling again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from flywheel_sync.settings.targets import ConflictPolicy
from flywheel_sync.store.rows import OwnedValue

__all__ = ["Decision", "Verdict", "decide"]


class Verdict(StrEnum):
    """What the push does with one owned value."""

    NOTHING = "nothing"
    WRITE = "write"
    KEEP_THEIRS = "keep_theirs"


@dataclass(frozen=True, kw_only=True)
class Decision:
    """The verdict, the value the tool is taken to hold, and whether a person's edit is involved.

    ``adopted`` is the owned value to record when the policy adopts the person's value.
    """

    verdict: Verdict
    current: Any
    conflict: bool = False
    adopted: OwnedValue | None = None


def decide(
    *,
    current: Any,
    wanted: Any,
    owned: OwnedValue | None,
    fetched_at: datetime | None,
    policy: ConflictPolicy,
    now: datetime,
) -> Decision:
    """Decide about one owned value.

    Args:
        current: The value the tool showed when last read.
        wanted: The value flywheel-sync wants.
        owned: What flywheel-sync last wrote or adopted there, if ever.
        fetched_at: When ``current`` was read; None when read just now.
        policy: What to do about a person's edit.
        now: Stamps an adopted value.
    """
    if owned is not None and fetched_at is not None and fetched_at < owned.written_at:
        current = owned.value  # read before our write: the tool holds what we wrote
    if current == wanted:
        return Decision(verdict=Verdict.NOTHING, current=current)
    if owned is None:
        return Decision(verdict=Verdict.WRITE, current=current)
    if current == owned.value:
        if wanted == owned.desired and owned.value != owned.desired:
            # An adopted value: stays until what we want changes again.
            return Decision(verdict=Verdict.NOTHING, current=current)
        return Decision(verdict=Verdict.WRITE, current=current)
    if policy is ConflictPolicy.OVERWRITE:
        return Decision(verdict=Verdict.WRITE, current=current, conflict=True)
    if policy is ConflictPolicy.ADOPT:
        adopted = OwnedValue(
            target=owned.target,
            ref=owned.ref,
            field=owned.field,
            value=current,
            desired=wanted,
            external_id=owned.external_id,
            version=owned.version,
            written_at=now,
        )
        return Decision(verdict=Verdict.NOTHING, current=current, conflict=True, adopted=adopted)
    return Decision(verdict=Verdict.KEEP_THEIRS, current=current, conflict=True)
