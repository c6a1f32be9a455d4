"""Mapping rules: which tool records become which Value Ring entities, and how values are read.

A rule names a source (``jira:pmo``), selects records in it, says what entity it produces and
where that entity's attributes come from. Each attribute is a ``ValueSource``: one way of
reading a value out of a record (a field, the Planner bucket, a label prefix, a constant),
optionally narrowed by a regular expression and translated through a value map. The same small
vocabulary covers "the Flywheel Stage field", "status → stage table" and "bucket name → stage".
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from flywheel_sync.settings.base import ConfigModel

__all__ = [
    "SOURCE_TOOLS",
    "EntityKind",
    "MappingRule",
    "RecordSelection",
    "ValueSource",
]

SOURCE_TOOLS = ("jira", "planner", "teams", "project", "mspdi")
"""Tools records can be read from (Confluence and webhooks are write-only targets)."""

_SELECTION_KEYS_BY_TOOL: dict[str, frozenset[str]] = {
    "jira": frozenset({"jql", "projects", "issue_types"}),
    "planner": frozenset({"groups", "plans"}),
    "teams": frozenset({"channels"}),
    "project": frozenset({"projects"}),
    "mspdi": frozenset(),
}


class EntityKind(StrEnum):
    """The Value Ring entity a rule produces from each record it selects."""

    CUSTOMER = "customer"
    SERVICE = "service"
    NEED = "need"
    SYMPTOM = "symptom"
    VALUE_PROPOSITION = "value_proposition"
    ENGAGEMENT = "engagement"
    CHECKLIST_ITEM = "checklist_item"
    WORK_ITEM = "work_item"
    """Delivery work (issues, tasks) that KPIs and symptom detectors read."""


class ValueSource(ConfigModel):
    r"""Where one value comes from in a record.

    Exactly one of ``field``, ``bucket``, ``label_prefix`` or ``constant``.

    Examples::

        {field: "Flywheel Stage"}                          # a Jira custom field, by name
        {field: status, value_map: {"In Progress": service_operation}}
        {bucket: true}                                     # the Planner/Project bucket name
        {label_prefix: "eng:"}                             # the label "eng:PMO-12" gives "PMO-12"
        {field: title, pattern: '\\[(?P<value>PMO-\\d+)\\]'}
    """

    field: str | None = Field(
        default=None,
        description="A record field by display name or id: 'PMO Customer', 'customfield_10010', "
        "'key', 'status', 'summary', 'title', 'labels'.",
    )
    bucket: bool = Field(default=False, description="The name of the record's bucket.")
    label_prefix: str | None = Field(
        default=None, description="The first label starting with this prefix, prefix removed."
    )
    constant: str | None = Field(default=None, description="The same value for every record.")
    pattern: str | None = Field(
        default=None,
        description="A regular expression with a group named 'value' that extracts the value.",
    )
    value_map: dict[str, str] = Field(
        default_factory=dict,
        description="Translates tool values (matched case-insensitively) to ours.",
    )

    @model_validator(mode="after")
    def _exactly_one_origin(self) -> ValueSource:
        given = [
            name
            for name, present in (
                ("field", self.field is not None),
                ("bucket", self.bucket),
                ("label_prefix", self.label_prefix is not None),
                ("constant", self.constant is not None),
            )
            if present
        ]
        if len(given) != 1:
            raise PydanticCustomError(
                "value_source",
                "give exactly one of 'field', 'bucket', 'label_prefix' or 'constant' (got {given})",
                {"given": ", ".join(given) or "none"},
            )
        return self

    @field_validator("pattern")
    @classmethod
    def _pattern_has_value_group(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            compiled = re.compile(value)
        except (re.error, OverflowError, RecursionError) as error:
            # A repeat count past the engine's limit (OverflowError) or groups nested past
            # the compiler's recursion are no re.error, and pydantic would let them escape.
            reason = "groups nested too deeply" if isinstance(error, RecursionError) else error
            raise PydanticCustomError(
                "pattern",
                "'{value}' is not a valid regular expression: {reason}",
                {"value": value, "reason": str(reason)},
            ) from None
        if "value" not in compiled.groupindex:
            raise PydanticCustomError(
                "pattern",
                "'{value}' needs a group named 'value', e.g. '\\[(?P<value>PMO-\\d+)\\]'",
                {"value": value},
            )
        return value


class ChannelRef(ConfigModel):
    """A Teams channel, by ids (``team_id``, ``channel_id``) as Graph names them."""

    team_id: str = Field(min_length=1)
    channel_id: str = Field(min_length=1)


class RecordSelection(ConfigModel):
    """Which records of the source a rule reads. The keys that apply depend on the tool."""

    jql: str | None = Field(default=None, description="Jira: a bounded JQL query.")
    projects: tuple[str, ...] = Field(
        default=(), description="Jira project keys, or Microsoft Project project names."
    )
    issue_types: tuple[str, ...] = Field(default=(), description="Jira issue type names.")
    groups: tuple[str, ...] = Field(default=(), description="Planner: Microsoft 365 group ids.")
    plans: tuple[str, ...] = Field(default=(), description="Planner plan ids.")
    channels: tuple[ChannelRef, ...] = Field(default=(), description="Teams channels.")

    def keys_given(self) -> frozenset[str]:
        """The selection keys this rule actually sets."""
        return frozenset(name for name in type(self).model_fields if getattr(self, name))

    def jira_query(self) -> str | None:
        """The JQL a Jira rule reads: its ``jql``, or its projects, narrowed by issue types.

        The pull names each Jira scope by this query, so equal selections share one scope.
        """
        if self.jql:
            jql = self.jql
        elif self.projects:
            jql = f"project in ({_quoted(self.projects)})"
        else:
            return None
        if self.issue_types:
            jql = f"({jql}) AND issuetype in ({_quoted(self.issue_types)})"
        return jql


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join('"' + value.replace('"', '\\"') + '"' for value in values)


class MappingRule(ConfigModel):
    """Turns the records a selection matches into one kind of entity."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,59}$", description="Unique rule name.")
    source: str = Field(
        pattern=r"^[a-z]+:[a-z][a-z0-9_]*$",
        description="'<tool>:<connection>' from flywheel.toml: 'jira:pmo', 'planner:northwind'.",
    )
    select: RecordSelection = RecordSelection()
    produces: EntityKind
    id: ValueSource | None = Field(
        default=None, description="The entity id; default: the record's key or id."
    )
    title: ValueSource | None = Field(default=None, description="A display name or title.")
    customer: ValueSource | None = Field(default=None, description="The PMO customer.")
    service: ValueSource | None = Field(default=None, description="The PMO service.")
    flywheel_stage: ValueSource | None = Field(
        default=None, description="The engagement's Value-Generating PMO Flywheel stage."
    )
    experience_stage: ValueSource | None = Field(
        default=None, description="The customer's Customer Experience Cycle stage."
    )
    join_key: ValueSource | None = Field(
        default=None,
        description="Joins one entity across tools: records of different rules with the same "
        "join key are the same engagement (e.g. the Jira epic key written on the Planner task).",
    )
    engagement: ValueSource | None = Field(
        default=None,
        description="For checklist items, needs and work items: the join key (or id) of the "
        "engagement they belong to, e.g. the parent epic's key of an onboarding sub-task.",
    )
    done: ValueSource | None = Field(
        default=None,
        description="Whether a checklist item or work item is done: a value mapped to 'true' "
        "(or yes/done/1) means done, e.g. {field: statusCategory, value_map: {Done: 'true'}}.",
    )
    checklist: bool = Field(
        default=False,
        description="Engagement rules on Planner or Project: the record's own checklist "
        "(Planner task details, Project checklist rows) is the engagement's onboarding checklist.",
    )
    attributes: dict[str, ValueSource] = Field(
        default_factory=dict,
        description="Further values KPIs and symptom detectors read (due date, priority, ...).",
    )

    @property
    def tool(self) -> str:
        """The tool part of ``source``."""
        return self.source.split(":", 1)[0]

    @field_validator("source")
    @classmethod
    def _known_tool(cls, value: str) -> str:
        tool = value.split(":", 1)[0]
        if tool not in SOURCE_TOOLS:
            raise PydanticCustomError(
                "source_tool",
                "'{tool}' cannot be read from; sources are {tools}",
                {"tool": tool, "tools": ", ".join(SOURCE_TOOLS)},
            )
        return value

    @model_validator(mode="after")
    def _fits_its_tool(self) -> MappingRule:
        foreign = sorted(self.select.keys_given() - _SELECTION_KEYS_BY_TOOL[self.tool])
        if foreign:
            raise PydanticCustomError(
                "selection",
                "select.{key} does not apply to {tool} records",
                {"key": foreign[0], "tool": self.tool},
            )
        needed = {
            EntityKind.ENGAGEMENT: ("customer", "service"),
            EntityKind.NEED: ("customer",),
            EntityKind.CHECKLIST_ITEM: ("engagement",),
        }.get(self.produces, ())
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise PydanticCustomError(
                "rule_incomplete",
                "a rule producing {kind} entities needs {names}",
                {"kind": self.produces.value, "names": " and ".join(repr(n) for n in missing)},
            )
        if self.checklist and (
            self.produces is not EntityKind.ENGAGEMENT or self.tool not in {"planner", "project"}
        ):
            raise PydanticCustomError(
                "checklist",
                "'checklist: true' reads the checklists of Planner or Project engagement "
                "records; this rule produces {kind} entities from {tool}",
                {"kind": self.produces.value, "tool": self.tool},
            )
        return self
