"""Fields by the names people use: "Flywheel Stage" means ``customfield_10010`` on this site.

Custom field ids differ from site to site, so the caller asks for fields by name and the
connector resolves them against the site's ``GET /field`` answer, read once per connector.
A name is matched as a field id first (``summary``, ``customfield_10010``), then as a
display name or JQL clause name, ignoring case. Two custom fields may share a display name
on Jira; such a name is refused as ambiguous, with the ids to choose from.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["FieldCatalog", "UnknownFieldError"]

_PASSTHROUGH = ("*", "-")
"""``*all``, ``*navigable`` and ``-field`` exclusions are Jira's own tokens, sent as given."""


class UnknownFieldError(ValueError):
    """A requested field name matches no field, or more than one."""


class FieldCatalog:
    """Resolves field names to ids for one site."""

    def __init__(self, definitions: Iterable[Mapping[str, Any]]) -> None:
        self._ids: set[str] = set()
        self._by_name: dict[str, set[str]] = {}
        self._names: dict[str, str] = {}
        for definition in definitions:
            field_id = str(definition["id"])
            self._ids.add(field_id)
            self._names[field_id] = str(definition.get("name", field_id))
            clause_names = definition.get("clauseNames") or ()
            names = {str(definition.get("name", "")), *map(str, clause_names)}
            for name in names - {""}:
                self._by_name.setdefault(name.casefold(), set()).add(field_id)

    def name_of(self, field_id: str) -> str:
        """The display name of ``field_id`` (the id itself when unknown)."""
        return self._names.get(field_id, field_id)

    def resolve(self, name: str) -> str:
        """The id of the field called ``name``.

        Raises:
            UnknownFieldError: No field, or more than one, has that name.
        """
        wanted = name.strip()
        if wanted in self._ids or wanted.startswith(_PASSTHROUGH):
            return wanted
        matches = self._by_name.get(wanted.casefold(), set())
        if len(matches) == 1:
            return next(iter(matches))
        if matches:
            ids = ", ".join(sorted(matches))
            raise UnknownFieldError(f"field {name!r} is ambiguous: use one of the ids {ids}")
        close = difflib.get_close_matches(wanted, sorted(self._names.values()), n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownFieldError(f"Jira has no field {name!r}{hint}")

    def resolve_all(self, names: Sequence[str]) -> tuple[str, ...]:
        """The ids of ``names`` in order, without repeats; every bad name in one error."""
        ids: dict[str, None] = {}
        problems: list[str] = []
        for name in names:
            try:
                ids.setdefault(self.resolve(name))
            except UnknownFieldError as problem:
                problems.append(str(problem))
        if problems:
            raise UnknownFieldError("; ".join(problems))
        return tuple(ids)
