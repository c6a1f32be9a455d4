"""Bring the scheduler's stored jobs in line with ``flywheel.toml``'s ``[[jobs]]``.

The job store lives in the state database and outlives the process, so a restart must not add
the file's jobs a second time. Each stored job carries a fingerprint of its settings: a job
whose settings are unchanged keeps its stored next run time (a run missed while the service
was down is then caught up once, or skipped past its misfire grace); a changed one is
replaced; a job no longer in the file is removed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from flywheel_sync.scheduler.triggers import misfire_grace_seconds, trigger_for
from flywheel_sync.settings.jobs import JobSettings

__all__ = ["JOB_FUNCTION", "Reconciled", "fingerprint", "reconcile"]

log = logging.getLogger("flywheel_sync.scheduler")

JOB_FUNCTION: Final = "flywheel_sync.scheduler.runs:run_scheduled_job"
"""Stored jobs name their function as text, so the job store never pickles code."""


@dataclass(frozen=True, kw_only=True)
class Reconciled:
    """What reconciling changed, by job name."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def fingerprint(job: JobSettings) -> str:
    """A short hash of everything that defines the job; equal settings, equal fingerprint."""
    settings = json.dumps(job.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(settings.encode()).hexdigest()[:16]


def reconcile(scheduler: Any, jobs: Sequence[JobSettings]) -> Reconciled:
    """Add, replace and remove the scheduler's jobs so that they are exactly ``jobs``.

    Call it on a started (or paused) scheduler, so that the stored jobs are loaded.
    """
    stored = {job.id: job for job in scheduler.get_jobs()}
    result = Reconciled()
    for job in jobs:
        wanted = fingerprint(job)
        existing = stored.pop(job.name, None)
        if existing is not None and existing.kwargs.get("fingerprint") == wanted:
            result.unchanged.append(job.name)
            continue
        scheduler.add_job(
            JOB_FUNCTION,
            trigger=trigger_for(job),
            id=job.name,
            name=job.name,
            kwargs={"job_name": job.name, "fingerprint": wanted},
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=misfire_grace_seconds(job),
        )
        (result.added if existing is None else result.changed).append(job.name)
    for name in stored:
        scheduler.remove_job(name)
        result.removed.append(name)
    log.info(
        "jobs reconciled with flywheel.toml: %d added, %d changed, %d removed, %d unchanged",
        len(result.added),
        len(result.changed),
        len(result.removed),
        len(result.unchanged),
        extra={"added": result.added, "changed": result.changed, "removed": result.removed},
    )
    return result
