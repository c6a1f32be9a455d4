"""Northwind's Jira configuration: fields, statuses, priorities, issue types and projects.

`JiraSchema` also hands out the shared nested objects issues embed (a status, an option), one
instance per value for the whole build; see `jira_model` for why they are shared.
"""

from flywheel_sync.domain import CustomerExperienceStage, FlywheelStage
from flywheel_sync.sandbox.demo.catalogue import CUSTOMERS, PMO_NAME, SERVICES
from flywheel_sync.sandbox.demo.jira_model import (
    JiraFieldDef,
    JiraIssueType,
    JiraPriority,
    JiraProject,
    JiraStatus,
    JsonObject,
)
from flywheel_sync.sandbox.demo.people import DemoPerson

__all__ = [
    "CSAT",
    "CUSTOMER_EXPERIENCE_STAGE",
    "FLAGGED",
    "FLYWHEEL_STAGE",
    "PMO_CUSTOMER",
    "PMO_PROJECT_KEY",
    "PMO_SERVICE",
    "SPRINT",
    "JiraSchema",
]

FLYWHEEL_STAGE = "customfield_10010"
CUSTOMER_EXPERIENCE_STAGE = "customfield_10011"
PMO_CUSTOMER = "customfield_10012"
PMO_SERVICE = "customfield_10013"
CSAT = "customfield_10014"
SPRINT = "customfield_10020"
FLAGGED = "customfield_10021"

PMO_PROJECT_KEY = "PMO"

_PLUGIN = "com.atlassian.jira.plugin.system.customfieldtypes"


def _standard(field_id: str, name: str, schema_type: str, items: str | None = None) -> JiraFieldDef:
    return JiraFieldDef(id=field_id, name=name, custom=False, schema_type=schema_type, items=items)


def _select(field_id: str, name: str, options: tuple[str, ...], first_id: int) -> JiraFieldDef:
    return JiraFieldDef(
        id=field_id,
        name=name,
        custom=True,
        schema_type="option",
        custom_type=f"{_PLUGIN}:select",
        options=options,
        option_ids=tuple(str(first_id + n) for n in range(len(options))),
    )


def _fields() -> tuple[JiraFieldDef, ...]:
    return (
        _standard("summary", "Summary", "string"),
        _standard("description", "Description", "string"),
        _standard("issuetype", "Issue Type", "issuetype"),
        _standard("project", "Project", "project"),
        _standard("status", "Status", "status"),
        _standard("priority", "Priority", "priority"),
        _standard("assignee", "Assignee", "user"),
        _standard("reporter", "Reporter", "user"),
        _standard("labels", "Labels", "array", items="string"),
        _standard("duedate", "Due date", "date"),
        _standard("created", "Created", "datetime"),
        _standard("updated", "Updated", "datetime"),
        _standard("resolution", "Resolution", "resolution"),
        _standard("resolutiondate", "Resolved", "datetime"),
        _standard("parent", "Parent", "issuelink"),
        _select(
            FLYWHEEL_STAGE, "Flywheel Stage", tuple(stage.label for stage in FlywheelStage), 10101
        ),
        _select(
            CUSTOMER_EXPERIENCE_STAGE,
            "Customer Experience Stage",
            tuple(stage.label for stage in CustomerExperienceStage),
            10201,
        ),
        _select(PMO_CUSTOMER, "PMO Customer", tuple(c.name for c in CUSTOMERS), 10301),
        _select(PMO_SERVICE, "PMO Service", tuple(s.name for s in SERVICES), 10401),
        JiraFieldDef(
            id=CSAT, name="CSAT", custom=True, schema_type="number", custom_type=f"{_PLUGIN}:float"
        ),
        JiraFieldDef(
            id=SPRINT,
            name="Sprint",
            custom=True,
            schema_type="array",
            items="json",
            custom_type="com.pyxis.greenhopper.jira:gh-sprint",
        ),
        JiraFieldDef(
            id=FLAGGED,
            name="Flagged",
            custom=True,
            schema_type="array",
            items="option",
            custom_type=f"{_PLUGIN}:multicheckboxes",
            options=("Impediment",),
            option_ids=("10019",),
        ),
    )


