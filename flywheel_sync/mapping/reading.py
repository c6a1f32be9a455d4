"""Reading a stored record by the names people use, whatever tool it came from.

Every value comes back as a tuple of strings: empty when the record has none, several when a
field holds several (labels, a project's key and name, a user's name, e-mail and account id).
Rules then pick, narrow and translate them (`flywheel_sync.mapping.values`). Each tool has
its own reader because each tool hides names behind ids differently; a name no special case
knows is looked up as a field (Jira, by name or id) or as a dotted path into the payload.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flywheel_sync.mapping.context import Payload, RecordContext, RecordType
from flywheel_sync.store.rows import StoredRecord

__all__ = [
    "JIRA_FIELD_HOLDING",
    "ChecklistEntry",
    "RecordReader",
    "parse_time",
    "reader_for",
    "strings",
]

_HELD_IN_FIELDS: Mapping[str, str] = {
    "statuscategory": "status",
    "status category": "status",
    "type": "issuetype",
}

_CHANGELOG_READINGS = ("changes", "first_change", "last_change")
"""Prefixes of the Jira pseudo-fields read from an issue's changelog (`JiraIssueReader`)."""


def _changelog_reading(name: str) -> tuple[str, str] | None:
    """``("changes", "priority")`` for ``changes:priority``; None for any other name."""
    prefix, colon, field = name.partition(":")
    reading = prefix.strip().casefold()
    if colon and field.strip() and reading in _CHANGELOG_READINGS:
        return reading, field.strip()
    return None


class _JiraFieldHolding(Mapping[str, str]):
    """The type of `JIRA_FIELD_HOLDING`: a fixed table, plus names that say their holder.

    ``<field>.<member>`` is held by ``<field>`` and a changelog pseudo-field by the field
    it reads the changes of; these are answered on lookup but not listed.
    """

    def __init__(self, fixed: Mapping[str, str]) -> None:
        self._fixed = dict(fixed)

    def __getitem__(self, name: str) -> str:
        if name in self._fixed:
            return self._fixed[name]
        changed = _changelog_reading(name)
        if changed is not None:
            return changed[1]
        head, dot, member = name.partition(".")
        if dot and head.strip() and member:
            return head.strip()
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._fixed)

    def __len__(self) -> int:
        return len(self._fixed)


JIRA_FIELD_HOLDING: Mapping[str, str] = _JiraFieldHolding(_HELD_IN_FIELDS)
"""Names a Jira rule may read that live inside another field: the pull asks for that field.

Besides the fixed names (``statusCategory`` is in ``status``), ``Sprint.startDate`` is held
by ``Sprint`` and ``changes:priority`` by ``priority`` (the changelog itself comes with every
issue the pull reads).
"""

_DICT_KEYS = ("key", "value", "name", "displayName", "emailAddress", "mail", "accountId", "title")
"""Which members of a JSON object stand for it, most specific first (a project: key, name)."""

_TAGS = re.compile(r"<[^>]+>")
_FULL_CHANGELOG = "fullChangelog"


def _text(value: str) -> str:
    """``value`` without NUL characters.

    They mean nothing in a tool's text, and PostgreSQL refuses them in the text columns
    entities are stored in.
    """
    return value.replace("\x00", "") if "\x00" in value else value


def strings(value: Any) -> tuple[str, ...]:
    """A JSON value as the strings that stand for it (see the module docstring)."""
    if value is None or value == "":
        return ()
    if isinstance(value, bool):
        return ("true" if value else "false",)
    if isinstance(value, float) and value.is_integer():
        return (str(int(value)),)
    if isinstance(value, str | int | float):
        return (_text(str(value)),)
    if isinstance(value, list | tuple):
        return tuple(text for item in value for text in strings(item))
    if isinstance(value, Mapping):
        found = tuple(
            _text(str(value[key])) for key in _DICT_KEYS if isinstance(value.get(key), str)
        )
        return tuple(dict.fromkeys(found)) or (strings(value.get("id")))
    return (_text(str(value)),)


