"""Markdown for the configuration reference: safe text, code spans, anchors, value bounds.

Descriptions come from docstrings, written for Python readers: ````literal```` markup, ``<tool>``
placeholders and ``*/15 * * * *`` crontabs would render wrongly or vanish as HTML in Markdown,
so `inline` turns them into text GitHub shows as written.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = [
    "FORMATS",
    "PLURALS",
    "Anchors",
    "bounds_text",
    "code",
    "inline",
    "literal",
    "paragraphs",
    "title_words",
]

_RST_LITERAL = re.compile(r"``(.+?)``")
_CODE_SPAN = re.compile(r"(`[^`]*`)")


def inline(text: str, *, in_table: bool) -> str:
    """Docstring text as Markdown: ``rst`` literals as code, ``<``, ``>`` and ``*`` escaped."""
    parts = _CODE_SPAN.split(_RST_LITERAL.sub(r"`\1`", " ".join(text.split())))
    for index, part in enumerate(parts):
        if index % 2 == 0:  # outside code spans
            part = part.replace("<", "&lt;").replace(">", "&gt;").replace("*", r"\*")
        parts[index] = part.replace("|", r"\|") if in_table else part
    return "".join(parts)


def code(value: str, *, in_table: bool = True) -> str:
    """``value`` as a code span (a table cell needs its ``|`` escaped)."""
    text = f"`` {value} ``" if "`" in value else f"`{value}`"
    return text.replace("|", r"\|") if in_table else text


def literal(value: Any) -> str:
    """A value as JSON in a code span: also valid TOML and YAML for scalars and lists."""
    return code(json.dumps(value, ensure_ascii=False))


def paragraphs(text: str) -> Iterator[str]:
    """A docstring as Markdown blocks; the indented block after ``Examples::`` becomes code."""
    lines = inspect.cleandoc(text).splitlines()
    words: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.strip():
            words.append(line)
        if line.rstrip().endswith("::"):
            words[-1] = line.rstrip()[:-1]
            literal_lines: list[str] = []
            while index < len(lines) and (not lines[index].strip() or lines[index][0] == " "):
                literal_lines.append(lines[index])
                index += 1
            yield inline(" ".join(words), in_table=False)
            yield "```\n" + inspect.cleandoc("\n".join(literal_lines)) + "\n```"
            words = []
        elif not line.strip() and words:
            yield inline(" ".join(words), in_table=False)
            words = []
    if words:
        yield inline(" ".join(words), in_table=False)


class Anchors:
    """GitHub's heading anchors: lower case, punctuation dropped, ``-`` for spaces, numbered."""

    def __init__(self, taken: Sequence[str] = ()) -> None:
        self._used: dict[str, int] = {}
        for heading in taken:
            self.make(heading)

    def make(self, heading: str) -> str:
        """The anchor of the next heading with this text."""
        base = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        count = self._used.get(base, 0)
        self._used[base] = count + 1
        return base if count == 0 else f"{base}-{count}"


FORMATS = {
    "path": "path",
    "file-path": "path to an existing file",
    "directory-path": "path to an existing folder",
    "date": "date (YYYY-MM-DD)",
    "date-time": "date and time (ISO 8601)",
    "uri": "URL",
}

PLURALS = frozenset({"string", "integer", "number", "boolean", "path"})
_LOWER = (("minimum", "≥"), ("exclusiveMinimum", ">"))
_UPPER = (("maximum", "≤"), ("exclusiveMaximum", "<"))
_COUNTS = (
    ("minLength", "maxLength", "character"),
    ("minItems", "maxItems", "item"),
)


def bounds_text(node: Mapping[str, Any]) -> list[str]:
    """A value's range and sizes in words: ``from 1 to 5``, ``> 0 and ≤ 600``, ``not empty``."""
    found: list[str] = []
    lower = next(((node[k], sign) for k, sign in _LOWER if k in node), None)
    upper = next(((node[k], sign) for k, sign in _UPPER if k in node), None)
    if lower and upper and (lower[1], upper[1]) == ("≥", "≤"):
        found.append(f"exactly {lower[0]}" if lower[0] == upper[0] else f"{lower[0]} to {upper[0]}")
    elif lower or upper:
        found.append(
            " and ".join(f"{sign} {value}" for value, sign in filter(None, (lower, upper)))
        )
    for least, most, unit in _COUNTS:
        low, high = node.get(least), node.get(most)
        if low == 1 and high is None:
            found.append("not empty")
        elif low is not None or high is not None:
            limits = [f"at least {low}"] * (low is not None) + [f"at most {high}"] * (
                high is not None
            )
            found.append(f"{' and '.join(limits)} {unit}s")
    if "pattern" in node:
        found.append(f"matching {code(str(node['pattern']))}")
    return found


def title_words(title: str) -> str:
    """``ValueSource`` → ``Value source``, ``KPIEntry`` → ``KPI entry``."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", title).split()
    return " ".join(w if i == 0 or w.isupper() else w.lower() for i, w in enumerate(words))
