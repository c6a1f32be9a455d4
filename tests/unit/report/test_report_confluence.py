"""The Confluence page: title, storage-format body, status lozenges, and inert tool text."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree

from flywheel_sync.domain import KPIStatus, ScopeKind
from flywheel_sync.report import page_title, render_page
from flywheel_sync.report.escaping import clean_text
from tests.unit.report.builders import (
    HOSTILE,
    MEGABYTE,
    customer_summary,
    engagement_line,
    hostile_summary,
    kpi_line,
    summary,
)

AC = "http://atlassian.com/content"
RI = "http://atlassian.com/resource/identifier"
ALLOWED_TAGS = {
    "root",
    "p",
    "strong",
    "h2",
    "table",
    "tbody",
    "tr",
    "th",
    "td",
    f"{{{AC}}}structured-macro",
    f"{{{AC}}}parameter",
}


def parse(body: str) -> Element:
    """The body inside a root that declares the storage format's namespaces."""
    root: Element = ElementTree.fromstring(f'<root xmlns:ac="{AC}" xmlns:ri="{RI}">{body}</root>')
    return root


def cells(root: Element, heading: str) -> list[list[Element]]:
    """The data rows (not the header) of the table that follows ``heading``."""
    children = list(root)
    index = next(i for i, child in enumerate(children) if child.text == heading)
    table = children[index + 1]
    assert table.tag == "table"
    return [list(row) for row in table.iter("tr")][1:]


def text(element: Element) -> str:
    return "".join(element.itertext())


def macro(cell: Element) -> dict[str, str]:
    (found,) = cell.iter(f"{{{AC}}}structured-macro")
    assert found.get(f"{{{AC}}}name") == "status"
    return {param.get(f"{{{AC}}}name", ""): param.text or "" for param in found}


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (summary(), "Value summary — Project Health Checks"),
        (customer_summary(), "Value summary — Grid Operations (customer)"),
        (summary(subject_name="Line\nbreak\x00"), "Value summary — Line break"),
    ],
)
def test_page_title(built: Any, expected: str) -> None:
    assert page_title(built) == expected


def test_a_service_and_a_customer_of_the_same_name_get_different_titles() -> None:
    name = "Grid Operations"
    service = summary(scope=ScopeKind.SERVICE, subject_name=name)
    customer = customer_summary(subject_name=name)
    assert page_title(service) != page_title(customer)


@pytest.mark.parametrize("build", [summary, customer_summary])
def test_a_long_name_is_shortened_to_confluence_title_length(build: Any) -> None:
    title = page_title(build(subject_name=MEGABYTE))
    assert len(title) == 255
    assert "…" in title
    assert title.startswith("Value summary — xxx")
    assert title.endswith("…" if build is summary else "… (customer)")


@pytest.mark.parametrize("build", [summary, customer_summary])
def test_page_is_well_formed_storage_format(build: Any) -> None:
    root = parse(render_page(build()))
    assert {element.tag for element in root.iter()} <= ALLOWED_TAGS
    assert [child.text for child in root if child.tag == "h2"] == [
        "KPIs",
        "Symptoms",
        "Engagements",
    ]


def test_introduction_names_organization_pmo_period() -> None:
    intro = " ".join(text(p) for p in parse(render_page(summary())).findall("p"))
    assert "Project Health Checks" in intro
    assert "Organization: Northwind Energy" in intro
    assert "PMO: Enterprise PMO" in intro
    assert "Period: November 2026" in intro
    assert "experience stage" not in intro


def test_customer_introduction_gives_the_experience_stage() -> None:
    intro = " ".join(text(p) for p in parse(render_page(customer_summary())).findall("p"))
    assert "Customer experience stage: Deployment (3/5)" in intro


