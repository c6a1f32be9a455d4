"""The configuration reference: every key of both files, as Markdown, from their JSON Schemas.

``docs/configuration.md`` is this module's output (``flywheel-sync config reference -o
docs/configuration.md``, which ``make schema`` runs), and a test fails while the committed file
differs from it, so the reference cannot drift from the models. It reads only the schemas
`configuration_schemas` returns, never the models: whatever a model declares (a new section,
a constraint, a description) shows up here without a change to this module.

`reference_walk` finds the sections of each file (one per object the schema reaches,
described once even when several keys share it); this module writes each as a table: every
key with its type and allowed values, range or pattern, whether it is required or secret
(``format: password``), its default, its description and, for ``flywheel.toml``, the
environment variable that overrides it.

The output depends only on the schemas: no dates, no paths, no dictionary-order accidents.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from flywheel_sync.settings.flywheel import ENV_PREFIX
from flywheel_sync.settings.reference_markdown import (
    FORMATS,
    PLURALS,
    Anchors,
    bounds_text,
    code,
    inline,
    literal,
    paragraphs,
    title_words,
)
from flywheel_sync.settings.reference_walk import (
    ENTRY,
    ITEM,
    ConfigFile,
    Schema,
    SchemaWalk,
    Section,
    Syntax,
    entry_schema,
    is_secret,
)
from flywheel_sync.settings.schema import SCHEMA_FILES, configuration_schemas

__all__ = [
    "REGENERATE",
    "ConfigFile",
    "Syntax",
    "configuration_reference",
    "render_reference",
]

REGENERATE = "flywheel-sync config reference -o docs/configuration.md"
"""The command that writes ``docs/configuration.md`` (``make schema`` runs it)."""

_WORDS = {Syntax.TOML: ("table", "array"), Syntax.YAML: ("mapping", "list")}
"""What each syntax calls an object and a list."""


class _FileRenderer:
    """Writes the sections of one file."""

    def __init__(self, walk: SchemaWalk, anchors: Anchors) -> None:
        self.walk = walk
        self.config = walk.config
        self.table_word, self.list_word = _WORDS[self.config.syntax]
        self.anchor = {id(s): anchors.make(self.heading(s)) for s in walk.sections}

    # -- names ------------------------------------------------------------------------

    def heading(self, section: Section) -> str:
        """The key path, or for a definition several keys share, its title."""
        if not section.path:
            return f"{self.config.name}: top-level keys"
        if section.also:
            return title_words(str(section.schema.get("title") or section.path[-1]))
        text = code(self.key_path(section.path), in_table=False)
        return f"{text} ({section.variant})" if section.variant else text

    def link(self, section: Section) -> str:
        return f"[{self.heading(section)}](#{self.anchor[id(section)]})"

    def key_path(self, path: Sequence[str]) -> str:
        """``rules[].select`` in YAML; ``[jira.<name>]`` or ``[[jobs]]`` in TOML."""
        if self.config.syntax is Syntax.YAML:
            text = ""
            for part in path:
                text += part if part == ITEM or not text else f".{part}"
            return text
        dotted = ".".join(part for part in path if part != ITEM)
        return f"[[{dotted}]]" if path[-1] == ITEM else f"[{dotted}]"

    def env_var(self, path: Sequence[str], *, container: bool) -> str:
        """The variable that sets the key at ``path``: ``FLYWHEEL_JIRA__<NAME>__TOKEN``."""
        prefix, join = self.config.env_prefix or "", self.config.env_delimiter
        if ITEM in path:
            whole = prefix + join.join(p.upper() for p in path[: path.index(ITEM)])
            if container and path[-1] == ITEM:
                return f"{code(whole)} (the whole {self.list_word}, as JSON)"
            return f"only within {code(whole)}"
        parts = ["<NAME>" if p == ENTRY else p.upper() for p in path]
        if container and self.walk.targets.get(tuple(path)):
            resolved = self.walk.resolve(self.walk.property_at(tuple(path)))
            if resolved.get("type") == "array":
                return f"{code(prefix + join.join(parts))} (the whole {self.list_word}, as JSON)"
            parts += ["<NAME>", "<KEY>"] if entry_schema(resolved) else ["<KEY>"]
        return code(prefix + join.join(parts))

    # -- the file ---------------------------------------------------------------------

    def render(self) -> Iterator[str]:
        yield f"## {self.config.name}"
        yield self.config.intro
        yield "\n".join(f"- {self.link(s)}" for s in self.walk.sections)
        for section in self.walk.sections:
            yield from self.section(section)

    def section(self, section: Section) -> Iterator[str]:
        yield f"### {self.heading(section)}"
        description = section.schema.get("description")
        if description and section.path:
            yield from paragraphs(str(description))
        if section.also:
            paths = [section.path, *section.also]
            shared = ", ".join(code(self.key_path(p), in_table=False) for p in paths)
            yield f"The value of {shared}."
        if section.entry_pattern is not None:
            pattern = code(section.entry_pattern, in_table=False)
            yield f"`<name>` is a name you choose, matching {pattern}."
        properties: Mapping[str, Schema] = section.schema.get("properties", {})
        if not properties:
            yield "No keys."
            return
        with_env = self.config.env_prefix is not None
        columns = ["Key", "Type", "Default", *(["Environment variable"] * with_env), "Description"]
        rows = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        required = set(section.schema.get("required", ()))
        for key, prop in properties.items():
            path = (*section.path, key)
            container = bool(self.walk.targets.get(path))
            cells = [
                code(key),
                self.type_cell(path, prop, required=key in required),
                self.default_cell(prop, required=key in required),
                *([self.env_var(path, container=container)] * with_env),
                self.description(key, prop, properties),
            ]
            rows.append("| " + " | ".join(cells) + " |")
        yield "\n".join(rows)

    # -- cells ------------------------------------------------------------------------

    def type_cell(self, path: tuple[str, ...], prop: Schema, *, required: bool) -> str:
        flags = ["**required**"] * required + ["**secret**"] * is_secret(prop)
        return "; ".join([self.type_text(path, prop), *flags])

    def type_text(self, path: tuple[str, ...], prop: Schema) -> str:
        """The value's type with its allowed values, range, length or pattern."""
        sections = self.walk.targets.get(path)
        if sections:
            return self.container_text(prop, sections)
        options = self.walk.options(prop)
        if len(options) > 1:
            return " or ".join(self.type_text(path, option) for option in options)
        node = self.walk.resolve(options[0])
        if "const" in node:
            return literal(node["const"])
        if "enum" in node:
            return " or ".join(literal(value) for value in node["enum"])
        kind = node.get("type")
        if kind == "array":
            items = node.get("items")
            inner = self.type_text((*path, ITEM), items) if isinstance(items, Mapping) else "any"
            if inner in PLURALS:
                inner += "s"
            text = f"{self.list_word} of " + (f"({inner})" if "," in inner else inner)
        elif kind == "object":
            text = self.table_word
            entry = entry_schema(node)
            if entry is not None:
                keys = self.walk.resolve(node.get("propertyNames") or {})
                key_text = " or ".join(map(literal, keys["enum"])) if "enum" in keys else "name"
                text = f"{text} of {key_text} → {self.type_text((*path, ENTRY), entry[1])}"
        elif isinstance(kind, list):
            text = " or ".join(str(k) for k in kind if k != "null")
        else:
            text = FORMATS.get(str(node.get("format")), str(kind or "any value"))
        return ", ".join([text, *bounds_text(node)])

    def container_text(self, prop: Schema, sections: Sequence[Section]) -> str:
        resolved = self.walk.resolve(prop)
        if resolved.get("type") == "array":
            shape = f"{self.list_word} of {self.table_word}s"
        elif entry_schema(resolved) is not None:
            shape = f"{self.table_word}s by name"
        else:
            shape = self.table_word
        return f"{shape}, see " + ", ".join(self.link(s) for s in sections)

    def default_cell(self, prop: Schema, *, required: bool) -> str:
        if required:
            return "—"
        if "default" not in prop:
            kind = self.walk.resolve(prop).get("type")
            return "empty" if kind in ("object", "array") else "unset"
        default = prop["default"]
        if default is None:
            return "unset"
        if isinstance(default, Mapping) and default and self.is_section_default(prop, default):
            return "its keys' defaults"
        return literal(default)

    def is_section_default(self, prop: Schema, default: Mapping[str, Any]) -> bool:
        """Whether ``default`` is exactly what the keys of the section default to."""
        options = self.walk.options(prop)
        if len(options) != 1 or not self.walk.is_model(options[0]):
            return False
        keys: Mapping[str, Schema] = self.walk.resolve(options[0]).get("properties", {})
        return all(
            key in keys
            and (
                self.implied_default(keys[key]) == value
                or (isinstance(value, Mapping) and self.is_section_default(keys[key], value))
            )
            for key, value in default.items()
        )

    def implied_default(self, prop: Schema) -> Any:
        """A key's default; an empty table or list for one made by a default factory."""
        if "default" in prop:
            return prop["default"]
        return {"object": {}, "array": []}.get(str(self.walk.resolve(prop).get("type")))

    def description(self, key: str, prop: Schema, siblings: Mapping[str, Schema]) -> str:
        """The key's description; else its type's (an enum's, a section's first sentence)."""
        text = prop.get("description")
        secret = key.removesuffix("_file")
        if text is None and secret != key and is_secret(siblings.get(secret, {})):
            text = (
                f"A file whose content is the secret `{secret}` (a trailing newline is "
                "dropped), e.g. a mounted container secret."
            )
        options = self.walk.options(prop)
        items = self.walk.resolve(prop).get("items")
        if text is None and len(options) == 1 and isinstance(items, Mapping):
            options = self.walk.options(items)  # a list: what each element is
        if text is None and len(options) == 1:
            text = self.walk.resolve(options[0]).get("description")
            if text is not None and self.walk.is_model(options[0]):
                text = str(text).split("\n\n", 1)[0]
        return inline(str(text), in_table=True) if text else ""


