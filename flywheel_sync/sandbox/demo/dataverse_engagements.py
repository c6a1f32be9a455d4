"""Project for the web in the demo, second use: engagements as tasks of "PMO Engagements".

Two services are run out of Project (Planner premium) as well as basic Planner: Resource
Capacity Planning and Methodology & Templates, the smallest plans (two engagements each) with
an engagement in Service Onboarding. Their four engagements are tasks of one project, titled
``"[PMO-16] Resource Capacity Planning for Customer Service"`` with the Jira epic key in
brackets, as in Planner. The project has ten buckets named after the flywheel stages in order,
its first ten labels are renamed to the stages (`dataverse_labels`), and each task sits in the
bucket of its engagement's current stage and carries that stage's label.

Drift is planted for a push to correct, and recorded in `ProjectEngagementsTruth`:

- Methodology & Templates for HR Transformation was dragged back to Needs Assessment (bucket
  and label) four days ago; Jira, the source of truth, has it in Value Proposition.
- Methodology & Templates for Digital Channels is in Service Onboarding with no checklist rows.
- Resource Capacity Planning for Customer Service is in Service Onboarding with a partial
  checklist: its service owner copied three steps, ticked "First capacity review meeting"
  (still open in Jira) and added a step of her own; three template steps are missing.

Rows are Dataverse Web API JSON without ``@odata.etag``.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flywheel_sync.domain import FlywheelStage
from flywheel_sync.sandbox.demo.catalogue import customer, service
from flywheel_sync.sandbox.demo.dataverse import DataverseProjects
from flywheel_sync.sandbox.demo.dataverse_labels import label_task, project_labels
from flywheel_sync.sandbox.demo.identifiers import guid
from flywheel_sync.sandbox.demo.jira_model import JsonObject
from flywheel_sync.sandbox.demo.people import DemoPerson
from flywheel_sync.sandbox.demo.pmo_issues import EngagementIssues
from flywheel_sync.sandbox.demo.timeline import DAY, dataverse_time
from flywheel_sync.sandbox.demo.truth import ProjectEngagementsTruth

__all__ = ["ENGAGEMENT_PROJECT", "EngagementProject", "write_engagement_project"]

ENGAGEMENT_PROJECT = "PMO Engagements"
SERVICE_IDS = ("capacity-planning", "methodology")

_MISPLACED = ("hr-transformation", "methodology")
_MISPLACED_STAGE = FlywheelStage.NEEDS_ASSESSMENT
_MISPLACED_DAYS_AGO = 4
_UNLISTED = ("digital-channels", "methodology")
_PARTIAL = ("customer-service", "capacity-planning")
_COPIED_STEPS = ("owner", "rosters", "review")
_TICKED_STEP = "review"
_TICKED_DAYS_AGO = 3
_OWN_ITEM = "Invite the team leads to the capacity review"
_OWN_ITEM_DAYS_AGO = 6
_DUE_DAYS = 60


@dataclass(frozen=True, slots=True, kw_only=True)
class EngagementProject:
    """The "PMO Engagements" rows and where each engagement landed.

    Attributes:
        task_ids: Epic key → the engagement's task id.
        item_ids: (epic key, onboarding step key) → the step's checklist row id.
    """

    rows: DataverseProjects
    task_ids: Mapping[str, str]
    item_ids: Mapping[tuple[str, str], str]
    truth: ProjectEngagementsTruth


def _pair(engagement: EngagementIssues) -> tuple[str, str]:
    return engagement.plan.script.customer_id, engagement.plan.script.service_id


def _task_row(
    engagement: EngagementIssues, *, project_id: str, bucket_id: str, number: int
) -> JsonObject:
    plan, key = engagement.plan, engagement.epic.key
    who, what = customer(plan.script.customer_id), service(plan.script.service_id)
    start, finish = plan.visits[0].at, plan.current.at + _DUE_DAYS * DAY
    return {
        "msdyn_projecttaskid": guid(f"dataverse/engagement/{who.id}/{what.id}"),
        "msdyn_subject": f"[{key}] {what.name} for {who.name}",
        "msdyn_description": f"{who.name} and the {what.name} service. Jira epic {key}.",
        "msdyn_start": dataverse_time(start),
        "msdyn_finish": dataverse_time(finish),
        "msdyn_baselinestart": None,
        "msdyn_baselinefinish": None,
        "msdyn_duration": float((finish - start) // DAY),
        # No one is assigned, so Project books no effort; progress says the engagement moved.
        "msdyn_effort": 0.0,
        "msdyn_effortcompleted": 0.0,
        "msdyn_effortremaining": 0.0,
        "msdyn_progress": 0.0 if plan.current.stage is FlywheelStage.AWARENESS_BUILDING else 0.5,
        "msdyn_ismilestone": False,
        "msdyn_LinkStatus": 192350000,
        "statecode": 0,
        "_msdyn_project_value": project_id,
        "_msdyn_projectbucket_value": bucket_id,
        "_msdyn_parenttask_value": None,
        "msdyn_outlinelevel": 1,
        "msdyn_displaysequence": float(number),
        "createdon": dataverse_time(start),
        "modifiedon": dataverse_time(plan.current.at),
    }


def _checklist_row(
    task: JsonObject, name: str, *, order: int, done: bool, created: int, changed: int
) -> JsonObject:
    return {
        "msdyn_projectchecklistid": guid(f"{task['msdyn_projecttaskid']}/{name}"),
        "msdyn_name": name,
        "msdyn_projectchecklistcompleted": done,
        "msdyn_projectchecklistorder": float(order),
        "_msdyn_projecttaskid_value": task["msdyn_projecttaskid"],
        "createdon": dataverse_time(created),
        "modifiedon": dataverse_time(changed),
    }


class _Writer:
    """Writes the project's rows engagement by engagement, planting the drift on the way."""

    def __init__(self, engagements: Sequence[EngagementIssues], *, now: int) -> None:
        self.now = now
        self.project_id = guid(f"dataverse/project/{ENGAGEMENT_PROJECT}")
        started = min(e.plan.visits[0].at for e in engagements)
        self.created = dataverse_time(started - 7 * DAY)
        self.bucket_ids = {
            stage: guid(f"dataverse/bucket/{ENGAGEMENT_PROJECT}/{stage.value}")
            for stage in FlywheelStage
        }
        stages = [stage.label for stage in FlywheelStage]
        self.labels = project_labels(
            subject=ENGAGEMENT_PROJECT,
            project_id=self.project_id,
            created=self.created,
            names=stages,
            named=dataverse_time(started - 6 * DAY),
        )
        self.label_by_stage = dict(zip(FlywheelStage, self.labels, strict=False))
        self.tasks: list[JsonObject] = []
        self.checklists: list[JsonObject] = []
        self.task_labels: list[JsonObject] = []
        self.item_ids: dict[tuple[str, str], str] = {}
        self.ticked = self.own = ""

    def engagement(self, engagement: EngagementIssues) -> None:
        """Write the engagement's task, its stage label and (for one) its checklist."""
        stage, at = engagement.plan.current.stage, engagement.plan.current.at
        if _pair(engagement) == _MISPLACED:
            stage, at = _MISPLACED_STAGE, self.now - _MISPLACED_DAYS_AGO * DAY
        task = _task_row(
            engagement,
            project_id=self.project_id,
            bucket_id=self.bucket_ids[stage],
            number=len(self.tasks) + 1,
        )
        task["modifiedon"] = dataverse_time(at)
        self.tasks.append(task)
        self.task_labels.append(label_task(task, self.label_by_stage[stage], at=task["modifiedon"]))
        if _pair(engagement) == _PARTIAL:
            self._partial_checklist(engagement, task)

    def _partial_checklist(self, engagement: EngagementIssues, task: JsonObject) -> None:
        """Some template steps, one ticked by a person ahead of Jira, and a step of their own."""
        copied = engagement.plan.current.at + DAY
        key = engagement.epic.key
        for order, step in enumerate(engagement.plan.checklist, start=1):
            if step.step.key not in _COPIED_STEPS:
                continue
            if step.step.key == _TICKED_STEP:
                done, changed = True, self.now - _TICKED_DAYS_AGO * DAY
            else:
                done, changed = step.done_at is not None, max(copied, step.done_at or copied)
            row = _checklist_row(
                task, step.step.title, order=order, done=done, created=copied, changed=changed
            )
            self.checklists.append(row)
            self.item_ids[(key, step.step.key)] = row["msdyn_projectchecklistid"]
            if step.step.key == _TICKED_STEP:
                self.ticked = row["msdyn_projectchecklistid"]
        added = self.now - _OWN_ITEM_DAYS_AGO * DAY
        own = _checklist_row(
            task,
            _OWN_ITEM,
            order=len(engagement.plan.checklist) + 1,
            done=False,
            created=added,
            changed=added,
        )
        self.checklists.append(own)
        self.own = own["msdyn_projectchecklistid"]

    def project_row(self, owner: DemoPerson, engagements: Sequence[EngagementIssues]) -> JsonObject:
        """The project itself: it spans its tasks; engagements never finish, so no progress."""
        start = min(e.plan.visits[0].at for e in engagements)
        finish = max(e.plan.current.at for e in engagements) + _DUE_DAYS * DAY
        return {
            "msdyn_projectid": self.project_id,
            "msdyn_subject": ENGAGEMENT_PROJECT,
            "msdyn_description": (
                "Engagements of the Resource Capacity Planning and Methodology & Templates "
                "services, one task each, in the bucket of its flywheel stage."
            ),
            "msdyn_start": dataverse_time(start),
            "msdyn_finish": dataverse_time(finish),
            "msdyn_duration": float((finish - start) // DAY),
            "msdyn_progress": 0.0,
            "statecode": 0,
            "statuscode": 1,
            "createdon": self.created,
            "modifiedon": max(t["modifiedon"] for t in self.tasks),
            "_ownerid_value": owner.aad_id,
        }

    def buckets(self) -> list[JsonObject]:
        """The ten stage buckets, in stage order."""
        return [
            {
                "msdyn_projectbucketid": bucket_id,
                "msdyn_name": stage.label,
                "_msdyn_project_value": self.project_id,
            }
            for stage, bucket_id in self.bucket_ids.items()
        ]


def _number(key: str) -> int:
    return int(key.rpartition("-")[2])


def _key_of(engagements: Sequence[EngagementIssues], pair: tuple[str, str]) -> str:
    return next(e.epic.key for e in engagements if _pair(e) == pair)


def write_engagement_project(
    engagements: Sequence[EngagementIssues], *, owner: DemoPerson, now: int
) -> EngagementProject:
    """Write "PMO Engagements" for the engagements of its services (epic keys must be assigned).

    Raises:
        ValueError: None of ``engagements`` belongs to its services (a story defect).
    """
    hosted = sorted(
        (e for e in engagements if e.plan.script.service_id in SERVICE_IDS),
        key=lambda e: (SERVICE_IDS.index(e.plan.script.service_id), _number(e.epic.key)),
    )
    if not hosted:
        raise ValueError(f"no engagement of {', '.join(SERVICE_IDS)} to host in Project")
    writer = _Writer(hosted, now=now)
    for engagement in hosted:
        writer.engagement(engagement)
    rows = DataverseProjects(
        projects=(writer.project_row(owner, hosted),),
        buckets=tuple(writer.buckets()),
        tasks=tuple(writer.tasks),
        checklists=tuple(writer.checklists),
        labels=tuple(writer.labels),
        task_labels=tuple(writer.task_labels),
    )
    truth = ProjectEngagementsTruth(
        project_id=writer.project_id,
        service_ids=SERVICE_IDS,
        bucket_ids=dict(writer.bucket_ids),
        label_ids={s: str(r["msdyn_projectlabelid"]) for s, r in writer.label_by_stage.items()},
        misplaced=_key_of(hosted, _MISPLACED),
        misplaced_stage=_MISPLACED_STAGE,
        unlisted=_key_of(hosted, _UNLISTED),
        partial=_key_of(hosted, _PARTIAL),
        ticked_item_id=writer.ticked,
        own_item_id=writer.own,
        own_item_title=_OWN_ITEM,
    )
    return EngagementProject(
        rows=rows,
        task_ids={
            e.epic.key: str(t["msdyn_projecttaskid"])
            for e, t in zip(hosted, writer.tasks, strict=True)
        },
        item_ids=dict(writer.item_ids),
        truth=truth,
    )
