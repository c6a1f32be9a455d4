"""Northwind Utilities' Enterprise PMO: its customers and its service catalogue.

These tables are the fixed part of the story. Their ids, names, aliases and onboarding templates
match ``config/mapping.example.yaml``, so the shipped mapping reads the demo without changes.
"""

from dataclasses import dataclass

from flywheel_sync.domain import CustomerExperienceStage, CustomerKind

__all__ = [
    "CUSTOMERS",
    "ORGANISATION_NAME",
    "PMO_NAME",
    "SERVICES",
    "DemoCustomer",
    "DemoService",
    "OnboardingStep",
    "customer",
    "service",
]

ORGANISATION_NAME = "Northwind Utilities"
PMO_NAME = "Enterprise PMO"

_E = CustomerExperienceStage


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoCustomer:
    """A PMO customer, the delivery project it runs, and how its experience stage got here.

    ``experience_path`` lists each experience stage entered and how many days before ``now``;
    the last entry is the current stage.
    """

    id: str
    name: str
    kind: CustomerKind
    org_unit: str
    project_key: str
    project_name: str
    story: str
    experience_path: tuple[tuple[CustomerExperienceStage, int], ...]

    @property
    def experience_stage(self) -> CustomerExperienceStage:
        """The stage the customer stands in now."""
        return self.experience_path[-1][0]


@dataclass(frozen=True, slots=True, kw_only=True)
class OnboardingStep:
    """One step of a service's onboarding checklist template."""

    key: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoService:
    """A service of the catalogue and the onboarding steps every customer goes through."""

    id: str
    name: str
    description: str
    onboarding: tuple[OnboardingStep, ...]


def _steps(*pairs: tuple[str, str]) -> tuple[OnboardingStep, ...]:
    return tuple(OnboardingStep(key=key, title=title) for key, title in pairs)


CUSTOMERS: tuple[DemoCustomer, ...] = (
    DemoCustomer(
        id="grid-ops",
        name="Grid Operations",
        kind=CustomerKind.BUSINESS_UNIT,
        org_unit="grid",
        project_key="GRID",
        project_name="Grid Modernisation",
        story="Long-time user of health checks; sees the value and now wants capacity planning.",
        experience_path=(
            (_E.EXPLORATION, 548),
            (_E.DESIGN, 470),
            (_E.DEPLOYMENT, 380),
            (_E.ENHANCEMENT, 250),
            (_E.REALIZATION, 70),
        ),
    ),
    DemoCustomer(
        id="digital-channels",
        name="Digital Channels",
        kind=CustomerKind.BUSINESS_UNIT,
        org_unit="digital",
        project_key="DIGI",
        project_name="Digital Customer Channels",
        story="Agile teams, wary of governance; coaching helped. Vendor dependencies block work.",
        experience_path=(
            (_E.EXPLORATION, 547),
            (_E.DESIGN, 450),
            (_E.DEPLOYMENT, 330),
            (_E.ENHANCEMENT, 120),
        ),
    ),
    DemoCustomer(
        id="finance",
        name="Finance (CFO office)",
        kind=CustomerKind.EXECUTIVE,
        org_unit="finance",
        project_key="FIN",
        project_name="Finance Systems Renewal",
        story="Wants benefits tracking and executive reporting; scope keeps changing mid-sprint.",
        experience_path=((_E.EXPLORATION, 547), (_E.DESIGN, 360), (_E.DEPLOYMENT, 200)),
    ),
    DemoCustomer(
        id="hr-transformation",
        name="HR Transformation",
        kind=CustomerKind.PROGRAM,
        org_unit="hr",
        project_key="HRX",
        project_name="HR Transformation Programme",
        story="A new programme that needs a methodology and onboarding of its project managers.",
        experience_path=((_E.EXPLORATION, 546), (_E.DESIGN, 160)),
    ),
    DemoCustomer(
        id="regulatory-affairs",
        name="Regulatory Affairs",
        kind=CustomerKind.BUSINESS_UNIT,
        org_unit="regulatory",
        project_key="REG",
        project_name="Regulatory Filings",
        story="Has only heard of the PMO; misses the regulator's deadlines but has not asked yet.",
        experience_path=((_E.EXPLORATION, 545),),
    ),
    DemoCustomer(
        id="customer-service",
        name="Customer Service",
        kind=CustomerKind.BUSINESS_UNIT,
        org_unit="service",
        project_key="CSV",
        project_name="Customer Service Improvement",
        story="Resource overload and priority churn: everything is priority one.",
        experience_path=((_E.EXPLORATION, 547), (_E.DESIGN, 420), (_E.DEPLOYMENT, 260)),
    ),
)

