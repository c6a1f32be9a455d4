"""Tool text lands inert in every format: read back as each consumer reads it, it is only text.

For each format one ``assert_*`` states the promise for a single text; it runs on the explicit
attacks (`INJECTIONS`: a ``<script>``, ``]]>``, card JSON, Markdown links and images,
Confluence macros, ADF-looking JSON, control characters, ...) and on `tool_text` drawn by
hypothesis. Each checks three things: the rendering holds no element, link, action or markup
that the renderer did not put there itself; our own structure is intact (same tags, same table
cells); and the tool text comes back verbatim (cleaned: one printable line) where it is shown.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it.token import Token

from flywheel_sync.domain import ScopeKind
from flywheel_sync.push.targets.summaries import page_link
from flywheel_sync.report import page_title, render_cards, render_comment, render_markdown
from flywheel_sync.report.confluence import MAX_TITLE_LENGTH, render_page
from flywheel_sync.report.escaping import clean_text, is_http_url, shorten
from flywheel_sync.report.html import render_html
from flywheel_sync.report.html_sections import PortfolioReport, _record
from flywheel_sync.report.jira_comment import TEXT_LIMIT, comment_has_marker
from flywheel_sync.report.task_note import (
    NOTE_BEGIN,
    NOTE_END,
    note_in,
    render_task_note,
    with_note,
)
from flywheel_sync.report.wording import NOTHING, kpi_name, subject_name, summary_title
from flywheel_sync.sandbox.workflows.card_validation import payload_problems
from tests.unit.report.builders import LINK, MARKER, hostile_comment, hostile_summary
from tests.unit.report.hostile_text import (
    AC,
    EVERY_RUN,
    INJECTIONS,
    HTMLPage,
    gfm_autolinks,
    markdown_tokens,
    read_html,
    storage_document,
    tool_text,
    wiki_unescape,
)
from tests.unit.report.test_html import hostile_report

SCOPES = [ScopeKind.SERVICE, ScopeKind.CUSTOMER]
BENIGN = "Plain words"


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object inside ``value``, depth first."""
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _nodes(child)
    elif isinstance(value, list):
        for child in value:
            yield from _nodes(child)


def _as_sent(value: Any) -> Any:
    """``value`` through the wire: serialised as httpx sends it, parsed as the receiver does."""
    sent = json.dumps(value, ensure_ascii=False)
    back = json.loads(sent)
    assert back == value
    return back


# ---------------------------------------------------------------- Confluence storage format

_STORAGE_TAGS = {
    "root",
    *("p", "strong", "h2", "table", "tbody", "tr", "th", "td"),
    f"{{{AC}}}structured-macro",
    f"{{{AC}}}parameter",
}
_LOZENGE = {
    "colour": {"Green", "Yellow", "Red", "Grey"},
    "title": {"ON TRACK", "AT RISK", "OFF TRACK", "NO DATA", "NO TARGET", "NOT RATED", "STALLED"},
}


def _text(element: Element) -> str:
    return "".join(element.itertext())


def _storage_rows(root: Element, heading: str) -> list[list[str]]:
    """The data rows of the table under ``<h2>heading</h2>``, as the text of each cell."""
    children = list(root)
    index = next(
        i for i, child in enumerate(children) if child.tag == "h2" and child.text == heading
    )
    return [[_text(cell) for cell in row] for row in children[index + 1].iter("tr")][1:]


def assert_storage_inert(text: str, scope: ScopeKind) -> None:
    built = hostile_summary(text, scope=scope)
    root = storage_document(render_page(built))

    assert {element.tag for element in root.iter()} <= _STORAGE_TAGS
    for element in root.iter():
        if element.tag == f"{{{AC}}}structured-macro":
            assert element.attrib == {f"{{{AC}}}name": "status", f"{{{AC}}}schema-version": "1"}
        elif element.tag == f"{{{AC}}}parameter":
            name = element.attrib[f"{{{AC}}}name"]
            assert element.text in _LOZENGE[name]
        else:
            assert element.attrib == {}
    shown = clean_text(text)
    assert root.findtext("p/strong") == subject_name(built)
    assert _storage_rows(root, "KPIs")[0][0] == kpi_name(built.kpis[0])
    assert _storage_rows(root, "Symptoms")[0][1] == shown
    assert _storage_rows(root, "Engagements")[0][:2] == [shown, shown]
    title = page_title(built)  # plain text in the page's JSON, within Confluence's limit
    assert clean_text(title) == title
    assert title == summary_title(built) or len(title) == MAX_TITLE_LENGTH