_STATUSES = (
    JiraStatus(
        id="10000",
        name="To Do",
        category_id=2,
        category_key="new",
        category_name="To Do",
        category_color="blue-gray",
    ),
    JiraStatus(
        id="3",
        name="In Progress",
        category_id=4,
        category_key="indeterminate",
        category_name="In Progress",
        category_color="yellow",
    ),
    JiraStatus(
        id="10002",
        name="In Review",
        category_id=4,
        category_key="indeterminate",
        category_name="In Progress",
        category_color="yellow",
    ),
    JiraStatus(
        id="10003",
        name="Blocked",
        category_id=4,
        category_key="indeterminate",
        category_name="In Progress",
        category_color="yellow",
    ),
    JiraStatus(
        id="10001",
        name="Done",
        category_id=3,
        category_key="done",
        category_name="Done",
        category_color="green",
    ),
)

_PRIORITIES = tuple(
    JiraPriority(id=str(n), name=name)
    for n, name in enumerate(("Highest", "High", "Medium", "Low", "Lowest"), start=1)
)

_ISSUE_TYPES = (
    JiraIssueType(
        id="10000", name="Epic", subtask=False, hierarchy_level=1, description="A large body."
    ),
    JiraIssueType(
        id="10001", name="Story", subtask=False, hierarchy_level=0, description="A user story."
    ),
    JiraIssueType(
        id="10002", name="Task", subtask=False, hierarchy_level=0, description="A piece of work."
    ),
    JiraIssueType(
        id="10003", name="Sub-task", subtask=True, hierarchy_level=-1, description="Part of a task."
    ),
    JiraIssueType(id="10004", name="Bug", subtask=False, hierarchy_level=0, description="A flaw."),
    JiraIssueType(
        id="10005",
        name="Need",
        subtask=False,
        hierarchy_level=0,
        description="A request a PMO customer raised.",
    ),
    JiraIssueType(
        id="10006",
        name="Customer",
        subtask=False,
        hierarchy_level=0,
        description="A PMO customer and its experience stage.",
    ),
)

_PMO_TYPES = ("10000", "10002", "10003", "10005", "10006")
_DELIVERY_TYPES = ("10000", "10001", "10002", "10003", "10004")

RESOLUTION_DONE: JsonObject = {
    "id": "10000",
    "name": "Done",
    "description": "Work has been completed on this issue.",
}


class JiraSchema:
    """The site's configuration for one build, and the shared objects issues embed."""

    def __init__(self, *, pmo_lead: DemoPerson, project_leads: dict[str, DemoPerson]) -> None:
        self.fields = _fields()
        self.statuses = _STATUSES
        self.priorities = _PRIORITIES
        self.issue_types = _ISSUE_TYPES
        self.projects = (
            JiraProject(
                id="10000",
                key=PMO_PROJECT_KEY,
                name=PMO_NAME,
                project_type_key="software",
                lead_account_id=pmo_lead.account_id,
                description="Engagements, customers and needs of the Enterprise PMO.",
                issue_type_ids=_PMO_TYPES,
            ),
            *(
                JiraProject(
                    id=str(10001 + n),
                    key=entry.project_key,
                    name=entry.project_name,
                    project_type_key="software",
                    lead_account_id=project_leads[entry.project_key].account_id,
                    description=f"Delivery work of {entry.name}.",
                    issue_type_ids=_DELIVERY_TYPES,
                )
                for n, entry in enumerate(CUSTOMERS)
            ),
        )
        self._statuses = {status.name: status.ref() for status in self.statuses}
        self._priorities = {priority.name: priority.ref() for priority in self.priorities}
        self._types = {kind.name: kind.ref() for kind in self.issue_types}
        self._projects = {project.key: project.ref() for project in self.projects}
        self._fields = {definition.id: definition for definition in self.fields}
        self._options: dict[tuple[str, str], JsonObject] = {}
        self.resolution_done = dict(RESOLUTION_DONE)

    def status(self, name: str) -> JsonObject:
        """The shared ``status`` object of a status name."""
        return self._statuses[name]

    def status_def(self, name: str) -> JiraStatus:
        """The definition of a status name."""
        return next(status for status in self.statuses if status.name == name)

    def priority(self, name: str) -> JsonObject:
        """The shared ``priority`` object of a priority name."""
        return self._priorities[name]

    def issue_type(self, name: str) -> JsonObject:
        """The shared ``issuetype`` object of an issue type name."""
        return self._types[name]

    def project(self, key: str) -> JsonObject:
        """The shared ``project`` object of a project key."""
        return self._projects[key]

    def option(self, field_id: str, value: str) -> JsonObject:
        """The shared option object of a select field's value."""
        found = self._options.get((field_id, value))
        if found is None:
            found = self._fields[field_id].option(value)
            self._options[(field_id, value)] = found
        return found

    def field(self, field_id: str) -> JiraFieldDef:
        """The definition of a field id."""
        return self._fields[field_id]
