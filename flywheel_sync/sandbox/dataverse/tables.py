"""The Dataverse tables the emulator serves: their columns, keys, lookups and choice labels.

A `Table` is data, not behaviour: the OData reader uses it to check ``$select``/``$filter``
names and types, the Schedule API uses it to tell writable columns from computed ones and
``<navigation>@odata.bind`` names from unknown properties, and the annotations use its choice
labels and lookup targets. Column names are Dataverse's logical names; lookups appear as
``_<attribute>_value`` (web-api-properties), bound through their navigation property.

Sources: the spec subset's schemas (dataverse-project-scheduling.subset.yaml), the demo rows,
schedule-api-preview.md (which fields the Project Schedule APIs refuse), for the tables
the subset leaves out (team members, dependencies, assignments), the Microsoft samples in
scheduling-apis-powerautomate-v2/v3.md, and for labels and their links to tasks (only named
by the subset) the columns community clients read and write. Choice labels not found in a
source are marked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

__all__ = [
    "CRM_NAMESPACE",
    "ENTITY_SETS",
    "NOT_EMULATED_SCHEDULING_TABLES",
    "OPERATION_SET",
    "OPERATION_SET_STATUS_LABELS",
    "PROJECT",
    "PROJECT_BUCKET",
    "PROJECT_CHECKLIST",
    "PROJECT_LABEL",
    "PROJECT_TASK",
    "PROJECT_TASK_LABEL",
    "PROJECT_TEAM",
    "RESOURCE_ASSIGNMENT",
    "TABLES",
    "TASK_DEPENDENCY",
    "Column",
    "ColumnKind",
    "Table",
]

CRM_NAMESPACE = "Microsoft.Dynamics.CRM"


class ColumnKind(Enum):
    """A column's type: how values are written, compared and formatted."""

    STRING = "string"
    GUID = "guid"
    LOOKUP = "lookup"
    DATETIME = "datetime"
    INTEGER = "integer"
    CHOICE = "choice"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"

    @property
    def edm(self) -> str:
        """The Edm type name OData messages use (``Edm.Int32``)."""
        return _EDM[self]


_EDM = {
    ColumnKind.STRING: "Edm.String",
    ColumnKind.GUID: "Edm.Guid",
    ColumnKind.LOOKUP: "Edm.Guid",
    ColumnKind.DATETIME: "Edm.DateTimeOffset",
    ColumnKind.INTEGER: "Edm.Int32",
    ColumnKind.CHOICE: "Edm.Int32",
    ColumnKind.DECIMAL: "Edm.Decimal",
    ColumnKind.BOOLEAN: "Edm.Boolean",
}


@dataclass(frozen=True, kw_only=True)
class Column:
    """One column of a table.

    Attributes:
        writable: Whether the Project Schedule APIs accept a value for it; computed and
            system columns answer "Input to the column ... is not allowed".
        target: For a lookup, the logical name of the table it points to.
        navigation: For a lookup, the single-valued navigation property clients bind
            (``msdyn_project@odata.bind``); case-sensitive, as Dataverse's are.
        choices: For a choice column, its values and their labels.
    """

    name: str
    kind: ColumnKind
    writable: bool = True
    target: str = ""
    navigation: str = ""
    choices: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def attribute(self) -> str:
        """The attribute's logical name: ``msdyn_parenttask`` for ``_msdyn_parenttask_value``."""
        if self.kind is ColumnKind.LOOKUP:
            return self.name.removeprefix("_").removesuffix("_value")
        return self.name


