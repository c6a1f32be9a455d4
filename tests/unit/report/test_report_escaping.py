"""Tool text made inert: cleaning, shortening, and escaping for XML, Markdown and wiki markup."""

from __future__ import annotations

import re

import pytest
from defusedxml import ElementTree
from markdown_it import MarkdownIt

from flywheel_sync.report.escaping import (
    clean_text,
    is_http_url,
    link_url,
    markdown_text,
    shorten,
    wiki_text,
    xml_text,
)
from tests.unit.report.builders import HOSTILE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("  padded  ", "padded"),
        ("nul\x00here", "nulhere"),
        ("bell\x07 esc\x1b del\x7f", "bell esc del"),
        ("c1\x85\x9f controls", "c1 controls"),
        ("lone \ud800\udfff surrogates", "lone  surrogates"),
        ("non\ufffe\uffffchars", "nonchars"),
        ("bidi\u202eoverride\u2066isolate\u2069", "bidioverrideisolate"),
        ("a\nb\r\nc\rd\te\u2028f\u2029g", "a b c d e f g"),
        ("a\n\n\n\tb", "a b"),
        ("مرحبا שלום", "مرحبا שלום"),
        ("👩‍👩‍👧‍👦 🇫🇷 e\u0301", "👩‍👩‍👧‍👦 🇫🇷 e\u0301"),
        ("\u00a0nbsp\u00a0", "nbsp"),
    ],
)
def test_clean_text_keeps_printable_text_on_one_line(text: str, expected: str) -> None:
    assert clean_text(text) == expected


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", None, "short"),
        ("short", 5, "short"),
        ("longer text", 6, "longe…"),
        ("word then", 6, "word…"),
        ("abc", 1, "…"),
    ],
)
def test_shorten_cuts_to_the_limit_with_an_ellipsis(
    text: str, limit: int | None, expected: str
) -> None:
    result = shorten(text, limit)
    assert result == expected
    assert limit is None or len(result) <= limit


def test_shorten_refuses_a_limit_below_one() -> None:
    with pytest.raises(ValueError, match="must be >= 1"):
        shorten("text", 0)


@pytest.mark.parametrize("text", HOSTILE)
def test_xml_text_is_character_data_that_reads_back_as_the_cleaned_text(text: str) -> None:
    escaped = xml_text(text)
    element = ElementTree.fromstring(f'<p title="{escaped}">{escaped}</p>')
    assert len(element) == 0
    assert element.text == clean_text(text)
    assert element.get("title") == clean_text(text)


def _markdown_tokens(source: str) -> list[str]:
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    types: list[str] = []
    for token in parser.parse(source):
        types.append(token.type)
        types.extend(child.type for child in token.children or [])
    return types


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_text_renders_as_plain_text(text: str) -> None:
    paragraph = f"before {markdown_text(text)} after"
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    inline = [token for token in parser.parse(paragraph) if token.type == "inline"]
    assert len(inline) == 1
    children = inline[0].children or []
    assert {child.type for child in children} <= {"text", "text_special"}
    assert "".join(child.content for child in children) == f"before {clean_text(text)} after"


def test_markdown_text_stays_inside_a_table_cell() -> None:
    table = f"| a | b |\n| --- | --- |\n| {markdown_text('x | y')} | z |\n"
    types = _markdown_tokens(table)
    assert types.count("td_open") == 2


def test_markdown_text_keeps_a_heading_literal_to_its_end() -> None:
    parser = MarkdownIt("commonmark")
    tokens = parser.parse(f"# Title {markdown_text('C #')}")
    assert tokens[1].content == "Title C \\#"
    assert "".join(child.content for child in tokens[1].children or []) == "Title C #"


_WIKI_TOKEN = re.compile(r"\\[_+\-*^~|\[\]{}()!:;?#]|&#92;|&#38;|[^_+\-*^~|\[\]{}()!:;?#\\&]")


def _wiki_unescape(escaped: str) -> str:
    tokens = _WIKI_TOKEN.findall(escaped)
    assert "".join(tokens) == escaped, "a markup character is not escaped"
    decoded = {"&#92;": "\\", "&#38;": "&"}
    return "".join(decoded.get(token, token[-1]) for token in tokens)


@pytest.mark.parametrize("text", HOSTILE)
def test_wiki_text_escapes_every_markup_character(text: str) -> None:
    assert _wiki_unescape(wiki_text(text)) == clean_text(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{code}", "\\{code\\}"),
        ("[link|http://x]", "\\[link\\|http\\://x\\]"),
        ("-start", "\\-start"),
        ("*bold*", "\\*bold\\*"),
        ("a\\b", "a&#92;b"),
        ("&amp;", "&#38;amp\\;"),
        ("(y)", "\\(y\\)"),
    ],
)
def test_wiki_text_examples(text: str, expected: str) -> None:
    assert wiki_text(text) == expected


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://wiki.example.com/pages/42", True),
        ("http://localhost:8080/confluence/x?a=1#frag", True),
        ("HTTPS://WIKI.EXAMPLE.COM/", True),
        ("javascript:alert(1)", False),
        ("ftp://files.example.com/x", False),
        ("/relative/path", False),
        ("https://", False),
        (" https://wiki.example.com/", False),
        ("https://wiki.example.com/\nx", False),
        ("https://wiki.example.com/\x00", False),
        ("https://[::1", False),
    ],
)
def test_is_http_url(url: str, accepted: bool) -> None:
    assert is_http_url(url) is accepted


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://wiki.example.com/a b", "https://wiki.example.com/a%20b"),
        ("https://x.example/p?q=(1)|[2]", "https://x.example/p?q=%281%29%7C%5B2%5D"),
        ('https://x.example/"<>', "https://x.example/%22%3C%3E"),
        ("https://x.example/é", "https://x.example/%C3%A9"),
        ("https://x.example/a%20b?x=1&y=2#top", "https://x.example/a%20b?x=1&y=2#top"),
    ],
)
def test_link_url_encodes_what_could_end_a_link(url: str, expected: str) -> None:
    assert link_url(url) == expected


def test_link_url_refuses_a_non_http_url() -> None:
    with pytest.raises(ValueError, match="not an absolute http"):
        link_url("javascript:alert(1)")
