"""The engine: flywheel analytics, customer experience, KPIs and diagnosis, as pure functions.

Entities in (`Portfolio`), analyses out; no I/O and no clock reads (``now`` is a parameter),
so every number can be checked against a hand-computed fixture. `compute` runs them all.
"""

from flywheel_sync.engine.compute import (
    EngineResult,
    SeriesKey,
    compute,
    diagnose_portfolio,
    work_by_customer,
)
from flywheel_sync.engine.diagnosis import Finding, detect, diagnose
from flywheel_sync.engine.experience import ExperienceVerdict, customer_experience, implied_stage
from flywheel_sync.engine.facts import WorkFacts, facts_of
from flywheel_sync.engine.flywheel import (
    CompletedCycle,
    EngagementFlow,
    Regression,
    ServiceMomentum,
    SkippedStage,
    StageVisit,
    analyse_engagement,
    service_momentum,
)
from flywheel_sync.engine.kpis import KPIReading, SeriesPoint
from flywheel_sync.engine.needs import propose_needs, proposed_need_id
from flywheel_sync.engine.periods import Period, complete_periods, period_containing
from flywheel_sync.engine.portfolio import Portfolio, PortfolioError, ReportedSymptom, WorkItem

__all__ = [
    "CompletedCycle",
    "EngagementFlow",
    "EngineResult",
    "ExperienceVerdict",
    "Finding",
    "KPIReading",
    "Period",
    "Portfolio",
    "PortfolioError",
    "Regression",
    "ReportedSymptom",
    "SeriesKey",
    "SeriesPoint",
    "ServiceMomentum",
    "SkippedStage",
    "StageVisit",
    "WorkFacts",
    "WorkItem",
    "analyse_engagement",
    "complete_periods",
    "compute",
    "customer_experience",
    "detect",
    "diagnose",
    "diagnose_portfolio",
    "facts_of",
    "implied_stage",
    "period_containing",
    "propose_needs",
    "proposed_need_id",
    "service_momentum",
    "work_by_customer",
]
