"""Engine settings in ``mapping.yaml``: stall thresholds, experience rule, symptom detectors.

They say when an engagement counts as stalled, how a customer's experience stage is decided,
and when a symptom is diagnosed.

Each symptom detector is the same shape (a threshold, a minimum sample, the services it
prescribes), so the detectors differ only in their defaults: declared here as data.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from flywheel_sync.domain import FlywheelStage, SymptomKind
from flywheel_sync.settings.base import ConfigModel

__all__ = [
    "DetectorSettings",
    "DiagnosisSettings",
    "ExperienceRule",
    "FlywheelSettingsSection",
]


class FlywheelSettingsSection(ConfigModel):
    """Flywheel analysis: stall thresholds in days, by stage."""

    stall_after_days: int = Field(
        default=45, ge=1, le=3650, description="Dwell after which an engagement is stalled."
    )
    stall_after_days_by_stage: dict[FlywheelStage, int] = Field(
        default_factory=dict, description="Per-stage overrides, e.g. {service_onboarding: 30}."
    )


class ExperienceRule(StrEnum):
    """How each customer's Customer Experience Cycle stage is decided.

    ``configured``: as given on the customer (``customers[].experience_stage``), else derived.
    ``derived``: from the customer's engagements, by the documented rule in the engine.
    """

    CONFIGURED = "configured"
    DERIVED = "derived"


class DetectorSettings(ConfigModel):
    """One symptom detector: fires when its metric is above ``threshold`` over enough records."""

    enabled: bool = True
    threshold: float = Field(
        ge=0, description="The symptom shows when the metric is above it; see each detector."
    )
    min_records: int = Field(
        default=5,
        ge=1,
        description="The fewest work items the metric must be measured over (see each "
        "detector); fewer is too little evidence.",
    )
    prescribes: tuple[str, ...] = Field(
        default=(), description="Service ids prescribed when this symptom is diagnosed."
    )


class DiagnosisSettings(ConfigModel):
    """Symptom detectors (the physician model: read symptoms, diagnose, prescribe services).

    Each runs over one customer's work items.
    """

    missed_deadlines: DetectorSettings = Field(
        default=DetectorSettings(threshold=0.2),
        description="overdue_ratio: of the work items with a due date, the share resolved "
        "after it or unresolved with the due date before today (measured over the items with "
        "a due date).",
    )
    unclear_priorities: DetectorSettings = Field(
        default=DetectorSettings(threshold=1.0),
        description="priority_churn: priority changes per work item (over the items whose "
        "rule reads priority_changes).",
    )
    resource_overload: DetectorSettings = Field(
        default=DetectorSettings(threshold=8, min_records=1),
        description="wip_per_person: the open work items of the most loaded assignee; "
        "each assignee above the threshold is evidence (over the open items with an "
        "assignee).",
    )
    blocked_work: DetectorSettings = Field(
        default=DetectorSettings(threshold=0.15),
        description="blocked_ratio: of the open work items, the share blocked now (status "
        "Blocked, or flagged/blocked set) (over the open items whose rule reads status, "
        "blocked or flagged).",
    )
    scope_churn: DetectorSettings = Field(
        default=DetectorSettings(threshold=0.25),
        description="scope_churn_ratio: of the work items in a sprint that has started, "
        "the share created after the sprint's start (over the items in started sprints).",
    )

    def by_kind(self) -> dict[SymptomKind, DetectorSettings]:
        """Each detector's settings under the symptom it diagnoses."""
        return {kind: getattr(self, kind.value) for kind in SymptomKind}
