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
    """One symptom detector: fires when its metric passes ``threshold`` over enough records."""

    enabled: bool = True
    threshold: float = Field(ge=0, description="See each detector's description.")
    min_records: int = Field(
        default=5, ge=1, description="Fewer records than this is too little evidence."
    )
    prescribes: tuple[str, ...] = Field(
        default=(), description="Service ids prescribed when this symptom is diagnosed."
    )


class DiagnosisSettings(ConfigModel):
    """Symptom detectors (the physician model: read symptoms, diagnose, prescribe services)."""

    missed_deadlines: DetectorSettings = Field(
        default=DetectorSettings(threshold=0.2),
        description="Share of due work finished late or still open past its due date.",
    )
    unclear_priorities: DetectorSettings = Field(
        default=DetectorSettings(threshold=1.0),
        description="Priority changes per issue in the period.",
    )
    resource_overload: DetectorSettings = Field(
        default=DetectorSettings(threshold=8, min_records=1),
        description="Open work items per assignee; each assignee above it is evidence.",
    )
    blocked_work: DetectorSettings = Field(
        default=DetectorSettings(threshold=0.15),
        description="Share of in-progress time spent blocked.",
    )
    scope_churn: DetectorSettings = Field(
        default=DetectorSettings(threshold=0.25),
        description="Share of work added after the period started.",
    )

    def by_kind(self) -> dict[SymptomKind, DetectorSettings]:
        """Each detector's settings under the symptom it diagnoses."""
        return {kind: getattr(self, kind.value) for kind in SymptomKind}
