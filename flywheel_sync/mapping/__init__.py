"""Mapping: tool records become Value Ring entities, as ``mapping.yaml`` says.

Data flows one way: stored records → (`context`, `reading`) values by the names admins use →
(`selection`, `values`, `drafts`) what each rule reads from each record → (`assembly`)
entities joined across tools, with stage histories → (`refresh`) the store. `mapper`
is the pure entry point; `outcome` lists what could not be placed, for ``explain``.
"""

from flywheel_sync.mapping.mapper import map_records
from flywheel_sync.mapping.outcome import (
    RUN_COUNT_PREFIX,
    UNPLACED,
    Conflict,
    Disagreement,
    MappingOutcome,
    RecordTrace,
    Rejection,
    RuleMatch,
    unplaced_counts,
)
from flywheel_sync.mapping.refresh import map_store, refresh_entities

__all__ = [
    "RUN_COUNT_PREFIX",
    "UNPLACED",
    "Conflict",
    "Disagreement",
    "MappingOutcome",
    "RecordTrace",
    "Rejection",
    "RuleMatch",
    "map_records",
    "map_store",
    "refresh_entities",
    "unplaced_counts",
]
