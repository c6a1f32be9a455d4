"""The truth of the demo: what really happened, for tests to check flywheel-sync's results against.

The tools only show records; the truth says what they mean: each engagement's stage and dated
history (with the changelog that shows each move), each customer's experience stage, the
onboarding checklists, the symptoms planted in the delivery data and the messages that
describe them, and the schedule slips in Project.
"""

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass

from flywheel_sync.domain import (
    CustomerExperienceStage,
    Engagement,
    ExternalRef,
    FlywheelStage,
    StageTransition,
    SymptomKind,
    Tool,
)
from flywheel_sync.sandbox.demo.delivery_metrics import DeliveryMetrics

__all__ = [
    "THRESHOLDS",
    "ChecklistEntry",
    "CustomerTruth",
    "DemoTruth",
    "EngagementTruth",
    "ExperienceEntry",
    "PlantedMessage",
    "PlantedSymptom",
    "ScheduleTruth",
    "StageEntry",
]

THRESHOLDS: Mapping[SymptomKind, float] = {
    SymptomKind.MISSED_DEADLINES: 0.2,
    SymptomKind.UNCLEAR_PRIORITIES: 1.0,
    SymptomKind.RESOURCE_OVERLOAD: 8,
    SymptomKind.BLOCKED_WORK: 0.15,
    SymptomKind.SCOPE_CHURN: 0.25,
}
"""The ``diagnosis`` thresholds of ``config/mapping.example.yaml`` the symptoms are planted past."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StageEntry:
    """An engagement entered ``stage`` in ``cycle``; ``changelog_id`` is None for the creation."""

    stage: FlywheelStage
    cycle: int
    entered_at: dt.datetime
    changelog_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChecklistEntry:
    """An onboarding step, whether it is done, and where it lives in Jira and Planner."""

    key: str
    title: str
    done: bool
    jira_key: str
    planner_item_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EngagementTruth:
    """An engagement as it really is; ``id`` is its Jira epic key."""

    id: str
    customer_id: str
    service_id: str
    stage: FlywheelStage
    cycle: int
    history: tuple[StageEntry, ...]
    checklist: tuple[ChecklistEntry, ...]
    planner_task_id: str
    need_keys: tuple[str, ...]

    @property
    def entered_stage_at(self) -> dt.datetime:
        """When the current stage was entered."""
        return self.history[-1].entered_at

    @property
    def regressions(self) -> tuple[tuple[FlywheelStage, FlywheelStage], ...]:
        """Backward moves within a cycle, as (from, to)."""
        return tuple(
            (before.stage, after.stage)
            for before, after in itertools.pairwise(self.history)
            if after.cycle == before.cycle and after.stage < before.stage
        )

    @property
    def skipped(self) -> tuple[FlywheelStage, ...]:
        """Stages jumped over by forward moves within a cycle."""
        members = tuple(FlywheelStage)
        return tuple(
            members[number - 1]
            for before, after in itertools.pairwise(self.history)
            if after.cycle == before.cycle
            for number in range(before.stage.number + 1, after.stage.number)
        )

    def to_engagement(self) -> Engagement:
        """The domain `Engagement` flywheel-sync should arrive at from the tools."""
        return Engagement(
            id=self.id,
            customer_id=self.customer_id,
            service_id=self.service_id,
            current_stage=self.stage,
            cycle=self.cycle,
            stage_history=tuple(
                StageTransition(
                    stage=entry.stage,
                    entered_at=entry.entered_at,
                    cycle=entry.cycle,
                    source_ref=entry.changelog_id,
                )
                for entry in self.history
            ),
            external_refs=(
                ExternalRef(tool=Tool.JIRA, ref=self.id),
                ExternalRef(tool=Tool.PLANNER, ref=self.planner_task_id),
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExperienceEntry:
    """A customer entered an experience stage; ``changelog_id`` is None for the creation."""

    stage: CustomerExperienceStage
    entered_at: dt.datetime
    changelog_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerTruth:
    """A customer, its experience stage and history, its Jira record and delivery project."""

    id: str
    name: str
    experience_stage: CustomerExperienceStage
    history: tuple[ExperienceEntry, ...]
    jira_key: str
    project_key: str
    need_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlantedSymptom:
    """A symptom planted in a customer's delivery data, measured as `delivery_metrics` does.

    ``record_refs`` are the issue keys behind the metric (account ids for overload).
    """

    kind: SymptomKind
    customer_id: str
    source: str
    metric: str
    value: float
    threshold: float
    record_refs: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlantedMessage:
    """A story message in Teams; ``symptom`` is the symptom its words describe, if any."""

    message_id: str
    channel: str
    customer_id: str | None
    author: str
    text: str
    symptom: SymptomKind | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleTruth:
    """A Project schedule's leaf tasks and those finishing after their baseline."""

    project: str
    customer_id: str
    tasks: int
    late_task_ids: tuple[str, ...]
    mean_slip_days: float


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoTruth:
    """Everything the demo planted, by kind."""

    engagements: tuple[EngagementTruth, ...]
    customers: tuple[CustomerTruth, ...]
    symptoms: tuple[PlantedSymptom, ...]
    delivery: Mapping[str, DeliveryMetrics]
    messages: tuple[PlantedMessage, ...]
    schedules: tuple[ScheduleTruth, ...]

    def engagement(self, key: str) -> EngagementTruth:
        """The engagement whose epic has this key.

        Raises:
            KeyError: No engagement has that epic key.
        """
        for entry in self.engagements:
            if entry.id == key:
                return entry
        raise KeyError(key)

    def customer(self, customer_id: str) -> CustomerTruth:
        """The customer with this id.

        Raises:
            KeyError: No customer has that id.
        """
        for entry in self.customers:
            if entry.id == customer_id:
                return entry
        raise KeyError(customer_id)

    def symptom(self, kind: SymptomKind) -> PlantedSymptom:
        """The planted symptom of this kind (each kind is planted once).

        Raises:
            KeyError: No symptom of that kind was planted.
        """
        for entry in self.symptoms:
            if entry.kind is kind:
                return entry
        raise KeyError(kind)