def _path(payload: Payload, dotted: str) -> Any:
    """``a.b.c`` inside nested objects; None when any step is missing."""
    current: Any = payload
    for step in dotted.split("."):
        if not isinstance(current, Mapping) or step not in current:
            return None
        current = current[step]
    return current


def parse_time(text: object) -> datetime | None:
    """A timestamp as the tools write it (Jira's ``+0000`` included); None if unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        # Jira writes offsets as +0000; normalised to +00:00, which every parser reads.
        return datetime.fromisoformat(re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text))
    except ValueError:
        return None


@dataclass(frozen=True, kw_only=True)
class ChecklistEntry:
    """One item of a checklist that lives inside a record (Planner details, Project rows)."""

    item_id: str
    title: str
    done: bool


class RecordReader:
    """Reads one record; subclasses know their tool's ids and names."""

    title_keys: tuple[str, ...] = ("title", "summary", "name", "Name")

    def __init__(self, record: StoredRecord, context: RecordContext) -> None:
        self.record = record
        self.context = context
        self.payload: Payload = record.payload

    @property
    def ref(self) -> str:
        """The reference people use for it: an issue key, a task id, a message id."""
        return self.record.external_id

    def values(self, name: str) -> tuple[str, ...]:
        """The strings the record holds under ``name`` (empty when it holds none)."""
        return strings(_path(self.payload, name))

    def first(self, name: str) -> str | None:
        """The first string under ``name``, if any."""
        found = self.values(name)
        return found[0] if found else None

    def title(self) -> str:
        """A display title for lists and explanations."""
        for key in self.title_keys:
            found = self.first(key)
            if found:
                return found
        return self.ref

    def bucket(self) -> str | None:
        """The name of the record's bucket; None where the tool has no buckets."""
        return None

    def labels(self) -> tuple[str, ...]:
        """The record's labels (Jira labels, Planner category names)."""
        return self.values("labels")

    def checklist(self) -> tuple[ChecklistEntry, ...]:
        """The checklist the record carries, if its tool has one."""
        return ()

    def created(self) -> datetime | None:
        """When the record was created, if the tool says."""
        return parse_time(self.first("createdDateTime") or self.first("createdon"))

    def selection_values(self, key: str) -> tuple[str, ...]:
        """What a rule's ``select.<key>`` compares against (project, group, plan, channel)."""
        return ()


def _members(value: Any, dotted: str) -> Any:
    """``dotted`` inside ``value``, or inside each element when it is a list."""
    if isinstance(value, list | tuple):
        return [_members(element, dotted) for element in value]
    return _path(value, dotted) if isinstance(value, Mapping) else None


