"""How a configuration file's JSON Schema falls into the sections of its reference.

`SchemaWalk` goes through a schema depth first, in the order of its properties (the order of
the model's fields), and makes one `Section` per object it reaches:

- ``$ref`` and a lone ``allOf`` are followed; ``anyOf``/``oneOf`` with ``null`` is an optional
  value; a union of objects (discriminated or not) gives one section per member, labelled
  with its discriminator value (``kind = "a"``) or its title;
- a list of objects is a section at ``path + []``, a table of named objects (``patternProperties``
  or ``additionalProperties``) one at ``path + <name>``;
- a definition reached again is not described twice: its first section records the other key
  paths (`Section.also`), and the renderer links them to it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flywheel_sync.settings.flywheel import ENV_NESTING

__all__ = [
    "ENTRY",
    "ITEM",
    "ConfigFile",
    "Schema",
    "SchemaWalk",
    "Section",
    "Syntax",
    "entry_schema",
    "is_secret",
]

Schema = Mapping[str, Any]

ITEM = "[]"
"""A key path segment standing for any element of a list."""
ENTRY = "<name>"
"""A key path segment standing for any key of a table of named entries."""


class Syntax(StrEnum):
    """How a file spells key paths, and what it calls objects and lists."""

    TOML = "toml"
    YAML = "yaml"


@dataclass(frozen=True, kw_only=True)
class ConfigFile:
    """One configuration file to describe: its schema, and how it is written and overridden."""

    name: str
    schema: Schema
    syntax: Syntax
    intro: str
    """Markdown shown under the file's heading."""
    env_prefix: str | None = None
    """``FLYWHEEL_`` when every key can be set from the environment; None when none can."""
    env_delimiter: str = ENV_NESTING


@dataclass(kw_only=True)
class Section:
    """One object of the schema, described under its own heading."""

    path: tuple[str, ...]
    schema: Schema
    """The object's schema, references followed."""
    variant: str | None = None
    """Which member of a union of objects this is: ``kind = "a"``, or its title."""
    entry_pattern: str | None = None
    """The pattern a ``<name>`` in the path must match, for the last such segment."""
    also: list[tuple[str, ...]] = field(default_factory=list)
    """Other key paths whose value is the same definition."""


def entry_schema(schema: Schema) -> tuple[str | None, Schema] | None:
    """For a table of named entries: the pattern its keys match and each value's schema."""
    patterns: Mapping[str, Schema] = schema.get("patternProperties") or {}
    if len(patterns) == 1:
        key_pattern, value = next(iter(patterns.items()))
        return key_pattern, value
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        names: Mapping[str, Any] = schema.get("propertyNames") or {}
        return names.get("pattern"), extra
    return None


def is_secret(schema: Schema) -> bool:
    """Whether a value is a secret: ``format: password``, alone or in a union."""
    if schema.get("format") == "password":
        return True
    return any(is_secret(member) for key in ("anyOf", "oneOf") for member in schema.get(key, ()))


