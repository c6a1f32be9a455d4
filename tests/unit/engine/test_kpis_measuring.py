"""Measuring a KPI: the reported period, previous value, status, trend, series and scopes."""

from __future__ import annotations

import pytest

from flywheel_sync.domain import KPIDirection, KPIStatus, KPITrend, MeasurementScope, ScopeKind
from flywheel_sync.engine.kpis import measure_kpi, measure_scopes, scopes
from flywheel_sync.settings.kpis import KPIEntry
from tests.unit.engine.builders import NOW, at_stage, checklist, facts, flow, item, kpi, scope

# Resolved: 3 items in May, 5 in April, 1 in March (NOW is 11 June: May is the last complete
# month, and June's item does not count yet).
RESOLVED = scope(
    facts(
        *(item(f"M-{n}", resolved=f"2025-05-{n + 1:02d}T10:00:00Z") for n in range(3)),
        *(item(f"A-{n}", resolved=f"2025-04-{n + 1:02d}T10:00:00Z") for n in range(5)),
        item("C-1", resolved="2025-03-03T10:00:00Z"),
        item("J-1", resolved="2025-06-02T10:00:00Z"),
    )
)


def throughput(**fields: object) -> KPIEntry:
    return kpi(
        "throughput", builtin="throughput", direction=KPIDirection.HIGHER_IS_BETTER, **fields
    )


def test_a_periodic_kpi_reports_the_last_complete_period_against_the_one_before() -> None:
    reading = measure_kpi(throughput(target=4, at_risk_bound=2), RESOLVED, now=NOW)

    assert reading.period.label == "2025-05"
    assert (reading.value, reading.previous) == (3.0, 5.0)
    # higher is better: 3 is below the target 4 but not below the bound 2
    assert reading.status is KPIStatus.AT_RISK
    assert reading.trend is KPITrend.WORSENING
    assert [(p.period.label, p.value) for p in reading.series] == [
        ("2024-12", 0.0),
        ("2025-01", 0.0),
        ("2025-02", 0.0),
        ("2025-03", 1.0),
        ("2025-04", 5.0),
        ("2025-05", 3.0),
    ]


def test_the_measurement_carries_the_period_target_status_and_trend() -> None:
    reading = measure_kpi(throughput(target=4, at_risk_bound=2), RESOLVED, now=NOW)

    measurement = reading.measurement
    assert measurement is not None
    assert (measurement.period_start.isoformat(), measurement.period_end.isoformat()) == (
        "2025-05-01T00:00:00+00:00",
        "2025-06-01T00:00:00+00:00",
    )
    assert (measurement.value, measurement.previous_value, measurement.target) == (3.0, 5.0, 4)
    assert measurement.scope == MeasurementScope(kind=ScopeKind.PORTFOLIO)


def test_a_weekly_kpi_reports_the_last_complete_iso_week() -> None:
    reading = measure_kpi(throughput(period="week"), RESOLVED, now=NOW)

    # NOW is Wednesday 11 June: the last complete week is Monday 2 - Sunday 8 June (J-1)
    assert reading.period.label == "2025-W23"
    assert (reading.value, reading.previous) == (1.0, 0.0)


def test_without_a_target_there_is_no_status_and_flat_is_flat() -> None:
    data = scope(
        facts(
            item("M-1", resolved="2025-05-02T10:00:00Z"),
            item("A-1", resolved="2025-04-02T10:00:00Z"),
        )
    )

    reading = measure_kpi(throughput(), data, now=NOW)

    assert (reading.value, reading.status, reading.trend) == (1.0, None, KPITrend.FLAT)


def test_no_data_gives_no_measurement_status_or_trend() -> None:
    reading = measure_kpi(kpi("lead", builtin="lead_time_median", target=5), scope(), now=NOW)

    assert (reading.value, reading.status, reading.trend) == (None, None, None)
    assert reading.measurement is None


def test_a_snapshot_kpi_is_measured_at_now_in_the_current_period() -> None:
    data = scope(
        facts(item("A-1", done=False, assignee="ada"), item("A-2", done=False, assignee="ada"))
    )

    reading = measure_kpi(kpi("wip", builtin="wip_per_person", target=1), data, now=NOW)

    assert reading.snapshot
    assert (reading.period.label, reading.value, reading.previous, reading.trend) == (
        "2025-06",
        2.0,
        None,
        None,
    )
    assert reading.status is KPIStatus.OFF_TRACK
    assert len(reading.series) == 1


def test_a_custom_kpi_without_period_by_is_a_snapshot() -> None:
    custom = {"aggregation": "count", "rules": ["delivery-work"]}
    snapshot = kpi("count", custom=custom)
    periodic = kpi("count", custom=custom | {"period_by": "resolved"})

    assert measure_kpi(snapshot, RESOLVED, now=NOW).value == 10.0
    assert measure_kpi(periodic, RESOLVED, now=NOW).value == 3.0


def test_scopes_hold_their_customers_work_engagements_and_checklists() -> None:
    work = facts(
        item("G-1", customer="grid"), item("F-1", customer="fin"), item("X-1", customer=None)
    )
    flows = (
        flow(at_stage("E-1", 5, customer="grid", service="coaching")),
        flow(at_stage("E-2", 5, customer="fin", service="reporting")),
    )
    found = {
        (s.scope.kind, s.scope.id): s
        for s in scopes(
            customer_ids=["grid", "fin"],
            service_ids=["coaching", "reporting", "idle"],
            work=work,
            flows=flows,
            checklists=[checklist("E-1", True)],
        )
    }

    refs = {key: [f.item.ref for f in data.work] for key, data in found.items()}
    assert refs == {
        (ScopeKind.PORTFOLIO, None): ["G-1", "F-1", "X-1"],
        (ScopeKind.CUSTOMER, "grid"): ["G-1"],
        (ScopeKind.CUSTOMER, "fin"): ["F-1"],
        # a service's work is the work of the customers engaged with it
        (ScopeKind.SERVICE, "coaching"): ["G-1"],
        (ScopeKind.SERVICE, "reporting"): ["F-1"],
        (ScopeKind.SERVICE, "idle"): [],
    }
    assert list(found[(ScopeKind.SERVICE, "coaching")].checklists) == ["E-1"]
    assert found[(ScopeKind.CUSTOMER, "fin")].checklists == {}


@pytest.mark.parametrize(
    ("service_kpis", "expected"),
    [({"coaching": ("b",)}, ["b"]), ({"coaching": ()}, ["a", "b"])],
    ids=["listed", "none-listed-means-all"],
)
def test_a_service_gets_the_kpis_it_lists(
    service_kpis: dict[str, tuple[str, ...]], expected: list[str]
) -> None:
    entries = (kpi("a", builtin="throughput"), kpi("b", builtin="wip_per_person"))
    data = scopes(customer_ids=["grid"], service_ids=["coaching"], work=(), flows=(), checklists=())

    readings = measure_scopes(data, entries, service_kpis=service_kpis, now=NOW)

    by_scope: dict[ScopeKind, list[str]] = {}
    for reading in readings:
        by_scope.setdefault(reading.scope.kind, []).append(reading.kpi.id)
    assert by_scope == {
        ScopeKind.PORTFOLIO: ["a", "b"],
        ScopeKind.CUSTOMER: ["a", "b"],
        ScopeKind.SERVICE: expected,
    }
