"""Date operands: absolute dates, periods and date functions, at a fixed now (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flywheel_sync.sandbox.jira.jql.dates import date_function, date_literal

NOW = datetime(2026, 5, 13, 15, 45, 30, tzinfo=UTC)  # a Wednesday


def moment(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> float:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-01", moment(2026, 5, 1)),
        ("2026/05/01", moment(2026, 5, 1)),
        ("2026-5-1", moment(2026, 5, 1)),
        ("2026-05-01 10:00", moment(2026, 5, 1, 10, 0)),
        ("2026/05/01   9:05", moment(2026, 5, 1, 9, 5)),
        ("-1d", moment(2026, 5, 12, 15, 45, 30)),
        ("1d", moment(2026, 5, 14, 15, 45, 30)),
        ("+1d", moment(2026, 5, 14, 15, 45, 30)),
        ("-2w", moment(2026, 4, 29, 15, 45, 30)),
        ("-4h", moment(2026, 5, 13, 11, 45, 30)),
        ("-30m", moment(2026, 5, 13, 15, 15, 30)),
        ("-100minutes", moment(2026, 5, 13, 14, 5, 30)),
        ("-4hours", moment(2026, 5, 13, 11, 45, 30)),
        ("-4days", moment(2026, 5, 9, 15, 45, 30)),
        ("-1week", moment(2026, 5, 6, 15, 45, 30)),
        ("4w 2d", moment(2026, 6, 12, 15, 45, 30)),
        ("-10w, 3minutes", moment(2026, 3, 4, 15, 42, 30)),
        ("-1d2h", moment(2026, 5, 12, 13, 45, 30)),
        (" -1d ", moment(2026, 5, 12, 15, 45, 30)),
    ],
)
def test_date_literals_resolve_against_now(text: str, expected: float) -> None:
    resolve = date_literal(text)

    assert resolve is not None
    assert resolve(NOW) == expected


@pytest.mark.parametrize(
    "text",
    [
        "yesterday", "-1y", "-1M", "1", "-d", "d1", "-100milestone", "-4humor", "-4dummies",
        "-10wombat", "2026-13-01", "2026-02-30", "2026-05-01 25:00", "2026-05-01T10:00",
        "05/01/2026", "", "-1D",
    ],
)  # fmt: skip
def test_other_texts_are_not_dates(text: str) -> None:
    assert date_literal(text) is None


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        ("now", (), moment(2026, 5, 13, 15, 45, 30)),
        ("startofday", (), moment(2026, 5, 13)),
        ("startofday", ("-1",), moment(2026, 5, 12)),
        ("startofday", ("+1",), moment(2026, 5, 14)),
        ("startofday", ("-1w",), moment(2026, 5, 6)),
        ("startofday", ("2h",), moment(2026, 5, 13, 2, 0)),
        ("endofday", (), moment(2026, 5, 13, 23, 59, 59, 999000)),
        ("endofday", ("-1",), moment(2026, 5, 12, 23, 59, 59, 999000)),
        ("endofday", ("-1h",), moment(2026, 5, 13, 22, 59, 59, 999000)),
        ("startofweek", (), moment(2026, 5, 10)),
        ("startofweek", ("1",), moment(2026, 5, 17)),
        ("endofweek", (), moment(2026, 5, 16, 23, 59, 59, 999000)),
        ("startofmonth", (), moment(2026, 5, 1)),
        ("startofmonth", ("-1",), moment(2026, 4, 1)),
        ("startofmonth", ("+14d",), moment(2026, 5, 15)),
        ("endofmonth", (), moment(2026, 5, 31, 23, 59, 59, 999000)),
        ("endofmonth", ("-1",), moment(2026, 4, 30, 23, 59, 59, 999000)),
        ("endofmonth", ("-3M",), moment(2026, 2, 28, 23, 59, 59, 999000)),
        ("startofyear", (), moment(2026, 1, 1)),
        ("startofyear", ("-1",), moment(2025, 1, 1)),
        ("startofyear", ("+13M",), moment(2027, 2, 1)),
        ("endofyear", (), moment(2026, 12, 31, 23, 59, 59, 999000)),
        ("endofyear", ("1y",), moment(2027, 12, 31, 23, 59, 59, 999000)),
    ],
)
def test_date_functions_land_on_utc_period_boundaries(
    name: str, arguments: tuple[str, ...], expected: float
) -> None:
    resolve = date_function(name, arguments)

    assert not isinstance(resolve, str)
    assert resolve(NOW) == expected


def test_a_month_increment_keeps_the_day_where_the_month_has_it() -> None:
    resolve = date_function("endofday", ("-1M",))
    march_end = datetime(2026, 3, 31, 9, 0, tzinfo=UTC)

    assert not isinstance(resolve, str)
    assert resolve(march_end) == moment(2026, 2, 28, 23, 59, 59, 999000)
