"""A short Jira comment when an engagement enters a stage, and how to recognise it later.

The comment says which service for which customer entered which stage, lists the KPIs (value,
target, status, trend), links the full summary, and ends with the push's ``marker`` in a small
grey line. Jira Cloud (REST v3) takes an Atlassian Document Format (ADF) document; Data Center
(v2) takes wiki markup, where tool text is escaped (`escaping.wiki_text`). Tool text is cut to
`TEXT_LIMIT` characters and the list to `MAX_KPIS` lines: a comment, not a report.

`comment_has_marker` finds the marker in a comment body as Jira returns it (an ADF document on
v3, a wiki string on v2), so the push recognises the comments it wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flywheel_sync.report.escaping import clean_text, link_url, shorten, wiki_text
from flywheel_sync.report.summary import EngagementComment, KPILine
from flywheel_sync.report.wording import (
    NOTHING,
    kpi_name,
    status_words,
    trend_words,
    value_text,
)

__all__ = ["MAX_KPIS", "TEXT_LIMIT", "comment_has_marker", "render_comment"]

TEXT_LIMIT = 200
"""Characters kept of each tool text (a name, a unit) in a comment."""
MAX_KPIS = 10
"""KPIs listed in a comment; the rest are counted and left to the full summary."""

_MARKER_COLOUR = "#6b778c"
_Node = dict[str, Any]


def render_comment(comment: EngagementComment, *, adf: bool) -> dict[str, Any] | str:
    """The comment body: an ADF document when ``adf`` (Jira Cloud, REST v3), else wiki markup.

    The same comment always renders the same body, and ``comment.marker`` appears in it
    verbatim (`comment_has_marker` finds it).
    """
    return _adf(comment) if adf else _wiki(comment)


def comment_has_marker(body: Any, marker: str) -> bool:
    """Whether a comment body, as Jira returns it, contains ``marker``.

    Args:
        body: The comment's ``body``: an ADF document (v3) or a string (v2); anything else
            (None, a number) holds no marker.
        marker: The marker to look for.
    """
    if not marker:
        return False
    if isinstance(body, str):
        return marker in body
    return any(marker in text for text in _block_texts(body))


def _block_texts(node: Any) -> Iterator[str]:
    """The text of each ADF node's text children, joined (an editor may split a text node)."""
    if not isinstance(node, dict):
        return
    content = node.get("content")
    if not isinstance(content, list):
        return
    texts = (child.get("text") for child in content if isinstance(child, dict))
    yield "".join(text for text in texts if isinstance(text, str))
    for child in content:
        yield from _block_texts(child)


def _data(text: str) -> str:
    return shorten(clean_text(text), TEXT_LIMIT) or NOTHING


def _kpi_facts(line: KPILine) -> str:
    """A KPI's value, target, status and trend: "87.5 % (target 90 %) · at risk · ↑ improving"."""
    value = _data(value_text(line.value, line.unit))
    if line.target is not None:
        value = f"{value} (target {_data(value_text(line.target, line.unit))})"
    facts = [value, status_words(line)]
    if line.trend is not None:
        facts.append(trend_words(line.trend, line.direction))
    return " · ".join(facts)


def _more(comment: EngagementComment) -> str | None:
    hidden = len(comment.kpis) - MAX_KPIS
    if hidden <= 0:
        return None
    return f"and {hidden} more KPI{'s' if hidden > 1 else ''} in the full summary"


# ---------------------------------------------------------------- ADF (Jira Cloud, REST v3)


def _text(text: str, *marks: _Node) -> _Node:
    node: _Node = {"type": "text", "text": text}
    if marks:
        node["marks"] = list(marks)
    return node


def _paragraph(*content: _Node) -> _Node:
    return {"type": "paragraph", "content": list(content)}


_STRONG: _Node = {"type": "strong"}


def _adf(comment: EngagementComment) -> _Node:
    blocks = [
        _paragraph(
            _text(_data(comment.service_name), _STRONG),
            _text(" for "),
            _text(_data(comment.customer_name), _STRONG),
            _text(" entered "),
            _text(comment.stage.label, _STRONG),
            _text(f" (cycle {comment.cycle})."),
        )
    ]
    items = [
        _paragraph(_text(_data(kpi_name(line)), _STRONG), _text(f": {_kpi_facts(line)}"))
        for line in comment.kpis[:MAX_KPIS]
    ]
    more = _more(comment)
    if more is not None:
        items.append(_paragraph(_text(more)))
    if items:
        blocks.append(
            {
                "type": "bulletList",
                "content": [{"type": "listItem", "content": [item]} for item in items],
            }
        )
    if comment.link is not None:
        link = {"type": "link", "attrs": {"href": link_url(comment.link)}}
        blocks.append(_paragraph(_text("Full summary", link)))
    grey = {"type": "textColor", "attrs": {"color": _MARKER_COLOUR}}
    blocks.append(_paragraph(_text(comment.marker, grey)))
    return {"type": "doc", "version": 1, "content": blocks}


# ---------------------------------------------------------------- wiki markup (Data Center, v2)


def _wiki(comment: EngagementComment) -> str:
    blocks = [
        f"{wiki_text(_data(comment.service_name))} for {wiki_text(_data(comment.customer_name))}"
        f" entered *{comment.stage.label}* (cycle {comment.cycle})."
    ]
    items = [
        f"* {wiki_text(_data(kpi_name(line)))}: {wiki_text(_kpi_facts(line))}"
        for line in comment.kpis[:MAX_KPIS]
    ]
    more = _more(comment)
    if more is not None:
        items.append(f"* {more}")
    if items:
        blocks.append("\n".join(items))
    if comment.link is not None:
        blocks.append(f"[Full summary|{link_url(comment.link)}]")
    blocks.append(f"{{color:gray}}{comment.marker}{{color}}")
    return "\n\n".join(blocks)