@pytest.mark.parametrize("text", INJECTIONS)
@pytest.mark.parametrize("scope", SCOPES)
def test_storage_format_holds_attacks_as_text(text: str, scope: ScopeKind) -> None:
    assert_storage_inert(text, scope)


@EVERY_RUN
@given(text=tool_text, scope=st.sampled_from(SCOPES))
def test_storage_format_holds_any_tool_text_as_text(text: str, scope: ScopeKind) -> None:
    assert_storage_inert(text, scope)


@EVERY_RUN
@given(text=tool_text)
def test_a_page_link_from_any_title_is_an_http_url(text: str) -> None:
    link = page_link("https://wiki.example.com/", "PMO", page_title(hostile_summary(text)))
    assert is_http_url(link)
    hostile_summary(text, link=link)  # a summary accepts it as its link


# ---------------------------------------------------------------- Adaptive Cards (Teams)

_CARD_TYPES = {
    *("message", "AdaptiveCard", "Container", "RichTextBlock", "TextRun", "TextBlock"),
    *("Table", "TableRow", "TableCell", "Action.OpenUrl"),
}


def _card_texts(messages: list[dict[str, Any]], kind: str) -> list[str]:
    return [node["text"] for node in _nodes(messages) if node.get("type") == kind]


def assert_cards_inert(text: str, scope: ScopeKind) -> None:
    built = hostile_summary(text, scope=scope)
    messages = _as_sent(render_cards(built))
    benign = render_cards(hostile_summary(BENIGN, scope=scope))

    assert [problem for message in messages for problem in payload_problems(message)] == []
    objects = list(_nodes(messages))
    assert {node["type"] for node in objects if "type" in node} <= _CARD_TYPES
    assert [node["url"] for node in objects if "url" in node] == [LINK]
    assert all(key == "$schema" or not key.startswith("$") for node in objects for key in node)
    # TextBlocks (read as Markdown by Teams) hold our own words only, the same for any text.
    assert sorted(_card_texts(messages, "TextBlock")) == sorted(_card_texts(benign, "TextBlock"))
    runs = _card_texts(messages, "TextRun")
    assert runs[0] == summary_title(built)
    shown = clean_text(text)
    assert runs.count(shown) >= 2  # the symptom and the engagement title, as runs of their own
    assert kpi_name(built.kpis[0]) in runs


@pytest.mark.parametrize("text", INJECTIONS)
@pytest.mark.parametrize("scope", SCOPES)
def test_cards_hold_attacks_as_text_runs(text: str, scope: ScopeKind) -> None:
    assert_cards_inert(text, scope)


@EVERY_RUN
@given(text=tool_text, scope=st.sampled_from(SCOPES))
def test_cards_hold_any_tool_text_as_text_runs(text: str, scope: ScopeKind) -> None:
    assert_cards_inert(text, scope)


# ---------------------------------------------------------------- Markdown

_OWN_BLOCKS = {
    f"{kind}_{end}"
    for kind in ("heading", "paragraph", "table", "thead", "tbody", "tr", "th", "td")
    for end in ("open", "close")
} | {"inline"}
_OWN_INLINE = {"text", "text_special", "strong_open", "strong_close", "link_open", "link_close"}


def _inline(token: Token) -> str:
    return "".join(child.content for child in token.children or [])


def _markdown_tables(tokens: list[Token]) -> list[list[list[str]]]:
    """Every table as rows of cell texts (header row first)."""
    tables: list[list[list[str]]] = []
    cell = False
    for token in tokens:
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append([])
        cell = token.type in ("th_open", "td_open") or (cell and token.type == "inline")
        if cell and token.type == "inline":
            tables[-1][-1].append(_inline(token))
    return tables


@functools.cache
def _benign_strong(scope: ScopeKind) -> int:
    tokens = markdown_tokens(render_markdown(hostile_summary(BENIGN, scope=scope)))
    return sum(1 for t in tokens for child in t.children or [] if child.type == "strong_open")


