"""The site's fields as Jira describes them (``GET /field``) and as JQL resolves them."""

from __future__ import annotations

from typing import Any

from flywheel_sync.sandbox.demo.jira_model import JiraFieldDef
from flywheel_sync.sandbox.jira.jql import FieldRef

__all__ = ["SiteFieldCatalog", "field_json"]


def field_json(definition: JiraFieldDef) -> dict[str, Any]:
    """One entry of ``GET /rest/api/3/field``."""
    schema: dict[str, Any] = {"type": definition.schema_type}
    if definition.items:
        schema["items"] = definition.items
    if definition.custom:
        number = definition.id.removeprefix("customfield_")
        schema |= {"custom": definition.custom_type, "customId": int(number)}
        clause_names = [f"cf[{number}]", definition.name]
    else:
        schema["system"] = definition.id
        clause_names = [definition.id]
    return {
        "id": definition.id,
        "key": definition.id,
        "name": definition.name,
        "custom": definition.custom,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": clause_names,
        "schema": schema,
    }


class SiteFieldCatalog:
    """Resolves JQL field names: display name (any case), id, or ``cf[N]``."""

    def __init__(self, fields: tuple[JiraFieldDef, ...]) -> None:
        self.by_id = {definition.id: definition for definition in fields}
        self._by_name: dict[str, JiraFieldDef] = {}
        for definition in fields:
            self._by_name.setdefault(definition.name.casefold(), definition)
            self._by_name.setdefault(definition.id.casefold(), definition)
            if definition.custom:
                number = definition.id.removeprefix("customfield_")
                self._by_name.setdefault(f"cf[{number}]", definition)

    def resolve(self, name: str) -> FieldRef | None:
        """The field a JQL clause names, or None when the site has no such field."""
        definition = self._by_name.get(name.strip().casefold())
        if definition is None:
            return None
        schema_type = (
            definition.items
            if definition.schema_type == "array" and (definition.items == "option")
            else definition.schema_type
        )
        return FieldRef(id=definition.id, name=definition.name, schema_type=schema_type or "")
