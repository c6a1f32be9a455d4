"""The seeded demo organisation the sandbox serves: Northwind Utilities' Enterprise PMO.

`build_demo_organisation` returns a `DemoOrganisation`: the Jira site (`JiraSite` of
`JiraIssue`), Confluence, Planner, Teams and Dataverse Project data in their wire shapes, and
the `DemoTruth` tests check flywheel-sync's results against. Pure and deterministic per
``(seed, scale, now)``; no I/O.
"""

from flywheel_sync.sandbox.demo.confluence import ConfluenceSite
from flywheel_sync.sandbox.demo.dataverse import DataverseProjects
from flywheel_sync.sandbox.demo.delivery_metrics import DeliveryMetrics, measure_delivery
from flywheel_sync.sandbox.demo.jira_model import (
    JiraFieldDef,
    JiraIssue,
    JiraIssueType,
    JiraPriority,
    JiraProject,
    JiraSite,
    JiraStatus,
    JiraUser,
    JsonObject,
)
from flywheel_sync.sandbox.demo.organisation import (
    MAX_SCALE,
    DemoOrganisation,
    build_demo_organisation,
)
from flywheel_sync.sandbox.demo.people import DemoPerson
from flywheel_sync.sandbox.demo.planner import PlannerTenant
from flywheel_sync.sandbox.demo.teams import TeamsTenant
from flywheel_sync.sandbox.demo.truth import (
    THRESHOLDS,
    ChecklistEntry,
    CustomerTruth,
    DemoTruth,
    EngagementTruth,
    ExperienceEntry,
    PlantedMessage,
    PlantedSymptom,
    ProjectEngagementsTruth,
    ScheduleTruth,
    StageEntry,
)
from flywheel_sync.sandbox.demo.volume import DemoVolume

__all__ = [
    "MAX_SCALE",
    "THRESHOLDS",
    "ChecklistEntry",
    "ConfluenceSite",
    "CustomerTruth",
    "DataverseProjects",
    "DeliveryMetrics",
    "DemoOrganisation",
    "DemoPerson",
    "DemoTruth",
    "DemoVolume",
    "EngagementTruth",
    "ExperienceEntry",
    "JiraFieldDef",
    "JiraIssue",
    "JiraIssueType",
    "JiraPriority",
    "JiraProject",
    "JiraSite",
    "JiraStatus",
    "JiraUser",
    "JsonObject",
    "PlannerTenant",
    "PlantedMessage",
    "PlantedSymptom",
    "ProjectEngagementsTruth",
    "ScheduleTruth",
    "StageEntry",
    "TeamsTenant",
    "build_demo_organisation",
    "measure_delivery",
]