class JiraIssueReader(RecordReader):
    """Issues: fields by display name, clause name or id; ``key``/``id`` are issue members.

    Besides fields, a rule may read:

    - ``<field>.<member>``: a member of a field's value, or of each element of a list
      value (``Sprint.startDate``, ``assignee.accountId``); the field by name or id.
    - changelog pseudo-fields, from the issue's history (``fullChangelog``, stored whole by
      the connector, else the search's ``changelog.histories``), matching the field by id or
      name, ignoring case: ``changes:<field>`` is how many times it changed (``"0"`` when
      never); ``first_change:<field>`` and ``last_change:<field>`` when it first and last
      changed (ISO 8601; nothing when never).
    """

    _MEMBERS = frozenset({"key", "id", "self"})

    @property
    def fields(self) -> Payload:
        """The issue's ``fields`` object."""
        found = self.payload.get("fields")
        return found if isinstance(found, Mapping) else {}

    def field_id(self, name: str) -> str:
        """The id of the field ``name`` on this issue's site (``name`` itself if unknown)."""
        if name in self.fields:
            return name
        return self.context.jira_field_id(self.record.source, name) or name

    def values(self, name: str) -> tuple[str, ...]:
        lowered = name.casefold()
        if lowered in self._MEMBERS:
            return strings(self.payload.get(lowered))
        changelog = _changelog_reading(name)
        if changelog is not None:
            return self._changelog_values(*changelog)
        holder = _HELD_IN_FIELDS.get(lowered)
        if holder == "status":
            category = _path(self.fields, "status.statusCategory")
            return strings(category.get("name")) + strings(category.get("key")) if category else ()
        lowered = holder or lowered
        field_id = self.field_id(lowered if lowered in self.fields else name)
        if field_id in self.fields:
            return strings(self.fields[field_id])
        head, dot, member = name.partition(".")
        if dot and member and (held := self.field_id(head)) in self.fields:
            return strings(_members(self.fields[held], member))
        return strings(_path(self.fields, name)) or strings(_path(self.payload, name))

    def _changes(self, field: str) -> list[Payload]:
        """The histories changing ``field``, once per changed item, oldest first."""
        field_id = self.field_id(field)
        names = {
            field.casefold(),
            field_id.casefold(),
            self.context.jira_field_name(self.record.source, field_id).casefold(),
        }
        histories = self.payload.get(_FULL_CHANGELOG)
        if not isinstance(histories, list):
            histories = _path(self.payload, "changelog.histories") or []
        return [
            history
            for history in sorted(histories, key=lambda h: str(h.get("created", "")))
            for item in history.get("items") or ()
            if item.get("fieldId") == field_id or str(item.get("field", "")).casefold() in names
        ]

    def _changelog_values(self, reading: str, field: str) -> tuple[str, ...]:
        changes = self._changes(field)
        if reading == "changes":
            return (str(len(changes)),)
        if not changes:
            return ()
        created = (changes[0] if reading == "first_change" else changes[-1]).get("created")
        moment = parse_time(created)
        return strings(moment.isoformat() if moment is not None else created)

    def title(self) -> str:
        return self.first("summary") or self.ref

    def created(self) -> datetime | None:
        return parse_time(self.fields.get("created"))

    def selection_values(self, key: str) -> tuple[str, ...]:
        return {"projects": self.values("project"), "issue_types": self.values("issuetype")}.get(
            key, ()
        )


class PlannerTaskReader(RecordReader):
    """Tasks: ``planName``, bucket and category names through the plan's own records."""

    def _plan(self, record_type: str) -> Payload:
        found = self.context.lookup(self.record.source, record_type, self.payload.get("planId"))
        return found or {}

    def values(self, name: str) -> tuple[str, ...]:
        lowered = name.casefold()
        if lowered in {"planname", "plan"}:
            return strings(self._plan(RecordType.PLANNER_PLAN).get("title"))
        if lowered in {"bucket", "bucketname"}:
            bucket = self.bucket()
            return (bucket,) if bucket else ()
        if lowered in {"labels", "categories"}:
            return self.labels()
        if lowered == "assignees":
            return tuple((self.payload.get("assignments") or {}).keys())
        return super().values(name)

    def bucket(self) -> str | None:
        found = self.context.lookup(
            self.record.source, RecordType.PLANNER_BUCKET, self.payload.get("bucketId")
        )
        return str(found["name"]) if found and found.get("name") else None

    def labels(self) -> tuple[str, ...]:
        described = self._plan(RecordType.PLANNER_PLAN_DETAILS).get("categoryDescriptions") or {}
        applied = self.payload.get("appliedCategories") or {}
        return tuple(
            str(described.get(category) or category)
            for category, on in applied.items()
            if on is True
        )

    def checklist(self) -> tuple[ChecklistEntry, ...]:
        items = _path(self.payload, "details.checklist") or {}
        ordered = sorted(items.items(), key=lambda pair: str(pair[1].get("orderHint", "")))
        return tuple(
            ChecklistEntry(
                item_id=item_id, title=str(item.get("title", "")), done=bool(item.get("isChecked"))
            )
            for item_id, item in ordered
        )

    def selection_values(self, key: str) -> tuple[str, ...]:
        if key == "groups":
            plan = self._plan(RecordType.PLANNER_PLAN)
            return strings(_path(plan, "container.containerId")) + strings(plan.get("owner"))
        return strings(self.payload.get("planId")) if key == "plans" else ()