SERVICES: tuple[DemoService, ...] = (
    DemoService(
        id="portfolio-governance",
        name="Portfolio Governance",
        description="Intake, prioritisation and the monthly portfolio board.",
        onboarding=_steps(
            ("intake", "Agree the intake criteria"),
            ("board", "Add the customer to the portfolio board agenda"),
            ("first-review", "First portfolio review"),
        ),
    ),
    DemoService(
        id="health-checks",
        name="Project Health Checks",
        description="Independent reviews of project health with a remediation plan.",
        onboarding=_steps(
            ("scope", "Choose the projects to check"),
            ("interviews", "Schedule project manager interviews"),
            ("report", "Present the first health check report"),
        ),
    ),
    DemoService(
        id="capacity-planning",
        name="Resource Capacity Planning",
        description="Rosters, capacity reviews and a capacity dashboard per business unit.",
        onboarding=_steps(
            ("owner", "Nominate a resource owner"),
            ("rosters", "Import team rosters"),
            ("unit", "Agree the capacity unit"),
            ("review", "First capacity review meeting"),
            ("dashboard", "Publish the capacity dashboard"),
            ("retro", "Retro after 4 weeks"),
        ),
    ),
    DemoService(
        id="benefits-tracking",
        name="Benefits Realization Tracking",
        description="Expected benefits, their owners and baselines, tracked after go-live.",
        onboarding=_steps(
            ("benefits", "List the expected benefits"),
            ("owners", "Name a benefit owner for each"),
            ("baseline", "Record the baselines"),
        ),
    ),
    DemoService(
        id="executive-reporting",
        name="Executive Reporting",
        description="One portfolio report for the executive team, on an agreed cadence.",
        onboarding=_steps(
            ("audience", "Agree the audience and cadence"),
            ("template", "Approve the report template"),
            ("first-report", "Publish the first report"),
        ),
    ),
    DemoService(
        id="pm-coaching",
        name="PM Coaching & Mentoring",
        description="Coaches paired with project managers for a quarter.",
        onboarding=_steps(
            ("pairs", "Pair coaches with project managers"),
            ("goals", "Set coaching goals"),
            ("checkpoint", "Six-week checkpoint"),
        ),
    ),
    DemoService(
        id="methodology",
        name="Methodology & Templates",
        description="A tailored project lifecycle and the templates that go with it.",
        onboarding=_steps(
            ("tailoring", "Tailor the lifecycle to the program"),
            ("templates", "Publish the templates"),
            ("training", "Run the training session"),
        ),
    ),
    DemoService(
        id="change-management",
        name="Change Management Support",
        description="Stakeholder mapping, communication plans and go-live readiness.",
        onboarding=_steps(
            ("stakeholders", "Map the stakeholders"),
            ("comms", "Agree the communication plan"),
            ("readiness", "Readiness check before go-live"),
        ),
    ),
)

_CUSTOMERS_BY_ID = {entry.id: entry for entry in CUSTOMERS}
_SERVICES_BY_ID = {entry.id: entry for entry in SERVICES}


def customer(customer_id: str) -> DemoCustomer:
    """The customer with this id (a programming error if unknown: raises KeyError)."""
    return _CUSTOMERS_BY_ID[customer_id]


def service(service_id: str) -> DemoService:
    """The service with this id (a programming error if unknown: raises KeyError)."""
    return _SERVICES_BY_ID[service_id]
