"""Which field a JQL clause names, and how that field may be searched and sorted.

A name is looked up first among Jira's system clauses (declared below, with their aliases:
``key``/``issuekey``/``issue``/``id``, ``type``, ``due``, ``resolved``, ``text``, ...), then
in the emulator's `FieldCatalog` (custom fields by name, any case, or ``cf[10010]``). A
catalog field is searched according to its ``schema_type`` (Jira's ``schema.type``):

=========================================  ===========  ==================================
schema_type                                searched as  operators
=========================================  ===========  ==================================
``string``, ``text``, ``textarea``, url     text         ``~ !~ IS [NOT]``
``number``                                 number       ``= != < <= > >= [NOT] IN IS [NOT]``
``date``, ``datetime``                     date         as number
``status``                                 named value  ``= != [NOT] IN``
anything else (``option``, ``array``,      named value  ``= != [NOT] IN IS [NOT]``
``user``, ``project``, ``priority``, ...)
=========================================  ===========  ==================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from flywheel_sync.sandbox.jira.documents import document_text
from flywheel_sync.sandbox.jira.jql.syntax import Operator
from flywheel_sync.sandbox.jira.jql.values import NAME_KEYS

__all__ = ["Domain", "FieldCatalog", "FieldRef", "NamedOrder", "SearchField", "resolve_field"]

Issue = Mapping[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class FieldRef:
    """A field as the emulator knows it: ``customfield_10010``, ``Flywheel Stage``, ``option``."""

    id: str
    name: str
    schema_type: str


class FieldCatalog(Protocol):
    """The emulator's fields, looked up by any name a JQL query may use for them."""

    def resolve(self, name: str) -> FieldRef | None:
        """The field ``name`` denotes (case-insensitive name, ``cf[10010]``), or None."""
        ...


class Domain(StrEnum):
    """How a field's values are read and compared."""

    KEY = "key"  # the issue's own key and id
    NAMED = "named"  # objects and strings matched by name, key or id, case-insensitively
    TEXT = "text"  # free text searched with ~
    DATE = "date"  # instants
    NUMBER = "number"
    RANK = "rank"  # ORDER BY only: creation order stands in for Jira's LexoRank


class NamedOrder(StrEnum):
    """How ORDER BY sorts a named value."""

    NAME = "name"
    ID = "id"  # select options and statuses: their configured order, approximated by id
    ID_DESCENDING = "id descending"  # priorities: id 1 is Highest, so ASC lists Lowest first
    CATEGORY = "category"  # status categories: To Do, In Progress, Done


_EQUALITY = frozenset({Operator.EQUALS, Operator.NOT_EQUALS, Operator.IN, Operator.NOT_IN})
_NULLABLE = _EQUALITY | {Operator.IS, Operator.IS_NOT}
_RANGES = frozenset(
    {Operator.LESS, Operator.LESS_OR_EQUAL, Operator.GREATER, Operator.GREATER_OR_EQUAL}
)
_ORDERED = _NULLABLE | _RANGES
_TEXT = frozenset({Operator.CONTAINS, Operator.NOT_CONTAINS, Operator.IS, Operator.IS_NOT})


@dataclass(frozen=True, kw_only=True, slots=True)
class SearchField:
    """A resolved field with its search behaviour; ``read`` takes the whole issue."""

    ref: FieldRef
    domain: Domain
    operators: frozenset[Operator]
    read: Callable[[Issue], Any]
    supports_empty: bool = True
    holds_users: bool = False
    sortable: bool = True
    named_order: NamedOrder = NamedOrder.NAME
    name_keys: tuple[str, ...] = NAME_KEYS


def _field_value(field_id: str) -> Callable[[Issue], Any]:
    def read(issue: Issue) -> Any:
        fields = issue.get("fields")
        return fields.get(field_id) if fields else None

    return read


def _whole_issue(issue: Issue) -> Any:
    return issue


def _status_category(issue: Issue) -> Any:
    status = (issue.get("fields") or {}).get("status")
    return status.get("statusCategory") if isinstance(status, Mapping) else None


_TEXT_FIELDS = ("summary", "description", "environment", "comment")


def _plain(value: Any) -> Any:
    """A text field's words: a document written through REST v3 is searched as its text."""
    return document_text(value) if isinstance(value, dict) else value


def _description(issue: Issue) -> Any:
    return _plain((issue.get("fields") or {}).get("description"))


def _all_text(issue: Issue) -> Any:
    """``text ~``: summary, description, environment, comments and text custom fields."""
    fields = issue.get("fields") or {}
    texts: list[Any] = [_plain(fields.get(field_id)) for field_id in _TEXT_FIELDS]
    texts.extend(
        value
        for field_id, value in fields.items()
        if field_id.startswith("customfield_") and isinstance(value, str)
    )
    return [text for text in texts if text]


def _system(
    clauses: tuple[str, ...], field_id: str, name: str, domain: Domain, **behaviour: Any
) -> tuple[tuple[str, ...], SearchField]:
    read = behaviour.pop("read", None) or _field_value(field_id)
    schema_type = behaviour.pop("schema_type", None) or _SYSTEM_SCHEMA.get(domain, field_id)
    ref = FieldRef(id=field_id, name=name, schema_type=schema_type)
    return clauses, SearchField(ref=ref, domain=domain, read=read, **behaviour)