class TeamsMessageReader(RecordReader):
    """Messages and replies: the author by name, and by department through their profile."""

    title_keys = ("subject", "body")

    @property
    def ref(self) -> str:
        return str(self.payload.get("id") or self.record.external_id)

    def _author(self) -> Payload:
        user_id = _path(self.payload, "from.user.id")
        found = self.context.lookup(self.record.source, RecordType.DIRECTORY_USER, user_id)
        return found or {}

    def values(self, name: str) -> tuple[str, ...]:
        lowered = name.casefold()
        if lowered == "from":
            sender = self.payload.get("from") or {}
            who = sender.get("user") or sender.get("application") or sender.get("device") or {}
            return strings(who.get("displayName"))
        if lowered.startswith("from.") and lowered != "from.user.id":
            return strings(self._author().get(name.split(".", 1)[1]))
        if lowered in {"body", "text"}:
            content = str(_path(self.payload, "body.content") or "")
            text = html.unescape(_TAGS.sub(" ", content))
            return (" ".join(text.split()),) if text.strip() else ()
        if lowered == "channel":
            return strings(_path(self.payload, "channelIdentity.channelId"))
        return super().values(name)

    def title(self) -> str:
        text = self.first("subject") or self.first("body") or self.ref
        return text if len(text) <= 80 else text[:79] + "…"

    def selection_values(self, key: str) -> tuple[str, ...]:
        if key != "channels":
            return ()
        identity = self.payload.get("channelIdentity") or {}
        return (f"{identity.get('teamId')}/{identity.get('channelId')}",)


class ProjectTaskReader(RecordReader):
    """Dataverse tasks: project and bucket names through their own rows; checklist rows."""

    title_keys = ("msdyn_subject",)

    def _project(self) -> Payload:
        found = self.context.lookup(
            self.record.source, RecordType.PROJECT, self.payload.get("_msdyn_project_value")
        )
        return found or {}

    def values(self, name: str) -> tuple[str, ...]:
        lowered = name.casefold()
        if lowered in {"projectname", "project"}:
            return strings(self._project().get("msdyn_subject"))
        if lowered in {"bucket", "bucketname"}:
            bucket = self.bucket()
            return (bucket,) if bucket else ()
        return super().values(name)

    def bucket(self) -> str | None:
        found = self.context.lookup(
            self.record.source,
            RecordType.PROJECT_BUCKET,
            self.payload.get("_msdyn_projectbucket_value"),
        )
        return str(found["msdyn_name"]) if found and found.get("msdyn_name") else None

    def checklist(self) -> tuple[ChecklistEntry, ...]:
        rows = self.context.checklist_rows(self.record.source, self.record.external_id)
        return tuple(
            ChecklistEntry(
                item_id=str(row.get("msdyn_projectchecklistid", "")),
                title=str(row.get("msdyn_name", "")),
                done=bool(row.get("msdyn_projectchecklistcompleted")),
            )
            for row in rows
        )

    def selection_values(self, key: str) -> tuple[str, ...]:
        if key != "projects":
            return ()
        return strings(self._project().get("msdyn_subject")) + strings(
            self.payload.get("_msdyn_project_value")
        )


class MspdiTaskReader(RecordReader):
    """Tasks of a Project desktop export: MSPDI element names as they are."""

    title_keys = ("Name",)

    def created(self) -> datetime | None:
        return parse_time(self.first("CreateDate"))


_READERS: Mapping[str, type[RecordReader]] = {
    RecordType.JIRA_ISSUE: JiraIssueReader,
    RecordType.PLANNER_TASK: PlannerTaskReader,
    RecordType.CHANNEL_MESSAGE: TeamsMessageReader,
    RecordType.CHANNEL_REPLY: TeamsMessageReader,
    RecordType.PROJECT_TASK: ProjectTaskReader,
    RecordType.MSPDI_TASK: MspdiTaskReader,
}


def reader_for(record: StoredRecord, context: RecordContext) -> RecordReader:
    """The reader for a record's type (a generic one for types no rule selects)."""
    return _READERS.get(record.record_type, RecordReader)(record, context)
