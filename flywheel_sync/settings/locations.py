"""Finds the line of a key path in a TOML or YAML file, so problems can say ``file:line``.

YAML is composed into nodes, which carry their positions. ``tomllib`` keeps none, so TOML is
scanned: table headers (``[a.b]``, ``[[jobs]]``) and ``key =`` lines. A key the scan cannot place
(dotted or inline-table keys) simply gets no line number.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

__all__ = ["read_text", "toml_line", "yaml_line"]

_TOML_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_TOML_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")


def _header_path(raw: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in raw.split("."))


def toml_line(text: str, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line where ``loc`` is defined in TOML ``text``, or None if not found."""
    table: tuple[str | int, ...] = ()
    array_counts: dict[tuple[str, ...], int] = {}
    best: int | None = None
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
            if table == loc:
                return number
            if loc[: len(table)] == table and best is None:
                best = number
            continue
        key = _TOML_KEY.match(line)
        if key and (*table, key.group(1) or key.group(2) or key.group(3)) == loc[: len(table) + 1]:
            return number
    return best


def yaml_line(text: str, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the deepest node of ``loc`` present in YAML ``text``."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line: int | None = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if kv[0].value == part), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def read_text(path: Path) -> str:
    """The file's text, or empty when it cannot be read (then no line numbers are given)."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""
