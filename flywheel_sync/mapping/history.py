"""Stage histories: when each stage was entered, so dwell times are measured, not guessed.

Engagements move through flywheel stages, customers through experience stages.

- **From Jira**: the issue's full changelog (``fullChangelog``, stored by the connector) lists
  every change of the stage field with its time. The stage the issue was created in is the
  first change's "from" value (or the current value when it never changed), entered at the
  issue's creation. Values go through the rule's pattern and value map like the current one.
- **From observation** (Planner, Project: no history API): each mapping compares the stage a
  record shows now with the last stage stored for the engagement; a difference is a move,
  dated when the record was fetched (the best bound known: it happened since the last pull).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from flywheel_sync.domain import (
    CustomerExperienceStage,
    FlywheelStage,
    StageParseError,
    StageTransition,
)
from flywheel_sync.mapping.reading import JiraIssueReader, RecordReader, parse_time
from flywheel_sync.mapping.values import translate
from flywheel_sync.settings.rules import ValueSource

__all__ = ["Move", "jira_moves", "observed_moves", "with_cycles"]

FULL_CHANGELOG = "fullChangelog"

Stage = TypeVar("Stage", FlywheelStage, CustomerExperienceStage)


@dataclass(frozen=True, kw_only=True)
class Move(Generic[Stage]):
    """Entering ``stage`` at ``at``; ``source_ref`` names the change that shows it."""

    stage: Stage
    at: datetime
    source_ref: str | None


def _parse(parse: Callable[[str], Stage], source: ValueSource, text: str | None) -> Stage | None:
    if not text:
        return None
    for candidate in translate(source, (text,)):
        try:
            return parse(candidate)
        except StageParseError:
            continue
    return None


def _stage_items(reader: JiraIssueReader, source: ValueSource) -> Iterable[tuple[Any, Any]]:
    """``(history, item)`` for each change of the field ``source`` reads, oldest first."""
    if source.field is None:
        return
    field_id = reader.field_id(source.field)
    name = reader.context.jira_field_name(reader.record.source, field_id).casefold()
    histories = reader.payload.get(FULL_CHANGELOG) or []
    for history in sorted(histories, key=lambda h: str(h.get("created", ""))):
        for item in history.get("items") or ():
            if item.get("fieldId") == field_id or str(item.get("field", "")).casefold() == name:
                yield history, item


def jira_moves(
    reader: RecordReader,
    source: ValueSource,
    current: Stage,
    parse: Callable[[str], Stage],
) -> list[Move[Stage]]:
    """The moves the issue's changelog shows, starting with its creation stage.

    Returns an empty list for records that are not Jira issues or have no creation time.
    """
    if not isinstance(reader, JiraIssueReader):
        return []
    created = reader.created()
    if created is None:
        return []
    changes = list(_stage_items(reader, source))
    first = _parse(parse, source, changes[0][1].get("fromString")) if changes else current
    moves: list[Move[Stage]] = (
        [] if first is None else [Move(stage=first, at=created, source_ref=None)]
    )
    for history, item in changes:
        stage = _parse(parse, source, item.get("toString"))
        at = parse_time(history.get("created"))
        if stage is None or at is None:
            continue
        moves.append(Move(stage=stage, at=at, source_ref=str(history.get("id"))))
    if moves and moves[-1].stage is not current:
        # The changelog ends elsewhere than the field (edited around the history): trust
        # the field, and date it at the last change.
        moves.append(Move(stage=current, at=moves[-1].at, source_ref=None))
    return moves


def observed_moves(
    previous: Sequence[tuple[str, datetime]],
    current: Stage,
    observed_at: datetime,
    source_ref: str,
    parse: Callable[[str], Stage],
) -> list[Move[Stage]]:
    """Stored moves plus, if the record now shows another stage, the move observed now."""
    moves: list[Move[Stage]] = []
    for stage_text, at in previous:
        try:
            moves.append(Move(stage=parse(stage_text), at=at, source_ref=None))
        except StageParseError:
            continue
    if not moves or moves[-1].stage is not current:
        # A stored move may be later than this fetch: the move seen now cannot precede it.
        at = max([observed_at, *(move.at for move in moves)])
        moves.append(Move(stage=current, at=at, source_ref=source_ref))
    return moves


def with_cycles(moves: Sequence[Move[FlywheelStage]]) -> tuple[StageTransition, ...]:
    """Number the cycles: entering Awareness Building after Value Recognition starts one.

    Consecutive moves to the same stage collapse into the first (no dwell time is lost).
    """
    transitions: list[StageTransition] = []
    cycle = 1
    for move in sorted(moves, key=lambda m: m.at):
        if transitions:
            last = transitions[-1]
            if move.stage is last.stage:
                continue
            if FlywheelStage.starts_new_cycle(last.stage, move.stage):
                cycle += 1
        transitions.append(
            StageTransition(
                stage=move.stage, entered_at=move.at, cycle=cycle, source_ref=move.source_ref
            )
        )
    return tuple(transitions)
