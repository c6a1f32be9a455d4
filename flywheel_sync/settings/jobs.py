"""Scheduled jobs declared in ``flywheel.toml`` (``[[jobs]]``), run by ``flywheel-sync serve``."""

from __future__ import annotations

from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from flywheel_sync.settings.base import ConfigModel

__all__ = ["JobSettings", "Pipeline"]

_CRON_FIELDS = 5


class Pipeline(StrEnum):
    """What a job runs: read only, a full sync, KPI summaries, or symptom diagnosis."""

    PULL = "pull"
    SYNC = "sync"
    KPI_SUMMARY = "kpi-summary"
    DIAGNOSE = "diagnose"


class JobSettings(ConfigModel):
    """One scheduled job: a pipeline over some sources, on a cron expression or an interval."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,59}$", description="Unique job name.")
    pipeline: Pipeline
    sources: tuple[str, ...] = Field(
        default=(),
        description="Sources such as 'jira:pmo' or 'planner:northwind'; empty means all.",
    )
    cron: str | None = Field(
        default=None, description="Five-field crontab expression, e.g. '*/15 * * * *'."
    )
    interval_seconds: int | None = Field(
        default=None, ge=5, le=31 * 24 * 3600, description="Run every N seconds instead of cron."
    )
    jitter_seconds: int = Field(
        default=0, ge=0, le=3600, description="Random delay added to each run."
    )
    timezone: str = Field(default="UTC", description="IANA time zone of the cron expression.")
    misfire_grace_seconds: int | None = Field(
        default=None,
        ge=1,
        le=31 * 24 * 3600,
        description=(
            "How late a run may still start (the service was down or busy); later runs are "
            "skipped and logged. Default: about one interval of the schedule."
        ),
    )

    @field_validator("cron")
    @classmethod
    def _valid_crontab(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if len(value.split()) != _CRON_FIELDS:
            raise PydanticCustomError(
                "cron",
                "'{value}' is not a crontab expression: expected 5 fields "
                "(minute hour day month weekday), e.g. '*/15 * * * *'",
                {"value": value},
            )
        # Imported here, not at the top: only validation needs it, and --help must stay fast.
        from apscheduler.triggers.cron import CronTrigger

        from flywheel_sync.scheduler.triggers import crontab_fields

        try:
            CronTrigger(**crontab_fields(value), timezone="UTC")
        except ValueError as error:
            raise PydanticCustomError(
                "cron",
                "'{value}' is not a valid crontab expression: {reason}",
                {"value": value, "reason": str(error)},
            ) from None
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError(
                "timezone",
                "'{value}' is not an IANA time zone, e.g. 'UTC' or 'Europe/London'",
                {"value": value},
            ) from None
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> JobSettings:
        if (self.cron is None) == (self.interval_seconds is None):
            raise PydanticCustomError(
                "schedule", "a job needs exactly one of 'cron' or 'interval_seconds'"
            )
        return self
