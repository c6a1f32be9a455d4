"""Builders for the engine's unit tests: small work items, engagements and checklists.

Every fixture is small enough that the expected numbers are computed by hand in the test.
``NOW`` is Wednesday 2025-06-11 12:00 UTC: the last complete month is May 2025, the one
before it April; the last complete ISO week starts Monday 2025-06-02.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from flywheel_sync.domain import (
    ChecklistItem,
    ChecklistItemOrigin,
    Engagement,
    FlywheelStage,
    KPIDirection,
    OnboardingChecklist,
    StageTransition,
)
from flywheel_sync.engine import Portfolio, WorkItem, facts_of
from flywheel_sync.engine.facts import WorkFacts
from flywheel_sync.engine.flywheel import EngagementFlow, analyse_engagement
from flywheel_sync.engine.kpis import ScopeData
from flywheel_sync.engine.kpis.scopes import PORTFOLIO
from flywheel_sync.settings.kpis import KPIEntry
from flywheel_sync.settings.thresholds import FlywheelSettingsSection

NOW = datetime(2025, 6, 11, 12, 0, tzinfo=UTC)
MAY = datetime(2025, 5, 1, tzinfo=UTC)
APRIL = datetime(2025, 4, 1, tzinfo=UTC)


def day(month: int, number: int, hour: int = 12) -> datetime:
    """A moment in 2025, UTC."""
    return datetime(2025, month, number, hour, tzinfo=UTC)


def iso(moment: datetime) -> str:
    """ISO 8601 text, as attributes hold times."""
    return moment.isoformat()


def item(
    ref: str,
    *,
    customer: str | None = "grid-ops",
    rule: str | None = "delivery-work",
    done: bool | None = None,
    created: datetime | None = None,
    values: Mapping[str, str | None] | None = None,
    **attributes: str | None,
) -> WorkItem:
    """A work item; ``values`` and ``attributes`` are its rule's values, as text."""
    return WorkItem(
        id=ref,
        title=f"Work {ref}",
        rule=rule,
        source="jira:pmo",
        ref=ref,
        customer_id=customer,
        service_id=None,
        engagement_id=None,
        done=done,
        created=created,
        updated=None,
        attributes={**(values or {}), **attributes},
    )


def facts(*items: WorkItem, now: datetime = NOW) -> tuple[WorkFacts, ...]:
    """The facts of ``items`` as of ``now``."""
    return tuple(facts_of(found, now=now) for found in items)


def engagement(
    engagement_id: str,
    *steps: tuple[int, int, datetime],
    customer: str = "grid-ops",
    service: str = "health-checks",
) -> Engagement:
    """An engagement whose history is ``(stage number, cycle, entered at)`` steps."""
    history = tuple(
        StageTransition(stage=FlywheelStage.parse(stage), entered_at=at, cycle=cycle)
        for stage, cycle, at in steps
    )
    last = history[-1] if history else None
    return Engagement(
        id=engagement_id,
        customer_id=customer,
        service_id=service,
        current_stage=last.stage if last else FlywheelStage.AWARENESS_BUILDING,
        cycle=last.cycle if last else 1,
        stage_history=history,
    )


def at_stage(
    engagement_id: str,
    stage: int,
    *,
    cycle: int = 1,
    customer: str = "grid-ops",
    service: str = "health-checks",
    since: datetime = MAY,
) -> Engagement:
    """An engagement that entered ``stage`` (in ``cycle``) at ``since``."""
    return engagement(engagement_id, (stage, cycle, since), customer=customer, service=service)


def flow(found: Engagement, now: datetime = NOW) -> EngagementFlow:
    """The flow of an engagement with the default settings."""
    return analyse_engagement(found, FlywheelSettingsSection(), now=now)


def checklist(
    engagement_id: str, *done: bool, service: str = "health-checks"
) -> OnboardingChecklist:
    """A checklist whose items are done or not, in order."""
    return OnboardingChecklist(
        engagement_id=engagement_id,
        service_id=service,
        items=tuple(
            ChecklistItem(
                key=f"step-{n}", title=f"Step {n}", done=flag, origin=ChecklistItemOrigin.TEMPLATE
            )
            for n, flag in enumerate(done)
        ),
    )


def scope(
    work: Sequence[WorkFacts] = (),
    flows: Sequence[EngagementFlow] = (),
    checklists: Mapping[str, tuple[OnboardingChecklist, ...]] | None = None,
) -> ScopeData:
    """A portfolio scope holding exactly this evidence."""
    return ScopeData(
        scope=PORTFOLIO, work=tuple(work), flows=tuple(flows), checklists=checklists or {}
    )


def kpi(kpi_id: str = "k", **fields: Any) -> KPIEntry:
    """A KPI entry as ``mapping.yaml`` would give it (lower is better unless told)."""
    values: dict[str, Any] = {
        "id": kpi_id,
        "name": kpi_id.title(),
        "direction": KPIDirection.LOWER_IS_BETTER,
    } | fields
    return KPIEntry.model_validate(values)


def portfolio(
    *,
    work: Sequence[WorkItem] = (),
    engagements: Sequence[Engagement] = (),
    checklists: Sequence[OnboardingChecklist] = (),
    customers: Sequence[dict[str, Any]] = (),
    services: Sequence[dict[str, Any]] = (),
) -> Portfolio:
    """A portfolio from domain values (customers and services as catalogue dictionaries)."""
    from flywheel_sync.domain import PMOCustomer, PMOService

    return Portfolio(
        customers={c["id"]: PMOCustomer.model_validate(c) for c in customers},
        services={s["id"]: PMOService.model_validate(s) for s in services},
        engagements={e.id: e for e in engagements},
        checklists={(c.engagement_id, "jira:pmo"): c for c in checklists},
        work_items=tuple(work),
    )


def hours(count: float) -> timedelta:
    """A span of hours."""
    return timedelta(hours=count)
