"""Measuring each KPI for each scope: the reported value, the previous one, status, trend.

A periodic KPI is reported for the last complete period before ``now``, compared with the
period before it (the trend), and charted over the last `SERIES_LENGTH` complete periods. A
snapshot KPI is measured at ``now``, carries the period containing ``now`` and has no trend
(its past states are not known). Status comes from the KPI's target and at-risk bound
(`KPIDefinition.status_for`), trend from its direction (`KPIDefinition.trend_between`).

Which KPIs each scope gets: the portfolio and every customer all of them; a service the
ones its catalogue entry lists in ``kpi_ids`` (all of them when it lists none).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flywheel_sync.domain import (
    KPIMeasurement,
    KPIStatus,
    KPITrend,
    MeasurementScope,
    ScopeKind,
)
from flywheel_sync.engine.kpis.builtins import BUILTINS
from flywheel_sync.engine.kpis.custom import measure_custom
from flywheel_sync.engine.kpis.scopes import ScopeData
from flywheel_sync.engine.periods import (
    SERIES_LENGTH,
    Period,
    complete_periods,
    period_containing,
)
from flywheel_sync.settings.kpis import KPIEntry

__all__ = ["KPIReading", "SeriesPoint", "is_snapshot", "measure_kpi", "measure_scopes"]


@dataclass(frozen=True, kw_only=True, slots=True)
class SeriesPoint:
    """A KPI's value over one period (None: no data in it)."""

    period: Period
    value: float | None


@dataclass(frozen=True, kw_only=True, slots=True)
class KPIReading:
    """One KPI for one scope: the reported period, its value and how it compares.

    ``value`` is None when the scope had no data; ``previous`` is the preceding period's
    value (periodic KPIs only); ``series`` ends with the reported period.
    """

    kpi: KPIEntry
    scope: MeasurementScope
    period: Period
    value: float | None
    previous: float | None
    status: KPIStatus | None
    trend: KPITrend | None
    snapshot: bool
    series: tuple[SeriesPoint, ...]

    @property
    def measurement(self) -> KPIMeasurement | None:
        """The domain measurement, or None when there was nothing to measure."""
        if self.value is None:
            return None
        return KPIMeasurement(
            kpi_id=self.kpi.id,
            scope=self.scope,
            period_start=self.period.start,
            period_end=self.period.end,
            value=self.value,
            target=self.kpi.target,
            status=self.status,
            trend=self.trend,
            previous_value=self.previous,
        )


def is_snapshot(entry: KPIEntry) -> bool:
    """Whether the KPI is measured at ``now`` rather than per period."""
    if entry.builtin is not None:
        return BUILTINS[entry.builtin].snapshot
    return entry.custom is None or entry.custom.period_by is None


def _value(entry: KPIEntry, data: ScopeData, period: Period) -> float | None:
    if entry.builtin is not None:
        return BUILTINS[entry.builtin].measure(data, period, entry)
    if entry.custom is not None:
        return measure_custom(data, period, entry.custom)
    return None  # pragma: no cover - KPIEntry requires one of them


def measure_kpi(entry: KPIEntry, data: ScopeData, *, now: datetime) -> KPIReading:
    """Measure one KPI for one scope as of ``now`` (aware)."""
    snapshot = is_snapshot(entry)
    periods = (
        (period_containing(now, entry.period),)
        if snapshot
        else complete_periods(now, entry.period, SERIES_LENGTH)
    )
    series = tuple(SeriesPoint(period=p, value=_value(entry, data, p)) for p in periods)
    value = series[-1].value
    previous = None if snapshot else series[-2].value
    return KPIReading(
        kpi=entry,
        scope=data.scope,
        period=series[-1].period,
        value=value,
        previous=previous,
        status=None if value is None else entry.status_for(value),
        trend=None if value is None or previous is None else entry.trend_between(previous, value),
        snapshot=snapshot,
        series=series,
    )


def _kpis_for(
    data: ScopeData, kpis: tuple[KPIEntry, ...], service_kpis: Mapping[str, tuple[str, ...]]
) -> Iterable[KPIEntry]:
    listed = service_kpis.get(data.scope.id or "") if data.scope.kind is ScopeKind.SERVICE else ()
    if not listed:
        return kpis
    return [entry for entry in kpis if entry.id in listed]


def measure_scopes(
    scopes: Iterable[ScopeData],
    kpis: tuple[KPIEntry, ...],
    *,
    service_kpis: Mapping[str, tuple[str, ...]],
    now: datetime,
) -> tuple[KPIReading, ...]:
    """Every scope's KPIs (see the module docstring for which), scope by scope."""
    return tuple(
        measure_kpi(entry, data, now=now)
        for data in scopes
        for entry in _kpis_for(data, kpis, service_kpis)
    )