def test_kpi_row_shows_value_target_status_trend_previous() -> None:
    (row,) = cells(parse(render_page(summary())), "KPIs")
    shown = [text(cell) for cell in row]
    assert shown[:3] == ["On-time delivery", "87.5 %", "90 %"]
    assert macro(row[3]) == {"colour": "Yellow", "title": "AT RISK"}
    assert shown[4:] == ["↑ improving", "85 %"]


@pytest.mark.parametrize(
    ("overrides", "colour", "title"),
    [
        ({"status": KPIStatus.ON_TRACK}, "Green", "ON TRACK"),
        ({"status": KPIStatus.AT_RISK}, "Yellow", "AT RISK"),
        ({"status": KPIStatus.OFF_TRACK}, "Red", "OFF TRACK"),
        ({"status": None, "target": None}, "Grey", "NO TARGET"),
        ({"status": None, "value": None}, "Grey", "NO DATA"),
    ],
)
def test_status_is_a_coloured_status_macro(
    overrides: dict[str, Any], colour: str, title: str
) -> None:
    (row,) = cells(parse(render_page(summary(kpis=(kpi_line(**overrides),)))), "KPIs")
    assert macro(row[3]) == {"colour": colour, "title": title}


def test_engagement_row_for_a_service_names_the_customer() -> None:
    built = summary(engagements=(engagement_line(stalled=True),))
    (row,) = cells(parse(render_page(built)), "Engagements")
    assert [text(cell) for cell in row[:6]] == [
        "Health checks for Grid Operations",
        "Grid Operations",
        "Service Onboarding (5/10)",
        "1",
        "2026-10-05",
        "12 days",
    ]
    assert macro(row[6]) == {"colour": "Red", "title": "STALLED"}


def test_engagement_row_for_a_customer_names_the_service() -> None:
    built = customer_summary(engagements=(engagement_line(since=None, dwell_days=None),))
    (row,) = cells(parse(render_page(built)), "Engagements")
    assert [text(cell) for cell in row] == [
        "Health checks for Grid Operations",
        "Project Health Checks",
        "Service Onboarding (5/10)",
        "1",
        "—",
        "—",
        "—",
    ]


def test_symptoms_section_only_when_there_are_symptoms() -> None:
    root = parse(render_page(summary(symptoms=())))
    assert [child.text for child in root if child.tag == "h2"] == ["KPIs", "Engagements"]


def test_symptom_row() -> None:
    (row,) = cells(parse(render_page(summary())), "Symptoms")
    assert [text(cell) for cell in row] == [
        "Missed deadlines",
        "4 of 10 items due this month are overdue",
        "0.4",
        "0.25",
        "4 records",
    ]


def test_empty_sections_say_so() -> None:
    root = parse(render_page(summary(kpis=(), engagements=(), symptoms=())))
    paragraphs = [text(p) for p in root.findall("p")]
    assert "No KPIs were measured for this period." in paragraphs
    assert "No engagements." in paragraphs
    assert root.find("table") is None


@pytest.mark.parametrize("hostile", [*HOSTILE, MEGABYTE])
@pytest.mark.parametrize("scope", [ScopeKind.SERVICE, ScopeKind.CUSTOMER])
def test_tool_text_lands_as_text_only(hostile: str, scope: ScopeKind) -> None:
    root = parse(render_page(hostile_summary(hostile, scope=scope)))
    assert {element.tag for element in root.iter()} <= ALLOWED_TAGS
    for element in root.iter(f"{{{AC}}}parameter"):
        assert element.get(f"{{{AC}}}name") in ("colour", "title")
        assert element.text in ("Yellow", "Red", "AT RISK", "STALLED", "Grey", "Green")
    shown = text(root)
    assert shown.count(clean_text(hostile)) >= 10


@pytest.mark.parametrize("build", [summary, customer_summary])
def test_rendering_is_deterministic(build: Any) -> None:
    first = build(engagements=(engagement_line(engagement_id="b"), engagement_line()))
    second = build(engagements=tuple(reversed(first.engagements)))
    assert render_page(first) == render_page(first) == render_page(second)
