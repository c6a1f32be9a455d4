"""Folding values: mean, median and percentiles by linear interpolation; None for nothing."""

from __future__ import annotations

import pytest

from flywheel_sync.engine.kpis import mean, median, percentile, share


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([], 85, None),
        ([7.0], 85, 7.0),
        # n=4, p=50: rank 0.5*3 = 1.5 -> 2 + (3-2)*0.5 = 2.5
        ([4.0, 1.0, 3.0, 2.0], 50, 2.5),
        # n=5, p=85: rank 0.85*4 = 3.4 -> 4 + (10-4)*0.4 = 6.4
        ([1.0, 2.0, 3.0, 4.0, 10.0], 85, 6.4),
        ([1.0, 2.0, 3.0], 0, 1.0),
        ([1.0, 2.0, 3.0], 100, 3.0),
    ],
)
def test_percentile_interpolates_between_the_nearest_ranks(
    values: list[float], p: float, expected: float | None
) -> None:
    assert percentile(values, p) == pytest.approx(expected)


def test_percentile_outside_0_100_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], 101)


@pytest.mark.parametrize(
    ("values", "expected"), [([], None), ([3.0, 1.0, 2.0], 2.0), ([1.0, 4.0], 2.5)]
)
def test_median(values: list[float], expected: float | None) -> None:
    assert median(values) == expected


@pytest.mark.parametrize(("values", "expected"), [([], None), ([1.0, 2.0, 6.0], 3.0)])
def test_mean(values: list[float], expected: float | None) -> None:
    assert mean(values) == expected


@pytest.mark.parametrize(("part", "whole", "expected"), [(0, 0, None), (1, 4, 25.0), (0, 3, 0.0)])
def test_share_is_a_percentage_and_never_divides_by_zero(
    part: int, whole: int, expected: float | None
) -> None:
    assert share(part, whole) == expected
