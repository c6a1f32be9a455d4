"""Jira comments: a valid ADF document (Cloud) or escaped wiki markup (Data Center), with marker."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from flywheel_sync.report import comment_has_marker, render_comment
from flywheel_sync.report.escaping import clean_text
from flywheel_sync.report.jira_comment import MAX_KPIS
from flywheel_sync.sandbox.jira.documents import document_text
from flywheel_sync.sandbox.jira.rendering import adf as jira_returns_adf
from tests.unit.report.builders import (
    HOSTILE,
    LINK,
    MARKER,
    MEGABYTE,
    comment,
    hostile_comment,
    kpi_line,
)

BLOCKS = {"doc", "paragraph", "bulletList", "listItem"}
MARKS = {"strong", "link", "textColor"}
JIRA_COMMENT_LIMIT = 32_767
_WIKI_TOKEN = re.compile(r"\\[_+\-*^~|\[\]{}()!:;?#]|&#92;|&#38;|[^_+\-*^~|\[\]{}()!:;?#\\&]")


def adf(built: Any) -> dict[str, Any]:
    body = render_comment(built, adf=True)
    assert isinstance(body, dict)
    return body


def wiki(built: Any) -> str:
    body = render_comment(built, adf=False)
    assert isinstance(body, str)
    return body


def adf_problems(node: Any, path: str = "$") -> Iterator[str]:
    """What makes ``node`` an invalid ADF node (for the node types a comment uses)."""
    if not isinstance(node, dict) or not isinstance(node.get("type"), str):
        yield f"{path}: a node needs a type"
        return
    kind = node["type"]
    if kind == "text":
        text = node.get("text")
        if not isinstance(text, str) or not text:
            yield f"{path}: a text node needs non-empty text"
        elif clean_text(text) != text.strip() or text != text.replace("\n", ""):
            yield f"{path}: text holds control characters or line breaks"
        for mark in node.get("marks", []):
            if mark.get("type") not in MARKS:
                yield f"{path}: unexpected mark {mark!r}"
        return
    if kind not in BLOCKS:
        yield f"{path}: unexpected node type {kind!r}"
    content = node.get("content")
    if not isinstance(content, list) or not content:
        yield f"{path}: {kind} needs content"
        return
    for index, child in enumerate(content):
        yield from adf_problems(child, f"{path}.content[{index}]")


def paragraphs(document: dict[str, Any]) -> list[str]:
    return document_text(document).split("\n")


def test_adf_document_is_valid() -> None:
    document = adf(comment())
    assert document["type"] == "doc"
    assert document["version"] == 1
    assert list(adf_problems(document)) == []


def test_adf_says_what_happened_lists_kpis_links_and_ends_with_the_marker() -> None:
    document = adf(comment())
    assert paragraphs(document) == [
        "Project Health Checks for Grid Operations entered Value Recognition (cycle 2).",
        "On-time delivery: 87.5 % (target 90 %) · at risk · ↑ improving",
        "Full summary",
        MARKER,
    ]
    link = document["content"][2]["content"][0]["marks"][0]
    assert link == {"type": "link", "attrs": {"href": LINK}}


def test_adf_without_kpis_or_link_keeps_stage_and_marker() -> None:
    document = adf(comment(kpis=(), link=None))
    assert list(adf_problems(document)) == []
    assert paragraphs(document) == [
        "Project Health Checks for Grid Operations entered Value Recognition (cycle 2).",
        MARKER,
    ]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"target": None, "status": None}, "On-time delivery: 87.5 % · no target · ↑ improving"),
        (
            {"value": None, "status": None, "trend": None},
            "On-time delivery: — (target 90 %) · no data",
        ),
    ],
)
def test_kpi_line_leaves_out_what_is_missing(overrides: dict[str, Any], expected: str) -> None:
    document = adf(comment(kpis=(kpi_line(**overrides),)))
    assert paragraphs(document)[1] == expected


def test_a_long_kpi_list_is_cut_short() -> None:
    lines = tuple(kpi_line(kpi_id=f"k{n}", name=f"KPI {n}") for n in range(MAX_KPIS + 3))
    shown = paragraphs(adf(comment(kpis=lines)))
    assert shown[MAX_KPIS] == "KPI 9: 87.5 % (target 90 %) · at risk · ↑ improving"
    assert shown[MAX_KPIS + 1] == "and 3 more KPIs in the full summary"
    assert "* and 3 more KPIs in the full summary" in wiki(comment(kpis=lines))


@pytest.mark.parametrize("hostile", [*HOSTILE, MEGABYTE])
def test_adf_holds_tool_text_as_text_nodes(hostile: str) -> None:
    document = adf(hostile_comment(hostile))
    assert list(adf_problems(document)) == []
    assert comment_has_marker(document, MARKER)
    cleaned = clean_text(hostile)
    if len(cleaned) < 200:
        assert document_text(document).count(cleaned) >= 3


@pytest.mark.parametrize("hostile", [*HOSTILE, MEGABYTE])
def test_wiki_escapes_tool_text(hostile: str) -> None:
    body = wiki(hostile_comment(hostile))
    first, kpis, link, marker = body.split("\n\n")
    service, customer = first.removesuffix(" entered *Value Recognition* (cycle 2).").split(" for ")
    decoded = _wiki_unescape(service)
    assert decoded == _wiki_unescape(customer)
    assert clean_text(hostile).startswith(decoded.removesuffix("…"))
    assert kpis.startswith("* ")
    assert link == f"[Full summary|{LINK}]"
    assert marker == f"{{color:gray}}{MARKER}{{color}}"


def _wiki_unescape(escaped: str) -> str:
    tokens = _WIKI_TOKEN.findall(escaped)
    assert "".join(tokens) == escaped, "a markup character is not escaped"
    decoded = {"&#92;": "\\", "&#38;": "&"}
    return "".join(decoded.get(token, token[-1]) for token in tokens)


def test_wiki_comment() -> None:
    assert wiki(comment()) == (
        "Project Health Checks for Grid Operations entered *Value Recognition* (cycle 2).\n\n"
        "* On\\-time delivery: 87.5 % \\(target 90 %\\) · at risk · ↑ improving\n\n"
        f"[Full summary|{LINK}]\n\n"
        f"{{color:gray}}{MARKER}{{color}}"
    )


@pytest.mark.parametrize("adf_body", [True, False])
def test_a_huge_text_keeps_the_comment_within_jira_limits(adf_body: bool) -> None:
    lines = tuple(kpi_line(kpi_id=f"k{n}", name=MEGABYTE, unit=MEGABYTE) for n in range(12))
    body = render_comment(comment(service_name=MEGABYTE, kpis=lines), adf=adf_body)
    length = len(document_text(body)) if isinstance(body, dict) else len(body)
    assert length < JIRA_COMMENT_LIMIT


@pytest.mark.parametrize("adf_body", [True, False])
def test_rendering_is_deterministic(adf_body: bool) -> None:
    assert render_comment(comment(), adf=adf_body) == render_comment(comment(), adf=adf_body)


def test_marker_is_found_in_both_body_formats() -> None:
    assert comment_has_marker(adf(comment()), MARKER)
    assert comment_has_marker(wiki(comment()), MARKER)


def test_marker_is_found_after_jira_reformats_the_document() -> None:
    returned = jira_returns_adf(document_text(adf(comment())))
    assert comment_has_marker(returned, MARKER)


def test_marker_split_across_text_nodes_is_found() -> None:
    body = {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "flywheel-"},
                    {"type": "text", "text": "sync:3f2a9c", "marks": [{"type": "em"}]},
                ],
            }
        ],
    }
    assert comment_has_marker(body, MARKER)


@pytest.mark.parametrize(
    "body",
    [
        None,
        42,
        "",
        "a human comment",
        "flywheel-sync:3f2a9",
        {"type": "doc", "version": 1, "content": []},
        {"type": "doc", "content": "flywheel-sync:3f2a9c"},
        {"type": "doc", "content": [{"type": "paragraph", "content": [{"type": "text"}]}]},
    ],
)
def test_bodies_without_the_marker(body: Any) -> None:
    assert not comment_has_marker(body, MARKER)


def test_another_runs_marker_is_not_ours() -> None:
    assert not comment_has_marker(adf(comment(marker="flywheel-sync:ffffff")), MARKER)


def test_an_empty_marker_matches_nothing() -> None:
    assert not comment_has_marker("anything", "")