# Jira's schema.type per domain, where the field's id is not already the type's name.
_SYSTEM_SCHEMA = {Domain.DATE: "datetime", Domain.TEXT: "string"}
# Which members of a field's JSON object a JQL value may name (fewer keys: faster searches).
_NAMED_BY_KEY = ("key", "name", "id")
_NAMED_BY_NAME = ("name", "id")
_USER_KEYS = ("accountId", "displayName", "emailAddress")
_OPTION_KEYS = ("value", "id")
_USER = {"holds_users": True, "schema_type": "user", "name_keys": _USER_KEYS}
_SYSTEM_FIELDS = (
    _system(("key", "issuekey", "issue", "id"), "issuekey", "Key", Domain.KEY,
            operators=_EQUALITY | _RANGES, supports_empty=False, read=_whole_issue),
    _system(("project",), "project", "Project", Domain.NAMED, operators=_NULLABLE,
            name_keys=_NAMED_BY_KEY),
    _system(("issuetype", "type"), "issuetype", "Issue Type", Domain.NAMED, operators=_NULLABLE,
            name_keys=_NAMED_BY_NAME),
    _system(("status",), "status", "Status", Domain.NAMED, operators=_EQUALITY,
            supports_empty=False, named_order=NamedOrder.ID, name_keys=_NAMED_BY_NAME),
    _system(("statuscategory",), "statusCategory", "Status Category", Domain.NAMED,
            operators=_EQUALITY, supports_empty=False, read=_status_category,
            named_order=NamedOrder.CATEGORY, name_keys=_NAMED_BY_KEY),
    _system(("priority",), "priority", "Priority", Domain.NAMED, operators=_NULLABLE,
            named_order=NamedOrder.ID_DESCENDING, name_keys=_NAMED_BY_NAME),
    _system(("resolution",), "resolution", "Resolution", Domain.NAMED, operators=_NULLABLE,
            name_keys=_NAMED_BY_NAME),
    _system(("assignee",), "assignee", "Assignee", Domain.NAMED, operators=_NULLABLE, **_USER),
    _system(("reporter",), "reporter", "Reporter", Domain.NAMED, operators=_NULLABLE, **_USER),
    _system(("creator",), "creator", "Creator", Domain.NAMED, operators=_NULLABLE, **_USER),
    _system(("labels",), "labels", "Labels", Domain.NAMED, operators=_NULLABLE,
            schema_type="array"),
    _system(("parent",), "parent", "Parent", Domain.NAMED, operators=_EQUALITY,
            supports_empty=False, schema_type="issuelink", name_keys=("key", "id")),
    _system(("created", "createddate"), "created", "Created", Domain.DATE, operators=_ORDERED),
    _system(("updated", "updateddate"), "updated", "Updated", Domain.DATE, operators=_ORDERED),
    _system(("resolved", "resolutiondate"), "resolutiondate", "Resolved", Domain.DATE,
            operators=_ORDERED),
    _system(("duedate", "due"), "duedate", "Due date", Domain.DATE, operators=_ORDERED,
            schema_type="date"),
    _system(("summary",), "summary", "Summary", Domain.TEXT, operators=_TEXT),
    _system(("description",), "description", "Description", Domain.TEXT, operators=_TEXT,
            sortable=False, read=_description),
    _system(("environment",), "environment", "Environment", Domain.TEXT, operators=_TEXT,
            sortable=False),
    _system(("comment",), "comment", "Comment", Domain.TEXT,
            operators=frozenset({Operator.CONTAINS, Operator.NOT_CONTAINS}),
            supports_empty=False, sortable=False, schema_type="comments-page"),
    _system(("text",), "text", "Text", Domain.TEXT, operators=frozenset({Operator.CONTAINS}),
            supports_empty=False, sortable=False, read=_all_text),
    _system(("rank",), "rank", "Rank", Domain.RANK, operators=frozenset(),
            read=_whole_issue),
)  # fmt: skip
SYSTEM_CLAUSES: Mapping[str, SearchField] = {
    clause: field for clauses, field in _SYSTEM_FIELDS for clause in clauses
}
"""Jira's system clause names (casefolded) to their fields."""

_TEXT_TYPES = frozenset({"string", "text", "textarea", "url"})
_DATE_TYPES = frozenset({"date", "datetime"})


def _catalog_field(ref: FieldRef) -> SearchField:
    """The search behaviour the table in the module docstring gives ``ref.schema_type``."""
    kind = ref.schema_type
    read = _field_value(ref.id)
    if kind in _TEXT_TYPES:
        return SearchField(ref=ref, domain=Domain.TEXT, operators=_TEXT, read=read)
    if kind == "number":
        return SearchField(ref=ref, domain=Domain.NUMBER, operators=_ORDERED, read=read)
    if kind in _DATE_TYPES:
        return SearchField(ref=ref, domain=Domain.DATE, operators=_ORDERED, read=read)
    if kind == "status":
        return SearchField(
            ref=ref, domain=Domain.NAMED, operators=_EQUALITY, read=read,
            supports_empty=False, named_order=NamedOrder.ID, name_keys=_NAMED_BY_NAME,
        )  # fmt: skip
    if kind == "option":
        return SearchField(
            ref=ref, domain=Domain.NAMED, operators=_NULLABLE, read=read,
            named_order=NamedOrder.ID, name_keys=_OPTION_KEYS,
        )  # fmt: skip
    if kind == "user":
        return SearchField(
            ref=ref, domain=Domain.NAMED, operators=_NULLABLE, read=read,
            holds_users=True, name_keys=_USER_KEYS,
        )  # fmt: skip
    return SearchField(ref=ref, domain=Domain.NAMED, operators=_NULLABLE, read=read)


def resolve_field(name: str, catalog: FieldCatalog) -> SearchField | None:
    """The field a clause's name denotes: a system clause first, then the catalog."""
    system = SYSTEM_CLAUSES.get(name.casefold())
    if system is not None:
        return system
    ref = catalog.resolve(name)
    return None if ref is None else _catalog_field(ref)
