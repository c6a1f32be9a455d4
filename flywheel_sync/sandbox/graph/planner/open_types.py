"""Planner's open-type properties: dictionaries a PATCH merges into, key by key.

A PATCH names only the keys it changes; ``null`` removes a key (planner-overview.md; the
``planner*`` resource pages). The rules each dictionary enforces (graph-wire.md §1):

- ``assignments``: keys are user ids (GUIDs); a value declares ``@odata.type``
  ``microsoft.graph.plannerAssignment`` and an ``orderHint``; more than the limit → 403
  ``MaximumAssigneesInTasks``. The service sets ``assignedBy``/``assignedDateTime``.
- ``appliedCategories``: keys ``category1``…``category25``; ``true`` applies, ``false`` removes.
- ``checklist``: keys are client-generated GUIDs; a value declares ``@odata.type``
  ``microsoft.graph.plannerChecklistItem`` (with or without ``#``); a new item needs a
  ``title``; more than the limit → 403 ``MaximumChecklistItemsOnTask``. The service sets
  ``lastModifiedBy``/``lastModifiedDateTime`` and the stored ``orderHint``.
- ``references``: keys are URL-encoded URLs (``% . : @ #`` encoded); values declare
  ``microsoft.graph.plannerExternalReference``; more than the limit → 403
  ``MaximumReferencesOnTask``.
- ``categoryDescriptions`` (a closed type: ``category1``…``category25``, string or null) and
  ``sharedWith`` (user id → ``true``; ``false`` removes).

Values the service answers carry ``@odata.type`` with a leading ``#``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from flywheel_sync.sandbox.graph.planner.errors import (
    PlannerLimits,
    invalid_request,
    limit_exceeded,
)
from flywheel_sync.sandbox.graph.planner.order_hints import append_hint, placed_client_hint

__all__ = [
    "CATEGORY_KEYS",
    "EditContext",
    "merge_applied_categories",
    "merge_assignments",
    "merge_category_descriptions",
    "merge_checklist",
    "merge_references",
    "merge_shared_with",
]

JsonObject = dict[str, Any]
CATEGORY_KEYS = frozenset(f"category{n}" for n in range(1, 26))
_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_SERVICE_OWNED = frozenset(
    {"assignedBy", "assignedDateTime", "lastModifiedBy", "lastModifiedDateTime"}
)
_UNENCODED_IN_REFERENCE_KEYS = frozenset(".:@#")


@dataclass(frozen=True, kw_only=True)
class EditContext:
    """What a merge stamps on what it changes: when, by whom, within which limits."""

    now: str
    actor: JsonObject
    limits: PlannerLimits


def _entries(name: str, patch: Any) -> Iterator[tuple[str, Any]]:
    if not isinstance(patch, dict):
        raise invalid_request(f"The property '{name}' must be an object.")
    for key, value in patch.items():
        if not key.startswith("@odata."):
            yield key, value


def _require_guid(name: str, key: str) -> None:
    if _GUID.fullmatch(key) is None:
        raise invalid_request(f"The key '{key}' of '{name}' must be a GUID.")


def _typed_value(name: str, key: str, value: Any, odata_type: str, allowed: set[str]) -> JsonObject:
    """A value object of an open type: it must declare its ``@odata.type``."""
    if not isinstance(value, dict):
        raise invalid_request(f"The value of '{name}/{key}' must be an object or null.")
    if value.get("@odata.type") not in (odata_type, f"#{odata_type}"):
        raise invalid_request(
            f'The value of \'{name}/{key}\' must declare "@odata.type": "{odata_type}".'
        )
    for member in value:
        if member in _SERVICE_OWNED:
            raise invalid_request(f"The property '{member}' is set by the service.")
        if member != "@odata.type" and member not in allowed:
            raise invalid_request(f"The property '{member}' does not exist on type '{odata_type}'.")
    return value


def _stamp(target: JsonObject, before: JsonObject, context: EditContext) -> None:
    if target != before:
        target["lastModifiedDateTime"] = context.now
        target["lastModifiedBy"] = copy.deepcopy(context.actor)


def merge_assignments(current: JsonObject | None, patch: Any, context: EditContext) -> JsonObject:
    """``assignments`` after a PATCH (or a create, from ``None``)."""
    result = copy.deepcopy(current or {})
    for user_id, value in _entries("assignments", patch):
        _require_guid("assignments", user_id)
        if value is None:
            result.pop(user_id, None)
            continue
        item = _typed_value(
            "assignments", user_id, value, "microsoft.graph.plannerAssignment", {"orderHint"}
        )
        if "orderHint" not in item:
            raise invalid_request(f"The assignment of '{user_id}' must specify an orderHint.")
        existing = result.get(user_id)
        siblings = [a["orderHint"] for key, a in result.items() if key != user_id and a]
        hint = placed_client_hint(
            "orderHint", item["orderHint"], existing and existing.get("orderHint"), siblings
        )
        if existing is not None:
            existing["orderHint"] = hint
            continue
        result[user_id] = {
            "@odata.type": "#microsoft.graph.plannerAssignment",
            "assignedDateTime": context.now,
            "assignedBy": copy.deepcopy(context.actor),
            "orderHint": hint,
        }
    limit = context.limits.assignees_per_task
    if len(result) > limit:
        raise limit_exceeded("MaximumAssigneesInTasks", "assignees on a task", limit)
    return result


def merge_applied_categories(current: JsonObject | None, patch: Any) -> JsonObject:
    """``appliedCategories`` after a PATCH: ``false`` removes the key."""
    result = dict(current or {})
    for key, value in _entries("appliedCategories", patch):
        if key not in CATEGORY_KEYS:
            raise invalid_request(f"'{key}' is not a category: use category1 to category25.")
        if not isinstance(value, bool):
            raise invalid_request(f"The value of 'appliedCategories/{key}' must be true or false.")
        if value:
            result[key] = True
        else:
            result.pop(key, None)
    return result


def _checklist_item(key: str, value: Any, existing: JsonObject | None) -> JsonObject:
    item = _typed_value(
        "checklist",
        key,
        value,
        "microsoft.graph.plannerChecklistItem",
        {"title", "isChecked", "orderHint"},
    )
    if existing is None and "title" not in item:
        raise invalid_request(f"The new checklist item '{key}' must have a title.")
    if "title" in item and (not isinstance(item["title"], str) or not item["title"].strip()):
        raise invalid_request(f"The title of checklist item '{key}' must be a non-empty string.")
    if "isChecked" in item and not isinstance(item["isChecked"], bool):
        raise invalid_request(f"isChecked of checklist item '{key}' must be true or false.")
    return item


def merge_checklist(current: JsonObject | None, patch: Any, context: EditContext) -> JsonObject:
    """``checklist`` after a PATCH of the task details."""
    result = copy.deepcopy(current or {})
    for key, value in _entries("checklist", patch):
        _require_guid("checklist", key)
        if value is None:
            result.pop(key, None)
            continue
        existing = result.get(key)
        item = _checklist_item(key, value, existing)
        target = existing or {
            "@odata.type": "#microsoft.graph.plannerChecklistItem",
            "isChecked": False,
        }
        before = copy.deepcopy(target)
        target.update({name: item[name] for name in ("title", "isChecked") if name in item})
        siblings = [i["orderHint"] for k, i in result.items() if k != key and i.get("orderHint")]
        if "orderHint" in item:
            target["orderHint"] = placed_client_hint(
                "orderHint", item["orderHint"], target.get("orderHint"), siblings
            )
        elif existing is None:
            target["orderHint"] = append_hint(siblings)
        _stamp(target, before, context)
        result[key] = target
    limit = context.limits.checklist_items_per_task
    if len(result) > limit:
        raise limit_exceeded("MaximumChecklistItemsOnTask", "checklist items on a task", limit)
    return result


def _require_reference_key(key: str) -> None:
    decoded = urlsplit(unquote(key))
    if _UNENCODED_IN_REFERENCE_KEYS & set(key) or not (decoded.scheme and decoded.netloc):
        raise invalid_request(
            f"The reference key '{key}' must be a URL with % . : @ # percent-encoded, "
            "e.g. https%3A//contoso%2Ecom/page."
        )


def _optional_string(name: str, value: Any) -> Any:
    if value is not None and not isinstance(value, str):
        raise invalid_request(f"The property '{name}' must be a string or null.")
    return value


def merge_references(current: JsonObject | None, patch: Any, context: EditContext) -> JsonObject:
    """``references`` after a PATCH of the task details."""
    result = copy.deepcopy(current or {})
    for key, value in _entries("references", patch):
        _require_reference_key(key)
        if value is None:
            result.pop(key, None)
            continue
        item = _typed_value(
            "references", key, value, "microsoft.graph.plannerExternalReference",
            {"alias", "type", "previewPriority"},
        )  # fmt: skip
        existing = result.get(key)
        target = existing or {"@odata.type": "#microsoft.graph.plannerExternalReference"}
        before = copy.deepcopy(target)
        for name in ("alias", "type"):
            if name in item:
                target[name] = _optional_string(name, item[name])
        siblings = [
            r["previewPriority"] for k, r in result.items() if k != key and r.get("previewPriority")
        ]
        if "previewPriority" in item:
            target["previewPriority"] = placed_client_hint(
                "previewPriority", item["previewPriority"], target.get("previewPriority"), siblings
            )
        elif existing is None:
            target["previewPriority"] = append_hint(siblings)
        _stamp(target, before, context)
        result[key] = target
    limit = context.limits.references_per_task
    if len(result) > limit:
        raise limit_exceeded("MaximumReferencesOnTask", "references on a task", limit)
    return result


def merge_category_descriptions(current: JsonObject | None, patch: Any) -> JsonObject:
    """``categoryDescriptions`` after a PATCH of the plan details (label names)."""
    result = dict(current or {})
    for key, value in _entries("categoryDescriptions", patch):
        if key not in CATEGORY_KEYS:
            raise invalid_request(
                f"The property '{key}' does not exist on type "
                "'microsoft.graph.plannerCategoryDescriptions'."
            )
        result[key] = _optional_string(f"categoryDescriptions/{key}", value)
    return result


def merge_shared_with(current: JsonObject | None, patch: Any) -> JsonObject:
    """``sharedWith`` after a PATCH of the plan details: ``false`` removes the user."""
    result = dict(current or {})
    for user_id, value in _entries("sharedWith", patch):
        _require_guid("sharedWith", user_id)
        if not isinstance(value, bool):
            raise invalid_request(f"The value of 'sharedWith/{user_id}' must be true or false.")
        if value:
            result[user_id] = True
        else:
            result.pop(user_id, None)
    return result
