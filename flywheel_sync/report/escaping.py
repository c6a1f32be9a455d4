"""Tool text made safe for each output format: cleaned once, then escaped for the format.

Everything a summary shows comes from the tools (titles, names, units), so any of it may hold
markup, control characters or a megabyte of text. `clean_text` makes it one line of printable
text that XML 1.0 allows; the ``*_text`` functions then make it inert in one format, so it
shows literally and can never open a tag, a link, a macro or an emphasis:

- `xml_text`: Confluence storage format (XHTML): ``& < > " '`` as character references.
- `markdown_text`: CommonMark/GFM: every character that acts inside a line backslash-escaped,
  and the ``.`` of ``www.`` too, so GFM does not make an address a link. (GFM still links an
  e-mail address, to the address shown: no escape stops that.)
- `wiki_text`: Jira wiki markup: every markup character backslash-escaped, and backslash and
  ``&`` (which cannot be escaped that way) as numeric character references, as is the ``.``
  of a leading ``h1.``/``bq.`` (a comment's first words are tool text, at a line's start).

Adaptive Cards need no function here: card data goes into ``TextRun``s, which cards do not
read as Markdown (see `cards`).
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

__all__ = [
    "ELLIPSIS",
    "clean_text",
    "is_http_url",
    "link_url",
    "markdown_text",
    "shorten",
    "wiki_text",
    "xml_text",
]

ELLIPSIS = "…"
"""What ends a shortened text."""

# Characters XML 1.0 forbids (C0 controls but tab and line breaks, lone surrogates, U+FFFE/F),
# DEL and the C1 controls (allowed but discouraged), and the bidirectional embedding, override
# and isolate controls, so a tool title cannot reorder the text around it.
_UNWANTED = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u202a-\u202e\u2066-\u2069]"
)
_LINE_BREAKS = re.compile("[\t\n\r\u2028\u2029]+")
# Tool text never starts a line (line breaks are folded), so only the characters that act
# inside a line are escaped: emphasis, code, links, HTML, entities, table cells, "#" (a
# heading's closing sequence), and what would make a GFM autolink: the ":" of "://" and the
# "." of "www." (cmark-gfm finds those in the raw source; "http\://" and "www\." it leaves
# alone). "(" and "!" are inert once "[" and "]" are.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~&#]|:(?=//)|(?<=[Ww][Ww][Ww])\.)")
_WIKI_SPECIAL = re.compile(r"[_+\-*^~|\[\]{}()!:;?#\\&]")
# Jira reads a backslash before punctuation as an escape, but "\\" is a line break and "&"
# starts an entity: those two are written as numeric character references instead.
_WIKI_REFERENCES = {"\\": "&#92;", "&": "&#38;"}
# Headings and quotes ("h1. ", "bq. ") are read only at the start of a line, which is where a
# comment's first tool text stands: their "." is written as a character reference.
_WIKI_LINE_START = re.compile(r"^(h[1-6]|bq)\.", re.IGNORECASE)
# Reserved and unreserved URL characters kept as they are; everything else (spaces, quotes,
# brackets, pipes, non-ASCII) is percent-encoded, so a URL cannot end a Markdown or wiki link.
_URL_SAFE = ":/?#@!$&'*+,;=%-._~"


def clean_text(text: str) -> str:
    """One line of printable text: forbidden characters dropped, line breaks as one space.

    Drops what XML 1.0 forbids, DEL and the C1 controls, and bidirectional controls; keeps
    every other character (right-to-left scripts, emoji, combining marks). Tabs and line
    breaks become a single space; the result has no surrounding whitespace.
    """
    return _LINE_BREAKS.sub(" ", _UNWANTED.sub("", text)).strip()


def shorten(text: str, limit: int | None) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when cut; None: no limit.

    Raises:
        ValueError: ``limit`` is below 1.
    """
    if limit is None or len(text) <= limit:
        return text
    if limit < 1:
        raise ValueError(f"cannot shorten text to {limit} characters: the limit must be >= 1")
    return text[: limit - 1].rstrip() + ELLIPSIS


def xml_text(text: str) -> str:
    """Cleaned text as XML character data or an attribute value (either quote)."""
    return html.escape(clean_text(text), quote=True)


def markdown_text(text: str) -> str:
    """Cleaned text that Markdown shows literally (also inside a GFM table cell)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", clean_text(text))


def wiki_text(text: str) -> str:
    """Cleaned text that Jira wiki markup shows literally, even at a line's start or in a cell."""
    escaped = _WIKI_SPECIAL.sub(_wiki_escape, clean_text(text))
    return _WIKI_LINE_START.sub(r"\1&#46;", escaped)


def _wiki_escape(match: re.Match[str]) -> str:
    char = match.group()
    return _WIKI_REFERENCES.get(char, "\\" + char)


def is_http_url(url: str) -> bool:
    """Whether ``url`` is an absolute ``http``/``https`` URL with a host, on one line."""
    if url != url.strip() or _LINE_BREAKS.search(url) or _UNWANTED.search(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def link_url(url: str) -> str:
    """An http(s) URL with every character that could end a link percent-encoded.

    The result is plain ASCII without spaces, quotes, brackets, parentheses or pipes, so it
    can stand in a Markdown ``(…)``, a wiki ``[…|…]`` or (XML-escaped) an ``href``.

    Raises:
        ValueError: ``url`` is not an absolute http(s) URL (`is_http_url`).
    """
    if not is_http_url(url):
        raise ValueError(f"{url!r} is not an absolute http(s) URL")
    return quote(url, safe=_URL_SAFE)