def assert_markdown_inert(text: str, scope: ScopeKind) -> None:
    built = hostile_summary(text, scope=scope)
    source = render_markdown(built)
    tokens = markdown_tokens(source)
    children = [child for token in tokens for child in token.children or []]

    assert {token.type for token in tokens} <= _OWN_BLOCKS
    assert {child.type for child in children} <= _OWN_INLINE
    assert [child.attrs["href"] for child in children if child.type == "link_open"] == [LINK]
    strong = sum(1 for child in children if child.type == "strong_open")
    assert strong == _benign_strong(scope)  # tool text adds no emphasis of its own
    assert gfm_autolinks(source, own=LINK) == []
    assert _inline(tokens[1]) == summary_title(built)
    shown = clean_text(text) or NOTHING
    kpis, symptoms, engagements = _markdown_tables(tokens)
    assert [len(row) for row in kpis] == [6, 6]
    assert kpis[1][0] == kpi_name(built.kpis[0])
    assert [len(row) for row in symptoms] == [5, 5]
    assert symptoms[1][1] == shown
    assert [len(row) for row in engagements] == [7, 7]
    assert engagements[1][:2] == [shown, shown]


@pytest.mark.parametrize("text", INJECTIONS)
@pytest.mark.parametrize("scope", SCOPES)
def test_markdown_holds_attacks_as_text(text: str, scope: ScopeKind) -> None:
    assert_markdown_inert(text, scope)


@EVERY_RUN
@given(text=tool_text, scope=st.sampled_from(SCOPES))
def test_markdown_holds_any_tool_text_as_text(text: str, scope: ScopeKind) -> None:
    assert_markdown_inert(text, scope)


@pytest.mark.parametrize(
    "text", ["www.evil.example", "see WWW.evil.example/x", "(www.evil.example)", "*www.e.x*"]
)
def test_markdown_never_lets_gfm_autolink_a_www_address(text: str) -> None:
    source = render_markdown(hostile_summary(text))
    assert gfm_autolinks(source, own=LINK) == []


# ---------------------------------------------------------------- Jira comments: ADF and wiki

_ADF_BLOCKS = {"doc", "paragraph", "bulletList", "listItem"}
_ADF_MARKS = [
    {"type": "strong"},
    {"type": "link", "attrs": {"href": LINK}},
    {"type": "textColor", "attrs": {"color": "#6b778c"}},
]


def _adf_problems(node: dict[str, Any]) -> Iterator[str]:
    """Anything in an ADF tree that the comment renderer does not write itself."""
    if node["type"] == "text":
        if set(node) - {"type", "text", "marks"} or not node["text"]:
            yield f"odd text node {node!r}"
        yield from (
            f"odd mark {mark!r}" for mark in node.get("marks", []) if mark not in _ADF_MARKS
        )
        return
    if node["type"] not in _ADF_BLOCKS or set(node) - {"type", "version", "content"}:
        yield f"odd node {node!r}"
    for child in node.get("content", []):
        yield from _adf_problems(child)


def assert_adf_inert(text: str) -> None:
    document = _as_sent(render_comment(hostile_comment(text), adf=True))

    assert list(_adf_problems(document)) == []
    shown = shorten(clean_text(text), TEXT_LIMIT) or NOTHING
    first = [node["text"] for node in document["content"][0]["content"]]
    assert first[0] == first[2] == shown
    assert first[1] == " for "
    assert document["content"][-1]["content"][0]["text"] == MARKER
    assert comment_has_marker(document, MARKER)


def assert_wiki_inert(text: str) -> None:
    body = render_comment(hostile_comment(text), adf=False)
    assert isinstance(body, str)

    # Jira reads block markup ("h1.", "bq.", lists, tables) only at the start of a line.
    starts = [line[:4] for line in body.split("\n") if line]
    assert not [start for start in starts if re.match(r"(h[1-6]|bq)\.", start, re.IGNORECASE)]
    first, kpis, link, marker = body.split("\n\n")
    names = first.removesuffix(" entered *Value Recognition* (cycle 2).")
    half = (len(names) - len(" for ")) // 2
    assert names[half : half + 5] == " for "
    shown = shorten(clean_text(text), TEXT_LIMIT) or NOTHING
    assert wiki_unescape(names[:half]) == wiki_unescape(names[half + 5 :]) == shown
    found = re.fullmatch(r"\* ((?:\\.|[^\\:])*): (.*)", kpis)
    assert found is not None, kpis
    assert wiki_unescape(found[1]) == shorten(kpi_name(hostile_comment(text).kpis[0]), TEXT_LIMIT)
    wiki_unescape(found[2])
    assert link == f"[Full summary|{LINK}]"
    assert marker == f"{{color:gray}}{MARKER}{{color}}"


