"""KPIs: the builtin set and custom aggregations, measured per scope and period.

`measure_scopes` measures every configured KPI for the portfolio, each customer and each
service (`scopes`); each `KPIReading` holds the reported value, the previous period's, the
status against the target, the trend and a short series for charts.
"""

from flywheel_sync.engine.kpis.builtins import BUILTINS, BuiltinMeasure
from flywheel_sync.engine.kpis.custom import matches, measure_custom
from flywheel_sync.engine.kpis.measuring import (
    KPIReading,
    SeriesPoint,
    is_snapshot,
    measure_kpi,
    measure_scopes,
)
from flywheel_sync.engine.kpis.numbers import mean, median, percentile, share
from flywheel_sync.engine.kpis.scopes import PORTFOLIO, ScopeData, scopes

__all__ = [
    "BUILTINS",
    "PORTFOLIO",
    "BuiltinMeasure",
    "KPIReading",
    "ScopeData",
    "SeriesPoint",
    "is_snapshot",
    "matches",
    "mean",
    "measure_custom",
    "measure_kpi",
    "measure_scopes",
    "median",
    "percentile",
    "scopes",
    "share",
]