@dataclass(frozen=True, kw_only=True)
class Table:
    """One Dataverse table as the Web API exposes it.

    Attributes:
        scheduling: A Project scheduling entity: writes must go through the Schedule APIs.
        web_api_create: The documented exceptions a plain ``POST`` may create (projects and
            team members, schedule-api-preview.md).
        project_lookup: The lookup naming the row's project ("" when the project is found
            through another row, as a checklist's through its task).
    """

    logical_name: str
    entity_set: str
    primary_key: str
    primary_name: str
    columns: tuple[Column, ...]
    scheduling: bool = True
    web_api_create: bool = False
    project_lookup: str = ""
    _by_name: Mapping[str, Column] = field(init=False, repr=False, compare=False)
    _by_navigation: Mapping[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {c.name: c for c in self.columns})
        navigations = {c.navigation: c for c in self.columns if c.navigation}
        object.__setattr__(self, "_by_navigation", navigations)

    @property
    def edm_type(self) -> str:
        """The entity type's qualified name, ``Microsoft.Dynamics.CRM.msdyn_projecttask``."""
        return f"{CRM_NAMESPACE}.{self.logical_name}"

    def column(self, name: str) -> Column | None:
        """The column with this exact (case-sensitive) name, if any."""
        return self._by_name.get(name)

    def by_navigation(self, navigation: str) -> Column | None:
        """The lookup bound through this navigation property, if any."""
        return self._by_navigation.get(navigation)

    @property
    def lookups(self) -> tuple[Column, ...]:
        """The lookup columns, in column order."""
        return tuple(c for c in self.columns if c.kind is ColumnKind.LOOKUP)


def _text(name: str, *, writable: bool = True) -> Column:
    return Column(name=name, kind=ColumnKind.STRING, writable=writable)


def _time(name: str, *, writable: bool = True) -> Column:
    return Column(name=name, kind=ColumnKind.DATETIME, writable=writable)


def _number(name: str, *, writable: bool = True) -> Column:
    return Column(name=name, kind=ColumnKind.DECIMAL, writable=writable)


def _lookup(name: str, target: str, navigation: str, *, writable: bool = True) -> Column:
    return Column(
        name=name, kind=ColumnKind.LOOKUP, target=target, navigation=navigation, writable=writable
    )


def _choice(name: str, labels: dict[int, str], *, writable: bool = True) -> Column:
    return Column(
        name=name, kind=ColumnKind.CHOICE, choices=MappingProxyType(labels), writable=writable
    )


def _key(name: str) -> Column:
    return Column(name=name, kind=ColumnKind.GUID)


_STATE = _choice("statecode", {0: "Active", 1: "Inactive"}, writable=False)
_STAMPS = (_time("createdon", writable=False), _time("modifiedon", writable=False))

PROJECT = Table(
    logical_name="msdyn_project",
    entity_set="msdyn_projects",
    primary_key="msdyn_projectid",
    primary_name="msdyn_subject",
    web_api_create=True,
    project_lookup="msdyn_projectid",
    columns=(
        _key("msdyn_projectid"),
        _text("msdyn_subject"),
        _text("msdyn_description"),
        _time("msdyn_start"),
        # schedule-api-preview.md: Finish, Duration, Effort*, Progress and StateCode of a
        # project are computed by the scheduling engine and refused by the Schedule APIs.
        _time("msdyn_finish", writable=False),
        _number("msdyn_duration", writable=False),
        _number("msdyn_effort", writable=False),
        _number("msdyn_effortcompleted", writable=False),
        _number("msdyn_effortremaining", writable=False),
        _number("msdyn_progress", writable=False),
        _STATE,
        _choice("statuscode", {1: "Active", 2: "Inactive"}),
        *_STAMPS,
        _lookup("_ownerid_value", "systemuser", "ownerid", writable=False),
    ),
)

