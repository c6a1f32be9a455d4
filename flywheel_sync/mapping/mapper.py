"""The mapping as one pure function: stored records in, entities and what could not be placed out.

Two passes over the records: the first indexes the context records (fields, plans, buckets,
authors: see `flywheel_sync.mapping.context`), the second applies every rule to every record
it selects. No record is dropped silently: a selectable record no rule selects is
*unmatched*; one two rules turn into the same kind of entity is a *conflict* (the rule
listed first wins); one that cannot become an entity is *rejected* with its reasons. All
three are listed by ``flywheel-sync explain --unplaced``.

A stored payload a rule cannot read (a connector stores what the tool sent, and a tool may
send a number where an object belongs) is *rejected* too, with the rule that met it and
what went wrong, rather than ending the mapping of every other record. So is a context
record (a field definition, a plan, a bucket) that cannot be indexed: it is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from flywheel_sync.mapping.assembly import Assembly, PreviousStages
from flywheel_sync.mapping.catalogue import Catalogue
from flywheel_sync.mapping.context import PRIMARY_TYPES, RecordContext
from flywheel_sync.mapping.drafts import Draft, RecordKey, draft
from flywheel_sync.mapping.outcome import (
    Conflict,
    MappingOutcome,
    RecordTrace,
    Rejection,
    RuleMatch,
)
from flywheel_sync.mapping.reading import reader_for
from flywheel_sync.mapping.selection import RuleSelector
from flywheel_sync.settings.mapping import MappingFile
from flywheel_sync.store.rows import StoredRecord

__all__ = ["map_records"]

Records = Callable[[], Iterable[StoredRecord]]
"""Streams stored records; may be called more than once."""

_SELECTABLE = frozenset(kind for kinds in PRIMARY_TYPES.values() for kind in kinds)
_UNREADABLE = (AttributeError, TypeError, ValueError, KeyError, IndexError)
"""What reading a payload of the wrong shape raises: a member read on a number, a float
parsed from a word, a list indexed like an object."""
_LONGEST_DETAIL = 200
_READING = "(reading the record)"
"""The rule named in a rejection when no rule had started to read the record."""


def _no_previous(engagement_id: str) -> list[tuple[str, datetime]]:
    return []


def map_records(
    mapping: MappingFile,
    records: Records,
    *,
    now: datetime,
    previous: PreviousStages = _no_previous,
    context_records: Records | None = None,
    keep_traces: bool = True,
) -> MappingOutcome:
    """Apply ``mapping``'s rules to the stored records.

    Args:
        mapping: The validated mapping file.
        records: Streams the stored records.
        now: Stamps the entities; observed stage moves without a fetch time are dated now.
        previous: An engagement's stored stage changes, for stages that are observed (Planner,
            Project) rather than read from a history.
        context_records: Streams just the context records (cheaper than a second pass over
            every record); ``records`` is read twice without it.
        keep_traces: Keep what every rule read from every record (``explain`` needs it); when
            False only the unmatched and conflicting records' traces are kept.
    """
    unreadable: list[Rejection] = []
    context = _context((context_records or records)(), unreadable)
    catalogue = Catalogue(mapping)
    selectors = [RuleSelector.of(rule) for rule in mapping.rules]
    outcome = MappingOutcome()
    drafts: list[Draft] = []
    for record in records():
        if record.record_type not in _SELECTABLE or _deleted(record):
            continue
        outcome.records_read += 1
        key = _key(record)
        rule = _READING
        try:
            reader = reader_for(record, context)
            trace = RecordTrace(record=key, title=reader.title())
            matched: list[Draft] = []
            for index, selector in enumerate(selectors):
                rule = selector.rule.name
                if selector.selects(reader):
                    matched.append(draft(selector.rule, index, reader, catalogue))
        except _UNREADABLE as problem:
            rejection = _unreadable(key, rule, problem)
            unreadable.append(rejection)
            if keep_traces:  # explain REF shows the record, and why nothing came of it
                outcome.traces[key] = _unreadable_trace(rejection)
            continue
        if keep_traces:
            outcome.traces[trace.record] = trace
        if not matched:
            outcome.unmatched.append(trace)
        drafts.extend(_settle_conflicts(matched, outcome, trace))
    assembly = Assembly(catalogue=catalogue, previous=previous, now=now)
    assembly.build(drafts)
    if keep_traces:
        _trace_results(outcome, drafts, assembly)
    outcome.entities = assembly.entities
    outcome.stage_changes = assembly.stage_changes
    outcome.rejections = unreadable + assembly.rejections
    outcome.disagreements = assembly.disagreements
    return outcome


def _key(record: StoredRecord) -> RecordKey:
    return RecordKey(
        source=record.source, record_type=record.record_type, external_id=record.external_id
    )


def _unreadable(key: RecordKey, rule: str, problem: Exception) -> Rejection:
    """The rejection of a record whose stored payload does not have the shape a rule reads."""
    detail = str(problem)
    detail = detail if len(detail) <= _LONGEST_DETAIL else f"{detail[:_LONGEST_DETAIL]}…"
    reason = f"its stored payload cannot be read ({type(problem).__name__}: {detail})"
    return Rejection(record=key, rule=rule, reasons=(reason,))


def _unreadable_trace(rejection: Rejection) -> RecordTrace:
    match = RuleMatch(
        rule=rejection.rule, kind="-", readings=(), problems=rejection.reasons, entities=()
    )
    return RecordTrace(record=rejection.record, title=rejection.record.external_id, matches=[match])


def _context(records: Iterable[StoredRecord], unreadable: list[Rejection]) -> RecordContext:
    """Index the context records; one that cannot be indexed is left out and rejected."""
    context = RecordContext()
    for record in records:
        try:
            context.add(record)
        except _UNREADABLE as problem:
            unreadable.append(_unreadable(_key(record), _READING, problem))
    return context


def _deleted(record: StoredRecord) -> bool:
    """A tombstone: a Planner object reported removed, a Teams message deleted."""
    return "@removed" in record.payload or bool(record.payload.get("deletedDateTime"))


def _settle_conflicts(
    matched: list[Draft], outcome: MappingOutcome, trace: RecordTrace
) -> list[Draft]:
    """Keep the first draft of each kind; report the others as a conflict."""
    kept: dict[str, Draft] = {}
    set_aside: dict[str, list[Draft]] = {}
    for found in matched:
        if found.kind.value in kept:
            set_aside.setdefault(found.kind.value, []).append(found)
        else:
            kept[found.kind.value] = found
    for kind, others in set_aside.items():
        first = kept[kind]
        outcome.conflicts.append(
            Conflict(
                record=first.record,
                kind=kind,
                rules=(first.rule.name, *(other.rule.name for other in others)),
            )
        )
        trace.matches.extend(
            RuleMatch(
                rule=other.rule.name,
                kind=kind,
                readings=tuple(other.readings),
                problems=tuple(other.problems),
                entities=(),
                set_aside=f"conflicts with rule '{first.rule.name}', listed first",
            )
            for other in others
        )
    return list(kept.values())


def _trace_results(outcome: MappingOutcome, drafts: list[Draft], assembly: Assembly) -> None:
    for found in drafts:
        outcome.traces[found.record].matches.append(
            RuleMatch(
                rule=found.rule.name,
                kind=found.kind.value,
                readings=tuple(found.readings),
                problems=tuple(found.problems),
                entities=tuple(assembly.produced.get(id(found), ())),
            )
        )
