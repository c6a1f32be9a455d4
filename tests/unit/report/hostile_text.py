"""Hostile tool text, and each output format read back the way its consumer reads it.

Issue 8 promises that text from the tools (titles, names, summaries, units) lands inert in
every format flywheel-sync writes. The property tests in ``test_hostile_text`` draw that text
from `tool_text` and read the rendering back as the receiving tool would:

- Confluence storage format: an XML parser over the body wrapped in a root that declares the
  ``ac``/``ri`` namespaces (what Confluence's XHTML reader sees);
- Adaptive Cards: ``json.loads`` of the JSON as sent, then a walk over every object;
- Markdown: markdown-it (CommonMark with GFM tables) for links, images, HTML and emphasis, plus
  the GFM autolink rules, which cmark-gfm applies to the raw source (`gfm_autolinks`);
- Jira wiki markup: its escapes undone one token at a time (`wiki_unescape`);
- the HTML report: ``html.parser``, keeping each text with the element it stands in.

Budgets: a modest number of derandomized examples with no example database, so a failure in
CI replays the same way on a laptop and the whole module stays within seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.unit.report.builders import HOSTILE

__all__ = [
    "AC",
    "EVERY_RUN",
    "INJECTIONS",
    "HTMLPage",
    "gfm_autolinks",
    "markdown_tokens",
    "read_html",
    "storage_document",
    "tool_text",
    "wiki_unescape",
]

EVERY_RUN = settings(
    max_examples=40,
    deadline=None,  # the first example pays for imports and template compilation
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

AC = "http://atlassian.com/content"
RI = "http://atlassian.com/resource/identifier"

INJECTIONS = (
    "<script>alert(1)</script>",
    "]]><script>alert(1)</script><![CDATA[",
    '{"type":"Action.OpenUrl","title":"Open","url":"javascript:alert(1)"}',
    '"}], "actions": [{"type": "Action.Submit", "data": {"x": "',
    '\\"},{\\"type\\":\\"Action.OpenUrl\\",\\"url\\":\\"javascript:alert(1)\\"}',
    "${if(true, 'x', 'y')} ${$root.secret} {{DATE(2017-02-14T06:08:39Z, SHORT)}}",
    "[x](javascript:alert(1))",
    "![](http://evil.example/pixel.png)",
    "[x]: http://evil.example/ref and [x]",
    "<http://evil.example> www.evil.example https://evil.example/x ftp://evil.example",
    '<ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA[<b>x</b>]]>'
    "</ac:plain-text-body></ac:structured-macro>",
    '<ac:link><ri:url ri:value="javascript:alert(1)"/></ac:link>',
    '</td></tr></tbody></table><ac:structured-macro ac:name="status">',
    '{"type":"doc","version":1,"content":[{"type":"inlineCard","attrs":{"url":"javascript:x"}}]}',
    '{"type":"mention","attrs":{"id":"557058:x","text":"@admin"}}',
    '<img src=x onerror="alert(1)"> <a href="javascript:alert(1)">x</a>',
    '" onmouseover="alert(1)" x="',
    "' style='background:url(http://evil.example/)' x='",
    "javascript:alert(1) JaVaScRiPt:alert(1) data:text/html,<b>x</b>",
    "&lt;script&gt; &#60;b&#62; &#x3C;i&#x3E; &amp;amp; &bsol;",
    "h1. Heading",
    "bq. quoted",
    "{noformat}x{noformat} {panel:title=x}y{panel} [~accountid:5b10a]",
    "<!-- comment --> <?php echo 1; ?> <!DOCTYPE x [<!ENTITY e 'boom'>]> &e;",
    "\x00\x01\x08\x0b\x0c\x1f\x7f\x80\x85\x9f",
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    "\ud800\udbff\udc00\udfff\ufffe\uffff",
    "\n\r\t\u2028\u2029\x1c\x1d\x1e",
)
"""Explicit attacks on each format, beyond the renderers' own `HOSTILE` table."""

_PIECES = (
    *HOSTILE,
    *INJECTIONS,
    *"<>&\"'`*_[]()!{}|#~:;\\-+^?=/@.$%",
    "]]>",
    "<![CDATA[",
    "</p>",
    "</td>",
    "<td>",
    "</ac:parameter>",
    "-->",
    "&#",
    "&amp;",
    "://",
    "www.",
    "WWW.",
    "@evil.example",
    "h1. ",
    "bq. ",
    "* ",
    "# ",
    "| --- |",
    "\\\\",
    "http://evil.example/",
    "javascript:",
    '"}',
    '{"',
    "\u0301",
    "\u200d",
    "\ufeff",
)

tool_text = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=6)), max_size=8).map(
    "".join
)
"""Text as a tool could send it: markup, attacks, control characters and any other Unicode."""


def storage_document(body: str) -> Element:
    """A storage-format body parsed as Confluence reads it: XHTML in the ``ac``/``ri`` names.

    defusedxml refuses a DTD, an entity declaration or an external reference outright, so a
    body that smuggled one in fails here rather than parse.
    """
    wrapped = f'<root xmlns:ac="{AC}" xmlns:ri="{RI}">{body}</root>'
    root: Element = ElementTree.fromstring(wrapped)
    return root


def markdown_tokens(source: str) -> list[Token]:
    """The tokens of a CommonMark document with GFM tables and strikethrough."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(source)


# cmark-gfm's extended autolinks are found in the raw source (a backslash does not hide the
# "www." that follows it), while "www\." and "http\://" are never links: so the source must hold
# no literal "www." and no "scheme://" besides the renderer's own link.
_GFM_AUTOLINK = re.compile(r"www\.|(?:https?|ftp)://", re.IGNORECASE)


def gfm_autolinks(source: str, *, own: str) -> list[str]:
    """What GFM would turn into a link in ``source``, apart from the renderer's link ``own``."""
    return _GFM_AUTOLINK.findall(source.replace(own, ""))


_WIKI_TOKEN = re.compile(r"\\[_+\-*^~|\[\]{}()!:;?#]|&#[0-9]+;|[^_+\-*^~|\[\]{}()!:;?#\\&]")


def wiki_unescape(escaped: str) -> str:
    """Tool text as Jira shows it from wiki markup, asserting every markup character is escaped.

    Raises:
        AssertionError: Some markup character stands unescaped, so Jira would read it.
    """
    tokens = _WIKI_TOKEN.findall(escaped)
    assert "".join(tokens) == escaped, f"a markup character is not escaped in {escaped!r}"
    return "".join(
        chr(int(token[2:-1])) if token.startswith("&#") else token[-1] for token in tokens
    )


@dataclass
class HTMLPage:
    """An HTML page as a browser's tokenizer sees it.

    ``tags`` are the start tags in order with their attributes; ``texts`` pair each piece of
    text (character references decoded) with the innermost element it stands in.
    """

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)


class _Reader(HTMLParser):
    _VOID = frozenset({"meta", "link", "br", "img", "input", "hr", "rect", "line", "polyline"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = HTMLPage()
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags.append((tag, dict(attrs)))
        if tag not in self._VOID:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.page.texts.append((self._open[-1] if self._open else "", data))


def read_html(page: str) -> HTMLPage:
    """``page`` tokenized as a browser would (tags, attributes, decoded text)."""
    reader = _Reader()
    reader.feed(page)
    reader.close()
    return reader.page
