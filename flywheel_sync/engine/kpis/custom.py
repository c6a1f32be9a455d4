"""Custom KPIs: an aggregation over the work items some rules produce (``kpis[].custom``).

The records are the scope's work items of the named rules that match every ``where`` filter,
compared as text ignoring case and surrounding space, on attributes and the engine's derived
facts (`flywheel_sync.engine.facts`). With ``period_by`` only those whose ``period_by`` date
falls in the period count. ``ratio`` is a percentage (0-100).

No data is None, never zero: the scope has no work items of those rules at all, or (for
ratio and the numeric folds) nothing left to fold. A ``count`` of nothing is 0.
"""

from __future__ import annotations

from collections.abc import Mapping

from flywheel_sync.engine.facts import WorkFacts
from flywheel_sync.engine.kpis.numbers import mean, median, percentile, share
from flywheel_sync.engine.kpis.scopes import ScopeData
from flywheel_sync.engine.periods import Period
from flywheel_sync.settings.kpis import Aggregation, CustomAggregation

__all__ = ["matches", "measure_custom"]


def _same(found: str | None, wanted: str) -> bool:
    return found is not None and found.strip().casefold() == wanted.strip().casefold()


def matches(facts: WorkFacts, where: Mapping[str, str]) -> bool:
    """Whether ``facts`` matches every filter of ``where``."""
    return all(_same(facts.value(name), wanted) for name, wanted in where.items())


def _in_period(facts: WorkFacts, name: str, period: Period) -> bool:
    moment = facts.moment(name)
    return moment is not None and period.contains(moment)


def _fold(custom: CustomAggregation, numbers: list[float]) -> float | None:
    if custom.aggregation is Aggregation.SUM:
        return sum(numbers) if numbers else None
    if custom.aggregation is Aggregation.MEAN:
        return mean(numbers)
    if custom.aggregation is Aggregation.MEDIAN:
        return median(numbers)
    return percentile(numbers, custom.percentile or 50)


def measure_custom(data: ScopeData, period: Period, custom: CustomAggregation) -> float | None:
    """The custom KPI's value for ``data``'s scope (over ``period`` when it has ``period_by``)."""
    rules = set(custom.rules)
    base = [facts for facts in data.work if facts.item.rule in rules]
    if not base:
        return None
    selected = [
        facts
        for facts in base
        if matches(facts, custom.where)
        and (custom.period_by is None or _in_period(facts, custom.period_by, period))
    ]
    if custom.aggregation is Aggregation.COUNT:
        return float(len(selected))
    if custom.aggregation is Aggregation.RATIO:
        hits = sum(1 for facts in selected if matches(facts, custom.numerator_where))
        return share(hits, len(selected))
    name = custom.field or ""
    return _fold(custom, [n for facts in selected if (n := facts.number(name)) is not None])
