"""KPI definitions (direction, target, at-risk band) and measurements."""

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from flywheel_sync.domain import (
    KPIDefinition,
    KPIDirection,
    KPIMeasurement,
    KPIStatus,
    KPITrend,
    MeasurementScope,
    ScopeKind,
)

HIGHER = KPIDirection.HIGHER_IS_BETTER
LOWER = KPIDirection.LOWER_IS_BETTER
ON, AT_RISK, OFF = KPIStatus.ON_TRACK, KPIStatus.AT_RISK, KPIStatus.OFF_TRACK
MARCH = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
APRIL = dt.datetime(2025, 4, 1, tzinfo=dt.UTC)


def kpi(direction: KPIDirection, target: float | None, bound: float | None) -> KPIDefinition:
    return KPIDefinition(
        id="on-time",
        name="On-time delivery",
        direction=direction,
        target=target,
        at_risk_bound=bound,
    )


ON_TIME = kpi(HIGHER, 90.0, 75.0)  # % delivered on time
LEAD_TIME = kpi(LOWER, 10.0, 15.0)  # days


@pytest.mark.parametrize(
    ("definition", "value", "status"),
    [
        (ON_TIME, 95.0, ON),
        (ON_TIME, 90.0, ON),
        (ON_TIME, 89.9, AT_RISK),
        (ON_TIME, 75.0, AT_RISK),
        (ON_TIME, 74.9, OFF),
        (LEAD_TIME, 4.0, ON),
        (LEAD_TIME, 10.0, ON),
        (LEAD_TIME, 10.1, AT_RISK),
        (LEAD_TIME, 15.0, AT_RISK),
        (LEAD_TIME, 15.1, OFF),
        (kpi(HIGHER, 90.0, None), 89.9, OFF),
        (kpi(HIGHER, 90.0, None), 90.0, ON),
        (kpi(LOWER, 10.0, None), 10.1, OFF),
        (kpi(LOWER, None, None), 1e9, None),
        (kpi(HIGHER, None, None), -1e9, None),
    ],
)
def test_status_for_places_the_value_in_its_band(
    definition: KPIDefinition, value: float, status: KPIStatus | None
) -> None:
    assert definition.status_for(value) is status


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_status_for_rejects_non_finite_values(value: float) -> None:
    with pytest.raises(ValueError, match="cannot rate non-finite value"):
        ON_TIME.status_for(value)


@pytest.mark.parametrize(
    ("direction", "target", "bound", "reason"),
    [
        (HIGHER, 90.0, 95.0, "at_risk_bound 95.0 must be below target 90.0 when higher is better"),
        (HIGHER, 90.0, 90.0, "at_risk_bound 90.0 must be below target 90.0 when higher is better"),
        (LOWER, 10.0, 5.0, "at_risk_bound 5.0 must be above target 10.0 when lower is better"),
        (LOWER, 10.0, 10.0, "at_risk_bound 10.0 must be above target 10.0 when lower is better"),
        (HIGHER, None, 75.0, "at_risk_bound is set but target is not"),
    ],
)
def test_bound_on_the_wrong_side_of_target_is_rejected(
    direction: KPIDirection, target: float | None, bound: float, reason: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        kpi(direction, target, bound)
    assert reason in str(raised.value)


@pytest.mark.parametrize("field", ["target", "at_risk_bound"])
def test_definition_rejects_non_finite_numbers(field: str) -> None:
    fields = {"id": "x", "name": "X", "direction": "higher_is_better", "target": 1.0}
    with pytest.raises(ValidationError, match="Input should be a finite number"):
        KPIDefinition.model_validate(fields | {field: float("inf")})


def test_definition_defaults_to_a_monthly_unitless_observation() -> None:
    bare = KPIDefinition(id="throughput", name="Throughput", direction=HIGHER)
    assert (bare.period.value, bare.unit, bare.target, bare.status_for(3.0)) == (
        "month",
        "",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("definition", "previous", "current", "trend"),
    [
        (ON_TIME, 80.0, 85.0, KPITrend.IMPROVING),
        (ON_TIME, 85.0, 80.0, KPITrend.WORSENING),
        (LEAD_TIME, 12.0, 9.0, KPITrend.IMPROVING),
        (LEAD_TIME, 9.0, 12.0, KPITrend.WORSENING),
        (LEAD_TIME, 9.0, 9.0, KPITrend.FLAT),
    ],
)
def test_trend_follows_the_direction(
    definition: KPIDefinition, previous: float, current: float, trend: KPITrend
) -> None:
    assert definition.trend_between(previous, current) is trend


def measurement(**overrides: Any) -> KPIMeasurement:
    fields: dict[str, Any] = {
        "kpi_id": "on-time",
        "scope": {"kind": "customer", "id": "cust-finance"},
        "period_start": MARCH,
        "period_end": APRIL,
        "value": 82.5,
    }
    return KPIMeasurement.model_validate(fields | overrides)


def test_measurement_optional_fields_default_to_none() -> None:
    bare = measurement()
    assert (bare.target, bare.status, bare.trend, bare.previous_value) == (None, None, None, None)


def test_measurement_status_uses_the_hyphenated_values() -> None:
    assert measurement(status="at-risk", trend="improving").status is AT_RISK


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"period_end": MARCH}, "period_start 2025-03-01T00:00:00+00:00 must be before period_end"),
        ({"period_start": APRIL, "period_end": MARCH}, "must be before period_end"),
        ({"period_start": dt.datetime(2025, 3, 1)}, "Input should have timezone info"),  # noqa: DTZ001
        ({"scope": {"kind": "service"}}, "a service scope needs an id"),
        ({"value": float("nan")}, "Input should be a finite number"),
        ({"status": "on track"}, "Input should be 'on-track', 'at-risk' or 'off-track'"),
    ],
)
def test_measurement_invariants_are_enforced(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError) as raised:
        measurement(**overrides)
    assert reason in str(raised.value)


@pytest.mark.parametrize(
    ("kind", "scope_id"),
    [(ScopeKind.PORTFOLIO, None), (ScopeKind.PORTFOLIO, "whole-org"), (ScopeKind.ENGAGEMENT, "E")],
)
def test_scope_id_is_optional_only_for_the_portfolio(kind: ScopeKind, scope_id: str | None) -> None:
    assert MeasurementScope(kind=kind, id=scope_id).id == scope_id