# -- the page -------------------------------------------------------------------------

_TITLE = "Configuration reference"
_PAGE_INTRO = (
    "Every key of `flywheel.toml` and `mapping.yaml`, generated from the JSON Schemas that "
    "`flywheel-sync config schema` prints. Each table gives a key's type (with its allowed "
    "values, range or pattern), whether it is **required** or a **secret**, its default and "
    "what it means. In a key path, `[]` stands for any element of a list and `<name>` for a "
    "name you choose. [concepts.md](concepts.md) explains what the mapping does with these "
    "settings, and [connecting.md](connecting.md) what each connection needs from the tools."
)
_TOML_INTRO = (
    "How flywheel-sync reaches each tool, where it keeps its state, how it logs, and which "
    "jobs `serve` runs. It is found through `-c/--config`, else `$FLYWHEEL_CONFIG`, else "
    "`./flywheel.toml`; relative paths in it are relative to its own folder.\n\n"
    "Every key can be set from the environment instead, and the environment wins over the "
    "file: `FLYWHEEL_`, then the key path in upper case joined by `__` (the *Environment "
    "variable* column). A list such as `jobs` can only be replaced as a whole, as JSON. Keep "
    "secrets out of the file: set them in the environment, or give a secret `x` as `x_file`, "
    "a file holding it. Secrets are never printed, logged or shown in errors. Unknown keys "
    "are errors."
)
_YAML_INTRO = (
    "The PMO's context and catalogue, the rules that turn tool records into Value Ring "
    "entities, what is pushed back into the tools, and the thresholds of the analysis. It is "
    "named by `mapping` in `flywheel.toml`. It holds no secrets and takes no environment "
    "overrides, so a mapping reads the same wherever it runs. Unknown keys are errors."
)


