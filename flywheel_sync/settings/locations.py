"""Finds the line of a key path in a TOML or YAML file, so problems can say ``file:line``.

YAML is composed into nodes, which carry their positions. ``tomllib`` keeps none, so TOML is
scanned: table headers (``[a.b]``, ``[[jobs]]``) and ``key =`` lines. A key the scan cannot place
(dotted or inline-table keys) simply gets no line number.

A file with thousands of mistakes gets thousands of look-ups, so each file is read once into a
locator (``toml_locator``, ``yaml_locator``) and every look-up after that is cheap; reading
again per problem made a large broken mapping take minutes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import yaml

__all__ = ["Locator", "read_text", "toml_line", "toml_locator", "yaml_line", "yaml_locator"]

Loc = tuple[str | int, ...]
Locator = Callable[[Loc], int | None]
"""The 1-based line of a key path in one file, or None when it cannot be placed."""

_TOML_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_TOML_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")


def _header_path(raw: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in raw.split("."))


def toml_locator(text: str) -> Locator:
    """Scan TOML ``text`` once; the locator answers what ``toml_line`` would, in O(depth²).

    The first line, in file order, that is either the table ``loc`` itself or a ``key =``
    line on ``loc``'s path wins; failing that, the first table header on its path.
    """
    headers: dict[Loc, int] = {}
    keys: dict[Loc, int] = {}
    table: Loc = ()
    array_counts: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TOML_HEADER.match(line)
        if header:
            path = _header_path(header.group(2))
            if header.group(1) == "[[":
                index = array_counts.get(path, -1) + 1
                array_counts[path] = index
                table = (*path, index)
            else:
                table = path
            headers.setdefault(table, number)
            continue
        key = _TOML_KEY.match(line)
        if key:
            keys.setdefault((*table, key.group(1) or key.group(2) or key.group(3)), number)

    def line_of(loc: Loc) -> int | None:
        prefixes = [loc[:length] for length in range(1, len(loc) + 1)]
        exact = [keys[p] for p in prefixes if p in keys]
        if loc in headers:
            exact.append(headers[loc])
        if exact:
            return min(exact)
        on_path = [headers[p] for p in prefixes if p in headers]
        return min(on_path) if on_path else None

    return line_of


def toml_line(text: str, loc: Loc) -> int | None:
    """The 1-based line where ``loc`` is defined in TOML ``text``, or None if not found."""
    return toml_locator(text)(loc)


def yaml_locator(text: str) -> Locator:
    """Compose YAML ``text`` once; the locator gives the line of the deepest node of a path.

    Text that cannot be composed (a syntax error, nesting too deep to follow) gives a locator
    that places nothing: a problem without a line beats no report at all.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError, ValueError):
        root = None

    def line_of(loc: Loc) -> int | None:
        node = root
        line: int | None = None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                match = next((kv for kv in node.value if kv[0].value == part), None)
                if match is None:
                    break
                line = match[0].start_mark.line + 1
                node = match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line

    return line_of


def yaml_line(text: str, loc: Loc) -> int | None:
    """The 1-based line of the deepest node of ``loc`` present in YAML ``text``."""
    return yaml_locator(text)(loc)


def read_text(path: Path) -> str:
    """The file's text, or empty when it cannot be read (then no line numbers are given)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
