"""The PMO's engagements (customer x service) and how each travelled around the flywheel.

Each script is a path of stage numbers, entered between ``started_days_ago`` and
``current_days_ago``. A 10 → 1 step starts a new cycle; any other step back is a regression;
a jump forward skips stages. Together they cover all ten stages, two second cycles, two
regressions, one skipped stage and two stalls past the example mapping's limits (45 days; 30 in
Service Onboarding, 21 in Needs Assessment): HR Transformation's coaching has sat in Service
Development for 80 days and Regulatory Affairs has not left Awareness Building in 186 days.
Every other engagement moved within its limit.
"""

from dataclasses import dataclass

__all__ = [
    "CUSTOMER_CONTACTS",
    "ENGAGEMENTS",
    "SERVICE_OWNERS",
    "STANDALONE_NEEDS",
    "EngagementScript",
    "StandaloneNeed",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class EngagementScript:
    """One engagement's journey.

    Attributes:
        path: Stage numbers (1-10) in the order they were entered; the last is the current one.
        needs: What the customer asked, one per visit to Needs Assessment, in their words.
        onboarding_done: Checklist items done in the latest onboarding visit, when that visit
            did not finish (the engagement is still onboarding, or regressed out of it).
    """

    customer_id: str
    service_id: str
    path: tuple[int, ...]
    started_days_ago: int
    current_days_ago: int
    needs: tuple[str, ...] = ()
    onboarding_done: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StandaloneNeed:
    """A request no engagement answers yet: the Needs Assessment backlog."""

    customer_id: str
    raised_days_ago: int
    summary: str
    reporter: str


_FULL_TURN = tuple(range(1, 11))

ENGAGEMENTS: tuple[EngagementScript, ...] = (
    EngagementScript(
        customer_id="grid-ops",
        service_id="health-checks",
        path=(*_FULL_TURN, 1, 2, 3, 4, 5, 6),
        started_days_ago=535,
        current_days_ago=40,
        needs=(
            "Our big projects keep surprising us at go-live; we need an independent view",
            "Extend the health checks to the smart-meter rollout projects",
        ),
    ),
    EngagementScript(
        customer_id="grid-ops",
        service_id="benefits-tracking",
        path=(*_FULL_TURN, 1),
        started_days_ago=530,
        current_days_ago=20,
        needs=("Show what the substation upgrades have saved",),
    ),
    EngagementScript(
        customer_id="grid-ops",
        service_id="portfolio-governance",
        path=tuple(range(1, 10)),
        started_days_ago=500,
        current_days_ago=35,
        needs=("Too many grid projects start without anyone deciding whether they should",),
    ),
    EngagementScript(
        customer_id="digital-channels",
        service_id="pm-coaching",
        path=tuple(range(1, 9)),
        started_days_ago=480,
        current_days_ago=30,
        needs=("Our new product owners have never run a project; can someone coach them?",),
    ),
    EngagementScript(
        customer_id="grid-ops",
        service_id="executive-reporting",
        path=_FULL_TURN,
        started_days_ago=450,
        current_days_ago=12,
        needs=("The executive team gets five different status reports for the grid programme",),
    ),
    EngagementScript(
        customer_id="customer-service",
        service_id="capacity-planning",
        path=(1, 2, 3, 4, 5),
        started_days_ago=420,
        current_days_ago=26,
        needs=("Three analysts carry most of our open tickets; we cannot see our capacity",),
        onboarding_done=3,
    ),
    EngagementScript(
        customer_id="digital-channels",
        service_id="health-checks",
        path=tuple(range(1, 8)),
        started_days_ago=400,
        current_days_ago=25,
        needs=("We want an outside view of the app relaunch before it goes live",),
    ),
    EngagementScript(
        customer_id="customer-service",
        service_id="portfolio-governance",
        path=(1, 2, 3, 4, 5, 3),
        started_days_ago=395,
        current_days_ago=33,
        needs=("Everything is priority one; who decides what comes first?",),
        onboarding_done=1,
    ),
    EngagementScript(
        customer_id="finance",
        service_id="executive-reporting",
        path=(1, 2, 4, 5, 6),
        started_days_ago=360,
        current_days_ago=38,
        needs=("The CFO wants one monthly report on the whole portfolio",),
    ),
    EngagementScript(
        customer_id="finance",
        service_id="benefits-tracking",
        path=(1, 2, 3, 4, 5),
        started_days_ago=330,
        current_days_ago=28,
        needs=("The board asks what the renewal programmes actually returned",),
        onboarding_done=2,
    ),
    EngagementScript(
        customer_id="digital-channels",
        service_id="methodology",
        path=(1, 2, 3, 4, 5, 6, 4, 5),
        started_days_ago=300,
        current_days_ago=20,
        needs=("We need a lightweight lifecycle that works with our sprints",),
        onboarding_done=1,
    ),
    EngagementScript(
        customer_id="hr-transformation",
        service_id="pm-coaching",
        path=(1, 2, 3, 4),
        started_days_ago=230,
        current_days_ago=80,
        needs=("Our HR project managers are new to the role",),
    ),
    EngagementScript(
        customer_id="hr-transformation",
        service_id="methodology",
        path=(1, 2, 3),
        started_days_ago=200,
        current_days_ago=18,
        needs=("Which project lifecycle should the HR programme follow?",),
    ),
    EngagementScript(
        customer_id="hr-transformation",
        service_id="change-management",
        path=(1, 2),
        started_days_ago=190,
        current_days_ago=10,
        needs=("Thousands of staff will change how they book leave; how do we prepare them?",),
    ),
    EngagementScript(
        customer_id="regulatory-affairs",
        service_id="health-checks",
        path=(1,),
        started_days_ago=186,
        current_days_ago=186,
    ),
    EngagementScript(
        customer_id="grid-ops",
        service_id="capacity-planning",
        path=(1, 2),
        started_days_ago=185,
        current_days_ago=15,
        needs=("We cannot tell whether the crews can handle the winter outage season",),
    ),
)

STANDALONE_NEEDS: tuple[StandaloneNeed, ...] = (
    StandaloneNeed(
        customer_id="digital-channels",
        raised_days_ago=20,
        summary="Vendor API dependencies block half of every sprint",
        reporter="sofia",
    ),
    StandaloneNeed(
        customer_id="finance",
        raised_days_ago=9,
        summary="Requests keep landing mid-sprint and our forecasts are useless",
        reporter="daniel",
    ),
)

SERVICE_OWNERS: dict[str, str] = {
    "portfolio-governance": "jonas",
    "health-checks": "elena",
    "capacity-planning": "elena",
    "benefits-tracking": "mei",
    "executive-reporting": "jonas",
    "pm-coaching": "tomas",
    "methodology": "tomas",
    "change-management": "mei",
}
"""Who in the PMO runs each service (cast keys of `people.named_cast`)."""

CUSTOMER_CONTACTS: dict[str, tuple[str, str]] = {
    "grid-ops": ("callum", "aisha"),
    "digital-channels": ("noah", "sofia"),
    "finance": ("margaret", "daniel"),
    "hr-transformation": ("olivia", "rahul"),
    "regulatory-affairs": ("fiona", "peter"),
    "customer-service": ("grace", "liam"),
}
"""Each customer's sponsor and day-to-day requester (cast keys)."""
