"""The Markdown summary: its sections, and tool text that renders as written."""

from __future__ import annotations

from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from flywheel_sync.domain import ScopeKind
from flywheel_sync.report import render_markdown
from flywheel_sync.report.escaping import clean_text
from tests.unit.report.builders import (
    HOSTILE,
    LINK,
    MEGABYTE,
    customer_summary,
    engagement_line,
    hostile_summary,
    summary,
)

# Inline token types our own markup produces; tool text must add none (no link, image, code,
# HTML, emphasis of its own).
OWN_INLINE = {"text", "text_special", "strong_open", "strong_close", "link_open", "link_close"}


def parse(source: str) -> list[Token]:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(source)


def inline_children(tokens: list[Token]) -> list[Token]:
    return [child for token in tokens if token.type == "inline" for child in token.children or []]


def cell_rows(tokens: list[Token]) -> list[list[str]]:
    rows: list[list[str]] = []
    in_cell = False
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        in_cell = token.type in ("th_open", "td_open") or (in_cell and token.type == "inline")
        if token.type == "inline" and in_cell:
            rows[-1].append("".join(child.content for child in token.children or []))
    return rows


def section_rows(source: str, heading: str) -> list[list[str]]:
    """The body rows of the table under ``## heading``."""
    part = source.split(f"## {heading}\n\n", 1)[1].split("\n\n", 1)[0]
    return cell_rows(parse(part))[1:]


def test_document_has_title_sections_and_link() -> None:
    source = render_markdown(customer_summary())
    tokens = parse(source)
    headings = [
        tokens[index + 1].content
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    ]
    assert headings == [
        "Value summary — Grid Operations (customer)",
        "KPIs",
        "Symptoms",
        "Engagements",
    ]
    assert "**Customer experience stage:** Deployment (3/5)" in source
    links = [child for child in inline_children(tokens) if child.type == "link_open"]
    assert [link.attrs["href"] for link in links] == [LINK]
    assert source.endswith("\n")


def test_kpi_table() -> None:
    assert section_rows(render_markdown(summary()), "KPIs") == [
        ["On-time delivery", "87.5 %", "90 %", "at risk", "↑ improving", "85 %"]
    ]


def test_engagement_table_names_the_other_party() -> None:
    service_rows = section_rows(render_markdown(summary()), "Engagements")
    customer_rows = section_rows(render_markdown(customer_summary()), "Engagements")
    assert service_rows[0][1] == "Grid Operations"
    assert customer_rows[0][1] == "Project Health Checks"
    assert service_rows[0][2:] == [
        "Service Onboarding (5/10)",
        "1",
        "2026-10-05",
        "12 days",
        "—",
    ]


def test_symptoms_only_when_there_are_any() -> None:
    assert "## Symptoms" in render_markdown(summary())
    assert "## Symptoms" not in render_markdown(summary(symptoms=()))


def test_empty_sections_say_so() -> None:
    source = render_markdown(summary(kpis=(), engagements=(), link=None))
    assert "No KPIs were measured for this period." in source
    assert "No engagements." in source
    assert "Full summary" not in source


@pytest.mark.parametrize("hostile", [*HOSTILE, MEGABYTE])
@pytest.mark.parametrize("scope", [ScopeKind.SERVICE, ScopeKind.CUSTOMER])
def test_tool_text_renders_as_written(hostile: str, scope: ScopeKind) -> None:
    source = render_markdown(hostile_summary(hostile, scope=scope))
    tokens = parse(source)
    assert not [token for token in tokens if token.type == "html_block"]
    children = inline_children(tokens)
    assert {child.type for child in children} <= OWN_INLINE
    assert [c.attrs["href"] for c in children if c.type == "link_open"] == [LINK]
    shown = "".join(child.content for child in children)
    assert shown.count(clean_text(hostile)) >= 10


@pytest.mark.parametrize("hostile", HOSTILE)
def test_tool_text_never_breaks_a_table_row(hostile: str) -> None:
    source = render_markdown(hostile_summary(hostile))
    assert [len(row) for row in section_rows(source, "KPIs")] == [6]
    assert [len(row) for row in section_rows(source, "Engagements")] == [7]


@pytest.mark.parametrize("build", [summary, customer_summary])
def test_rendering_is_deterministic(build: Any) -> None:
    first = build(engagements=(engagement_line(engagement_id="b"), engagement_line()))
    second = build(engagements=tuple(reversed(first.engagements)))
    assert render_markdown(first) == render_markdown(first) == render_markdown(second)
