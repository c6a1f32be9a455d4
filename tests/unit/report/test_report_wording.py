"""Values, statuses, trends and titles in words, the same for every format."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from flywheel_sync.domain import (
    CustomerExperienceStage,
    FlywheelStage,
    KPIDirection,
    KPIStatus,
    KPITrend,
    SymptomKind,
)
from flywheel_sync.report.wording import (
    date_text,
    days_text,
    experience_text,
    kpi_name,
    number_text,
    records_text,
    stage_text,
    status_words,
    subject_name,
    summary_title,
    symptom_text,
    trend_words,
    value_text,
)
from tests.unit.report.builders import customer_summary, kpi_line, summary

HIGHER = KPIDirection.HIGHER_IS_BETTER
LOWER = KPIDirection.LOWER_IS_BETTER


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (12.0, "12"),
        (87.5, "87.5"),
        (3.44, "3.4"),
        (3.46, "3.5"),
        (12.04, "12"),
        (0.25, "0.25"),
        (0.5, "0.5"),
        (0.0, "0"),
        (-0.001, "0"),
        (-3.0, "-3"),
        (1234.56, "1234.6"),
    ],
)
def test_number_text(number: float, expected: str) -> None:
    assert number_text(number) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (87.5, "%", "87.5 %"),
        (12.0, "days", "12 days"),
        (1.0, "days", "1 day"),
        (1.0, "items", "1 item"),
        (3.4, "items", "3.4 items"),
        (1.0, "ms", "1 ms"),
        (3.0, "", "3"),
        (None, "%", "—"),
        (2.0, " days\n", "2 days"),
    ],
)
def test_value_text(value: float | None, unit: str, expected: str) -> None:
    assert value_text(value, unit) == expected


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"status": KPIStatus.ON_TRACK}, "on track"),
        ({"status": KPIStatus.AT_RISK}, "at risk"),
        ({"status": KPIStatus.OFF_TRACK}, "off track"),
        ({"status": None, "value": None}, "no data"),
        ({"status": None, "target": None}, "no target"),
        ({"status": None}, "not rated"),
    ],
)
def test_status_words(overrides: dict[str, Any], expected: str) -> None:
    assert status_words(kpi_line(**overrides)) == expected


@pytest.mark.parametrize(
    ("trend", "direction", "expected"),
    [
        (KPITrend.IMPROVING, HIGHER, "↑ improving"),
        (KPITrend.IMPROVING, LOWER, "↓ improving"),
        (KPITrend.WORSENING, HIGHER, "↓ worsening"),
        (KPITrend.WORSENING, LOWER, "↑ worsening"),
        (KPITrend.FLAT, HIGHER, "→ flat"),
        (KPITrend.FLAT, LOWER, "→ flat"),
        (None, HIGHER, "—"),
    ],
)
def test_trend_words_show_the_movement_and_the_verdict(
    trend: KPITrend | None, direction: KPIDirection, expected: str
) -> None:
    assert trend_words(trend, direction) == expected


def test_stage_and_experience_texts() -> None:
    assert stage_text(FlywheelStage.SERVICE_ONBOARDING) == "Service Onboarding (5/10)"
    assert experience_text(CustomerExperienceStage.DEPLOYMENT) == "Deployment (3/5)"
    assert experience_text(None) == "—"


def test_small_texts() -> None:
    assert symptom_text(SymptomKind.RESOURCE_OVERLOAD) == "Resource overload"
    assert date_text(date(2026, 11, 3)) == "2026-11-03"
    assert date_text(None) == "—"
    assert (days_text(1), days_text(0), days_text(None)) == ("1 day", "0 days", "—")
    assert (records_text(1), records_text(12)) == ("1 record", "12 records")


def test_names_fall_back_to_ids_when_empty_once_cleaned() -> None:
    assert kpi_name(kpi_line(name="\x00 \n")) == "on_time_pct"
    assert subject_name(summary(subject_name="\t")) == "svc-health-checks"


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (summary(), "Value summary — Project Health Checks"),
        (customer_summary(), "Value summary — Grid Operations (customer)"),
    ],
)
def test_summary_title(built: Any, expected: str) -> None:
    assert summary_title(built) == expected
