"""Reporting periods: ISO weeks from Monday, calendar months and quarters, all in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from flywheel_sync.domain import KPIPeriod
from flywheel_sync.engine import complete_periods, period_containing


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "kind", "start", "end", "label"),
    [
        # 2025-06-11 is a Wednesday: its ISO week 24 runs Monday 9th to Monday 16th.
        (utc(2025, 6, 11, 12), KPIPeriod.WEEK, utc(2025, 6, 9), utc(2025, 6, 16), "2025-W24"),
        (utc(2025, 6, 9), KPIPeriod.WEEK, utc(2025, 6, 9), utc(2025, 6, 16), "2025-W24"),
        # Sunday 2024-12-29 belongs to ISO week 52 of 2024; Monday 30th starts 2025-W01.
        (utc(2024, 12, 29, 23), KPIPeriod.WEEK, utc(2024, 12, 23), utc(2024, 12, 30), "2024-W52"),
        (utc(2024, 12, 31), KPIPeriod.WEEK, utc(2024, 12, 30), utc(2025, 1, 6), "2025-W01"),
        (utc(2025, 6, 11, 12), KPIPeriod.MONTH, utc(2025, 6, 1), utc(2025, 7, 1), "2025-06"),
        (utc(2025, 12, 31, 23), KPIPeriod.MONTH, utc(2025, 12, 1), utc(2026, 1, 1), "2025-12"),
        (utc(2025, 6, 11, 12), KPIPeriod.QUARTER, utc(2025, 4, 1), utc(2025, 7, 1), "2025-Q2"),
        (utc(2025, 11, 2), KPIPeriod.QUARTER, utc(2025, 10, 1), utc(2026, 1, 1), "2025-Q4"),
        (utc(2025, 1, 1), KPIPeriod.QUARTER, utc(2025, 1, 1), utc(2025, 4, 1), "2025-Q1"),
    ],
)
def test_the_period_containing_a_moment(
    moment: datetime, kind: KPIPeriod, start: datetime, end: datetime, label: str
) -> None:
    period = period_containing(moment, kind)

    assert (period.start, period.end, period.label) == (start, end, label)


def test_a_moment_in_another_zone_is_placed_by_its_utc_time() -> None:
    # 2025-07-01 01:00 at UTC+02:00 is 2025-06-30 23:00 UTC: still June.
    moment = datetime(2025, 7, 1, 1, tzinfo=timezone(timedelta(hours=2)))

    assert period_containing(moment, KPIPeriod.MONTH).label == "2025-06"


def test_periods_are_half_open() -> None:
    june = period_containing(utc(2025, 6, 15), KPIPeriod.MONTH)

    assert june.contains(utc(2025, 6, 1))
    assert not june.contains(utc(2025, 7, 1))
    assert june.previous().label == "2025-05"


@pytest.mark.parametrize(
    ("now", "labels"),
    [
        (utc(2025, 6, 11, 12), ["2025-03", "2025-04", "2025-05"]),
        # At the very start of June, May has just completed and June has not begun to count.
        (utc(2025, 6, 1), ["2025-03", "2025-04", "2025-05"]),
        (utc(2025, 1, 15), ["2024-10", "2024-11", "2024-12"]),
    ],
)
def test_complete_periods_end_with_the_last_one_before_now(
    now: datetime, labels: list[str]
) -> None:
    found = complete_periods(now, KPIPeriod.MONTH, 3)

    assert [p.label for p in found] == labels
    assert found[-1].end <= now


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        period_containing(datetime(2025, 6, 1), KPIPeriod.MONTH)  # noqa: DTZ001
