"""The HTML report's sections, read from a small portfolio whose numbers are worked by hand.

``NOW`` is 2025-06-11 12:00 UTC (tests/unit/engine/builders.py); the last complete month is
May 2025.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from flywheel_sync.domain import (
    CustomerExperienceStage,
    Evidence,
    FlywheelStage,
    KPIDirection,
    ScopeKind,
    Symptom,
    SymptomKind,
)
from flywheel_sync.engine import EngineResult, Portfolio, compute, propose_needs
from flywheel_sync.report.html_sections import (
    MAX_SHOWN_REFS,
    EvidenceRecord,
    PortfolioReport,
    jira_record_links,
    portfolio_report,
)
from flywheel_sync.settings.connections import JiraConnection
from flywheel_sync.settings.mapping import MappingFile
from tests.unit.engine.builders import NOW, day, engagement, item, portfolio

MAPPING = MappingFile.model_validate(
    {
        "organization": {"name": "Northwind Utilities", "pmo_name": "Enterprise PMO"},
        "kpis": [
            {
                "id": "throughput",
                "name": "Throughput",
                "unit": "items",
                "direction": KPIDirection.HIGHER_IS_BETTER,
                "target": 2,
                "builtin": "throughput",
            },
            {
                "id": "wip",
                "name": "WIP",
                "direction": "lower_is_better",
                "builtin": "wip_per_person",
            },
        ],
        "flywheel": {"stall_after_days": 45},
    }
)
CUSTOMERS = [
    {"id": "grid-ops", "name": "Grid Operations", "kind": "business_unit"},
    {
        "id": "reg",
        "name": "Regulatory Affairs",
        "kind": "business_unit",
        "experience_stage": "exploration",
    },
]
SERVICES = [
    {"id": "health-checks", "name": "Project Health Checks", "kpi_ids": ["throughput"]},
    {"id": "coaching", "name": "PM Coaching", "kpi_ids": ["wip"]},
]
# Three visits of Awareness Building, of 10, 20 and 30 days, then Needs Assessment until NOW.
START = day(1, 1)
ENGAGEMENTS = [
    engagement(f"PMO-{n}", (1, 1, START), (2, 1, START + timedelta(days=days)), service=service)
    for n, days, service in ((1, 10, "health-checks"), (2, 20, "coaching"), (3, 30, "coaching"))
] + [
    engagement("PMO-4", (6, 1, NOW - timedelta(days=3)), customer="reg"),
    engagement("PMO-5", (9, 1, NOW - timedelta(days=1)), service="unknown-service"),
]
WORK = [
    item("GRID-1", done=True, resolved="2025-05-02T10:00:00Z"),
    item("GRID-2", done=True, resolved="2025-05-03T10:00:00Z"),
    dataclasses.replace(item("T-1", done=False), source="project:northwind"),
]


def built() -> tuple[Portfolio, EngineResult]:
    found = portfolio(work=WORK, engagements=ENGAGEMENTS, customers=CUSTOMERS, services=SERVICES)
    return found, compute(found, MAPPING, now=NOW)


def report(symptoms: tuple[Symptom, ...] | None = None) -> PortfolioReport:
    found, result = built()
    if symptoms is not None:
        result = dataclasses.replace(result, symptoms=symptoms)
    return portfolio_report(found, result, MAPPING)


def test_heading_names_the_organisation_the_time_and_the_periods() -> None:
    heading = report().heading

    assert (heading.organization, heading.pmo_name) == ("Northwind Utilities", "Enterprise PMO")
    assert heading.as_of == NOW
    assert heading.periods == ("2025-05",)
    assert (heading.customers, heading.services, heading.engagements) == (2, 2, 5)
    assert heading.work_items == 3


def test_flywheel_distribution_lists_all_ten_stages_in_order() -> None:
    counts = report().flywheel

    assert [(c.number, c.label, c.count) for c in counts] == [
        (stage.number, stage.label, {2: 3, 6: 1, 9: 1}.get(stage.number, 0))
        for stage in FlywheelStage
    ]


def test_experience_distribution_counts_every_customer() -> None:
    counts = {c.label: c.count for c in report().experience}

    assert list(counts) == [stage.label for stage in CustomerExperienceStage]
    assert sum(counts.values()) == 2
    assert counts["Exploration"] >= 1  # Regulatory Affairs is configured there


def test_the_value_ring_is_customers_by_services() -> None:
    ring = report().ring

    assert ring.services == (
        ("health-checks", "Project Health Checks"),
        ("coaching", "PM Coaching"),
        ("unknown-service", "unknown-service"),  # not in the catalogue: still shown
    )
    grid, reg = ring.rows
    assert (grid.customer_name, reg.customer_name) == ("Grid Operations", "Regulatory Affairs")
    assert reg.experience_stage is CustomerExperienceStage.EXPLORATION
    assert [[c.engagement_id for c in cell] for cell in grid.cells] == [
        ["PMO-1"],
        ["PMO-2", "PMO-3"],
        ["PMO-5"],
    ]
    assert [[c.stage for c in cell] for cell in reg.cells] == [
        [FlywheelStage.SERVICE_OPERATION],
        [],
        [],
    ]


def test_dwell_per_stage_is_the_median_and_p90_of_every_visit() -> None:
    dwell = {row.stage: row for row in report().dwell}

    awareness = dwell[FlywheelStage.AWARENESS_BUILDING]
    assert awareness.visits == 3
    assert awareness.median_days == pytest.approx(20)
    assert awareness.p90_days == pytest.approx(28)  # 20 + 0.8 * (30 - 20)
    assert awareness.stall_limit_days == 45
    assert awareness.stalled == ()
    assert dwell[FlywheelStage.SERVICE_DEVELOPMENT].median_days is None


def test_engagements_past_the_stall_limit_are_listed_with_their_stage() -> None:
    needs = {row.stage: row for row in report().dwell}[FlywheelStage.NEEDS_ASSESSMENT]

    # entered 2025-01-11, -21 and -31; all over 45 days before NOW
    assert [s.title for s in needs.stalled] == ["PMO-1", "PMO-2", "PMO-3"]
    assert needs.stalled[1].service_name == "PM Coaching"
    assert needs.stalled[0].dwell_days == pytest.approx((NOW - day(1, 11)).total_seconds() / 86400)
    ring = report().ring
    assert [c.stalled for cells in ring.rows[0].cells for c in cells] == [True, True, True, False]


def test_kpis_of_the_portfolio_and_of_each_service_with_data() -> None:
    groups = report().kpis

    assert [(g.scope, g.title) for g in groups] == [
        (ScopeKind.PORTFOLIO, "Portfolio"),
        (ScopeKind.SERVICE, "Project Health Checks"),
    ]  # PM Coaching measures only WIP, and has no open work: nothing to chart
    throughput, wip = groups[0].charts
    assert [p.label for p in throughput.series] == [
        "2024-12",
        "2025-01",
        "2025-02",
        "2025-03",
        "2025-04",
        "2025-05",
    ]
    assert (throughput.value, throughput.target, throughput.snapshot) == (2.0, 2.0, False)
    assert wip.snapshot
    assert [c.kpi_id for c in groups[1].charts] == ["throughput"]


def symptom(*refs: str) -> Symptom:
    return Symptom(
        kind=SymptomKind.MISSED_DEADLINES,
        customer_id="grid-ops",
        detected_at=NOW,
        summary="2 of 3 late",
        evidence=(Evidence(record_refs=refs, metric="overdue_ratio", value=0.66, threshold=0.2),),
        prescribed_service_ids=("health-checks", "retired-service"),
    )


def test_symptoms_carry_their_evidence_and_prescriptions() -> None:
    found, result = built()
    links = jira_record_links(
        found,
        {
            "pmo": JiraConnection.model_validate(
                {"url": "https://northwind.atlassian.net/", "user": "bot@x.example", "token": "x"}
            )
        },
    )

    view = portfolio_report(
        found,
        dataclasses.replace(result, symptoms=(symptom("GRID-1", "T-1", "alex"),)),
        MAPPING,
        record_link=links,
    )

    (shown,) = view.symptoms
    assert (shown.customer_name, shown.summary) == ("Grid Operations", "2 of 3 late")
    assert shown.prescribed == ("Project Health Checks", "retired-service")
    (evidence,) = shown.evidence
    assert (evidence.metric, evidence.value, evidence.threshold) == ("overdue_ratio", 0.66, 0.2)
    assert evidence.records == (
        EvidenceRecord(ref="GRID-1", url="https://northwind.atlassian.net/browse/GRID-1"),
        EvidenceRecord(ref="T-1", url=None),  # a Project task: no page to link
        EvidenceRecord(ref="alex", url=None),  # not a work item
    )


def test_long_evidence_is_listed_up_to_the_limit_with_its_total() -> None:
    refs = tuple(f"GRID-{n}" for n in range(MAX_SHOWN_REFS + 50))

    (shown,) = report((symptom(*refs),)).symptoms

    assert len(shown.evidence[0].records) == MAX_SHOWN_REFS
    assert shown.evidence[0].total == MAX_SHOWN_REFS + 50


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("javascript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("https://jira.example/browse/A-1", "https://jira.example/browse/A-1"),
        ('https://jira.example/browse/A"1 <x>', "https://jira.example/browse/A%221%20%3Cx%3E"),
    ],
)
def test_only_http_links_are_kept_and_made_safe(url: str, kept: str | None) -> None:
    found, result = built()

    view = portfolio_report(
        found,
        dataclasses.replace(result, symptoms=(symptom("GRID-1"),)),
        MAPPING,
        record_link=lambda ref: url,
    )

    assert view.symptoms[0].evidence[0].records[0].url == kept


def test_proposed_needs_name_their_customer() -> None:
    found, result = built()
    symptoms = (symptom("GRID-1"),)

    needs = propose_needs(
        symptoms,
        customers=found.customers,
        services=found.services,
        engagements=found.engagements.values(),
        reported=(),
    )

    view = portfolio_report(
        found, dataclasses.replace(result, symptoms=symptoms, proposed_needs=needs), MAPPING
    )

    assert [(n.customer_name, n.prescribed) for n in view.needs] == [
        ("Grid Operations", ("Project Health Checks", "retired-service"))
    ]
