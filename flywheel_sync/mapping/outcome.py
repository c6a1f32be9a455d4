"""What a mapping produced and what it could not place: for the store, status and explain."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from flywheel_sync.mapping.drafts import RecordKey
from flywheel_sync.store.rows import EntityRecord, StageChange

__all__ = [
    "RUN_COUNT_PREFIX",
    "UNPLACED",
    "Conflict",
    "Disagreement",
    "MappingOutcome",
    "RecordTrace",
    "Rejection",
    "RuleMatch",
    "unplaced_counts",
]

UNPLACED = ("unmatched", "conflicts", "rejected", "disagreements")
"""The `MappingOutcome.counts` of what could not be placed, in the order they are shown."""

RUN_COUNT_PREFIX = "mapped."
"""A run's counts hold the mapping's counts under this prefix (``mapped.unmatched``)."""


def unplaced_counts(counts: Mapping[str, int], prefix: str = "") -> list[str]:
    """``["3 unmatched", "1 conflicts"]``: the non-zero unplaced counts, for summary lines."""
    return [f"{counts[prefix + name]:,} {name}" for name in UNPLACED if counts.get(prefix + name)]


@dataclass(frozen=True, kw_only=True)
class RuleMatch:
    """A rule that selected a record: what it read, what it made, or why it made nothing."""

    rule: str
    kind: str
    readings: tuple[str, ...]
    problems: tuple[str, ...]
    entities: tuple[tuple[str, str], ...]
    """``(kind, entity id)`` of each entity produced (none when set aside or rejected)."""
    set_aside: str | None = None
    """Why the match produced nothing (a conflict with an earlier rule), if it did not."""


@dataclass(kw_only=True)
class RecordTrace:
    """One selectable record and every rule that selected it."""

    record: RecordKey
    title: str
    matches: list[RuleMatch] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Conflict:
    """Two or more rules producing the same kind of entity from one record; the first won."""

    record: RecordKey
    kind: str
    rules: tuple[str, ...]

    def __str__(self) -> str:
        kept, *others = self.rules
        return (
            f"{self.record}: rules {', '.join(self.rules)} all produce {self.kind} entities; "
            f"'{kept}' (first in mapping.yaml) was used, {', '.join(others)} set aside"
        )


@dataclass(frozen=True, kw_only=True)
class Rejection:
    """A record a rule selected that could not become an entity, and why."""

    record: RecordKey
    rule: str
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.record} (rule '{self.rule}'): {'; '.join(self.reasons)}"


@dataclass(frozen=True, kw_only=True)
class Disagreement:
    """Records joined into one entity that say different things; the first rule's value won."""

    entity: tuple[str, str]
    attribute: str
    values: tuple[tuple[str, str], ...]
    """``(record ref, value)`` pairs, the winning one first."""

    def __str__(self) -> str:
        kind, entity_id = self.entity
        (winner, kept), *others = self.values
        rest = ", ".join(f"{ref} says {value!r}" for ref, value in others)
        return f"{kind} {entity_id}: {self.attribute} is {kept!r} per {winner}; {rest}"


@dataclass(kw_only=True)
class MappingOutcome:
    """Entities, stage changes, and every record the mapping could not place."""

    entities: list[EntityRecord] = field(default_factory=list)
    stage_changes: list[StageChange] = field(default_factory=list)
    traces: dict[RecordKey, RecordTrace] = field(default_factory=dict)
    unmatched: list[RecordTrace] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    records_read: int = 0

    def counts(self) -> dict[str, int]:
        """Counts for the run record and the summary line."""
        kinds = Counter(entity.kind for entity in self.entities)
        return {
            "records": self.records_read,
            "unmatched": len(self.unmatched),
            "conflicts": len(self.conflicts),
            "rejected": len(self.rejections),
            "disagreements": len(self.disagreements),
            **{f"entities.{kind}": count for kind, count in sorted(kinds.items())},
        }

    def entities_of_kind(self, kind: str) -> list[EntityRecord]:
        """The entities of one kind, in the order produced."""
        return [entity for entity in self.entities if entity.kind == kind]

    def entities_of(self, entity: tuple[str, str]) -> EntityRecord | None:
        """The entity ``(kind, id)``, if produced."""
        kind, entity_id = entity
        for candidate in self.entities:
            if candidate.kind == kind and candidate.entity_id == entity_id:
                return candidate
        return None
