"""The PMO Value Ring as immutable values: customers, services, stages, engagements and KPIs.

Pure model code: it imports nothing else of flywheel-sync, does no I/O, and every model is a
frozen, keyword-only pydantic model (`ValueObject`) that validates its invariants on creation.
"""

from flywheel_sync.domain.base import AwareDatetime, EntityId, NonEmptyStr, ValueObject
from flywheel_sync.domain.checklist import (
    ChecklistItem,
    ChecklistItemOrigin,
    ChecklistTemplateItem,
    OnboardingChecklist,
)
from flywheel_sync.domain.customer import CustomerKind, PMOCustomer
from flywheel_sync.domain.diagnosis import Evidence, Need, Symptom, SymptomKind, ValueProposition
from flywheel_sync.domain.engagement import Engagement, StageTransition
from flywheel_sync.domain.kpis import (
    KPIDefinition,
    KPIDirection,
    KPIMeasurement,
    KPIPeriod,
    KPIStatus,
    KPITarget,
    KPITrend,
    MeasurementScope,
    ScopeKind,
)
from flywheel_sync.domain.organization import (
    CultureAndMaturity,
    DecisionBody,
    IndustryProfile,
    OrganizationalBaseline,
    OrganizationalStrategy,
    OrganizationalStructure,
    OrgUnit,
    PMOGovernance,
    PMOMandate,
    PMOStrategy,
    RoadmapMilestone,
    StrategicObjective,
    StructureKind,
)
from flywheel_sync.domain.refs import ExternalRef, Tool
from flywheel_sync.domain.service import PMOService
from flywheel_sync.domain.stages import CustomerExperienceStage, FlywheelStage, StageParseError
from flywheel_sync.domain.value import Recognition, ReportingPeriod, ValueRecord

__all__ = [
    "AwareDatetime",
    "ChecklistItem",
    "ChecklistItemOrigin",
    "ChecklistTemplateItem",
    "CultureAndMaturity",
    "CustomerExperienceStage",
    "CustomerKind",
    "DecisionBody",
    "Engagement",
    "EntityId",
    "Evidence",
    "ExternalRef",
    "FlywheelStage",
    "IndustryProfile",
    "KPIDefinition",
    "KPIDirection",
    "KPIMeasurement",
    "KPIPeriod",
    "KPIStatus",
    "KPITarget",
    "KPITrend",
    "MeasurementScope",
    "Need",
    "NonEmptyStr",
    "OnboardingChecklist",
    "OrgUnit",
    "OrganizationalBaseline",
    "OrganizationalStrategy",
    "OrganizationalStructure",
    "PMOCustomer",
    "PMOGovernance",
    "PMOMandate",
    "PMOService",
    "PMOStrategy",
    "Recognition",
    "ReportingPeriod",
    "RoadmapMilestone",
    "ScopeKind",
    "StageParseError",
    "StageTransition",
    "StrategicObjective",
    "StructureKind",
    "Symptom",
    "SymptomKind",
    "Tool",
    "ValueObject",
    "ValueProposition",
    "ValueRecord",
]
