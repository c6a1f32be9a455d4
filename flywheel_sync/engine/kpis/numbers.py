"""How a KPI folds many values into one: mean, median, percentile; never NaN, never a crash.

Each returns None for no values, so "no data" stays distinguishable from zero.

Percentiles interpolate linearly between the two nearest ranks (the "inclusive" method of
`statistics.quantiles`, NumPy's default): the p-th percentile of ``n`` sorted values sits at
rank ``p / 100 * (n - 1)``, counted from 0. The median is the 50th percentile.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable

__all__ = ["mean", "median", "percentile", "share"]


def mean(values: Collection[float]) -> float | None:
    """The arithmetic mean, or None without values."""
    return math.fsum(values) / len(values) if values else None


def percentile(values: Iterable[float], p: float) -> float | None:
    """The ``p``-th percentile (0-100) by linear interpolation, or None without values.

    Raises:
        ValueError: ``p`` is outside 0-100.
    """
    if not 0 <= p <= 100:
        raise ValueError(f"a percentile is between 0 and 100, got {p}")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = p / 100 * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Iterable[float]) -> float | None:
    """The median (the 50th percentile), or None without values."""
    return percentile(values, 50)


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a percentage (0-100), or None when ``whole`` is 0."""
    return 100.0 * part / whole if whole else None
