"""The truth of the demo: what really happened, for tests to check flywheel-sync's results against.

The tools only show records; the truth says what they mean: each engagement's stage and dated
history (with the changelog that shows each move), each customer's experience stage, the
onboarding checklists, the symptoms planted in the delivery data and the messages that
describe them, the schedule slips in Project, and the engagements Project hosts with the
drift planted in them.
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
    "ProjectEngagementsTruth",
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
    """An onboarding step, whether it is done, and where it lives in Jira, Planner and Project.

    ``project_item_id`` is the step's ``msdyn_projectchecklist`` row, for the engagements
    Project hosts; None where Project has no row for the step (yet).
    """

    key: str
    title: str
    done: bool
    jira_key: str
    planner_item_id: str
    project_item_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EngagementTruth:
    """An engagement as it really is; ``id`` is its Jira epic key.

    ``project_task_id`` is its ``msdyn_projecttask`` in the "PMO Engagements" project, for
    the engagements Project hosts (None for the others).
    """

    id: str
    customer_id: str
    service_id: str
    stage: FlywheelStage
    cycle: int
    history: tuple[StageEntry, ...]
    checklist: tuple[ChecklistEntry, ...]
    planner_task_id: str
    need_keys: tuple[str, ...]
    project_task_id: str | None = None

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
                *(
                    (ExternalRef(tool=Tool.PROJECT, ref=self.project_task_id),)
                    if self.project_task_id
                    else ()
                ),
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
class ProjectEngagementsTruth:
    """The Project that hosts engagements as tasks, and the drift planted for a push to fix.

    Attributes:
        project_id: The "PMO Engagements" ``msdyn_project``.
        service_ids: The services whose engagements it hosts (every one of theirs).
        bucket_ids: Its bucket of each flywheel stage.
        label_ids: Its label named after each flywheel stage.
        misplaced: The engagement (epic key) whose task sits in the wrong bucket and carries
            the wrong label: those of ``misplaced_stage``, not of its stage.
        misplaced_stage: The stage whose bucket and label the misplaced task has.
        unlisted: An engagement in Service Onboarding whose task has no checklist rows.
        partial: An engagement in Service Onboarding whose task has some of its steps.
        ticked_item_id: The row of ``partial`` a person ticked although Jira has the step open.
        own_item_id: The row of ``partial`` a person added: no template step.
        own_item_title: That row's name.
    """

    project_id: str
    service_ids: tuple[str, ...]
    bucket_ids: Mapping[FlywheelStage, str]
    label_ids: Mapping[FlywheelStage, str]
    misplaced: str
    misplaced_stage: FlywheelStage
    unlisted: str
    partial: str
    ticked_item_id: str
    own_item_id: str
    own_item_title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoTruth:
    """Everything the demo planted, by kind."""

    engagements: tuple[EngagementTruth, ...]
    customers: tuple[CustomerTruth, ...]
    symptoms: tuple[PlantedSymptom, ...]
    delivery: Mapping[str, DeliveryMetrics]
    messages: tuple[PlantedMessage, ...]
    schedules: tuple[ScheduleTruth, ...]
    project_engagements: ProjectEngagementsTruth

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
