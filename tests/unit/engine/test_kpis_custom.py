"""Custom KPIs: count, ratio, sum, mean, median and percentile over selected work items."""

from __future__ import annotations

from typing import Any

import pytest

from flywheel_sync.domain import KPIPeriod
from flywheel_sync.engine.kpis import measure_custom
from flywheel_sync.engine.periods import period_containing
from flywheel_sync.settings.kpis import CustomAggregation
from tests.unit.engine.builders import MAY, facts, item, scope

PERIOD = period_containing(MAY, KPIPeriod.MONTH)

# REG work due in May: R-1 on time, R-2 late (resolved after), R-3 late (open past due);
# R-4 is due in June; G-1 is another project's; P-1 another rule's.
WORK = scope(
    facts(
        item(
            "R-1",
            done=True,
            project="REG",
            due="2025-05-05",
            resolved="2025-05-05T10:00:00Z",
            points="3",
        ),
        item(
            "R-2",
            done=True,
            project="reg",
            due="2025-05-12",
            resolved="2025-05-14T10:00:00Z",
            points="5",
        ),
        item("R-3", done=False, project="REG", due="2025-05-20", points="8"),
        item(
            "R-4",
            done=True,
            project="REG",
            due="2025-06-02",
            resolved="2025-06-01T10:00:00Z",
            points="13",
        ),
        item(
            "G-1",
            done=True,
            project="GRID",
            due="2025-05-05",
            resolved="2025-05-05T10:00:00Z",
            points="1",
        ),
        item("P-1", rule="project-tasks", project="REG", due="2025-05-05", points="40"),
    )
)


def custom(aggregation: str, **parts: Any) -> CustomAggregation:
    return CustomAggregation.model_validate(
        {"aggregation": aggregation, "rules": ["delivery-work"], **parts}
    )


@pytest.mark.parametrize(
    ("aggregation", "parts", "expected"),
    [
        # REG (any case) in delivery-work, any date: R-1..R-4
        ("count", {"where": {"project": "REG"}}, 4.0),
        # ... due in May; on time: R-1 -> 1/3
        (
            "ratio",
            {
                "where": {"project": "REG"},
                "numerator_where": {"on_time": "true"},
                "period_by": "due",
            },
            100 / 3,
        ),
        ("sum", {"where": {"project": "REG"}, "field": "points", "period_by": "due"}, 16.0),
        ("mean", {"where": {"project": "REG"}, "field": "points", "period_by": "due"}, 16 / 3),
        ("median", {"where": {"project": "REG"}, "field": "points"}, 6.5),  # 3, 5, 8, 13
        # 3, 5, 8, 13 at p75: rank 0.75*3 = 2.25 -> 8 + 5*0.25 = 9.25
        (
            "percentile",
            {"where": {"project": "REG"}, "field": "points", "percentile": 75},
            9.25,
        ),
        # open REG items: R-3 only
        ("count", {"where": {"project": "REG", "open": "true"}}, 1.0),
        # late is a derived fact too
        ("count", {"where": {"late": "TRUE"}, "period_by": "due"}, 2.0),
    ],
    ids=["count", "ratio", "sum", "mean", "median", "percentile", "derived-open", "derived-late"],
)
def test_aggregations(aggregation: str, parts: dict[str, Any], expected: float) -> None:
    assert measure_custom(WORK, PERIOD, custom(aggregation, **parts)) == pytest.approx(expected)


def test_a_scope_without_items_of_the_rules_has_no_value() -> None:
    assert measure_custom(scope(), PERIOD, custom("count")) is None


def test_a_count_of_nothing_matching_is_zero_but_a_ratio_is_none() -> None:
    nothing = {"where": {"project": "FIN"}}

    assert measure_custom(WORK, PERIOD, custom("count", **nothing)) == 0.0
    ratio = custom("ratio", numerator_where={"on_time": "true"}, **nothing)
    assert measure_custom(WORK, PERIOD, ratio) is None


def test_a_fold_without_numbers_is_none() -> None:
    assert measure_custom(WORK, PERIOD, custom("mean", field="no-such-attribute")) is None
