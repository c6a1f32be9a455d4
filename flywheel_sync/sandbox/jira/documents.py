"""Rich-text bodies on the way in: ADF (REST v3) or wiki text (v2) to the plain text kept.

The store keeps descriptions and comment bodies as plain text, one line per paragraph, and
`rendering.adf` turns them back into ADF for v3 readers; reading ADF here is its inverse, so
a body written through v3 reads back unchanged. Wiki text is kept as written.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "NOT_A_DOCUMENT",
    "NOT_A_STRING",
    "BodyRejected",
    "document_text",
    "is_document",
    "stored_text",
]

NOT_A_DOCUMENT = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
NOT_A_STRING = "Operation value must be a string"
# Inline nodes that stand for text without a ``text`` member, and where that text is.
_INLINE_TEXT = {"mention": "text", "emoji": "shortName", "inlineCard": "url", "date": "timestamp"}


class BodyRejected(ValueError):
    """A body in the wrong format for the REST version; ``message`` is Jira's wording."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_document(value: Any) -> bool:
    """Whether ``value`` is an Atlassian Document Format document."""
    return (
        isinstance(value, dict)
        and value.get("type") == "doc"
        and isinstance(value.get("content", []), list)
    )


def document_text(document: dict[str, Any]) -> str:
    """The text of an ADF document: one line per paragraph (or other block), in order."""
    lines: list[str] = []
    for block in document.get("content") or []:
        _block_lines(block, lines)
    return "\n".join(lines)


def _block_lines(block: Any, lines: list[str]) -> None:
    if not isinstance(block, dict):
        return
    content = block.get("content") or []
    if block.get("type") in ("paragraph", "heading", "codeBlock") or not any(
        isinstance(node, dict) and isinstance(node.get("content"), list) for node in content
    ):
        lines.append("".join(_inline_text(node) for node in content))
        return
    for child in content:
        _block_lines(child, lines)


def _inline_text(node: Any) -> str:
    if not isinstance(node, dict):
        return ""
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "hardBreak":
        return "\n"
    attrs = node.get("attrs") or {}
    member = _INLINE_TEXT.get(str(kind))
    return str(attrs.get(member, "")) if member and isinstance(attrs, dict) else ""


def stored_text(value: Any, *, version: str) -> str | None:
    """The plain text to keep for a description or comment body; None when empty.

    Args:
        value: The body as sent: an ADF document on v3, a (wiki text) string on v2.
        version: The REST version of the request, "2" or "3".

    Raises:
        BodyRejected: The body is not in the version's format.
    """
    if value is None:
        return None
    if version == "3":
        if not is_document(value):
            raise BodyRejected(NOT_A_DOCUMENT)
        text = document_text(value)
    elif isinstance(value, str):
        text = value
    else:
        raise BodyRejected(NOT_A_STRING)
    return text or None
