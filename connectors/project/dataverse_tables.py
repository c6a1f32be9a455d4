"""The Dataverse tables a Project scope is read from, declared as data.

Each table names its record type, entity set, primary key, the lookup that ties a row to its
parent, and the default ``$select``. Column names are Dataverse logical names; a lookup is read
as ``_<attribute>_value`` (graph-wire.md §4). The key, ``modifiedon`` and the parent lookup are
always selected: paging order, watermarks and scoping depend on them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["BUCKET", "CHECKLIST", "PROJECT", "TABLES", "TASK", "ProjectTable", "selected_columns"]

MODIFIED_ON = "modifiedon"


@dataclass(frozen=True, kw_only=True)
class ProjectTable:
    """One table read per project scope."""

    record_type: str
    entity_set: str
    key: str
    parent: str
    """The lookup naming the row's parent: its project, or (for checklist items) its task."""
    columns: tuple[str, ...]
    """The default ``$select``."""

    @property
    def required(self) -> tuple[str, ...]:
        """The columns every read selects, whatever is configured."""
        return tuple(dict.fromkeys((self.key, MODIFIED_ON, self.parent)))


PROJECT = ProjectTable(
    record_type="project",
    entity_set="msdyn_projects",
    key="msdyn_projectid",
    parent="msdyn_projectid",
    columns=(
        "msdyn_subject",
        "msdyn_description",
        "msdyn_start",
        "msdyn_finish",
        "msdyn_duration",
        "msdyn_effort",
        "msdyn_effortcompleted",
        "msdyn_effortremaining",
        "msdyn_progress",
        "statecode",
        "statuscode",
        "createdon",
        "_ownerid_value",
    ),
)

BUCKET = ProjectTable(
    record_type="project_bucket",
    entity_set="msdyn_projectbuckets",
    key="msdyn_projectbucketid",
    parent="_msdyn_project_value",
    columns=("msdyn_name", "createdon"),
)

TASK = ProjectTable(
    record_type="project_task",
    entity_set="msdyn_projecttasks",
    key="msdyn_projecttaskid",
    parent="_msdyn_project_value",
    columns=(
        "msdyn_subject",
        "msdyn_description",
        "msdyn_start",
        "msdyn_finish",
        "msdyn_baselinestart",
        "msdyn_baselinefinish",
        "msdyn_duration",
        "msdyn_effort",
        "msdyn_effortcompleted",
        "msdyn_effortremaining",
        "msdyn_progress",
        "msdyn_outlinelevel",
        "msdyn_displaysequence",
        "msdyn_ismilestone",
        "statecode",
        "createdon",
        "_msdyn_projectbucket_value",
        "_msdyn_parenttask_value",
    ),
)

CHECKLIST = ProjectTable(
    record_type="project_checklist_item",
    entity_set="msdyn_projectchecklists",
    key="msdyn_projectchecklistid",
    parent="_msdyn_projecttaskid_value",
    columns=(
        "msdyn_name",
        "msdyn_projectchecklistcompleted",
        "msdyn_projectchecklistorder",
        "createdon",
    ),
)

TABLES: tuple[ProjectTable, ...] = (PROJECT, BUCKET, TASK, CHECKLIST)
"""In reading order: a scope's watermark advances table by table in this order."""


def selected_columns(
    table: ProjectTable, configured: Mapping[str, Sequence[str]]
) -> tuple[str, ...]:
    """The ``$select`` of ``table``: the required columns, then the configured or default ones."""
    wanted = configured.get(table.record_type, table.columns)
    return tuple(dict.fromkeys((*table.required, *wanted)))
