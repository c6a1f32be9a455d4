"""The PMO Service: what the PMO offers, the outcomes it promises and how customers onboard."""

from typing import Self

from pydantic import Field, model_validator

from flywheel_sync.domain.base import EntityId, NonEmptyStr, ValueObject, duplicates
from flywheel_sync.domain.checklist import (
    ChecklistItem,
    ChecklistItemOrigin,
    ChecklistTemplateItem,
    OnboardingChecklist,
)

__all__ = ["PMOService"]


class PMOService(ValueObject):
    """A service the PMO offers; KPI ids and onboarding template keys are unique."""

    id: EntityId
    name: NonEmptyStr
    description: str = ""
    intended_outcomes: tuple[NonEmptyStr, ...] = Field(
        default=(), description="Outcomes the service is meant to bring the customer."
    )
    kpi_ids: tuple[EntityId, ...] = Field(
        default=(), description="Ids of the KPI definitions that measure this service."
    )
    onboarding_template: tuple[ChecklistTemplateItem, ...] = Field(
        default=(), description="Steps every customer onboarding to this service goes through."
    )
    owner: str | None = Field(default=None, description="Who in the PMO runs the service.")

    @model_validator(mode="after")
    def _keys_are_unique(self) -> Self:
        repeated = duplicates(self.kpi_ids)
        if repeated:
            raise ValueError(f"service kpi ids must be unique; repeated: {list(repeated)}")
        repeated = duplicates(item.key for item in self.onboarding_template)
        if repeated:
            raise ValueError(f"onboarding template keys must be unique; repeated: {list(repeated)}")
        return self

    def onboarding_checklist(self, *, engagement_id: str) -> OnboardingChecklist:
        """A fresh checklist for an engagement: every template step, none done yet."""
        return OnboardingChecklist(
            engagement_id=engagement_id,
            service_id=self.id,
            items=tuple(
                ChecklistItem(key=step.key, title=step.title, origin=ChecklistItemOrigin.TEMPLATE)
                for step in self.onboarding_template
            ),
        )
