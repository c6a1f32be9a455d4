"""JQL date operands: absolute dates, periods relative to now, and the date functions.

Every operand becomes a function of ``now`` returning POSIX seconds, so a query compiled
once is re-evaluated against each request's clock. All calendar arithmetic is in UTC, the
emulator's server time zone (Jira reads absolute dates in the server's zone).

- Absolute: ``yyyy-MM-dd``, ``yyyy/MM/dd``, optionally followed by `` HH:mm``.
- Period: ``-1d``, ``2w``, ``-4h``, ``-30m``, ``"4w 2d"``, ``"-10w, 3minutes"``: units
  ``w``/``d``/``h``/``m`` or their words (weeks, days, hours, minutes); a leading sign
  applies to the whole period; no sign means the future.
- Functions: ``now()``; ``startOfDay``/``endOfDay``, ``startOfWeek``/``endOfWeek`` (weeks
  start on Sunday, Jira's default locale), ``startOfMonth``/``endOfMonth``,
  ``startOfYear``/``endOfYear``, each taking an optional increment ``(+/-)n(yMwdhm)`` added
  to the boundary (the unit defaults to the function's own: ``startOfDay(-1)`` is the start
  of yesterday). An end is the last millisecond of its period, as on Jira.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flywheel_sync.sandbox.jira.jql import errors

__all__ = ["DATE_FUNCTIONS", "DateResolver", "date_function", "date_literal"]

DateResolver = Callable[[datetime], float]
"""``now`` (aware) to the operand's POSIX seconds."""

_ABSOLUTE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$")
_STEPS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}  # unit -> timedelta keyword
_PERIOD_PART = r"(\d+)\s*(weeks?|w|days?|d|hours?|h|minutes?|m)"
_PERIOD = re.compile(rf"^([-+]?)\s*((?:{_PERIOD_PART}(?![a-z])[\s,]*)+)$")
_INCREMENT = re.compile(r"^([-+]?)(\d+)([yMwdhm]?)$")
_MILLISECOND = timedelta(milliseconds=1)


def date_literal(text: str) -> DateResolver | None:
    """The resolver for an absolute date or a period; None when ``text`` is neither."""
    text = text.strip()
    absolute = _absolute(text)
    if absolute is not None:
        seconds = absolute.timestamp()
        return lambda now: seconds
    period = _period(text)
    if period is None:
        return None
    return lambda now: (now + period).timestamp()


def _absolute(text: str) -> datetime | None:
    match = _ABSOLUTE.match(text)
    if match is None:
        return None
    year, month, day, hour, minute = (int(part) if part else 0 for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=UTC)
    except ValueError:
        return None


def _period(text: str) -> timedelta | None:
    match = _PERIOD.match(text)
    if match is None:
        return None
    total = timedelta()
    for amount, unit in re.findall(_PERIOD_PART, match.group(2)):
        total += timedelta(**{_STEPS[unit[0]]: int(amount)})
    return -total if match.group(1) == "-" else total


@dataclass(frozen=True, kw_only=True, slots=True)
class _Boundary:
    """A period boundary function: where it lands on ``now``, and its default unit."""

    name: str
    start: Callable[[datetime], datetime]
    unit: str
    is_end: bool


def _start_of_day(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _start_of_week(now: datetime) -> datetime:
    return _start_of_day(now) - timedelta(days=(now.weekday() + 1) % 7)


def _start_of_month(now: datetime) -> datetime:
    return _start_of_day(now).replace(day=1)


def _start_of_year(now: datetime) -> datetime:
    return _start_of_month(now).replace(month=1)


_BOUNDARIES = {
    boundary.name.casefold(): boundary
    for boundary in (
        _Boundary(name="startOfDay", start=_start_of_day, unit="d", is_end=False),
        _Boundary(name="endOfDay", start=_start_of_day, unit="d", is_end=True),
        _Boundary(name="startOfWeek", start=_start_of_week, unit="w", is_end=False),
        _Boundary(name="endOfWeek", start=_start_of_week, unit="w", is_end=True),
        _Boundary(name="startOfMonth", start=_start_of_month, unit="M", is_end=False),
        _Boundary(name="endOfMonth", start=_start_of_month, unit="M", is_end=True),
        _Boundary(name="startOfYear", start=_start_of_year, unit="y", is_end=False),
        _Boundary(name="endOfYear", start=_start_of_year, unit="y", is_end=True),
    )
}
DATE_FUNCTIONS = frozenset({"now", *_BOUNDARIES})
"""Casefolded names of the functions that yield dates."""


def _shift(moment: datetime, amount: int, unit: str) -> datetime:
    """``moment`` moved by ``amount`` units; months and years keep the day where it exists."""
    if unit in ("M", "y"):
        months = moment.month - 1 + amount * (12 if unit == "y" else 1)
        year, month = moment.year + months // 12, months % 12 + 1
        return moment.replace(year=year, month=month, day=min(moment.day, _days_in(year, month)))
    return moment + timedelta(**{_STEPS[unit]: amount})


def _days_in(year: int, month: int) -> int:
    return monthrange(year, month)[1]


def date_function(name: str, arguments: tuple[str, ...]) -> DateResolver | str:
    """The resolver for date function ``name`` (casefolded), or the Jira message refusing it."""
    if name == "now":
        if arguments:
            return errors.wrong_argument_count("now", 0, len(arguments))
        return lambda now: now.timestamp()
    boundary = _BOUNDARIES[name]
    if len(arguments) > 1:
        return errors.wrong_argument_count(boundary.name, 1, len(arguments))
    amount, unit = 0, boundary.unit
    if arguments:
        match = _INCREMENT.match(arguments[0].strip())
        if match is None:
            return errors.invalid_duration(boundary.name)
        sign, digits, written_unit = match.groups()
        amount = -int(digits) if sign == "-" else int(digits)
        unit = written_unit or boundary.unit

    def resolve(now: datetime) -> float:
        start = boundary.start(now.astimezone(UTC))
        if not boundary.is_end:
            return _shift(start, amount, unit).timestamp()
        # endOfMonth(-1) is the end of last month, not last month's day-of-this-month's end;
        # endOfMonth("+2d") is two days after this month's end.
        if unit == boundary.unit:
            return (_shift(start, amount + 1, unit) - _MILLISECOND).timestamp()
        end = _shift(start, 1, boundary.unit) - _MILLISECOND
        return _shift(end, amount, unit).timestamp()

    return resolve
