"""Project for the web (Dataverse) in the demo: the big GRID and HRX schedules.

Each project has four buckets, one summary task per bucket and leaf tasks under them, with a
baseline (``msdyn_baselinestart``/``msdyn_baselinefinish``) and the current or actual dates
(``msdyn_start``/``msdyn_finish``). A planted share of leaf tasks finishes after its baseline:
GRID slips more than HRX. ``msdyn_progress`` is a fraction (1.0 = done), as Project for the web
stores it. Leaf tasks are capped at 3,000 per project, Project's own limit. Each project has
its 25 labels, none named (`dataverse_labels`). Rows are Dataverse Web API JSON without
``@odata.etag``.
"""

import random
from dataclasses import dataclass

from flywheel_sync.sandbox.demo.dataverse_labels import project_labels
from flywheel_sync.sandbox.demo.identifiers import guid
from flywheel_sync.sandbox.demo.jira_model import JsonObject
from flywheel_sync.sandbox.demo.people import DemoPerson
from flywheel_sync.sandbox.demo.timeline import DAY, dataverse_time, stream

__all__ = ["DataverseProjects", "ScheduleSpec", "write_projects"]

_TASK_LIMIT = 3000
_CHECKLIST = ("Scope agreed", "Resources booked", "Risks reviewed", "Sign-off received")


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleSpec:
    """One project's shape: volume at scale 1, span, buckets and how many tasks slip."""

    subject: str
    description: str
    base_tasks: int
    started_days_ago: int
    span_days: int
    buckets: tuple[str, ...]
    work: tuple[str, ...]
    late_share: float
    max_slip_days: int


