"""The SVG charts: well-formed, labelled for assistive technology, drawn to scale, text inert."""

from __future__ import annotations

from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree

from flywheel_sync.report.html_charts import (
    Bar,
    Point,
    Span,
    bar_chart,
    line_chart,
    range_chart,
)
from tests.unit.report.builders import HOSTILE


def parse(svg: str) -> Element:
    root: Element = ElementTree.fromstring(svg)
    return root


def widths(root: Element, kind: str) -> list[float]:
    return [float(rect.attrib["width"]) for rect in root.iter("rect") if rect.get("class") == kind]


def texts(root: Element, kind: str) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter("text") if t.get("class") == kind]


@pytest.mark.parametrize(
    "svg",
    [
        bar_chart([Bar(label="a", value=1)], title="Bars"),
        range_chart([Span(label="a", typical=1, high=2, limit=3)], title="Ranges"),
        line_chart([Point(label="2026-01", value=1)], title="Line"),
    ],
    ids=["bars", "ranges", "line"],
)
def test_every_chart_is_an_image_with_a_name_and_a_description(svg: str) -> None:
    root = parse(svg)

    assert root.tag == "svg"
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-label"] == root.findtext("title")
    assert root.findtext("title") in {"Bars", "Ranges", "Line"}
    assert root.findtext("desc")
    assert "viewBox" in root.attrib


def test_bars_are_proportional_and_a_zero_keeps_its_row() -> None:
    root = parse(
        bar_chart(
            [Bar(label="one", value=1), Bar(label="none", value=0), Bar(label="four", value=4)],
            title="t",
        )
    )

    one, none, four = widths(root, "fill")
    assert none == 0
    assert four == pytest.approx(4 * one, abs=0.2)
    assert texts(root, "label") == ["one", "none", "four"]
    assert texts(root, "value") == ["1", "0", "4"]


def test_bars_read_their_data_out_and_carry_their_tone() -> None:
    root = parse(
        bar_chart([Bar(label="5. Service Onboarding", value=3, tone="stage-5")], title="t")
    )

    assert root.findtext("desc") == "5. Service Onboarding: 3"
    assert [g.attrib["class"] for g in root.iter("g")] == ["bar stage-5"]


def test_an_empty_bar_chart_still_draws() -> None:
    root = parse(bar_chart([], title="Nothing"))

    assert root.findtext("desc") == "—"
    assert list(root.iter("rect")) == []


def test_ranges_share_one_scale_and_flag_rows() -> None:
    root = parse(
        range_chart(
            [
                Span(label="a", typical=10, high=20, limit=40),
                Span(label="b", typical=5, high=None, limit=40, flagged=True, note="2 stalled"),
            ],
            title="t",
        )
    )

    assert widths(root, "high") == [pytest.approx(widths(root, "typical")[0] * 2, abs=0.2)]
    assert widths(root, "typical")[1] == pytest.approx(widths(root, "typical")[0] / 2, abs=0.1)
    limits = {line.attrib["x1"] for line in root.iter("line") if line.get("class") == "limit"}
    assert len(limits) == 1  # the same limit lands at the same x on every row
    assert texts(root, "label flagged") == ["b"]
    assert texts(root, "value") == ["10 days / 20 days", "5 days / — · 2 stalled"]
    assert "b: median 5 days, p90 —, limit 40 days; 2 stalled" in str(root.findtext("desc"))


def points_of(root: Element) -> list[list[tuple[float, float]]]:
    return [
        [tuple(map(float, pair.split(","))) for pair in line.attrib["points"].split()]  # type: ignore[misc]
        for line in root.iter("polyline")
    ]


def test_a_period_without_data_breaks_the_line() -> None:
    series = [Point(label=f"2026-0{n}", value=None if n == 3 else float(n)) for n in range(1, 7)]

    root = parse(line_chart(series, title="t", unit="%"))

    assert [len(run) for run in points_of(root)] == [2, 3]
    circles = list(root.iter("circle"))
    assert len(circles) == 5
    assert circles[-1].attrib["class"] == "point latest"
    assert texts(root, "tick period") == [p.label for p in series]
    assert "2026-03: —" in str(root.findtext("desc"))


def test_higher_values_are_drawn_higher_from_a_zero_baseline() -> None:
    root = parse(line_chart([Point(label="a", value=10), Point(label="b", value=20)], title="t"))

    ((_, y10), (_, y20)) = points_of(root)[0]
    (axis,) = (line for line in root.iter("line") if line.get("class") == "axis")
    baseline = float(axis.attrib["y1"])
    assert y20 < y10 < baseline
    assert (baseline - y20) == pytest.approx(2 * (baseline - y10), abs=0.2)


def test_the_target_is_a_labelled_line() -> None:
    root = parse(line_chart([Point(label="a", value=80)], title="t", unit="%", target=85))

    (target,) = (line for line in root.iter("line") if line.get("class") == "target")
    (_, y80), *_ = points_of(root)[0]
    assert float(target.attrib["y1"]) < y80  # 85 is above 80
    assert texts(root, "tick target") == ["target 85 %"]
    assert str(root.findtext("desc")).endswith("; target 85 %")


def test_a_series_without_any_data_draws_no_line() -> None:
    root = parse(
        line_chart([Point(label="a", value=None), Point(label="b", value=None)], title="t")
    )

    assert list(root.iter("polyline")) == []
    assert list(root.iter("circle")) == []


@pytest.mark.parametrize("text", HOSTILE)
def test_tool_text_is_inert_in_every_chart(text: str) -> None:
    charts = [
        bar_chart([Bar(label=text, value=1)], title=text, unit=text),
        range_chart([Span(label=text, typical=1, high=2, note=text)], title=text, unit=text),
        line_chart([Point(label=text, value=1)], title=text, unit=text, target=2),
    ]

    for svg in charts:
        root = parse(svg)  # well-formed: nothing in the text opened or closed an element
        tags = {element.tag for element in root.iter()}
        assert tags <= {"svg", "title", "desc", "g", "text", "rect", "line", "polyline", "circle"}
        assert "<script" not in svg
