"""Push targets in ``mapping.yaml``: what flywheel-sync writes back, where, and who wins.

Each target can be switched on or off on its own. ``authority`` says which side owns a value:
with ``flywheel`` the computed value is pushed; with ``tool`` people in the tool own it and
flywheel-sync only reads it. A human edit to a value flywheel-sync owns, made since its last
write, is a conflict, settled by ``conflict_policy``.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from flywheel_sync.domain import FlywheelStage
from flywheel_sync.settings.base import ConfigModel

__all__ = [
    "Authority",
    "ConflictPolicy",
    "JiraChecklistMode",
    "KPISummaryScope",
    "ProjectChecklistTarget",
    "ProjectStageTarget",
    "ProjectSummaryTarget",
    "PushTargets",
]

_SOURCE = r"^[a-z]+:[a-z][a-z0-9_]*$"


class Authority(StrEnum):
    """Which side owns a pushed value."""

    FLYWHEEL = "flywheel"
    TOOL = "tool"


class ConflictPolicy(StrEnum):
    """What to do when a person changed a value flywheel-sync owns since its last write.

    ``skip`` leaves the person's value and reports the conflict; ``overwrite`` writes ours;
    ``adopt`` accepts theirs as the new truth.
    """

    SKIP = "skip"
    OVERWRITE = "overwrite"
    ADOPT = "adopt"


class _Target(ConfigModel):
    enabled: bool = True
    authority: Authority = Authority.FLYWHEEL
    conflict_policy: ConflictPolicy | None = Field(
        default=None, description="Overrides push.conflict_policy for this target."
    )


class JiraStageTarget(_Target):
    """The Flywheel Stage select field on each engagement issue."""

    source: str = Field(pattern=_SOURCE, description="e.g. 'jira:pmo'.")
    field: str = Field(default="Flywheel Stage", description="Single-select field name or id.")
    experience_field: str | None = Field(
        default=None,
        description="Customer Experience Stage field on each customer's issue, if mapped.",
    )


class PlannerStageTarget(_Target):
    """The engagement's Planner task: bucket named after the stage and/or the stage's label."""

    source: str = Field(pattern=_SOURCE, description="e.g. 'planner:northwind'.")
    move_to_bucket: bool = True
    set_label: bool = False


class ProjectStageTarget(_Target):
    """The engagement's Microsoft Project task: the stage's bucket and/or the stage's label.

    Written through the Project Schedule API, which only a delegated, Project-licensed user may
    call: the source's Dataverse connection must sign in with ``device_code`` (or carry such a
    user's token).
    """

    source: str = Field(pattern=_SOURCE, description="e.g. 'project:northwind'.")
    move_to_bucket: bool = Field(
        default=True, description="Move the task to the bucket named after its flywheel stage."
    )
    set_label: bool = Field(
        default=False, description="Give the task the label named after its flywheel stage."
    )


class StageTargets(ConfigModel):
    """Where an engagement's flywheel stage is written."""

    jira: JiraStageTarget | None = None
    planner: PlannerStageTarget | None = None
    project: ProjectStageTarget | None = None


class JiraChecklistMode(StrEnum):
    """One sub-task per checklist item, or a checklist section in the issue description."""

    SUBTASKS = "subtasks"
    DESCRIPTION = "description"


class JiraChecklistTarget(_Target):
    """Onboarding checklists on the engagement issue."""

    source: str = Field(pattern=_SOURCE)
    mode: JiraChecklistMode = JiraChecklistMode.SUBTASKS
    subtask_type: str = Field(default="Sub-task", description="Issue type of the sub-tasks.")


class PlannerChecklistTarget(_Target):
    """Onboarding checklists in the engagement task's details (at most 20 items per task)."""

    source: str = Field(pattern=_SOURCE)


class ProjectChecklistTarget(_Target):
    """Checklist rows under the engagement's Project task (at most 20 per task, Project's limit).

    Needs a delegated, Project-licensed identity, as `ProjectStageTarget` does.
    """

    source: str = Field(pattern=_SOURCE, description="e.g. 'project:northwind'.")


class ChecklistTargets(ConfigModel):
    """Onboarding checklists, written while an engagement is in Service Onboarding."""

    jira: JiraChecklistTarget | None = None
    planner: PlannerChecklistTarget | None = None
    project: ProjectChecklistTarget | None = None


class KPISummaryScope(StrEnum):
    """Who a KPI summary is about."""

    SERVICE = "service"
    CUSTOMER = "customer"


class ConfluenceSummaryTarget(_Target):
    """A Confluence page per service and/or customer, updated in place."""

    source: str = Field(pattern=_SOURCE, description="e.g. 'confluence:pmo'.")
    space: str = Field(min_length=1, description="Space key, e.g. 'PMO'.")
    parent_title: str | None = Field(default=None, description="Pages go under this page.")
    per: tuple[KPISummaryScope, ...] = (KPISummaryScope.SERVICE, KPISummaryScope.CUSTOMER)


class TeamsSummaryTarget(_Target):
    """An Adaptive Card per service and/or customer, posted through a Workflows webhook."""

    webhook: str = Field(description="A name under [teams_webhooks] in flywheel.toml.")
    per: tuple[KPISummaryScope, ...] = (KPISummaryScope.SERVICE,)


class JiraCommentTarget(_Target):
    """A short KPI comment on the engagement issue when it enters chosen stages."""

    source: str = Field(pattern=_SOURCE)
    on_entering: tuple[FlywheelStage, ...] = (FlywheelStage.VALUE_RECOGNITION,)


class ProjectSummaryTarget(_Target):
    """A short KPI summary of its service in each engagement's Project task description.

    Needs a delegated, Project-licensed identity, as `ProjectStageTarget` does.
    """

    source: str = Field(pattern=_SOURCE, description="e.g. 'project:northwind'.")


class SummaryTargets(ConfigModel):
    """Where KPI summaries are published (the Value Recognition stage's evidence)."""

    confluence: ConfluenceSummaryTarget | None = None
    teams: TeamsSummaryTarget | None = None
    jira_comment: JiraCommentTarget | None = None
    project: ProjectSummaryTarget | None = None


class PushTargets(ConfigModel):
    """Everything flywheel-sync writes back into the tools."""

    conflict_policy: ConflictPolicy = ConflictPolicy.SKIP
    flywheel_stage: StageTargets = StageTargets()
    onboarding_checklists: ChecklistTargets = ChecklistTargets()
    kpi_summaries: SummaryTargets = SummaryTargets()

    def sources(self) -> dict[str, str]:
        """Every source a target names, keyed by the target's key path (for cross-checks)."""
        named: dict[str, str] = {}
        for group_name in ("flywheel_stage", "onboarding_checklists", "kpi_summaries"):
            group = getattr(self, group_name)
            for target_name in type(group).model_fields:
                target = getattr(group, target_name)
                source = getattr(target, "source", None)
                if source is not None:
                    named[f"push.{group_name}.{target_name}.source"] = source
        return named
