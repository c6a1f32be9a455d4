"""A job's schedule as an APScheduler trigger, and how late a run may still start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from flywheel_sync.settings.jobs import JobSettings

__all__ = ["crontab_fields", "misfire_grace_seconds", "trigger_for"]

_MIN_GRACE: Final = 1
_MAX_DEFAULT_GRACE: Final = 3600
"""A cron job's default grace is capped at an hour: a daily job that is a day late should not
run at a surprising time of day."""


_WEEKDAYS: Final = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
"""Crontab's weekday numbers (0 and 7 are Sunday) as names, in crontab order."""
_APSCHEDULER_ORDER: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def trigger_for(job: JobSettings) -> BaseTrigger:
    """The job's cron expression (in its time zone) or interval, with its jitter."""
    jitter = job.jitter_seconds or None
    if job.cron is not None:
        return CronTrigger(**crontab_fields(job.cron), timezone=job.timezone, jitter=jitter)
    if job.interval_seconds is None:  # pragma: no cover - the settings model requires one
        raise ValueError(f"job {job.name!r} has neither cron nor interval_seconds")
    return IntervalTrigger(seconds=job.interval_seconds, timezone=job.timezone, jitter=jitter)


def crontab_fields(expression: str) -> dict[str, str]:
    """A crontab expression as `CronTrigger` fields, weekdays meaning what crontab means.

    APScheduler 3 numbers weekdays from Monday = 0 (its ``from_crontab`` keeps that historical
    mistake, issue 286), so ``0 7 * * 1`` would run on Tuesdays. Weekday numbers are turned
    into names here: ``1`` → ``mon``, ``1-5`` → ``mon,tue,wed,thu,fri``, ``0``/``7`` → ``sun``.
    """
    minute, hour, day, month, day_of_week = expression.split()
    return {
        "minute": minute,
        "hour": hour,
        "day": day,
        "month": month,
        "day_of_week": _weekday_names(day_of_week),
    }


def _weekday_names(field: str) -> str:
    if field in {"*", "?"}:
        return "*"
    days: set[str] = set()
    for part in field.lower().split(","):
        days.update(_weekdays_of(part))
    return ",".join(day for day in _APSCHEDULER_ORDER if day in days)


def _weekdays_of(part: str) -> set[str]:
    span, _, step_text = part.partition("/")
    step = int(step_text) if step_text else 1
    if span == "*":
        first, last = 0, 6
    elif "-" in span:
        start, _, end = span.partition("-")
        first, last = _weekday_number(start), _weekday_number(end)
        if last == 0 and first > 0:
            last = 7  # "5-7" or "fri-sun": Sunday closes the range
    else:
        first = last = _weekday_number(span)
        if step_text:
            last = 6
    if step < 1 or first > last:
        raise ValueError(f"'{part}' is not a weekday range crontab accepts")
    return {_WEEKDAYS[number % 7] for number in range(first, last + 1, step)}


def _weekday_number(token: str) -> int:
    if token in _WEEKDAYS:
        return _WEEKDAYS.index(token)
    if token.isdigit() and int(token) <= len(_WEEKDAYS):
        return int(token) % 7 if int(token) == len(_WEEKDAYS) else int(token)
    raise ValueError(f"'{token}' is not a weekday (0-7 or sun-sat)")


def misfire_grace_seconds(job: JobSettings, *, now: datetime | None = None) -> int:
    """How late a run may start and still run: the job's setting, or about one interval.

    A cron job's interval is the gap between its next two fire times (capped at an hour).
    """
    if job.misfire_grace_seconds is not None:
        return job.misfire_grace_seconds
    if job.interval_seconds is not None:
        return max(_MIN_GRACE, job.interval_seconds)
    trigger = CronTrigger(**crontab_fields(str(job.cron)), timezone=job.timezone)
    start = now or datetime.now(UTC)
    first = trigger.get_next_fire_time(None, start)
    second = None if first is None else trigger.get_next_fire_time(first, first + _EPSILON)
    if first is None or second is None:
        return _MAX_DEFAULT_GRACE
    gap = int((second - first).total_seconds())
    return max(_MIN_GRACE, min(gap, _MAX_DEFAULT_GRACE))


_EPSILON: Final = timedelta(microseconds=1)
