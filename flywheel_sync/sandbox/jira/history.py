"""Changelog items for a field's change, spelled as the seeded history spells them.

An item names the field (its id for system fields, its display name for custom ones), says
whether it is a "jira" or "custom" field, and gives the raw (``from``/``to``: ids) and display
(``fromString``/``toString``) value before and after. Two values that name the same thing
(the same option id, account id, label list) are the same: setting them again is no change.
"""

from __future__ import annotations

from typing import Any

from flywheel_sync.sandbox.demo.jira_model import JiraFieldDef, JsonObject

__all__ = ["change_item", "same_value"]

_PARENT_FIELD = "IssueParentAssociation"


def _identity(value: Any) -> Any:
    """What makes two stored values the same; empty values (None, "", []) are all None."""
    if value is None or (not value and isinstance(value, str | list | tuple | dict)):
        return None
    if isinstance(value, dict):
        for member in ("accountId", "id", "key", "name", "value"):
            if member in value:
                return (member, str(value[member]))
        return tuple(sorted(value.items()))
    if isinstance(value, list | tuple):
        return tuple(_identity(element) for element in value)
    return value


def same_value(old: Any, new: Any) -> bool:
    """Whether storing ``new`` over ``old`` changes nothing a reader can see."""
    return bool(_identity(old) == _identity(new))


def _describe(definition: JiraFieldDef, value: Any) -> tuple[str | None, str]:
    """The ``from``/``to`` id and the ``fromString``/``toString`` text of one value."""
    if _identity(value) is None:
        return None, ""
    if isinstance(value, dict):
        if definition.id == "parent":
            return str(value.get("id")), str(value.get("key"))
        if "accountId" in value:
            return str(value["accountId"]), str(value.get("displayName", ""))
        text = value.get("value", value.get("name", ""))
        return (None if value.get("id") is None else str(value["id"])), str(text)
    if isinstance(value, list | tuple):
        return _describe_list(definition, value)
    if definition.schema_type == "date":
        return str(value), f"{value} 00:00:00.0"
    return None, str(value)


def _describe_list(
    definition: JiraFieldDef, values: list[Any] | tuple[Any, ...]
) -> tuple[str | None, str]:
    if definition.items == "option":
        ids = ", ".join(str(option.get("id")) for option in values)
        return f"[{ids}]", ",".join(str(option.get("value")) for option in values)
    if definition.items == "json":
        ids = ", ".join(str(item.get("id")) for item in values if isinstance(item, dict))
        names = ", ".join(str(item.get("name")) for item in values if isinstance(item, dict))
        return ids, names
    return None, " ".join(str(value) for value in values)


def change_item(definition: JiraFieldDef, old: Any, new: Any) -> JsonObject:
    """The changelog item recording ``definition``'s change from ``old`` to ``new``."""
    before, before_text = _describe(definition, old)
    after, after_text = _describe(definition, new)
    if definition.id == "parent":
        name = _PARENT_FIELD
    else:
        name = definition.name if definition.custom else definition.id
    return {
        "field": name,
        "fieldtype": "custom" if definition.custom else "jira",
        "fieldId": definition.id,
        "from": before,
        "fromString": before_text,
        "to": after,
        "toString": after_text,
    }
