"""Value shown and value recognised: the last two flywheel stages as records.

A `ValueRecord` is an outcome shown (Value Delivery): a KPI's baseline against what was
achieved. A `Recognition` is a summary of such records published where leadership and teams see
it (Value Recognition).
"""

from typing import Self

from pydantic import Field, FiniteFloat, model_validator

from flywheel_sync.domain.base import AwareDatetime, EntityId, NonEmptyStr, ValueObject, duplicates
from flywheel_sync.domain.refs import Tool

__all__ = ["Recognition", "ReportingPeriod", "ValueRecord"]


class ReportingPeriod(ValueObject):
    """A time span ``[start, end)`` an outcome is reported for."""

    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _start_before_end(self) -> Self:
        if self.start >= self.end:
            raise ValueError(
                f"period start {self.start.isoformat()} must be before end {self.end.isoformat()}"
            )
        return self


class ValueRecord(ValueObject):
    """A measurable outcome shown to a customer: a KPI's baseline and what was achieved."""

    id: EntityId
    customer_id: EntityId
    engagement_id: EntityId | None = Field(
        default=None, description="The engagement that produced it; none for customer-wide value."
    )
    kpi_id: EntityId
    baseline: FiniteFloat = Field(description="The KPI's value before the service.")
    achieved: FiniteFloat = Field(description="The KPI's value over the reported period.")
    period: ReportingPeriod
    narrative: str = Field(default="", description="The story behind the numbers, for people.")

    @property
    def change(self) -> float:
        """``achieved - baseline``; whether that is good depends on the KPI's direction."""
        return self.achieved - self.baseline


class Recognition(ValueObject):
    """A value summary published in a tool: what was shared, where and when."""

    id: EntityId
    value_record_ids: tuple[EntityId, ...] = Field(min_length=1)
    channel: Tool
    location: NonEmptyStr = Field(
        description="Where it was published: a URL, a Confluence page id, a Jira issue key."
    )
    published_at: AwareDatetime
    audience: str | None = Field(
        default=None, description='Who it was for, e.g. "steering committee".'
    )

    @model_validator(mode="after")
    def _records_are_unique(self) -> Self:
        repeated = duplicates(self.value_record_ids)
        if repeated:
            raise ValueError(f"value record ids must be unique; repeated: {list(repeated)}")
        return self
