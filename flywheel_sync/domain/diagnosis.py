"""The physician model: symptoms seen in tool data, the needs diagnosed from them, the offer made.

Needs Assessment finds `Symptom`s (each backed by `Evidence` from source records) and states the
`Need` behind them; Value Proposition turns needs into a `ValueProposition`: the prescribed
services and the KPI targets that will show they worked.
"""

from enum import Enum
from typing import Self

from pydantic import Field, FiniteFloat, model_validator

from flywheel_sync.domain.base import AwareDatetime, EntityId, NonEmptyStr, ValueObject, duplicates
from flywheel_sync.domain.kpis import KPITarget

__all__ = ["Evidence", "Need", "Symptom", "SymptomKind", "ValueProposition"]


class SymptomKind(Enum):
    """A pain a PMO customer shows that PMO services can treat."""

    MISSED_DEADLINES = "missed_deadlines"
    UNCLEAR_PRIORITIES = "unclear_priorities"
    RESOURCE_OVERLOAD = "resource_overload"
    BLOCKED_WORK = "blocked_work"
    SCOPE_CHURN = "scope_churn"


class Evidence(ValueObject):
    """A metric that crossed its threshold, and the source records it was computed from."""

    record_refs: tuple[NonEmptyStr, ...] = Field(
        min_length=1, description="The source records behind the metric, e.g. Jira issue keys."
    )
    metric: NonEmptyStr = Field(description='What was computed, e.g. "overdue_ratio".')
    value: FiniteFloat
    threshold: FiniteFloat = Field(description="The value past which the metric is a symptom.")


class Symptom(ValueObject):
    """A detected pain, with the evidence for it and the services that treat it."""

    kind: SymptomKind
    customer_id: EntityId | None = Field(
        default=None, description="The customer showing it; none when not yet attributed."
    )
    detected_at: AwareDatetime
    summary: NonEmptyStr
    evidence: tuple[Evidence, ...] = Field(min_length=1)
    prescribed_service_ids: tuple[EntityId, ...] = ()


class Need(ValueObject):
    """The real need behind a customer's symptoms and requests: diagnosis before prescription.

    Invariant: every attributed symptom belongs to the need's customer.
    """

    id: EntityId
    customer_id: EntityId
    statement: NonEmptyStr = Field(description="The need in the customer's terms.")
    symptoms: tuple[Symptom, ...] = ()
    diagnosis: str | None = Field(default=None, description="The root cause, once diagnosed.")
    prescribed_service_ids: tuple[EntityId, ...] = ()
    source_refs: tuple[NonEmptyStr, ...] = Field(
        default=(), description="Records the need came from: request issues, channel messages."
    )

    @model_validator(mode="after")
    def _symptoms_are_the_customers(self) -> Self:
        foreign = sorted(
            {
                symptom.customer_id
                for symptom in self.symptoms
                if symptom.customer_id not in {None, self.customer_id}
            }
        )
        if foreign:
            raise ValueError(
                f"need {self.id!r} is for customer {self.customer_id!r} "
                f"but has symptoms of other customers: {foreign}"
            )
        return self


class ValueProposition(ValueObject):
    """A tailored offer: services for a customer, expected outcomes and how success is measured.

    Invariant: at least one service; service ids and success-measure KPI ids are unique.
    """

    id: EntityId
    customer_id: EntityId
    service_ids: tuple[EntityId, ...] = Field(min_length=1)
    need_ids: tuple[EntityId, ...] = Field(default=(), description="The needs it answers.")
    expected_outcomes: tuple[NonEmptyStr, ...] = ()
    success_measures: tuple[KPITarget, ...] = Field(
        default=(), description="KPI targets that will show the services worked."
    )

    @model_validator(mode="after")
    def _ids_are_unique(self) -> Self:
        repeated = duplicates(self.service_ids)
        if repeated:
            raise ValueError(
                f"value proposition service ids must be unique; repeated: {list(repeated)}"
            )
        repeated = duplicates(measure.kpi_id for measure in self.success_measures)
        if repeated:
            raise ValueError(
                f"success measures must name each KPI once; repeated: {list(repeated)}"
            )
        return self
