"""The configured context of the Value Ring: the organisation's baseline and the PMO's charter.

`OrganizationalBaseline` says what "value" means here (strategy, culture and maturity,
structure, industry profile); `PMOMandate`, `PMOGovernance` and `PMOStrategy` are the PMO's
structural components. They come from configuration and are shown in reports; the engine reads
only a few of them (objective ids KPIs link to, the maturity level, org units).
"""

import datetime as dt
from enum import Enum
from typing import Self

from pydantic import Field, model_validator

from flywheel_sync.domain.base import EntityId, NonEmptyStr, ValueObject, duplicates

__all__ = [
    "CultureAndMaturity",
    "DecisionBody",
    "IndustryProfile",
    "OrgUnit",
    "OrganizationalBaseline",
    "OrganizationalStrategy",
    "OrganizationalStructure",
    "PMOGovernance",
    "PMOMandate",
    "PMOStrategy",
    "RoadmapMilestone",
    "StrategicObjective",
    "StructureKind",
]


class StrategicObjective(ValueObject):
    """An organisational objective that KPIs and value propositions can link to."""

    id: EntityId
    title: NonEmptyStr
    horizon: str | None = Field(
        default=None, description='When the objective should be met, free text: "FY2026", "Q3".'
    )


class OrganizationalStrategy(ValueObject):
    """The organisation's strategic objectives (ids unique)."""

    objectives: tuple[StrategicObjective, ...] = ()

    @model_validator(mode="after")
    def _objective_ids_are_unique(self) -> Self:
        repeated = duplicates(objective.id for objective in self.objectives)
        if repeated:
            raise ValueError(f"strategic objective ids must be unique; repeated: {list(repeated)}")
        return self


class CultureAndMaturity(ValueObject):
    """How ready the organisation is for PMO services; tunes what to expect of them."""

    maturity_level: int = Field(
        ge=1, le=5, description="Project management maturity, 1 (initial) to 5 (optimizing)."
    )
    notes: str = Field(default="", description="Culture traits worth knowing when engaging.")


class StructureKind(Enum):
    """How authority over projects is organised."""

    FUNCTIONAL = "functional"
    MATRIX = "matrix"
    PROJECTIZED = "projectized"


class OrgUnit(ValueObject):
    """A unit of the organisation customers belong to."""

    id: EntityId
    name: NonEmptyStr
    parent: EntityId | None = Field(
        default=None, description="Id of the enclosing unit; none for a top-level unit."
    )


class OrganizationalStructure(ValueObject):
    """The organisation's units as a forest: ids unique, parents listed, no parent cycles."""

    kind: StructureKind
    units: tuple[OrgUnit, ...] = ()

    @model_validator(mode="after")
    def _units_form_a_forest(self) -> Self:
        repeated = duplicates(unit.id for unit in self.units)
        if repeated:
            raise ValueError(f"org unit ids must be unique; repeated: {list(repeated)}")
        parents = {unit.id: unit.parent for unit in self.units}
        unknown = [
            f"{unit.id} -> {unit.parent}"
            for unit in self.units
            if unit.parent not in {None, *parents}
        ]
        if unknown:
            raise ValueError(f"org unit parents must be listed units; unknown: {unknown}")
        for unit in self.units:
            _reject_parent_cycle(unit.id, parents)
        return self


def _reject_parent_cycle(start: str, parents: dict[str, str | None]) -> None:
    seen = [start]
    parent = parents[start]
    while parent is not None:
        if parent in seen:
            raise ValueError(f"org unit parents form a cycle: {' -> '.join([*seen, parent])}")
        seen.append(parent)
        parent = parents[parent]


class IndustryProfile(ValueObject):
    """The industry the organisation works in and the constraints that come with it."""

    industry: NonEmptyStr
    regulated: bool = Field(
        default=False, description="Whether outside regulation constrains how projects run."
    )
    constraints: tuple[NonEmptyStr, ...] = Field(
        default=(), description='Constraints to respect, e.g. "SOX change control", "GxP".'
    )


class OrganizationalBaseline(ValueObject):
    """The organisational context that defines what "value" means for this PMO."""

    strategy: OrganizationalStrategy
    culture_and_maturity: CultureAndMaturity
    structure: OrganizationalStructure
    industry_profile: IndustryProfile


class PMOMandate(ValueObject):
    """What the PMO is for and what it may decide."""

    scope: NonEmptyStr = Field(description="What the PMO covers, e.g. all IT projects over 50k.")
    authority: NonEmptyStr = Field(
        description="What the PMO may decide or enforce (supportive, controlling, directive...)."
    )
    in_scope_criteria: tuple[NonEmptyStr, ...] = Field(
        default=(), description="Tests that decide whether an initiative falls under the PMO."
    )


class DecisionBody(ValueObject):
    """A board or committee in the PMO's governance."""

    name: NonEmptyStr
    cadence: NonEmptyStr = Field(description='How often it meets: "weekly", "monthly", "ad hoc".')


class PMOGovernance(ValueObject):
    """The PMO's decision bodies (names unique)."""

    decision_bodies: tuple[DecisionBody, ...] = ()

    @model_validator(mode="after")
    def _body_names_are_unique(self) -> Self:
        repeated = duplicates(body.name for body in self.decision_bodies)
        if repeated:
            raise ValueError(f"decision body names must be unique; repeated: {list(repeated)}")
        return self


class RoadmapMilestone(ValueObject):
    """A step on the PMO's own roadmap."""

    title: NonEmptyStr
    due: dt.date | None = None


class PMOStrategy(ValueObject):
    """The PMO's own direction: vision, objectives and roadmap."""

    vision: NonEmptyStr
    objectives: tuple[NonEmptyStr, ...] = ()
    roadmap: tuple[RoadmapMilestone, ...] = ()
