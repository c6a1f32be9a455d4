"""One field's value on the way in: checked as Jira checks it, kept as Jira returns it.

`FieldInput` turns the JSON a client sends for a field (``{"value": "red"}``, ``["a", "b"]``,
``{"accountId": ...}``, an ADF document) into the value the store keeps (the REST v3 object
``{"value", "id"}``, the label list, the user object, plain text), or refuses it with the
message Jira puts in the ``errors`` map of its 400. Every value is built afresh: stored
values are shared between issues and are never mutated (see `jira_model`).

Messages are Jira's where public reports record them: "Option value 'X' is not valid"
(getsentry/sentry#13001), "Could not find valid 'id' or 'value' in the Parent Option object."
(lesstif/php-jira-rest-client#470), "data was not an object" (pycontribs/jira#396),
"Operation value must be an Atlassian Document ..." (lesstif/php-jira-rest-client#280).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flywheel_sync.sandbox.demo.jira_model import JiraFieldDef, JiraIssue, JiraUser, JsonObject
from flywheel_sync.sandbox.jira.documents import NOT_A_STRING, BodyRejected, stored_text
from flywheel_sync.sandbox.jira.store import SPRINT_TYPE, JiraStore

__all__ = [
    "CANNOT_SET",
    "NO_ISSUE_TYPE",
    "NO_PROJECT",
    "NO_SUMMARY",
    "FieldInput",
    "FieldRejected",
    "parent_link",
    "user_ref",
]

CANNOT_SET = "Field '{field}' cannot be set. It is not on the appropriate screen, or unknown."
NOT_AN_OBJECT = "data was not an object"
NOT_AN_ARRAY = "data was not an array"
NOT_AN_OPTION = "Could not find valid 'id' or 'value' in the Parent Option object."
NO_PROJECT = "Specify a valid project ID or key"
NO_ISSUE_TYPE = "Specify an issue type"
NO_SUMMARY = "You must specify a summary of the issue."
_READ_ONLY = frozenset({"status", "created", "updated", "resolution", "resolutiondate"})
_LIST_OPERATIONS = ("add", "set", "remove")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Parser = Callable[[JiraFieldDef, Any], Any]


class FieldRejected(ValueError):
    """A field value Jira refuses; ``message`` goes into the 400's ``errors`` map."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def user_ref(user: JiraUser) -> JsonObject:
    """The object an issue's user field holds, shaped like the seeded ones."""
    return {
        "accountId": user.account_id,
        "displayName": user.display_name,
        "emailAddress": user.email_address,
        "active": user.active,
        "timeZone": "Europe/London",
        "accountType": "atlassian",
    }


def parent_link(parent: JiraIssue) -> JsonObject:
    """The ``parent`` field of a child: the parent's id, key and headline fields."""
    fields = parent.fields
    return {
        "id": parent.id,
        "key": parent.key,
        "fields": {
            "summary": fields.get("summary"),
            "status": fields.get("status"),
            "priority": fields.get("priority"),
            "issuetype": fields.get("issuetype"),
        },
    }


def _is_list_field(definition: JiraFieldDef) -> bool:
    return definition.schema_type == "array" and definition.items in ("string", "option")


