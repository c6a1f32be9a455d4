"""Runs the mapping over the store and keeps its entities and stage history there."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flywheel_sync.mapping.context import CONTEXT_TYPES
from flywheel_sync.mapping.mapper import map_records
from flywheel_sync.mapping.outcome import MappingOutcome
from flywheel_sync.settings.mapping import MappingFile
from flywheel_sync.store import Store, StoredRecord

__all__ = ["map_store", "refresh_entities"]


def map_store(
    mapping: MappingFile, store: Store, *, now: datetime, keep_traces: bool = True
) -> MappingOutcome:
    """Map the stored records without saving anything (``explain`` reads this)."""

    def previous(engagement_id: str) -> list[tuple[str, datetime]]:
        return [
            (change.stage, change.entered_at)
            for change in store.stage_history.for_engagement(engagement_id)
        ]

    def context() -> Iterator[StoredRecord]:
        for record_type in sorted(CONTEXT_TYPES):
            yield from store.records.iter_records(record_type=record_type)

    return map_records(
        mapping,
        store.records.iter_records,
        now=now,
        previous=previous,
        context_records=context,
        keep_traces=keep_traces,
    )


def refresh_entities(mapping: MappingFile, store: Store, *, now: datetime) -> MappingOutcome:
    """Map the stored records, replace the stored entities, append new stage changes.

    Entities are replaced in one transaction and stage changes appended idempotently, so a
    crash between the two is repaired by the next run.
    """
    outcome = map_store(mapping, store, now=now, keep_traces=False)
    store.entities.replace_all(outcome.entities)
    store.stage_history.append(outcome.stage_changes)
    return outcome
