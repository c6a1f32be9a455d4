"""What ``kpis`` saves and how ``kpis`` and ``diagnose`` word their numbers.

The commands themselves run against the demo in ``tests/integration/test_engine_demo.py``.
"""

from __future__ import annotations

import pytest

from flywheel_sync.cli.diagnose_cmd import evidence_line
from flywheel_sync.cli.kpis_cmd import amount, measurement_records, trend_arrow
from flywheel_sync.domain import Evidence, KPIDirection
from flywheel_sync.engine import compute
from flywheel_sync.settings.mapping import MappingFile
from tests.unit.engine.builders import NOW, item, portfolio

MAPPING = MappingFile.model_validate(
    {
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
        ]
    }
)
# resolved: 2 in May, 1 in April; nothing open
PORTFOLIO = portfolio(
    work=[
        item("A-1", done=True, resolved="2025-05-02T10:00:00Z"),
        item("A-2", done=True, resolved="2025-05-03T10:00:00Z"),
        item("A-3", done=True, resolved="2025-04-03T10:00:00Z"),
    ]
)


def test_kpis_saves_every_series_point_with_its_status_and_trend() -> None:
    result = compute(PORTFOLIO, MAPPING, now=NOW)

    records = measurement_records(result, run_id="run-1")

    throughput = [r for r in records if r.kpi_id == "throughput"]
    assert [(r.period_start.month, r.value, r.status, r.trend) for r in throughput] == [
        (12, 0.0, "off-track", None),
        (1, 0.0, "off-track", "flat"),
        (2, 0.0, "off-track", "flat"),
        (3, 0.0, "off-track", "flat"),
        (4, 1.0, "off-track", "improving"),
        (5, 2.0, "on-track", "improving"),
    ]
    assert {(r.scope_kind, r.scope_id, r.run_id, r.computed_at) for r in records} == {
        ("portfolio", "portfolio", "run-1", NOW)
    }
    (wip,) = [r for r in records if r.kpi_id == "wip"]
    assert (wip.value, wip.status, wip.trend, wip.period_start.month) == (None, None, None, 6)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [(None, "%", "—"), (87.5, "%", "87.5 %"), (12.0, "days", "12 days"), (1234.56, "", "1,234.6")],
)
def test_amount(value: float | None, unit: str, expected: str) -> None:
    assert amount(value, unit) == expected


def test_trend_arrows_show_the_move_and_whether_it_is_better() -> None:
    result = compute(PORTFOLIO, MAPPING, now=NOW)
    throughput, wip = result.kpis

    assert trend_arrow(throughput) == "↑ improving"  # 1 -> 2, higher is better
    assert trend_arrow(wip) == ""


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (
            Evidence(
                record_refs=("REG-2", "REG-10"), metric="overdue_ratio", value=0.5, threshold=0.2
            ),
            "overdue_ratio 50% > 20%; 2 records: REG-2, REG-10",
        ),
        (
            Evidence(
                record_refs=tuple(f"CSV-{n}" for n in range(1, 8)),
                metric="priority_churn",
                value=2.4473,
                threshold=1.0,
            ),
            "priority_churn 2.45 > 1; 7 records: CSV-1, CSV-2, CSV-3, CSV-4, CSV-5, … (+2)",
        ),
    ],
    ids=["ratio-as-percent", "refs-cut-after-five"],
)
def test_evidence_line(evidence: Evidence, expected: str) -> None:
    assert evidence_line(evidence) == expected
