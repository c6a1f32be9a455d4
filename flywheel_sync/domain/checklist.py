"""Service onboarding checklists: the evidence and progress of the Service Onboarding stage."""

from enum import Enum
from typing import Self

from pydantic import Field, model_validator

from flywheel_sync.domain.base import EntityId, NonEmptyStr, ValueObject, duplicates

__all__ = ["ChecklistItem", "ChecklistItemOrigin", "ChecklistTemplateItem", "OnboardingChecklist"]


class ChecklistItemOrigin(Enum):
    """Who put an item on a checklist; flywheel-sync only rewrites template items."""

    TEMPLATE = "template"
    HUMAN = "human"


class ChecklistTemplateItem(ValueObject):
    """One step every onboarding of a service goes through."""

    key: EntityId = Field(
        description="Stable id of the step; keep it when the title changes, so progress carries."
    )
    title: NonEmptyStr


class ChecklistItem(ValueObject):
    """One step of an engagement's onboarding, and whether it is done."""

    key: EntityId = Field(
        description="Stable id: the template key for template items, a derived id for human ones."
    )
    title: NonEmptyStr
    done: bool = False
    origin: ChecklistItemOrigin
    external_id: str | None = Field(
        default=None,
        description="The item's id in the tool (Jira sub-task key, Planner checklist item id).",
    )


class OnboardingChecklist(ValueObject):
    """The onboarding checklist of one engagement; item keys and external ids are unique."""

    engagement_id: EntityId
    service_id: EntityId
    items: tuple[ChecklistItem, ...] = ()

    @model_validator(mode="after")
    def _items_are_unique(self) -> Self:
        repeated = duplicates(item.key for item in self.items)
        if repeated:
            raise ValueError(f"checklist item keys must be unique; repeated: {list(repeated)}")
        external = duplicates(item.external_id for item in self.items if item.external_id)
        if external:
            raise ValueError(
                f"checklist item external ids must be unique; repeated: {list(external)}"
            )
        return self

    @property
    def done_count(self) -> int:
        """How many items are done."""
        return sum(1 for item in self.items if item.done)

    @property
    def progress(self) -> float:
        """Percentage of done items, 0.0-100.0; an empty checklist is 0.0 (nothing adopted yet).

        A property rather than a serialised field, so a dumped checklist validates back.
        """
        if not self.items:
            return 0.0
        return 100.0 * self.done_count / len(self.items)

    @property
    def is_complete(self) -> bool:
        """Whether there are items and all are done."""
        return bool(self.items) and self.done_count == len(self.items)
