"""The JQL a scope is read with, and JQL dates in the searching user's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from connectors.jira.jql import JqlDates, check_scope, scope_query


def test_a_full_read_orders_the_scope_by_updated_then_key() -> None:
    assert scope_query("project = PMO", updated_since=None) == (
        "(project = PMO) ORDER BY updated ASC, key ASC"
    )


def test_an_incremental_read_bounds_the_whole_scope_by_date() -> None:
    query = scope_query("project = A OR project = B", updated_since="2026-11-23 08:45")

    assert query == (
        '(project = A OR project = B) AND updated >= "2026-11-23 08:45" '
        "ORDER BY updated ASC, key ASC"
    )


@pytest.mark.parametrize(
    "jql",
    ["project = PMO ORDER BY key", "project = PMO order  by rank", "   ", ""],
)
def test_a_scope_with_its_own_order_or_no_query_is_refused(jql: str) -> None:
    with pytest.raises(ValueError, match=r"ORDER BY|empty"):
        check_scope(jql)


def test_order_by_inside_a_quoted_value_is_just_text() -> None:
    jql = 'project = PMO AND summary ~ "order by phone"'

    assert check_scope(f"  {jql} ") == jql


@pytest.mark.parametrize(
    ("zone", "instant", "literal"),
    [
        # Minute precision: the bound rounds down, never up.
        (UTC, datetime(2026, 11, 23, 8, 45, 59, 999000, tzinfo=UTC), "2026-11-23 08:45"),
        (UTC, datetime(2026, 11, 23, 8, 45, tzinfo=UTC), "2026-11-23 08:45"),
        # The user's zone: 08:45 UTC is 17:45 in Tokyo, 03:45 in New York.
        (ZoneInfo("Asia/Tokyo"), datetime(2026, 11, 23, 8, 45, tzinfo=UTC), "2026-11-23 17:45"),
        (
            ZoneInfo("America/New_York"),
            datetime(2026, 11, 23, 8, 45, tzinfo=UTC),
            "2026-11-23 03:45",
        ),
        # 01:30 happens twice when London falls back; the earlier reading is an hour back.
        (
            ZoneInfo("Europe/London"),
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
            "2026-10-25 00:30",
        ),
        # Unknown zone: step back by the widest offset, so the bound is early in any zone.
        (None, datetime(2026, 11, 23, 8, 45, tzinfo=UTC), "2026-11-22 18:45"),
    ],
)
def test_a_date_bound_is_the_users_minute_at_or_before_the_instant(
    zone: ZoneInfo | None, instant: datetime, literal: str
) -> None:
    assert JqlDates(zone=zone).at_or_before(instant) == literal
