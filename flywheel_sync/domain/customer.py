"""The PMO Customer: who every service, stage and KPI is for."""

from enum import Enum

from pydantic import Field

from flywheel_sync.domain.base import EntityId, NonEmptyStr, ValueObject
from flywheel_sync.domain.refs import ExternalRef
from flywheel_sync.domain.stages import CustomerExperienceStage

__all__ = ["CustomerKind", "PMOCustomer"]


class CustomerKind(Enum):
    """The kind of stakeholder a PMO customer is."""

    EXECUTIVE = "executive"
    BUSINESS_UNIT = "business_unit"
    PORTFOLIO = "portfolio"
    PROGRAM = "program"
    PROJECT = "project"
    TEAM = "team"


class PMOCustomer(ValueObject):
    """A customer of the PMO, with its own experience stage and engagements."""

    id: EntityId
    name: NonEmptyStr
    kind: CustomerKind
    org_unit: EntityId | None = Field(
        default=None, description="Id of the org unit (organizational baseline) it belongs to."
    )
    sponsor: str | None = Field(
        default=None, description="Who sponsors the relationship on the customer side."
    )
    experience_stage: CustomerExperienceStage | None = Field(
        default=None,
        description="Where the relationship stands in the Customer Experience Cycle; "
        "none until assessed.",
    )
    external_refs: tuple[ExternalRef, ...] = Field(
        default=(), description="Where the customer lives in the tools (Jira project, Teams team)."
    )
