"""The one entry point: every analysis of a small portfolio, and the queries the push uses."""

from __future__ import annotations

from datetime import datetime

import pytest

from flywheel_sync.domain import CustomerExperienceStage, ScopeKind, SymptomKind
from flywheel_sync.engine import compute, diagnose_portfolio
from flywheel_sync.settings.mapping import MappingFile
from flywheel_sync.settings.thresholds import ExperienceRule
from tests.unit.engine.builders import NOW, at_stage, day, engagement, item, portfolio

MAPPING = MappingFile.model_validate(
    {
        "kpis": [
            {
                "id": "throughput",
                "name": "Throughput",
                "direction": "higher_is_better",
                "builtin": "throughput",
            },
            {
                "id": "wip",
                "name": "WIP",
                "direction": "lower_is_better",
                "target": 2,
                "builtin": "wip_per_person",
            },
        ],
        "experience": "derived",
        "diagnosis": {
            "missed_deadlines": {"threshold": 0.2, "min_records": 2, "prescribes": ["coaching"]}
        },
    }
)
PORTFOLIO = portfolio(
    customers=[
        {"id": "grid", "name": "Grid Operations", "kind": "business_unit"},
        {"id": "fin", "name": "Finance", "kind": "executive", "experience_stage": "design"},
    ],
    services=[{"id": "coaching", "name": "PM Coaching", "kpi_ids": ["wip"]}],
    engagements=[
        engagement(
            "E-1", (1, 1, day(5, 1)), (6, 1, day(5, 21)), customer="grid", service="coaching"
        ),
    ],
    work=[
        item("G-1", customer="grid", done=False, due="2025-06-01", assignee="ada"),
        item("G-2", customer="grid", done=False, due="2025-06-02", assignee="ada"),
        item("G-3", customer="grid", done=True, due="2025-05-02", resolved="2025-05-02T10:00:00Z"),
        item("F-1", customer="fin", done=True, resolved="2025-05-05T10:00:00Z"),
    ],
)


def test_compute_gathers_every_analysis() -> None:
    result = compute(PORTFOLIO, MAPPING, now=NOW)

    assert result.now == NOW
    assert result.flywheel["E-1"].dwell_days == 21.0  # 21 May 12:00 -> 11 June 12:00
    assert result.momentum["coaching"].completed_cycles == 0
    # derived: E-1 is at Service Operation -> Deployment; Finance has no engagement
    assert result.experience["grid"].stage is CustomerExperienceStage.DEPLOYMENT
    assert result.experience["fin"].stage is CustomerExperienceStage.EXPLORATION
    # G-1, G-2 open past due; G-3 on time: 2 of 3 late > 0.2, over 3 >= 2 records
    assert [(s.kind, s.customer_id) for s in result.symptoms] == [
        (SymptomKind.MISSED_DEADLINES, "grid")
    ]
    assert [n.id for n in result.proposed_needs] == ["proposed-grid"]


def test_results_are_queried_by_scope() -> None:
    result = compute(PORTFOLIO, MAPPING, now=NOW)

    # portfolio: G-3 and F-1 resolved in May
    throughput = result.reading("throughput", ScopeKind.PORTFOLIO)
    assert throughput is not None
    assert throughput.value == 2.0
    # grid: 2 open items of one person
    assert [(m.kpi_id, m.value) for m in result.measurements_for(ScopeKind.CUSTOMER, "grid")] == [
        ("throughput", 1.0),
        ("wip", 2.0),
    ]
    # finance has no open assigned work: no wip measurement, but its reading is kept
    assert [m.kpi_id for m in result.measurements_for(ScopeKind.CUSTOMER, "fin")] == ["throughput"]
    assert [r.kpi.id for r in result.readings_for(ScopeKind.CUSTOMER, "fin")] == [
        "throughput",
        "wip",
    ]
    # the service lists only wip; its work is grid's (the customer engaged with it)
    assert [
        (m.kpi_id, m.value) for m in result.measurements_for(ScopeKind.SERVICE, "coaching")
    ] == [("wip", 2.0)]
    assert result.reading("throughput", ScopeKind.SERVICE, "coaching") is None
    assert result.symptoms_of("fin") == []


def test_measurements_and_series_cover_every_reading() -> None:
    result = compute(PORTFOLIO, MAPPING, now=NOW)

    assert len(result.measurements) == sum(1 for r in result.kpis if r.value is not None)
    series = result.series[("throughput", ScopeKind.PORTFOLIO, None)]
    assert len(series) == 6
    assert series[-1] == (datetime.fromisoformat("2025-05-01T00:00:00+00:00"), 2.0)


def test_diagnosis_alone_gives_the_same_symptoms_and_needs() -> None:
    result = compute(PORTFOLIO, MAPPING, now=NOW)

    assert diagnose_portfolio(PORTFOLIO, MAPPING, now=NOW) == (
        result.symptoms,
        result.proposed_needs,
    )


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        compute(PORTFOLIO, MAPPING, now=datetime(2025, 6, 11))  # noqa: DTZ001


def test_an_empty_portfolio_measures_nothing_and_never_crashes() -> None:
    result = compute(portfolio(), MAPPING, now=NOW)

    assert result.measurements == ()
    assert [r.value for r in result.kpis] == [None, None]
    assert result.symptoms == ()
    assert result.proposed_needs == ()


def test_configured_experience_keeps_the_customers_stage() -> None:
    configured = MAPPING.model_copy(update={"experience": ExperienceRule.CONFIGURED})

    result = compute(PORTFOLIO, configured, now=NOW)

    assert result.experience["fin"].stage is CustomerExperienceStage.DESIGN
    assert result.experience["grid"].stage is CustomerExperienceStage.DEPLOYMENT


def test_an_engagement_at_stage_with_no_history_is_analysed() -> None:
    bare = portfolio(engagements=[at_stage("E-9", 3).model_copy(update={"stage_history": ()})])

    result = compute(bare, MAPPING, now=NOW)

    assert result.flywheel["E-9"].dwell_days is None
