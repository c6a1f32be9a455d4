"""A bulk edit request (``IssueBulkEditPayload``) read as ``PUT /issue`` ``update`` operations.

Cloud's bulk edit names each change by input kind (``labelsFields``, ``singleSelectFields``,
...). Each is translated into the operations an ordinary edit takes, so one issue of a bulk
edit is checked and applied exactly like a ``PUT /issue``. Problems with the request itself
are refused at submission with the bulk endpoints' own error shape
(``{"errors": [{"message": ...}]}``); problems with one issue's values are reported per
issue when the task runs.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flywheel_sync.sandbox.jira.field_input import FieldInput

__all__ = ["BULK_EDIT_FIELD_LIMIT", "BULK_EDIT_ISSUE_LIMIT", "BulkEditRequest", "BulkRejected"]

BULK_EDIT_ISSUE_LIMIT = 1000
BULK_EDIT_FIELD_LIMIT = 200
Operations = list[dict[str, Any]]
_MULTI_SELECT = {
    "ADD": "add",
    "REMOVE": "remove",
}
_SHORT_DATE = re.compile(r"^\d{1,2}/[A-Za-z]{3}/\d{2}$")


class BulkRejected(ValueError):
    """A bulk edit refused at submission (400 ``{"errors": [{"message"}]}``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, Any]:
        """The bulk endpoints' error body."""
        return {"errors": [{"message": self.message}]}


def _labels(entry: dict[str, Any]) -> Operations:
    names = [label.get("name") for label in entry.get("labels") or [] if isinstance(label, dict)]
    option = entry.get("bulkEditMultiSelectFieldOption")
    if option in _MULTI_SELECT:
        return [{_MULTI_SELECT[option]: name} for name in names]
    if option == "REPLACE":
        return [{"set": names}]
    if option == "REMOVE_ALL":
        return [{"set": []}]
    raise BulkRejected(f"Unknown bulkEditMultiSelectFieldOption '{option}'.")


def _option_id(option: Any) -> str | None:
    option_id = option.get("optionId") if isinstance(option, dict) else None
    return None if option_id is None or str(option_id) == "-1" else str(option_id)


def _single_select(entry: dict[str, Any]) -> Operations:
    option_id = _option_id(entry.get("option"))
    return [{"set": None if option_id is None else {"id": option_id}}]


def _multi_select(entry: dict[str, Any]) -> Operations:
    ids = [_option_id(option) for option in entry.get("options") or []]
    return [{"set": [{"id": option_id} for option_id in ids if option_id is not None]}]


def _date(entry: dict[str, Any]) -> Operations:
    text = str((entry.get("date") or {}).get("formattedDate") or "")
    if _SHORT_DATE.match(text):
        # A date that does not parse is left as given: the edit reports Jira's error for it.
        with contextlib.suppress(ValueError):
            text = datetime.strptime(text, "%d/%b/%y").date().isoformat()  # noqa: DTZ007
    return [{"set": text or None}]


def _user(entry: dict[str, Any]) -> Operations:
    user = entry.get("user")
    account_id = user.get("accountId") if isinstance(user, dict) else None
    return [{"set": None if account_id is None else {"accountId": account_id}}]


# Per input kind: the member holding the new value, as operations of an ordinary edit.
_LISTED: dict[str, Callable[[dict[str, Any]], Operations]] = {
    "labelsFields": _labels,
    "singleSelectFields": _single_select,
    "multipleSelectFields": _multi_select,
    "clearableNumberFields": lambda entry: [{"set": entry.get("value")}],
    "singleLineTextFields": lambda entry: [{"set": entry.get("text")}],
    "richTextFields": lambda entry: [{"set": (entry.get("richText") or {}).get("adfValue")}],
    "datePickerFields": _date,
    "singleSelectClearableUserPickerFields": _user,
}
# Inputs that are one object for one fixed field.
_SINGLE: dict[str, tuple[str, Callable[[dict[str, Any]], Operations]]] = {
    "priority": ("priority", lambda entry: [{"set": {"id": entry.get("priorityId")}}]),
    "issueType": ("issuetype", lambda entry: [{"set": {"id": entry.get("issueTypeId")}}]),
}


@dataclass(frozen=True, kw_only=True)
class BulkEditRequest:
    """The issues to edit and, per field, the ``update`` operations each of them gets."""

    issues: tuple[str, ...]
    update: dict[str, Operations]

    @classmethod
    def parse(cls, body: Any, inputs: FieldInput) -> BulkEditRequest:
        """Read and check a submission.

        Raises:
            BulkRejected: The request cannot be queued.
        """
        if not isinstance(body, dict):
            raise BulkRejected("The request body must be a JSON object.")
        issues, actions = body.get("selectedIssueIdsOrKeys"), body.get("selectedActions")
        edited = body.get("editedFieldsInput")
        if not (isinstance(issues, list) and issues and all(isinstance(i, str) for i in issues)):
            raise BulkRejected("selectedIssueIdsOrKeys must list at least one issue id or key.")
        if not isinstance(actions, list) or not isinstance(edited, dict):
            raise BulkRejected("selectedActions and editedFieldsInput are required.")
        if len(issues) > BULK_EDIT_ISSUE_LIMIT:
            raise BulkRejected(f"You can bulk edit at most {BULK_EDIT_ISSUE_LIMIT} issues.")
        if len(actions) > BULK_EDIT_FIELD_LIMIT:
            raise BulkRejected(f"You can bulk edit at most {BULK_EDIT_FIELD_LIMIT} fields.")
        update = _operations(edited)
        _check_actions(update, [str(action) for action in actions], inputs)
        return cls(issues=tuple(issues), update=update)


def _operations(edited: dict[str, Any]) -> dict[str, Operations]:
    update: dict[str, Operations] = {}
    for kind, entries in edited.items():
        if kind in _SINGLE:
            field_id, translate = _SINGLE[kind]
            if not isinstance(entries, dict):
                raise BulkRejected(f"{kind} must be an object.")
            update[field_id] = translate(entries)
            continue
        listed = _LISTED.get(kind)
        if listed is None:
            raise BulkRejected(f"The sandbox does not emulate bulk editing of {kind}.")
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise BulkRejected(f"{kind} must be a list of objects.")
        for entry in entries:
            update[str(entry.get("fieldId"))] = listed(entry)
    return update


def _check_actions(update: dict[str, Operations], actions: list[str], inputs: FieldInput) -> None:
    unlisted = [field_id for field_id in update if field_id not in actions]
    if unlisted:
        raise BulkRejected(
            "The following editedFieldInput values are not listed as selectedActions : "
            + ", ".join(unlisted)
        )
    unused = [action for action in actions if action not in update]
    if unused:
        raise BulkRejected(
            "The following selectedActions values have no editedFieldInput : " + ", ".join(unused)
        )
    for field_id in update:
        definition = inputs.definition(field_id)
        if definition is None or field_id == "project" or not inputs.settable(definition):
            raise BulkRejected(f"The field '{field_id}' cannot be bulk edited.")