SCHEDULES: tuple[ScheduleSpec, ...] = (
    ScheduleSpec(
        subject="GRID",
        description="Grid Modernisation 2030: substations, smart meters and SCADA.",
        base_tasks=100,
        started_days_ago=420,
        span_days=640,
        buckets=("Substations", "Smart Meters", "SCADA Upgrade", "Outage Planning"),
        work=("Design", "Procure", "Install", "Commission", "Test", "Hand over"),
        late_share=0.35,
        max_slip_days=40,
    ),
    ScheduleSpec(
        subject="HRX",
        description="HR Transformation Programme: one HR system and new ways of working.",
        base_tasks=60,
        started_days_ago=200,
        span_days=420,
        buckets=("Discovery", "Design", "Build", "Rollout"),
        work=("Analyse", "Design", "Configure", "Migrate", "Train", "Go live"),
        late_share=0.2,
        max_slip_days=20,
    ),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class DataverseProjects:
    """Dataverse rows of Project's tables.

    Rows of ``msdyn_project``, ``msdyn_projectbucket``, ``msdyn_projecttask`` (for a schedule,
    summary tasks first in each bucket, then their leaves), ``msdyn_projectchecklist``,
    ``msdyn_projectlabel`` and ``msdyn_projecttasktolabel``.
    """

    projects: tuple[JsonObject, ...]
    buckets: tuple[JsonObject, ...]
    tasks: tuple[JsonObject, ...]
    checklists: tuple[JsonObject, ...]
    labels: tuple[JsonObject, ...] = ()
    task_labels: tuple[JsonObject, ...] = ()

    def plus(self, other: "DataverseProjects") -> "DataverseProjects":
        """These rows, then ``other``'s, table by table."""
        return DataverseProjects(
            projects=self.projects + other.projects,
            buckets=self.buckets + other.buckets,
            tasks=self.tasks + other.tasks,
            checklists=self.checklists + other.checklists,
            labels=self.labels + other.labels,
            task_labels=self.task_labels + other.task_labels,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Dates:
    """A task's baseline and current dates, in epoch seconds."""

    baseline_start: int
    baseline_finish: int
    start: int
    finish: int


def _leaf_dates(spec: ScheduleSpec, start: int, rng: random.Random) -> _Dates:
    duration = rng.randrange(5, 31)
    base_start = start + rng.randrange(spec.span_days - duration) * DAY
    base_finish = base_start + duration * DAY
    if rng.random() < spec.late_share:
        finish = base_finish + rng.randrange(2, spec.max_slip_days + 1) * DAY
    else:
        finish = base_finish - rng.randrange(3) * DAY
    return _Dates(
        baseline_start=base_start, baseline_finish=base_finish, start=base_start, finish=finish
    )


def _progress(dates: _Dates, now: int) -> float:
    if dates.finish <= now:
        return 1.0
    if dates.start >= now:
        return 0.0
    return round((now - dates.start) / (dates.finish - dates.start), 2)


def _task_row(task_id: str, subject: str, dates: _Dates, *, now: int) -> JsonObject:
    days = max(1, (dates.finish - dates.start) // DAY)
    effort = days * 8.0
    progress = _progress(dates, now)
    return {
        "msdyn_projecttaskid": task_id,
        "msdyn_subject": subject,
        "msdyn_description": None,
        "msdyn_start": dataverse_time(dates.start),
        "msdyn_finish": dataverse_time(dates.finish),
        "msdyn_baselinestart": dataverse_time(dates.baseline_start),
        "msdyn_baselinefinish": dataverse_time(dates.baseline_finish),
        "msdyn_duration": float(days),
        "msdyn_effort": effort,
        "msdyn_effortcompleted": round(effort * progress, 1),
        "msdyn_effortremaining": round(effort * (1 - progress), 1),
        "msdyn_progress": progress,
        "msdyn_ismilestone": False,
        "msdyn_LinkStatus": 192350000,
        "statecode": 0,
        "modifiedon": dataverse_time(min(now, dates.finish)),
    }


def _checklist(task: JsonObject, rng: random.Random) -> list[JsonObject]:
    progress = float(task["msdyn_progress"])
    names = _CHECKLIST[: rng.randrange(2, len(_CHECKLIST) + 1)]
    return [
        {
            "msdyn_projectchecklistid": guid(f"{task['msdyn_projecttaskid']}/{name}"),
            "msdyn_name": name,
            "msdyn_projectchecklistcompleted": order < round(progress * len(names)),
            "msdyn_projectchecklistorder": float(order + 1),
            "_msdyn_projecttaskid_value": task["msdyn_projecttaskid"],
            "createdon": task["createdon"],
            "modifiedon": task["modifiedon"],
        }
        for order, name in enumerate(names)
    ]


def _summary_dates(leaves: list[_Dates], fallback: int) -> _Dates:
    if not leaves:
        return _Dates(
            baseline_start=fallback,
            baseline_finish=fallback + DAY,
            start=fallback,
            finish=fallback + DAY,
        )
    return _Dates(
        baseline_start=min(d.baseline_start for d in leaves),
        baseline_finish=max(d.baseline_finish for d in leaves),
        start=min(d.start for d in leaves),
        finish=max(d.finish for d in leaves),
    )


@dataclass(slots=True)
class _Rows:
    buckets: list[JsonObject]
    tasks: list[JsonObject]
    checklists: list[JsonObject]


class _Writer:
    """Writes one schedule's rows, bucket by bucket, numbering tasks in display order."""

    def __init__(self, spec: ScheduleSpec, *, now: int, rng: random.Random) -> None:
        self.spec = spec
        self.now = now
        self.rng = rng
        self.project_id = guid(f"dataverse/project/{spec.subject}")
        self.start = now - spec.started_days_ago * DAY
        self.created = dataverse_time(self.start - 14 * DAY)
        self.rows = _Rows(buckets=[], tasks=[], checklists=[])
        self.sequence = 0

    def bucket(self, name: str, leaves: list[tuple[str, _Dates]]) -> None:
        """Write a bucket, its summary task, its leaf tasks and their checklists."""
        spec, now = self.spec, self.now
        bucket_id = guid(f"dataverse/bucket/{spec.subject}/{name}")
        self.rows.buckets.append(
            {
                "msdyn_projectbucketid": bucket_id,
                "msdyn_name": name,
                "_msdyn_project_value": self.project_id,
            }
        )
        summary_id = guid(f"dataverse/summary/{spec.subject}/{name}")
        dates = _summary_dates([d for _, d in leaves], self.start)
        self._task(_task_row(summary_id, name, dates, now=now), bucket_id, None, level=1)
        for subject, leaf in leaves:
            task_id = guid(f"dataverse/task/{spec.subject}/{self.sequence + 1}")
            task = self._task(
                _task_row(task_id, subject, leaf, now=now), bucket_id, summary_id, level=2
            )
            if self.rng.random() < 0.3:
                self.rows.checklists += _checklist(task, self.rng)

    def _task(
        self, row: JsonObject, bucket_id: str, parent: str | None, *, level: int
    ) -> JsonObject:
        self.sequence += 1
        row |= {
            "_msdyn_project_value": self.project_id,
            "_msdyn_projectbucket_value": bucket_id,
            "_msdyn_parenttask_value": parent,
            "msdyn_outlinelevel": level,
            "msdyn_displaysequence": float(self.sequence),
            "createdon": self.created,
        }
        self.rows.tasks.append(row)
        return row


def _schedule(
    spec: ScheduleSpec, *, scale: float, now: int, rng: random.Random
) -> tuple[JsonObject, _Rows]:
    """One project's rows: buckets, a summary task per bucket, leaf tasks and checklists."""
    writer = _Writer(spec, now=now, rng=rng)
    leaves: dict[str, list[tuple[str, _Dates]]] = {name: [] for name in spec.buckets}
    for number in range(min(_TASK_LIMIT, max(1, round(spec.base_tasks * scale)))):
        bucket = spec.buckets[number % len(spec.buckets)]
        subject = f"{rng.choice(spec.work)} {bucket.lower()} package {number + 1}"
        leaves[bucket].append((subject, _leaf_dates(spec, writer.start, rng)))
    for name in spec.buckets:
        writer.bucket(name, leaves[name])
    everything = _summary_dates([d for found in leaves.values() for _, d in found], writer.start)
    project = _project_row(spec, writer.project_id, everything, now=now, created=writer.created)
    return project, writer.rows


def _project_row(
    spec: ScheduleSpec, project_id: str, dates: _Dates, *, now: int, created: str
) -> JsonObject:
    progress = _progress(dates, now)
    return {
        "msdyn_projectid": project_id,
        "msdyn_subject": spec.subject,
        "msdyn_description": spec.description,
        "msdyn_start": dataverse_time(dates.start),
        "msdyn_finish": dataverse_time(dates.finish),
        "msdyn_duration": float(max(1, (dates.finish - dates.start) // DAY)),
        "msdyn_progress": progress,
        "statecode": 0,
        "statuscode": 1,
        "createdon": created,
        "modifiedon": dataverse_time(now - DAY),
    }


def write_projects(
    *, seed: int, scale: float, now: int, managers: dict[str, DemoPerson]
) -> DataverseProjects:
    """Write the GRID and HRX schedules; ``managers`` maps each subject to its project manager."""
    projects, buckets, tasks, checklists, labels = [], [], [], [], []
    for spec in SCHEDULES:
        project, rows = _schedule(
            spec, scale=scale, now=now, rng=stream(seed, f"dataverse/{spec.subject}")
        )
        project["_ownerid_value"] = managers[spec.subject].aad_id
        projects.append(project)
        buckets += rows.buckets
        tasks += rows.tasks
        checklists += rows.checklists
        labels += project_labels(
            subject=spec.subject,
            project_id=project["msdyn_projectid"],
            created=project["createdon"],
        )
    return DataverseProjects(
        projects=tuple(projects),
        buckets=tuple(buckets),
        tasks=tuple(tasks),
        checklists=tuple(checklists),
        labels=tuple(labels),
    )