class FieldInput:
    """Field values of one request; ``version`` ("2"/"3") and ``cloud`` set their dialect."""

    def __init__(self, store: JiraStore, *, version: str, cloud: bool) -> None:
        self.store = store
        self.version = version
        self.cloud = cloud

    def definition(self, field_id: str) -> JiraFieldDef | None:
        """The site's field with this id, or None."""
        return self.store.catalog.by_id.get(field_id)

    def settable(self, definition: JiraFieldDef) -> bool:
        """Whether a create or edit may give this field a value."""
        return definition.id not in _READ_ONLY and self._parser(definition) is not None

    @staticmethod
    def operations(definition: JiraFieldDef) -> tuple[str, ...]:
        """The ``update`` operations the field supports (editmeta's ``operations``)."""
        return _LIST_OPERATIONS if _is_list_field(definition) else ("set",)

    def set(self, definition: JiraFieldDef, raw: Any) -> Any:
        """The value to keep when the field is set to ``raw``.

        Raises:
            FieldRejected: Jira would refuse the value.
        """
        parser = self._parser(definition)
        if parser is None or definition.id in _READ_ONLY:
            raise FieldRejected(CANNOT_SET.format(field=definition.id))
        return parser(definition, raw)

    def operate(self, definition: JiraFieldDef, operation: str, current: Any, raw: Any) -> Any:
        """The value after one ``update`` operation (``set``, ``add``, ``remove``).

        Raises:
            FieldRejected: The field does not support the operation, or refuses the value.
        """
        supported = self.operations(definition)
        if operation not in supported:
            raise FieldRejected(
                f"Field with id' {definition.id}' and name '{definition.name}' does not "
                f"support operation '{operation}' Supported operation(s) are: "
                f"'{','.join(supported)}'"
            )
        if operation == "set":
            return self.set(definition, raw)
        element = self._option(definition, raw) if definition.items == "option" else _label(raw)
        if element is None:
            raise FieldRejected(NOT_AN_OPTION)
        kept = [item for item in current or () if _identity(item) != _identity(element)]
        if operation == "add":
            kept.append(element)
        return kept

    def _parser(self, definition: JiraFieldDef) -> Parser | None:
        system: dict[str, Parser] = {
            "summary": self._summary,
            "description": self._text_area,
            "environment": self._text_area,
            "issuetype": self._issue_type,
            "project": self._project,
            "priority": self._priority,
            "assignee": self._user,
            "reporter": self._user,
            "labels": self._labels,
            "duedate": self._date,
            "parent": self._parent,
        }
        if definition.id in system or not definition.custom:
            return system.get(definition.id)
        if definition.custom_type == SPRINT_TYPE:
            return self._sprint
        if definition.schema_type == "array":
            return {"option": self._options, "string": self._labels}.get(definition.items or "")
        if definition.schema_type == "string" and str(definition.custom_type).endswith(":textarea"):
            return self._text_area
        custom: dict[str, Parser] = {
            "option": self._option,
            "number": self._number,
            "string": self._string,
            "date": self._date,
            "datetime": self._datetime,
            "user": self._user,
        }
        return custom.get(definition.schema_type)

    @staticmethod
    def _summary(definition: JiraFieldDef, raw: Any) -> str:
        if raw is not None and not isinstance(raw, str):
            raise FieldRejected(NOT_A_STRING)
        if raw is None or not raw.strip():
            raise FieldRejected(NO_SUMMARY)
        if "\n" in raw or "\r" in raw:
            raise FieldRejected("The summary is invalid because it contains newline characters.")
        if len(raw) > 255:
            raise FieldRejected("Summary must be less than 255 characters.")
        return raw

    def _text_area(self, definition: JiraFieldDef, raw: Any) -> str | dict[str, Any] | None:
        """Wiki text (v2), or the ADF document as sent (v3), as Jira Cloud keeps it.

        Keeping the document keeps its structure (task lists people tick, headings); an empty
        one clears the field.
        """
        try:
            text = stored_text(raw, version=self.version)
        except BodyRejected as error:
            raise FieldRejected(error.message) from None
        if self.version == "3" and raw is not None and (text or _has_structure(raw)):
            return dict(raw)
        return text

    @staticmethod
    def _string(definition: JiraFieldDef, raw: Any) -> str | None:
        if raw is not None and not isinstance(raw, str):
            raise FieldRejected(NOT_A_STRING)
        return raw or None

    def _issue_type(self, definition: JiraFieldDef, raw: Any) -> JsonObject:
        if raw is None:
            raise FieldRejected(NO_ISSUE_TYPE)
        if not isinstance(raw, dict):
            raise FieldRejected(NOT_AN_OBJECT)
        wanted_id, wanted_name = raw.get("id"), raw.get("name")
        for kind in self.store.site.issue_types:
            if (wanted_id is not None and str(wanted_id) == kind.id) or (
                wanted_id is None and wanted_name == kind.name
            ):
                return kind.ref()
        raise FieldRejected("The issue type selected is invalid.")

    def _project(self, definition: JiraFieldDef, raw: Any) -> JsonObject:
        if raw is None:
            raise FieldRejected(NO_PROJECT)
        if not isinstance(raw, dict):
            raise FieldRejected(NOT_AN_OBJECT)
        wanted_id, wanted_key = raw.get("id"), raw.get("key")
        for project in self.store.site.projects:
            if (wanted_id is not None and str(wanted_id) == project.id) or (
                wanted_id is None and isinstance(wanted_key, str) and wanted_key == project.key
            ):
                return project.ref()
        raise FieldRejected(NO_PROJECT)

    def _priority(self, definition: JiraFieldDef, raw: Any) -> JsonObject:
        if isinstance(raw, dict):
            wanted_id, wanted_name = raw.get("id"), raw.get("name")
            for priority in self.store.site.priorities:
                if (wanted_id is not None and str(wanted_id) == priority.id) or (
                    wanted_id is None and wanted_name == priority.name
                ):
                    return priority.ref()
        raise FieldRejected("Specify a valid 'id' or 'name' for Priority")

    def _user(self, definition: JiraFieldDef, raw: Any) -> JsonObject | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise FieldRejected(NOT_AN_OBJECT)
        members = ("accountId", "id") if self.cloud else ("name", "key")
        wanted = next((raw[m] for m in members if isinstance(raw.get(m), str)), None)
        if wanted is None:
            raise FieldRejected(f"Specify the user's {members[0]} for {definition.name}.")
        user = self.store.site.user(wanted)
        if user is None or (not self.cloud and user.name != wanted):
            raise FieldRejected(f"User '{wanted}' does not exist.")
        return user_ref(user)

    @staticmethod
    def _labels(definition: JiraFieldDef, raw: Any) -> list[str]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise FieldRejected(NOT_AN_ARRAY)
        return list(dict.fromkeys(_label(label) for label in raw))

    @staticmethod
    def _date(definition: JiraFieldDef, raw: Any) -> str | None:
        if raw is None or raw == "":
            return None
        problem = FieldRejected(f"Error parsing date string: {raw}")
        if not isinstance(raw, str) or not _DATE.match(raw):
            raise problem
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            raise problem from None

    @staticmethod
    def _datetime(definition: JiraFieldDef, raw: Any) -> str | None:
        if raw is None or raw == "":
            return None
        try:
            moment = datetime.fromisoformat(str(raw))
        except ValueError:
            raise FieldRejected(f"Error parsing date string: {raw}") from None
        if moment.tzinfo is None:
            raise FieldRejected(f"Error parsing date string: {raw}")
        return str(raw)

    @staticmethod
    def _number(definition: JiraFieldDef, raw: Any) -> float | int | None:
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise FieldRejected("Operation value must be a number")
        return raw

    @staticmethod
    def _option(definition: JiraFieldDef, raw: Any) -> JsonObject | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise FieldRejected(NOT_AN_OPTION)
        if raw.get("id") is not None:
            option_id = str(raw["id"])
            if option_id not in definition.option_ids:
                raise FieldRejected(f"Option id '{option_id}' is not valid")
            return definition.option(definition.options[definition.option_ids.index(option_id)])
        if raw.get("value") is not None:
            value = str(raw["value"])
            if value not in definition.options:
                raise FieldRejected(f"Option value '{value}' is not valid")
            return definition.option(value)
        raise FieldRejected(NOT_AN_OPTION)

    def _options(self, definition: JiraFieldDef, raw: Any) -> list[JsonObject] | None:
        if raw is None:
            return None
        if not isinstance(raw, list):
            raise FieldRejected(NOT_AN_ARRAY)
        chosen = [self._option(definition, item) or {} for item in raw]
        unique = {option["id"]: option for option in chosen if option}
        return list(unique.values()) or None

    def _sprint(self, definition: JiraFieldDef, raw: Any) -> tuple[JsonObject, ...] | None:
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).isdigit():
            raise FieldRejected("Number value expected as the Sprint id.")
        sprint = self.store.sprint(int(raw))
        if sprint is None:
            raise FieldRejected(f"Sprint with id {raw} does not exist.")
        return (sprint,)

    def _parent(self, definition: JiraFieldDef, raw: Any) -> JsonObject | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise FieldRejected(NOT_AN_OBJECT)
        if raw.get("none") is True:
            return None
        wanted = raw.get("key") if raw.get("id") is None else raw.get("id")
        parent = self.store.issue(str(wanted)) if wanted is not None else None
        if parent is None:
            raise FieldRejected("Could not find issue by id or key.")
        return parent_link(parent)


def _label(raw: Any) -> str:
    if not isinstance(raw, str):
        raise FieldRejected(NOT_A_STRING)
    if not raw or any(character.isspace() for character in raw):
        raise FieldRejected(f"The label '{raw}' contains spaces which is invalid.")
    return raw


def _identity(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def _has_structure(document: Any) -> bool:
    """Whether an ADF document holds more than empty paragraphs (e.g. an empty task list)."""
    blocks = document.get("content") or [] if isinstance(document, dict) else []
    return any(isinstance(b, dict) and b.get("type") != "paragraph" for b in blocks)
