"""The renderers' input: what it refuses, and the order it lists engagements and symptoms in."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest

from flywheel_sync.domain import FlywheelStage, ScopeKind, SymptomKind
from tests.unit.report.builders import (
    comment,
    customer_summary,
    engagement_line,
    kpi_line,
    summary,
    symptom_line,
)


@pytest.mark.parametrize("field", ["value", "target", "previous"])
@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_kpi_line_refuses_a_non_finite_number(field: str, number: float) -> None:
    with pytest.raises(ValueError, match=f"KPI 'on_time_pct': {field} must be a finite number"):
        kpi_line(**{field: number})


def test_kpi_line_accepts_missing_numbers() -> None:
    line = kpi_line(value=None, target=None, previous=None, status=None, trend=None)
    assert line.value is None


@pytest.mark.parametrize("field", ["value", "threshold"])
def test_symptom_line_refuses_a_non_finite_number(field: str) -> None:
    with pytest.raises(ValueError, match=f"{field} must be a finite number"):
        symptom_line(**{field: math.nan})


@pytest.mark.parametrize("scope", [ScopeKind.ENGAGEMENT, ScopeKind.PORTFOLIO])
def test_summary_is_about_a_service_or_a_customer(scope: ScopeKind) -> None:
    with pytest.raises(ValueError, match="about a service or a customer"):
        summary(scope=scope)


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "/wiki/x", "https://", "https://x.example/\nnext", "ftp://x.example"],
)
@pytest.mark.parametrize("build", [summary, comment])
def test_link_must_be_an_absolute_http_url(link: str, build: Any) -> None:
    with pytest.raises(ValueError, match="link must be an absolute http"):
        build(link=link)


@pytest.mark.parametrize(
    "marker",
    ["", "flywheel sync", "flywheel-sync:{x}", "a*b", "line\nbreak", "[link]", "é"],
)
def test_comment_marker_must_be_one_plain_token(marker: str) -> None:
    with pytest.raises(ValueError, match="marker must be one token"):
        comment(marker=marker)


@pytest.mark.parametrize("marker", ["flywheel-sync:3f2a9c", "fs.v1:eng_42=ab/cd@x", "A1"])
def test_comment_accepts_plain_markers(marker: str) -> None:
    assert comment(marker=marker).marker == marker


def test_service_summary_lists_engagements_by_customer_then_title() -> None:
    lines = (
        engagement_line(engagement_id="3", customer_name="beta", title="b"),
        engagement_line(engagement_id="1", customer_name="Alpha", title="z"),
        engagement_line(engagement_id="2", customer_name="alpha", title="a"),
    )
    ordered = summary(engagements=lines).engagements_in_order()
    assert [line.engagement_id for line in ordered] == ["2", "1", "3"]


def test_customer_summary_lists_engagements_by_service() -> None:
    lines = (
        engagement_line(engagement_id="1", customer_name="A", service_name="Zeta"),
        engagement_line(engagement_id="2", customer_name="B", service_name="Alpha"),
    )
    ordered = customer_summary(engagements=lines).engagements_in_order()
    assert [line.engagement_id for line in ordered] == ["2", "1"]


def test_engagement_order_does_not_depend_on_input_order() -> None:
    lines = (
        engagement_line(engagement_id="x", stage=FlywheelStage.SERVICE_OPERATION),
        engagement_line(engagement_id="x", stage=FlywheelStage.NEEDS_ASSESSMENT),
        engagement_line(engagement_id="x", since=None, dwell_days=None),
        engagement_line(engagement_id="y", title="HEALTH"),
        engagement_line(engagement_id="y", title="health"),
    )
    orders = {
        summary(engagements=permutation).engagements_in_order()
        for permutation in itertools.permutations(lines)
    }
    assert len(orders) == 1


def test_symptom_order_is_kind_then_text_whatever_the_input_order() -> None:
    lines = (
        symptom_line(kind=SymptomKind.SCOPE_CHURN, summary="a"),
        symptom_line(kind=SymptomKind.MISSED_DEADLINES, summary="b"),
        symptom_line(kind=SymptomKind.MISSED_DEADLINES, summary="A", value=0.9),
        symptom_line(kind=SymptomKind.MISSED_DEADLINES, summary="A", value=0.5),
    )
    orders = {
        summary(symptoms=permutation).symptoms_in_order()
        for permutation in itertools.permutations(lines)
    }
    assert len(orders) == 1
    (ordered,) = orders
    assert [(line.kind, line.summary, line.value) for line in ordered] == [
        (SymptomKind.MISSED_DEADLINES, "A", 0.5),
        (SymptomKind.MISSED_DEADLINES, "A", 0.9),
        (SymptomKind.MISSED_DEADLINES, "b", 0.4),
        (SymptomKind.SCOPE_CHURN, "a", 0.4),
    ]
