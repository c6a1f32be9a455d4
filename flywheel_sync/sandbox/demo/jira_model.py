"""The Jira site of the demo as values close to the REST wire: schema, users and issues.

Issue ``fields`` hold Jira REST v3 JSON (option, status, user objects; ISO dates) so an emulator
serialises them as they are. Descriptions and comment bodies are plain text: the emulator renders
them as ADF (v3) or wiki markup (v2). A field missing from ``fields`` is null.

Nested objects inside ``fields`` and changelogs (statuses, options, users, projects, sprints,
changelog items) are shared between issues to keep 100,000 issues small, and a history's
``items`` and the Sprint field's value are tuples (they serialise as JSON arrays): replace a
value on a write, never mutate a nested object in place.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "JiraFieldDef",
    "JiraIssue",
    "JiraIssueType",
    "JiraPriority",
    "JiraProject",
    "JiraSite",
    "JiraStatus",
    "JiraUser",
    "JsonObject",
]

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class JiraFieldDef:
    """A field as ``GET /rest/api/3/field`` describes it.

    Attributes:
        schema_type: ``schema.type``: "string", "option", "array", "date", "datetime", "user",
            "number", "priority", "status", "issuetype", "project", "issuelink", ...
        items: ``schema.items`` for arrays ("option", "string", "json").
        custom_type: ``schema.custom`` for custom fields (the plugin type URI).
        options: Allowed values of select and checkbox fields, with ``option_ids`` alongside.
    """

    id: str
    name: str
    custom: bool
    schema_type: str
    items: str | None = None
    custom_type: str | None = None
    options: tuple[str, ...] = ()
    option_ids: tuple[str, ...] = ()

    def option(self, value: str) -> JsonObject:
        """The ``{"value", "id"}`` object Jira returns for one option of this field.

        Raises:
            ValueError: The field has no such option.
        """
        try:
            index = self.options.index(value)
        except ValueError:
            raise ValueError(f"field {self.name!r} has no option {value!r}") from None
        return {"value": value, "id": self.option_ids[index]}


@dataclass(frozen=True, slots=True, kw_only=True)
class JiraStatus:
    """A workflow status and its category (new / indeterminate / done)."""

    id: str
    name: str
    category_id: int
    category_key: str
    category_name: str
    category_color: str

    def ref(self) -> JsonObject:
        """The status object an issue's ``status`` field holds."""
        return {
            "id": self.id,
            "name": self.name,
            "statusCategory": {
                "id": self.category_id,
                "key": self.category_key,
                "name": self.category_name,
                "colorName": self.category_color,
            },
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class JiraPriority:
    """A priority; a lower id is more urgent (1 Highest … 5 Lowest)."""

    id: str
    name: str

    def ref(self) -> JsonObject:
        """The priority object an issue's ``priority`` field holds."""
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True, slots=True, kw_only=True)
class JiraIssueType:
    """An issue type; ``hierarchy_level`` is 1 for epics, 0 for standard types, -1 for sub-tasks."""

    id: str
    name: str
    subtask: bool
    hierarchy_level: int
    description: str

    def ref(self) -> JsonObject:
        """The issue type object an issue's ``issuetype`` field holds."""
        return {
            "id": self.id,
            "name": self.name,
            "subtask": self.subtask,
            "hierarchyLevel": self.hierarchy_level,
            "description": self.description,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class JiraProject:
    """A project, its lead and the issue types it offers (ids of `JiraIssueType`)."""

    id: str
    key: str
    name: str
    project_type_key: str
    lead_account_id: str
    description: str
    issue_type_ids: tuple[str, ...]

    def ref(self) -> JsonObject:
        """The project object an issue's ``project`` field holds."""
        return {
            "id": self.id,
            "key": self.key,
            "name": self.name,
            "projectTypeKey": self.project_type_key,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class JiraUser:
    """A user: Cloud identifies them by ``account_id``, Data Center by ``name``."""

    account_id: str
    name: str
    display_name: str
    email_address: str
    active: bool = True


@dataclass(slots=True, kw_only=True)
class JiraIssue:
    """One issue as the emulator stores it; mutable so the emulator can apply writes.

    Attributes:
        id: Numeric string; ids ascend with creation across the whole site.
        fields: Field id → REST v3 JSON value. ``updated`` equals the latest changelog
            ``created`` (or ``created`` when there is no history).
        changelog: Histories oldest first: ``{"id", "author", "created", "items": [...]}``;
            history ids ascend with time across the site.
        comments: ``{"id", "author", "body", "created", "updated"}`` oldest first; bodies are
            plain text. No comment is later than ``updated``.
        properties: Issue entity properties, key → JSON value.
    """

    id: str
    key: str
    fields: JsonObject
    changelog: list[JsonObject] = field(default_factory=list)
    comments: list[JsonObject] = field(default_factory=list)
    properties: JsonObject = field(default_factory=dict)

    @property
    def project_key(self) -> str:
        """The key of the project the issue belongs to."""
        return self.key.rpartition("-")[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class JiraSite:
    """The whole Jira site: schema, users, projects and issues in creation order.

    Lookups by key or id are dictionary reads, cheap enough for every request an emulator
    answers. The site counts issue ids, changelog ids and comment ids from the values returned
    by `next_ids`, so new writes can continue the sequences.
    """

    fields: tuple[JiraFieldDef, ...]
    statuses: tuple[JiraStatus, ...]
    priorities: tuple[JiraPriority, ...]
    issue_types: tuple[JiraIssueType, ...]
    projects: tuple[JiraProject, ...]
    users: tuple[JiraUser, ...]
    issues: tuple[JiraIssue, ...]
    _by_key: Mapping[str, JiraIssue] = field(repr=False, compare=False)
    _by_id: Mapping[str, JiraIssue] = field(repr=False, compare=False)
    _by_project: Mapping[str, tuple[JiraIssue, ...]] = field(repr=False, compare=False)
    _users: Mapping[str, JiraUser] = field(repr=False, compare=False)

    @classmethod
    def assemble(cls, **parts: Any) -> "JiraSite":
        """Build the site and its lookups from the named parts (issues in creation order)."""
        issues: tuple[JiraIssue, ...] = parts["issues"]
        users: tuple[JiraUser, ...] = parts["users"]
        by_project: dict[str, list[JiraIssue]] = {}
        for issue in issues:
            by_project.setdefault(issue.project_key, []).append(issue)
        return cls(
            **parts,
            _by_key={issue.key: issue for issue in issues},
            _by_id={issue.id: issue for issue in issues},
            _by_project={key: tuple(found) for key, found in by_project.items()},
            _users={user.account_id: user for user in users} | {u.name: u for u in users},
        )

    def issue(self, key_or_id: str) -> JiraIssue | None:
        """The issue with this key (any case) or numeric id, or None."""
        if key_or_id.isdigit():
            return self._by_id.get(key_or_id)
        return self._by_key.get(key_or_id.upper())

    def issues_in(self, project_key: str) -> tuple[JiraIssue, ...]:
        """The issues of one project, in creation order (empty for an unknown project)."""
        return self._by_project.get(project_key, ())

    def user(self, account_id_or_name: str) -> JiraUser | None:
        """The user with this Cloud account id or Data Center user name, or None."""
        return self._users.get(account_id_or_name)

    def field_by_name(self, name: str) -> JiraFieldDef:
        """The field definition with this display name.

        Raises:
            KeyError: No field has that name.
        """
        for definition in self.fields:
            if definition.name == name:
                return definition
        raise KeyError(name)

    def next_ids(self) -> tuple[int, int, int]:
        """The next free issue id, changelog history id and comment id."""
        issue_ids = [int(issue.id) for issue in self.issues]
        history_ids = [int(h["id"]) for issue in self.issues for h in issue.changelog]
        comment_ids = [int(c["id"]) for issue in self.issues for c in issue.comments]
        return (
            max(issue_ids, default=10000) + 1,
            max(history_ids, default=10000) + 1,
            max(comment_ids, default=10000) + 1,
        )
