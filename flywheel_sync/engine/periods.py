"""Reporting periods: ISO weeks, calendar months and quarters, in UTC.

A KPI is reported for the **last complete period** before ``now`` (the current one is still
filling up, so its numbers would look worse every morning), compared with the period before
it, and charted over the last `SERIES_LENGTH` complete periods. Periods are half-open,
``[start, end)``: a moment at midnight on the first of a month belongs to that month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flywheel_sync.domain import KPIPeriod

__all__ = ["DAY_SECONDS", "SERIES_LENGTH", "Period", "complete_periods", "period_containing"]

DAY_SECONDS = 86_400.0
"""Seconds in a day: durations are reported in days, fractions kept."""

SERIES_LENGTH = 6
"""How many complete periods a KPI series holds for charts."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Period:
    """One reporting period ``[start, end)``, both aware UTC datetimes."""

    kind: KPIPeriod
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        """A short name people read: ``2026-W07``, ``2026-02``, ``2026-Q1``."""
        if self.kind is KPIPeriod.WEEK:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind is KPIPeriod.MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` (aware) falls in ``[start, end)``."""
        return self.start <= moment < self.end

    def previous(self) -> Period:
        """The period just before this one."""
        return period_containing(self.start - timedelta(microseconds=1), self.kind)


def _month_start(year: int, month: int) -> datetime:
    """The first of ``month`` (which may run past 12 into the next year)."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=UTC)


def period_containing(moment: datetime, kind: KPIPeriod) -> Period:
    """The period of ``kind`` that ``moment`` falls in (converted to UTC first).

    Raises:
        ValueError: ``moment`` is naive.
    """
    if moment.utcoffset() is None:
        raise ValueError(f"periods need an aware time, got the naive {moment.isoformat()}")
    utc = moment.astimezone(UTC)
    day = datetime(utc.year, utc.month, utc.day, tzinfo=UTC)
    if kind is KPIPeriod.WEEK:
        start = day - timedelta(days=day.weekday())
        return Period(kind=kind, start=start, end=start + timedelta(days=7))
    months = 1 if kind is KPIPeriod.MONTH else 3
    first_month = utc.month if months == 1 else (utc.month - 1) // 3 * 3 + 1
    return Period(
        kind=kind,
        start=_month_start(utc.year, first_month),
        end=_month_start(utc.year, first_month + months),
    )


def complete_periods(now: datetime, kind: KPIPeriod, count: int) -> tuple[Period, ...]:
    """The ``count`` complete periods before ``now``, oldest first (the last is the latest).

    The period containing ``now`` is not complete, unless ``now`` is its very start, in which
    case it is not "before now" either: the latest complete period always ends at or before
    ``now``.
    """
    latest = period_containing(now, kind).previous()
    found = [latest]
    while len(found) < count:
        found.append(found[-1].previous())
    return tuple(reversed(found))