PROJECT_TASK = Table(
    logical_name="msdyn_projecttask",
    entity_set="msdyn_projecttasks",
    primary_key="msdyn_projecttaskid",
    primary_name="msdyn_subject",
    project_lookup="_msdyn_project_value",
    columns=(
        _key("msdyn_projecttaskid"),
        _text("msdyn_subject"),
        _text("msdyn_description"),
        _time("msdyn_start"),
        _time("msdyn_finish"),
        _time("msdyn_scheduledstart"),
        _time("msdyn_scheduledend"),
        _time("msdyn_baselinestart", writable=False),
        _time("msdyn_baselinefinish", writable=False),
        _number("msdyn_duration"),
        _number("msdyn_effort"),
        # Editable in Project for the web (schedule-api-preview.md, "Supported operations").
        _number("msdyn_effortcompleted"),
        _number("msdyn_effortremaining"),
        _number("msdyn_progress"),
        Column(name="msdyn_outlinelevel", kind=ColumnKind.INTEGER),
        _number("msdyn_displaysequence"),
        Column(name="msdyn_ismilestone", kind=ColumnKind.BOOLEAN, writable=False),
        # Labels unverified: the subset only says 192350000 = not linked to a billing setup.
        _choice("msdyn_LinkStatus", {192350000: "Not Linked", 192350001: "Linked"}),
        _STATE,
        *_STAMPS,
        _lookup("_msdyn_project_value", "msdyn_project", "msdyn_project"),
        _lookup("_msdyn_projectbucket_value", "msdyn_projectbucket", "msdyn_projectbucket"),
        _lookup("_msdyn_parenttask_value", "msdyn_projecttask", "msdyn_parenttask"),
    ),
)

PROJECT_BUCKET = Table(
    logical_name="msdyn_projectbucket",
    entity_set="msdyn_projectbuckets",
    primary_key="msdyn_projectbucketid",
    primary_name="msdyn_name",
    project_lookup="_msdyn_project_value",
    columns=(
        _key("msdyn_projectbucketid"),
        _text("msdyn_name"),
        *_STAMPS,
        _lookup("_msdyn_project_value", "msdyn_project", "msdyn_project"),
    ),
)

PROJECT_CHECKLIST = Table(
    logical_name="msdyn_projectchecklist",
    entity_set="msdyn_projectchecklists",
    primary_key="msdyn_projectchecklistid",
    primary_name="msdyn_name",
    columns=(
        _key("msdyn_projectchecklistid"),
        _text("msdyn_name"),
        Column(name="msdyn_projectchecklistcompleted", kind=ColumnKind.BOOLEAN),
        _number("msdyn_projectchecklistorder"),
        *_STAMPS,
        # Community-validated names (the subset's x-sources): the navigation is mixed case.
        _lookup("_msdyn_projecttaskid_value", "msdyn_projecttask", "msdyn_ProjectTaskId"),
    ),
)

PROJECT_LABEL = Table(
    logical_name="msdyn_projectlabel",
    entity_set="msdyn_projectlabels",
    primary_key="msdyn_projectlabelid",
    primary_name="msdyn_projectlabeltext",
    project_lookup="_msdyn_projectid_value",
    columns=(
        _key("msdyn_projectlabelid"),
        # Community-validated names (the subset lists the entity, not its columns). Project
        # makes a project's labels itself: the Schedule APIs only rename them.
        _text("msdyn_projectlabeltext"),
        # 192350000 + the colour's position; the colours' names are not documented.
        Column(name="msdyn_colorindex", kind=ColumnKind.INTEGER, writable=False),
        _STATE,
        *_STAMPS,
        _lookup("_msdyn_projectid_value", "msdyn_project", "msdyn_ProjectId", writable=False),
    ),
)

PROJECT_TASK_LABEL = Table(
    logical_name="msdyn_projecttasktolabel",
    entity_set="msdyn_projecttasktolabels",
    primary_key="msdyn_projecttasktolabelid",
    primary_name="msdyn_name",
    columns=(
        _key("msdyn_projecttasktolabelid"),
        _text("msdyn_name", writable=False),
        _STATE,
        *_STAMPS,
        # Community-validated names: the navigations are mixed case, as a checklist's are.
        _lookup("_msdyn_projecttaskid_value", "msdyn_projecttask", "msdyn_ProjectTaskId"),
        _lookup("_msdyn_projectlabelid_value", "msdyn_projectlabel", "msdyn_ProjectLabelId"),
    ),
)

PROJECT_TEAM = Table(
    logical_name="msdyn_projectteam",
    entity_set="msdyn_projectteams",
    primary_key="msdyn_projectteamid",
    primary_name="msdyn_name",
    web_api_create=True,
    project_lookup="_msdyn_project_value",
    columns=(
        _key("msdyn_projectteamid"),
        _text("msdyn_name"),
        *_STAMPS,
        _lookup("_msdyn_project_value", "msdyn_project", "msdyn_project"),
    ),
)

