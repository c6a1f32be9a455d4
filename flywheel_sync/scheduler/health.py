"""``/healthz``: is the service alive, can it reach its store, and how are its jobs doing.

The answer is 200 when the process is healthy in its role, 503 otherwise, so a load balancer
or an orchestrator can act on the status alone; the JSON body says why:

- a leader is healthy while its scheduler runs and the store answers;
- a standby is healthy while the store answers (it is ready to take over);
- each job shows its next run (leader only) and its last run: id, outcome, end and age.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flywheel_sync.settings.jobs import JobSettings
from flywheel_sync.store import RunRecord, Store, StoreError

__all__ = ["HealthReport", "health_report"]

JSON = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class HealthReport:
    """The status code and the JSON document of one ``/healthz`` answer."""

    status_code: int
    document: JSON


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _last_run(run: RunRecord | None, now: datetime) -> JSON | None:
    if run is None:
        return None
    ended = run.finished_at
    return {
        "id": run.id,
        "outcome": None if run.outcome is None else run.outcome.value,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(ended),
        "age_seconds": round((now - (ended or run.started_at)).total_seconds(), 1),
    }


def health_report(
    *,
    role: str,
    scheduler_running: bool,
    store: Store,
    jobs: Sequence[JobSettings],
    next_run: Callable[[str], datetime | None],
    now: datetime,
) -> HealthReport:
    """Check the store and describe the service; never raises."""
    store_check: JSON = {"reachable": True, "url": store.display_url}
    latest: Mapping[str, RunRecord] = {}
    try:
        store.ping()
        latest = store.runs.latest_by_job()
    except StoreError as error:
        store_check = {"reachable": False, "url": store.display_url, "error": str(error)}
    healthy = bool(store_check["reachable"]) and (role != "leader" or scheduler_running)
    document: JSON = {
        "status": "ok" if healthy else "failing",
        "role": role,
        "scheduler": {"running": scheduler_running},
        "store": store_check,
        "checked_at": now.isoformat(),
        "jobs": [
            {
                "name": job.name,
                "pipeline": job.pipeline.value,
                "next_run_at": _iso(next_run(job.name)) if role == "leader" else None,
                "last_run": _last_run(latest.get(job.name), now),
            }
            for job in jobs
        ],
    }
    return HealthReport(status_code=200 if healthy else 503, document=document)
