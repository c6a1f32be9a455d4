"""The Engagement: one customer using one service, and its way around the flywheel."""

import datetime as dt
import itertools
from typing import Self

from pydantic import Field, model_validator

from flywheel_sync.domain.base import AwareDatetime, EntityId, ValueObject
from flywheel_sync.domain.refs import ExternalRef
from flywheel_sync.domain.stages import FlywheelStage

__all__ = ["Engagement", "StageTransition"]


class StageTransition(ValueObject):
    """The moment an engagement entered a flywheel stage."""

    stage: FlywheelStage
    entered_at: AwareDatetime
    cycle: int = Field(ge=1, description="The flywheel cycle the stage was entered in.")
    source_ref: str | None = Field(
        default=None,
        description="The record that shows the move, e.g. a Jira changelog id; none if inferred.",
    )


class Engagement(ValueObject):
    """A customer x service engagement: where it stands in the flywheel and how it got there.

    Invariants: ``stage_history`` is ordered in time (equal timestamps allowed), its cycles
    never decrease, and its last transition, if any, is ``current_stage`` in ``cycle``. An
    empty history means the stage is known but not when it was entered.
    """

    id: EntityId
    customer_id: EntityId
    service_id: EntityId
    value_proposition_id: EntityId | None = Field(
        default=None, description="The value proposition the engagement delivers, once agreed."
    )
    current_stage: FlywheelStage
    cycle: int = Field(default=1, ge=1, description="Turns of the flywheel so far, from 1.")
    stage_history: tuple[StageTransition, ...] = ()
    external_refs: tuple[ExternalRef, ...] = Field(
        default=(), description="Where the engagement lives in the tools (Jira epic, Planner task)."
    )

    @model_validator(mode="after")
    def _history_is_consistent(self) -> Self:
        for earlier, later in itertools.pairwise(self.stage_history):
            if later.entered_at < earlier.entered_at:
                raise ValueError(
                    f"stage history must be ordered in time: {later.stage.label} at "
                    f"{later.entered_at.isoformat()} comes after {earlier.stage.label} at "
                    f"{earlier.entered_at.isoformat()}"
                )
            if later.cycle < earlier.cycle:
                raise ValueError(
                    f"stage history cycles must never decrease: cycle {later.cycle} "
                    f"follows cycle {earlier.cycle}"
                )
        last = self.last_transition
        if last is not None and (last.stage, last.cycle) != (self.current_stage, self.cycle):
            raise ValueError(
                f"the last stage transition ({last.stage.label}, cycle {last.cycle}) must be "
                f"the current stage ({self.current_stage.label}, cycle {self.cycle})"
            )
        return self

    @property
    def last_transition(self) -> StageTransition | None:
        """The most recent transition, or None when no history is known."""
        return self.stage_history[-1] if self.stage_history else None

    @property
    def entered_current_stage_at(self) -> dt.datetime | None:
        """When the current stage was entered, or None when no history is known."""
        last = self.last_transition
        return None if last is None else last.entered_at

    def advance_to(
        self, stage: FlywheelStage, *, at: dt.datetime, source_ref: str | None = None
    ) -> "Engagement":
        """Return this engagement moved to ``stage`` at ``at``, with the move in its history.

        Entering Awareness Building from Value Recognition starts the next cycle. Any other
        move, backward (a regression) or skipping stages, stays in the current cycle. Moving
        to the current stage changes nothing and returns this engagement.

        Raises:
            ValueError: ``at`` is earlier than the last transition, or is not timezone-aware
                (a pydantic ``ValidationError``).
        """
        cycle = (
            self.cycle + 1
            if FlywheelStage.starts_new_cycle(self.current_stage, stage)
            else self.cycle
        )
        transition = StageTransition(stage=stage, entered_at=at, cycle=cycle, source_ref=source_ref)
        last = self.last_transition
        if last is not None and transition.entered_at < last.entered_at:
            raise ValueError(
                f"engagement {self.id!r} cannot enter {stage.label} at {at.isoformat()}: "
                f"it entered {last.stage.label} later, at {last.entered_at.isoformat()}"
            )
        if stage is self.current_stage:
            return self
        # model_copy(update=...) would skip validation; rebuilding re-checks the invariants.
        return Engagement.model_validate(
            dict(self)
            | {
                "current_stage": stage,
                "cycle": cycle,
                "stage_history": (*self.stage_history, transition),
            }
        )