TASK_DEPENDENCY = Table(
    logical_name="msdyn_projecttaskdependency",
    entity_set="msdyn_projecttaskdependencies",
    primary_key="msdyn_projecttaskdependencyid",
    primary_name="msdyn_projecttaskdependencyid",
    project_lookup="_msdyn_project_value",
    columns=(
        _key("msdyn_projecttaskdependencyid"),
        # Tenants differ in the values (192350000.. or 0..3), so they are not checked.
        Column(name="msdyn_linktype", kind=ColumnKind.INTEGER),
        *_STAMPS,
        _lookup("_msdyn_project_value", "msdyn_project", "msdyn_project"),
        _lookup("_msdyn_predecessortask_value", "msdyn_projecttask", "msdyn_predecessortask"),
        _lookup("_msdyn_successortask_value", "msdyn_projecttask", "msdyn_successortask"),
    ),
)

RESOURCE_ASSIGNMENT = Table(
    logical_name="msdyn_resourceassignment",
    entity_set="msdyn_resourceassignments",
    primary_key="msdyn_resourceassignmentid",
    primary_name="msdyn_name",
    project_lookup="_msdyn_projectid_value",
    columns=(
        _key("msdyn_resourceassignmentid"),
        _text("msdyn_name"),
        *_STAMPS,
        _lookup("_msdyn_projectid_value", "msdyn_project", "msdyn_projectid"),
        _lookup("_msdyn_taskid_value", "msdyn_projecttask", "msdyn_taskid"),
        _lookup("_msdyn_projectteamid_value", "msdyn_projectteam", "msdyn_projectteamid"),
    ),
)

OPERATION_SET_STATUS_LABELS: Mapping[int, str] = MappingProxyType(
    {
        192350000: "Open",
        192350001: "Pending",
        192350002: "Failed",
        192350003: "Completed",
        192350004: "Abandoned",
    }
)
"""``msdyn_operationset.msdyn_status``: values as community code polls them (the subset says
"numeric values not documented")."""

OPERATION_SET = Table(
    logical_name="msdyn_operationset",
    entity_set="msdyn_operationsets",
    primary_key="msdyn_operationsetid",
    primary_name="msdyn_description",
    scheduling=False,
    project_lookup="_msdyn_project_value",
    columns=(
        _key("msdyn_operationsetid"),
        _text("msdyn_description"),
        _choice("msdyn_status", dict(OPERATION_SET_STATUS_LABELS)),
        _time("msdyn_executedon"),
        _time("msdyn_completedon"),
        _text("msdyn_correlationid"),
        _text("msdyn_useraadid"),
        *_STAMPS,
        _lookup("_msdyn_project_value", "msdyn_project", "msdyn_project"),
        _lookup("_msdyn_psserrorlog_value", "msdyn_psserrorlog", "msdyn_psserrorlog"),
    ),
)

TABLES: Mapping[str, Table] = MappingProxyType(
    {
        table.logical_name: table
        for table in (
            PROJECT,
            PROJECT_TASK,
            PROJECT_BUCKET,
            PROJECT_CHECKLIST,
            PROJECT_LABEL,
            PROJECT_TASK_LABEL,
            PROJECT_TEAM,
            TASK_DEPENDENCY,
            RESOURCE_ASSIGNMENT,
            OPERATION_SET,
        )
    }
)
"""Every emulated table by logical name."""

ENTITY_SETS: Mapping[str, Table] = MappingProxyType({t.entity_set: t for t in TABLES.values()})
"""Every emulated table by entity set name (case-sensitive, as Dataverse's are)."""

NOT_EMULATED_SCHEDULING_TABLES = frozenset(
    {
        "msdyn_projectsprint",
        "msdyn_projectgoal",
        "msdyn_projecttasktogoal",
    }
)
"""Scheduling entities the Schedule APIs accept but the sandbox does not keep."""