@pytest.mark.parametrize("text", INJECTIONS)
def test_adf_holds_attacks_as_text_nodes(text: str) -> None:
    assert_adf_inert(text)


@pytest.mark.parametrize("text", INJECTIONS)
def test_wiki_markup_holds_attacks_escaped(text: str) -> None:
    assert_wiki_inert(text)


@EVERY_RUN
@given(text=tool_text)
def test_jira_comments_hold_any_tool_text_as_text(text: str) -> None:
    assert_adf_inert(text)
    assert_wiki_inert(text)


# ---------------------------------------------------------------- the HTML report

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "background"}
_SCRIPT_URL = re.compile(r"\s*(javascript|vbscript|data):", re.IGNORECASE)
_RECORD_URL = re.compile(r"https://jira\.example/browse/[A-Za-z0-9:/?#@!$&'*+,;=%._~-]*")


def _report(text: str) -> PortfolioReport:
    """`hostile_report`, with an evidence record whose ref (and so whose link) is ``text``."""
    report = hostile_report(text)
    (symptom,) = report.symptoms
    (evidence,) = symptom.evidence
    record = _record(text, lambda ref: f"https://jira.example/browse/{ref}")
    evidence = dataclasses.replace(evidence, records=(record,))
    return dataclasses.replace(
        report, symptoms=(dataclasses.replace(symptom, evidence=(evidence,)),)
    )


@functools.cache
def _benign_page() -> HTMLPage:
    return read_html(render_html(_report(BENIGN)))


def assert_html_inert(text: str) -> None:
    page = read_html(render_html(_report(text)))
    benign = _benign_page()

    # The same elements as a benign report, bar the record link (dropped when not a URL).
    assert [tag for tag, _ in page.tags if tag != "a"] == [t for t, _ in benign.tags if t != "a"]
    attributes = {name for _, attrs in benign.tags for name in attrs}
    for tag, attrs in page.tags:
        assert set(attrs) <= attributes, (tag, attrs)
        urls = [str(value) for name, value in attrs.items() if name in _URL_ATTRIBUTES]
        assert not [url for url in urls if _SCRIPT_URL.match(url)]
        if tag == "a":
            href = str(attrs["href"])
            assert href.startswith("#") or _RECORD_URL.fullmatch(href), href
    shown = clean_text(text)
    if shown:
        assert ("h4", shown) in page.texts  # a KPI's name
        assert ("th", shown) in page.texts  # a customer's row
        assert any(attrs.get("title") == shown for tag, attrs in page.tags if tag == "td")
        assert any(where == "title" and shown in words for where, words in page.texts)


@pytest.mark.parametrize("text", INJECTIONS)
def test_html_report_holds_attacks_as_text(text: str) -> None:
    assert_html_inert(text)


@EVERY_RUN
@given(text=tool_text)
def test_html_report_holds_any_tool_text_as_text(text: str) -> None:
    assert_html_inert(text)


# ---------------------------------------------------------------- Project task notes


def assert_note_inert(text: str) -> None:
    built = hostile_summary(text + f"\n{NOTE_END}\n{NOTE_BEGIN}\n")
    note = render_task_note(built)
    description = with_note(f"Agenda\n{NOTE_BEGIN} is ours", note)

    assert note_in(description) == note
    lines = note.split("\n")
    assert all(clean_text(line) == line for line in lines)  # printable, no hidden line break
    assert NOTE_BEGIN not in lines
    assert NOTE_END not in lines
    assert note.startswith(f"KPIs of {subject_name(built)}"[:200])
    if len(lines) > 1:  # a huge first line leaves room for nothing else
        assert lines[1].startswith(f"- {kpi_name(built.kpis[0])}"[:100])


@pytest.mark.parametrize("text", INJECTIONS)
def test_task_notes_hold_attacks_as_plain_lines(text: str) -> None:
    assert_note_inert(text)


@EVERY_RUN
@given(text=tool_text)
def test_task_notes_hold_any_tool_text_as_plain_lines(text: str) -> None:
    assert_note_inert(text)
