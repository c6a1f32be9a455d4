from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flywheel_sync.scheduler.triggers import crontab_fields, misfire_grace_seconds, trigger_for
from flywheel_sync.settings.jobs import JobSettings


def _job(**schedule: object) -> JobSettings:
    return JobSettings.model_validate({"name": "j", "pipeline": "sync", **schedule})


@pytest.mark.parametrize(
    ("weekdays", "expected"),
    [
        ("1", "mon"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("5-7", "fri,sat,sun"),
        ("0,6", "sat,sun"),
        ("*/2", "tue,thu,sat,sun"),
        ("mon", "mon"),
        ("sat-sun", "sat,sun"),
        ("*", "*"),
    ],
)
def test_crontab_weekdays_mean_what_crontab_means(weekdays: str, expected: str) -> None:
    assert crontab_fields(f"0 7 * * {weekdays}")["day_of_week"] == expected


@pytest.mark.parametrize("weekdays", ["8", "5-2", "x", "1/0"])
def test_impossible_weekdays_are_refused(weekdays: str) -> None:
    with pytest.raises(ValueError, match="weekday"):
        crontab_fields(f"0 7 * * {weekdays}")


def test_a_monday_job_fires_on_monday_in_its_time_zone() -> None:
    trigger = trigger_for(_job(cron="0 7 * * 1", timezone="Europe/London"))
    friday = datetime(2026, 12, 4, 12, tzinfo=UTC)
    fire = trigger.get_next_fire_time(None, friday)
    assert fire == datetime(2026, 12, 7, 7, tzinfo=ZoneInfo("Europe/London"))
    assert fire.strftime("%A") == "Monday"


def test_an_interval_job_fires_every_interval() -> None:
    trigger = trigger_for(_job(interval_seconds=5))
    start = datetime(2026, 12, 5, tzinfo=UTC)
    first = trigger.get_next_fire_time(None, start)
    assert trigger.get_next_fire_time(first, first) - first == timedelta(seconds=5)


def test_jitter_moves_fire_times_within_its_bound() -> None:
    trigger = trigger_for(_job(cron="*/5 * * * *", jitter_seconds=30))
    start = datetime(2026, 12, 5, 10, 1, tzinfo=UTC)
    fires = {trigger.get_next_fire_time(None, start) for _ in range(20)}
    base = datetime(2026, 12, 5, 10, 5, tzinfo=UTC)
    assert all(base <= fire <= base + timedelta(seconds=30) for fire in fires)
    assert len(fires) > 1


def test_misfire_grace_is_about_one_interval() -> None:
    now = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert misfire_grace_seconds(_job(interval_seconds=90), now=now) == 90
    assert misfire_grace_seconds(_job(cron="*/15 * * * *"), now=now) == 900
    assert misfire_grace_seconds(_job(cron="0 7 * * 1"), now=now) == 3600  # capped at an hour
    chosen = _job(cron="0 7 * * 1", misfire_grace_seconds=120)
    assert misfire_grace_seconds(chosen, now=now) == 120


def test_the_settings_refuse_a_weekday_crontab_cannot_mean() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="not a valid crontab"):
        _job(cron="0 7 * * 9")
