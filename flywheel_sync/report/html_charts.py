"""Small inline SVG charts for the HTML report: bars, dwell ranges, and a line over periods.

A report must open offline, so charts are drawn here as inline ``<svg>`` rather than by a
charting library loaded from somewhere. Each function returns one chart as `Markup` that a
template inserts as it is:

- `bar_chart`: one horizontal bar per label (engagements per flywheel stage);
- `range_chart`: per label a typical value inside a high one, with a limit mark (median and
  p90 dwell per stage against the stall limit);
- `line_chart`: a value per period with gaps for periods without data, and a target line.

Charts are accessible: ``role="img"``, an ``aria-label`` naming the chart, a ``<title>`` and a
``<desc>`` that reads the data out, so a screen reader gets the numbers the picture shows.
Colours come from CSS classes (``bar``, ``typical``, ``flagged``, ...) that the page's style
sheet defines for light, dark and print. Every text, tool text included, is cleaned and
escaped here; numbers are formatted as the other renderers word them (`wording`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from flywheel_sync.report.escaping import clean_text
from flywheel_sync.report.wording import NOTHING, value_text

__all__ = ["Bar", "Point", "Span", "bar_chart", "line_chart", "range_chart"]

_WIDTH = 640.0
_LABEL_WIDTH = 180.0
_VALUE_WIDTH = 210.0
_ROW = 26.0
_BAR = 16.0
_TOP = 6.0


@dataclass(frozen=True, kw_only=True, slots=True)
class Bar:
    """One bar: its label, its value (0 or more) and an extra CSS class (e.g. ``stage-5``)."""

    label: str
    value: float
    tone: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class Span:
    """One row of a range chart; values are None when there is nothing to show.

    ``typical`` is drawn inside ``high`` (median inside p90), ``limit`` as a mark across the
    row; a ``flagged`` row is highlighted and shows its ``note`` (e.g. "2 stalled").
    """

    label: str
    typical: float | None
    high: float | None
    limit: float | None = None
    flagged: bool = False
    note: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class Point:
    """A value over one period (None: no data in it)."""

    label: str
    value: float | None


def _clean(text: str) -> str:
    """Tool text as one printable line; `Markup.format` escapes it on the way in."""
    return clean_text(text)


def _n(number: float) -> str:
    """A coordinate, short and stable."""
    return f"{number:.1f}".removesuffix(".0")


def _svg(
    kind: str, title: str, description: str, size: tuple[float, float], body: Iterable[Markup]
) -> Markup:
    """The ``<svg>`` element around ``body``, labelled for people and assistive technology."""
    label = _clean(title)
    width, height = size
    return Markup(
        '<svg class="chart chart-{kind}" viewBox="0 0 {width} {height}" role="img" '
        'aria-label="{label}" preserveAspectRatio="xMinYMin meet">'
        "<title>{label}</title><desc>{description}</desc>{body}</svg>"
    ).format(
        kind=kind,
        width=_n(width),
        height=_n(height),
        label=label,
        description=_clean(description),
        body=Markup("").join(body),
    )


def _scale(values: Iterable[float | None]) -> float:
    """The largest value shown (at least 1, so an all-zero chart still draws)."""
    return max([1.0, *(v for v in values if v is not None)])


def _text_at(x: float, y: float, text: str, *, kind: str, anchor: str = "start") -> Markup:
    return Markup('<text class="{}" x="{}" y="{}" text-anchor="{}">{}</text>').format(
        kind, _n(x), _n(y), anchor, _clean(text)
    )


def _row_label(y: float, label: str, *, flagged: bool = False) -> Markup:
    kind = "label flagged" if flagged else "label"
    return _text_at(_LABEL_WIDTH - 8, y + _BAR - 3, label, kind=kind, anchor="end")


def _rect(x: float, y: float, width: float, height: float, *, kind: str = "") -> Markup:
    return Markup('<rect class="{}" x="{}" y="{}" width="{}" height="{}"/>').format(
        kind, _n(x), _n(y), _n(width), _n(height)
    )


def _group(kind: str, tooltip: str, parts: Iterable[Markup]) -> Markup:
    """A ``<g>`` whose ``<title>`` is the tooltip of everything in it."""
    return Markup('<g class="{}"><title>{}</title>{}</g>').format(
        kind, _clean(tooltip), Markup("").join(parts)
    )


def bar_chart(bars: Sequence[Bar], *, title: str, unit: str = "") -> Markup:
    """Horizontal bars, one row per bar in the order given, each with its value written.

    Bar lengths are proportional to the values (the longest fills the plot); a zero draws no
    bar but keeps its row, so every label is shown.
    """
    plot = _WIDTH - _LABEL_WIDTH - _VALUE_WIDTH
    top = _scale(bar.value for bar in bars)
    rows = []
    for index, bar in enumerate(bars):
        y = _TOP + index * _ROW
        length = plot * max(bar.value, 0.0) / top
        words = value_text(bar.value, unit)
        parts = (
            _row_label(y, bar.label),
            _rect(_LABEL_WIDTH, y, length, _BAR, kind="fill"),
            _text_at(_LABEL_WIDTH + length + 6, y + _BAR - 3, words, kind="value"),
        )
        rows.append(_group(f"bar {bar.tone}".strip(), f"{bar.label}: {words}", parts))
    described = "; ".join(f"{bar.label}: {value_text(bar.value, unit)}" for bar in bars)
    size = (_WIDTH, _TOP * 2 + len(bars) * _ROW)
    return _svg("bars", title, described or NOTHING, size, rows)


def _span_words(span: Span, unit: str) -> str:
    words = f"median {value_text(span.typical, unit)}, p90 {value_text(span.high, unit)}"
    if span.limit is not None:
        words += f", limit {value_text(span.limit, unit)}"
    return f"{words}; {span.note}" if span.note else words


def range_chart(spans: Sequence[Span], *, title: str, unit: str = "days") -> Markup:
    """Per row, ``typical`` drawn inside ``high`` and ``limit`` as a tick; flagged rows marked.

    All rows share one scale (the largest typical, high or limit value), so rows compare.
    """
    plot = _WIDTH - _LABEL_WIDTH - _VALUE_WIDTH
    top = _scale(v for span in spans for v in (span.typical, span.high, span.limit))
    rows = []
    for index, span in enumerate(spans):
        y = _TOP + index * _ROW
        parts = [_row_label(y, span.label, flagged=span.flagged)]
        for value, kind, inset in ((span.high, "high", 0.0), (span.typical, "typical", 4.0)):
            if value is not None:
                width = plot * max(value, 0.0) / top
                parts.append(_rect(_LABEL_WIDTH, y + inset, width, _BAR - 2 * inset, kind=kind))
        if span.limit is not None:
            x = _n(_LABEL_WIDTH + plot * span.limit / top)
            parts.append(
                Markup('<line class="limit" x1="{}" x2="{}" y1="{}" y2="{}"/>').format(
                    x, x, _n(y - 2), _n(y + _BAR + 2)
                )
            )
        shown = value_text(span.typical, unit) + " / " + value_text(span.high, unit)
        if span.note:
            shown += f" · {span.note}"
        parts.append(_text_at(_WIDTH - _VALUE_WIDTH + 6, y + _BAR - 3, shown, kind="value"))
        kind = "row flagged" if span.flagged else "row"
        rows.append(_group(kind, f"{span.label}: {_span_words(span, unit)}", parts))
    described = "; ".join(f"{span.label}: {_span_words(span, unit)}" for span in spans)
    size = (_WIDTH, _TOP * 2 + len(spans) * _ROW)
    return _svg("range", title, described or NOTHING, size, rows)


_LINE_WIDTH = 360.0
_LINE_HEIGHT = 150.0
_LEFT = 48.0
_RIGHT = 28.0
_PLOT_TOP = 14.0
_PLOT_BOTTOM = 124.0


def _segments(coordinates: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive points with data: a period without data breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for found in coordinates:
        if found is None:
            runs.append([])
        else:
            runs[-1].append(found)
    return [run for run in runs if run]


_ROUND = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
"""Where a value axis may end, per power of ten: close above the data, easy to read."""


def _nice(number: float) -> float:
    """The smallest round number (a `_ROUND` step times a power of ten) >= ``number`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(number))
    return next(step * power for step in _ROUND if step * power >= number)


def _value_range(values: Sequence[float]) -> tuple[float, float]:
    """The y range: from 0 (or the lowest negative value) to a round number above the highest."""
    low, high = min([0.0, *values]), max([0.0, *values])
    if high == low:
        return low, low + 1.0
    return low, low + _nice((high - low) * 1.05)


def _horizontal(kind: str, y: float) -> Markup:
    return Markup('<line class="{}" x1="{}" x2="{}" y1="{}" y2="{}"/>').format(
        kind, _n(_LEFT), _n(_LINE_WIDTH - _RIGHT), _n(y), _n(y)
    )


def line_chart(
    points: Sequence[Point], *, title: str, unit: str = "", target: float | None = None
) -> Markup:
    """The values over the periods, oldest first; the latest point stands out.

    The y axis starts at 0 (or below, for negative values), so a change looks as big as it
    is. A period without data leaves a gap; ``target`` is drawn as a dashed line.
    """
    values = [p.value for p in points if p.value is not None]
    low, high = _value_range([*values, *([] if target is None else [target])])
    step = (_LINE_WIDTH - _LEFT - _RIGHT) / max(len(points) - 1, 1)

    def y_of(value: float) -> float:
        return _PLOT_BOTTOM - (value - low) / (high - low) * (_PLOT_BOTTOM - _PLOT_TOP)

    coordinates = [
        None if p.value is None else (_LEFT + index * step, y_of(p.value))
        for index, p in enumerate(points)
    ]
    parts = [
        _horizontal("axis", y_of(low)),
        _text_at(_LEFT - 6, _PLOT_TOP + 4, value_text(high, ""), kind="tick", anchor="end"),
        _text_at(_LEFT - 6, y_of(low), value_text(low, ""), kind="tick", anchor="end"),
    ]
    if target is not None:
        parts.append(_horizontal("target", y_of(target)))
        words = f"target {value_text(target, unit)}"
        parts.append(_text_at(_LEFT + 4, y_of(target) - 4, words, kind="tick target"))
    for run in _segments(coordinates):
        joined = " ".join(f"{_n(x)},{_n(y)}" for x, y in run)
        parts.append(Markup('<polyline class="line" points="{}"/>').format(joined))
    last = len(points) - 1
    for index, (point, found) in enumerate(zip(points, coordinates, strict=True)):
        if found is not None:
            parts.append(
                Markup(
                    '<circle class="{}" cx="{}" cy="{}" r="{}"><title>{}</title></circle>'
                ).format(
                    "point latest" if index == last else "point",
                    _n(found[0]),
                    _n(found[1]),
                    5 if index == last else 3,
                    _clean(f"{point.label}: {value_text(point.value, unit)}"),
                )
            )
        x = _LEFT + index * step
        parts.append(
            _text_at(x, _LINE_HEIGHT - 6, point.label, kind="tick period", anchor="middle")
        )
    described = "; ".join(f"{p.label}: {value_text(p.value, unit)}" for p in points) or NOTHING
    if target is not None:
        described += f"; target {value_text(target, unit)}"
    return _svg("line", title, described, (_LINE_WIDTH, _LINE_HEIGHT), parts)