class SchemaWalk:
    """The sections of one file, found by walking its schema from the top, depth first."""

    def __init__(self, config: ConfigFile) -> None:
        self.config = config
        self.defs: Mapping[str, Schema] = config.schema.get("$defs", {})
        self.sections: list[Section] = []
        self.targets: dict[tuple[str, ...], list[Section]] = {}
        """For each key path holding objects, the sections describing them."""
        self._properties: dict[tuple[str, ...], Schema] = {}
        self._by_def: dict[str, list[Section]] = {}
        self._walk((), config.schema, variant=None, pattern=None)

    def resolve(self, schema: Schema) -> Schema:
        """``schema`` with ``$ref`` and a lone ``allOf`` followed, its own keys kept."""
        while True:
            if "$ref" in schema:
                target = self.defs[_def_name(schema) or ""]
                schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
            elif len(schema.get("allOf", ())) == 1:
                inner = schema["allOf"][0]
                schema = {**inner, **{k: v for k, v in schema.items() if k != "allOf"}}
            else:
                return schema

    def options(self, schema: Schema) -> list[Schema]:
        """The non-null members of a union (references kept), or ``[schema]``."""
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return [
                    option
                    for member in schema[key]
                    if member.get("type") != "null"
                    for option in self.options(member)
                ]
        if len(schema.get("allOf", ())) == 1:
            return self.options(schema["allOf"][0])
        name = _def_name(schema)
        if name is not None and ("anyOf" in self.defs[name] or "oneOf" in self.defs[name]):
            return self.options(self.defs[name])
        return [schema]

    def is_model(self, schema: Schema) -> bool:
        """Whether ``schema`` is an object with named keys, described in a section."""
        resolved = self.resolve(schema)
        return "properties" in resolved or (
            resolved.get("type") == "object" and resolved.get("additionalProperties") is False
        )

    def property_at(self, path: tuple[str, ...]) -> Schema:
        """The schema a key path was given, as the walk met it."""
        return self._properties[path]

    def _walk(
        self, path: tuple[str, ...], schema: Schema, *, variant: str | None, pattern: str | None
    ) -> Section:
        # The definition alone: a key's own description belongs to the key, not the section.
        pointer = {k: v for k, v in schema.items() if k in ("$ref", "allOf")} or schema
        section = Section(path=path, schema=self.resolve(pointer), variant=variant)
        section.entry_pattern = pattern if ENTRY in path else None
        self.sections.append(section)
        for key, prop in section.schema.get("properties", {}).items():
            self._visit((*path, key), prop, pattern)
        return section

    def _visit(self, path: tuple[str, ...], prop: Schema, pattern: str | None) -> None:
        """Describe the objects the value at ``path`` holds, and remember where."""
        self._properties[path] = prop
        options = self.options(prop)
        if all(self.is_model(option) for option in options):
            discriminators = list(self._discriminators(prop))
            self.targets[path] = [
                self._section_for(path, option, pattern, self._variant(option, discriminators))
                if len(options) > 1
                else self._section_for(path, option, pattern, None)
                for option in options
            ]
            return
        if len(options) > 1:
            return
        node = self.resolve(options[0])
        child: tuple[tuple[str, ...], Schema, str | None] | None = None
        if node.get("type") == "array" and isinstance(node.get("items"), Mapping):
            child = ((*path, ITEM), node["items"], pattern)
        elif (entry := entry_schema(node)) is not None:
            child = ((*path, ENTRY), entry[1], entry[0] or pattern)
        if child is not None:
            self._visit(*child)
            if self.targets.get(child[0]):
                self.targets[path] = self.targets[child[0]]

    def _section_for(
        self, path: tuple[str, ...], model: Schema, pattern: str | None, variant: str | None
    ) -> Section:
        name = _def_name(model)
        known = self._by_def.get(name or "", [])
        described = next((s for s in known if s.variant == variant), None)
        if described is not None:
            described.also.append(path)
            return described
        section = self._walk(path, model, variant=variant, pattern=pattern)
        if name is not None:
            self._by_def.setdefault(name, []).append(section)
        return section

    def _discriminators(self, schema: Schema) -> Iterator[Mapping[str, Any]]:
        if "discriminator" in schema:
            yield schema["discriminator"]
        for key in ("anyOf", "oneOf", "allOf"):
            for member in schema.get(key, ()):
                yield from self._discriminators(member)
        name = _def_name(schema)
        if name is not None:
            yield from self._discriminators(self.defs[name])

    def _variant(self, model: Schema, discriminators: Sequence[Mapping[str, Any]]) -> str:
        """How one member of a union of objects is told apart from the others."""
        for discriminator in discriminators:
            for value, ref in sorted((discriminator.get("mapping") or {}).items()):
                if ref == model.get("$ref"):
                    return f"{discriminator.get('propertyName')} = {json.dumps(value)}"
        keys = [d.get("propertyName") for d in discriminators]
        resolved = self.resolve(model)
        for name, prop in resolved.get("properties", {}).items():
            if "const" in prop and (not keys or name in keys):
                return f"{name} = {json.dumps(prop['const'])}"
        return str(resolved.get("title") or _def_name(model) or "variant")


def _def_name(schema: Schema) -> str | None:
    ref = schema.get("$ref")
    return str(ref).rsplit("/", 1)[-1] if ref else None
