"""The HTML report page: self-contained, every section there, charts accessible, tool text inert."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

import pytest

from flywheel_sync.domain import Evidence, Symptom, SymptomKind
from flywheel_sync.engine import Portfolio, compute
from flywheel_sync.report.escaping import clean_text
from flywheel_sync.report.html import SHOWN_REFS, render_html
from flywheel_sync.report.html_sections import (
    EvidenceRecord,
    EvidenceView,
    NeedView,
    PortfolioReport,
    StalledEngagement,
    SymptomView,
    ValueRing,
    portfolio_report,
)
from flywheel_sync.settings.mapping import MappingFile
from tests.unit.engine.builders import NOW
from tests.unit.report.builders import HOSTILE
from tests.unit.report.test_html_sections import CUSTOMERS, ENGAGEMENTS, MAPPING, SERVICES, WORK

_FETCHING_TAGS = {"script", "link", "img", "iframe", "object", "embed", "audio", "video", "source"}
_CSS_FETCH = re.compile(r"url\s*\(|@import", re.IGNORECASE)


class _Page(HTMLParser):
    """Every start tag with its attributes, the text, and the style sheets' text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        (self.styles if self._in_style else self.text).append(data)


def parse(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    parsed.close()
    return parsed


def external_resources(page: str) -> list[str]:
    """What would make a browser fetch something: scripts, links, images, CSS ``url()``.

    Links a person clicks (``<a href>``) fetch nothing on their own and are allowed.
    """
    parsed = parse(page)
    found = [f"<{tag}>" for tag, _ in parsed.tags if tag in _FETCHING_TAGS]
    found += [f"<{tag} src>" for tag, attrs in parsed.tags if "src" in attrs]
    found += [f"<{tag} href>" for tag, attrs in parsed.tags if "href" in attrs and tag != "a"]
    styles = [*parsed.styles, *(str(a.get("style")) for _, a in parsed.tags if "style" in a)]
    found += [f"CSS {match.group()}" for css in styles for match in _CSS_FETCH.finditer(css)]
    return found


def portfolio_with(name: str = "Grid Operations") -> Portfolio:
    from tests.unit.engine.builders import portfolio

    customers = [CUSTOMERS[0] | {"name": name}, *CUSTOMERS[1:]]
    return portfolio(work=WORK, engagements=ENGAGEMENTS, customers=customers, services=SERVICES)


def symptom(refs: tuple[str, ...], text: str = "2 of 3 late") -> Symptom:
    return Symptom(
        kind=SymptomKind.MISSED_DEADLINES,
        customer_id="grid-ops",
        detected_at=NOW,
        summary=text,
        evidence=(Evidence(record_refs=refs, metric="overdue_ratio", value=0.5, threshold=0.2),),
        prescribed_service_ids=("health-checks",),
    )


def sections(
    found: Portfolio | None = None, mapping: MappingFile = MAPPING, *, symptoms: int = 20
) -> PortfolioReport:
    found = found or portfolio_with()
    result = compute(found, mapping, now=NOW)
    refs = tuple(f"GRID-{n}" for n in range(symptoms))
    result = dataclasses.replace(result, symptoms=(symptom(refs),))
    return portfolio_report(
        found, result, mapping, record_link=lambda ref: f"https://jira.example/browse/{ref}"
    )


def test_the_page_fetches_nothing() -> None:
    page = render_html(sections())

    assert external_resources(page) == []
    assert "<style>" in page


def test_the_offline_check_finds_what_would_be_fetched() -> None:
    page = (
        '<link rel="stylesheet" href="https://cdn.example/x.css"><img src="http://x/y.png">'
        "<style>body { background: url(http://x/bg.png) } @import 'x.css';</style>"
        '<a href="https://jira.example/browse/A-1">A-1</a>'
    )

    assert external_resources(page) == [
        "<link>",
        "<img>",
        "<img src>",
        "<link href>",
        "CSS url(",
        "CSS @import",
    ]


def test_every_section_is_there_in_order() -> None:
    parsed = parse(render_html(sections()))

    headings = [attrs.get("id") for tag, attrs in parsed.tags if tag == "h2"]
    assert headings == [
        "value-ring-title",
        "flywheel-title",
        "kpis-title",
        "dwell-title",
        "symptoms-title",
    ]
    text = " ".join(parsed.text)
    assert "Northwind Utilities · Enterprise PMO" in text
    assert "2025-06-11 12:00 UTC" in text
    assert "2025-05" in text


def test_every_chart_is_labelled_for_assistive_technology() -> None:
    parsed = parse(render_html(sections()))

    charts = [attrs for tag, attrs in parsed.tags if tag == "svg"]
    kinds = [str(attrs["class"]) for attrs in charts]
    # experience and flywheel bars, throughput's series (portfolio and service), dwell ranges
    assert sorted(kinds) == sorted(
        ["chart chart-bars"] * 2 + ["chart chart-line"] * 2 + ["chart chart-range"]
    )
    assert all(attrs["role"] == "img" and attrs["aria-label"] for attrs in charts)


def test_snapshot_kpis_say_they_have_no_series() -> None:
    text = " ".join(parse(render_html(sections())).text)

    assert "Measured as of now: there is no series to chart." in text


def test_evidence_links_to_its_records_and_folds_long_lists() -> None:
    parsed = parse(render_html(sections(symptoms=SHOWN_REFS + 3)))

    links = [
        str(attrs["href"]) for tag, attrs in parsed.tags if tag == "a" and "jira" in str(attrs)
    ]
    # the first SHOWN_REFS inline, then every record again in the folded list
    assert links[:2] == ["https://jira.example/browse/GRID-0", "https://jira.example/browse/GRID-1"]
    assert len(links) == SHOWN_REFS + SHOWN_REFS + 3
    assert ("details", {}) in parsed.tags


def test_short_evidence_is_not_folded() -> None:
    parsed = parse(render_html(sections(symptoms=2)))

    assert all(tag != "details" for tag, _ in parsed.tags)
    assert "50%" in parsed.text  # overdue_ratio as a percentage


def test_the_same_report_renders_the_same_page() -> None:
    report = sections()

    assert render_html(report) == render_html(report)


def hostile_report(text: str) -> PortfolioReport:
    """A report with ``text`` in every text the page shows (as the tools could send it)."""
    base = sections(symptoms=2)
    row = base.ring.rows[0]
    cells = tuple(
        tuple(dataclasses.replace(cell, title=text, engagement_id=text) for cell in found)
        for found in row.cells
    )
    return dataclasses.replace(
        base,
        heading=dataclasses.replace(
            base.heading, organization=text, pmo_name=text, periods=(text,)
        ),
        ring=ValueRing(
            services=tuple((sid, text) for sid, _ in base.ring.services),
            rows=(
                dataclasses.replace(row, customer_name=text, experience_reason=text, cells=cells),
            ),
        ),
        kpis=tuple(
            dataclasses.replace(
                group,
                title=text,
                charts=tuple(
                    dataclasses.replace(
                        chart,
                        name=text,
                        unit=text,
                        period_label=text,
                        series=tuple(dataclasses.replace(p, label=text) for p in chart.series),
                    )
                    for chart in group.charts
                ),
            )
            for group in base.kpis
        ),
        dwell=tuple(
            dataclasses.replace(
                row,
                stalled=(
                    StalledEngagement(
                        title=text, customer_name=text, service_name=text, dwell_days=50
                    ),
                ),
            )
            for row in base.dwell
        ),
        symptoms=(
            SymptomView(
                kind=SymptomKind.BLOCKED_WORK,
                customer_name=text,
                summary=text,
                evidence=(
                    EvidenceView(
                        metric=text,
                        value=0.5,
                        threshold=0.2,
                        records=(EvidenceRecord(ref=text, url=None),),
                        total=1,
                    ),
                ),
                prescribed=(text,),
            ),
        ),
        needs=(NeedView(need_id=text, customer_name=text, statement=text, prescribed=(text,)),),
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_tool_text_shows_literally_and_does_nothing(text: str) -> None:
    page = render_html(hostile_report(text))
    parsed = parse(page)

    assert {tag for tag, _ in parsed.tags} & {"script", "iframe", "img", "object"} == set()
    assert all(not name.startswith("on") for _, attrs in parsed.tags for name in attrs)
    assert external_resources(page) == []
    shown = clean_text(text)
    if shown:
        assert any(shown in chunk for chunk in parsed.text), shown
