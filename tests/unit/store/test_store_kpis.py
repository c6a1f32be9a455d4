"""KPI measurements: one per KPI, scope and period; recomputing replaces it."""

from __future__ import annotations

from datetime import timedelta

from flywheel_sync.store import MeasurementRecord, Store
from tests.unit.store.builders import T0


def measurement(
    kpi_id: str = "lead_time",
    scope_id: str = "svc-1",
    week: int = 0,
    value: float | None = 4.5,
    run_id: str | None = None,
) -> MeasurementRecord:
    start = T0 + timedelta(weeks=week)
    return MeasurementRecord(
        kpi_id=kpi_id,
        scope_kind="service",
        scope_id=scope_id,
        period_start=start,
        period_end=start + timedelta(weeks=1),
        value=value,
        computed_at=T0 + timedelta(weeks=week + 1),
        target=5.0,
        status="on_track",
        trend="flat",
        run_id=run_id,
    )


def test_a_series_comes_back_oldest_period_first(store: Store, run_id: str) -> None:
    saved = [measurement(week=2, run_id=run_id), measurement(week=0), measurement(week=1)]

    store.kpis.save(saved)

    assert store.kpis.series("lead_time", "service", "svc-1") == [saved[1], saved[2], saved[0]]


def test_saving_a_period_again_replaces_its_measurement(store: Store) -> None:
    store.kpis.save([measurement(week=0, value=4.5)])

    store.kpis.save([measurement(week=0, value=None), measurement(week=1, value=3.0)])

    series = store.kpis.series("lead_time", "service", "svc-1")
    assert [m.value for m in series] == [None, 3.0]


def test_latest_is_the_newest_period_of_each_kpi_and_scope(store: Store) -> None:
    store.kpis.save(
        [
            measurement("lead_time", "svc-1", week=0),
            measurement("lead_time", "svc-1", week=1),
            measurement("lead_time", "svc-2", week=0),
            measurement("throughput", "svc-1", week=3),
            measurement("throughput", "svc-1", week=2),
        ]
    )

    latest = [(m.kpi_id, m.scope_id, m.period_start) for m in store.kpis.latest()]

    assert latest == [
        ("lead_time", "svc-1", T0 + timedelta(weeks=1)),
        ("lead_time", "svc-2", T0),
        ("throughput", "svc-1", T0 + timedelta(weeks=3)),
    ]


def test_nothing_measured_yet(store: Store) -> None:
    assert (store.kpis.latest(), store.kpis.series("lead_time", "service", "svc-1")) == ([], [])