def render_reference(files: Sequence[ConfigFile]) -> str:
    """The Markdown reference of ``files``, in the order given."""
    anchors = Anchors([_TITLE, *(f.name for f in files)])
    renderers = [_FileRenderer(SchemaWalk(config), anchors) for config in files]
    blocks = [
        f"# {_TITLE}",
        "<!-- Generated from the settings models: do not edit. Run `make schema` "
        f"(or `{REGENERATE}`) after changing them. -->",
        _PAGE_INTRO,
    ]
    for renderer in renderers:
        blocks += renderer.render()
    return "\n\n".join(blocks) + "\n"


def configuration_reference() -> str:
    """The reference of ``flywheel.toml`` and ``mapping.yaml`` as the models are now."""
    schemas = configuration_schemas()
    return render_reference(
        [
            ConfigFile(
                name="flywheel.toml",
                schema=schemas[SCHEMA_FILES["flywheel.toml"]],
                syntax=Syntax.TOML,
                intro=_TOML_INTRO,
                env_prefix=ENV_PREFIX,
            ),
            ConfigFile(
                name="mapping.yaml",
                schema=schemas[SCHEMA_FILES["mapping.yaml"]],
                syntax=Syntax.YAML,
                intro=_YAML_INTRO,
            ),
        ]
    )
