"""Work item facts: attributes read as typed values, and the facts the engine derives."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flywheel_sync.engine import facts_of
from flywheel_sync.engine.facts import is_yes, read_moment
from tests.unit.engine.builders import NOW, day, item

# NOW is 2025-06-11 12:00 UTC, so "today" is 2025-06-11.


@pytest.mark.parametrize(
    ("attributes", "done", "expected"),
    [
        ({"due": "2025-06-10", "resolved": "2025-06-10T23:00:00.000+0000"}, True, True),
        ({"due": "2025-06-10", "resolved": "2025-06-11T00:30:00.000+0000"}, True, False),
        ({"due": "2025-06-10"}, False, False),  # open and due yesterday: late
        ({"due": "2025-06-11"}, False, None),  # due today: not decided yet
        ({"due": "2025-06-10"}, True, None),  # done, but the rule gives no date
        ({"due": "2025-06-10"}, None, False),  # the rule reads no state: unresolved counts
        ({"resolved": "2025-06-01T10:00:00Z"}, True, None),  # no due date
    ],
    ids=[
        "resolved-on-the-due-date",
        "resolved-the-day-after",
        "open-past-due",
        "open-due-today",
        "done-without-a-date",
        "state-unknown-past-due",
        "no-due-date",
    ],
)
def test_on_time(attributes: dict[str, str], done: bool | None, expected: bool | None) -> None:
    found = facts_of(item("A-1", done=done, values=attributes), now=NOW)

    assert found.on_time is expected
    assert found.late is (None if expected is None else not expected)


def test_the_resolution_date_is_the_date_the_tool_wrote() -> None:
    # 23:30 at UTC-05:00 is 04:30 UTC the next day; Jira showed the user the 10th.
    found = facts_of(
        item("A-1", done=True, due="2025-06-10", resolved="2025-06-10T23:30:00.000-0500"), now=NOW
    )

    assert found.on_time is True


@pytest.mark.parametrize(
    ("done", "attributes", "expected"),
    [
        (True, {}, False),
        (False, {}, True),
        (None, {"resolved": "2025-06-01T10:00:00Z"}, False),
        (None, {"resolved": None}, True),
        (None, {}, None),
    ],
    ids=["done", "not-done", "resolved", "rule-reads-resolved-empty", "unknown"],
)
def test_open(done: bool | None, attributes: dict[str, str | None], expected: bool | None) -> None:
    assert facts_of(item("A-1", done=done, values=attributes), now=NOW).open is expected


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"status": "Blocked"}, True),
        ({"status": " blocked "}, True),
        ({"status": "In Progress", "flagged": "Impediment"}, True),
        ({"status": "In Progress", "flagged": None}, False),
        ({"blocked": "yes"}, True),
        ({"blocked": "false"}, False),
        ({"flagged": "0"}, False),
        ({"priority": "High"}, None),
    ],
    ids=[
        "status",
        "status-any-case",
        "flagged",
        "not-flagged",
        "blocked-yes",
        "blocked-false",
        "flag-zero",
        "no-signal-read",
    ],
)
def test_blocked(attributes: dict[str, str | None], expected: bool | None) -> None:
    assert facts_of(item("A-1", done=False, values=attributes), now=NOW).blocked is expected


def test_lead_and_cycle_times_in_days() -> None:
    found = facts_of(
        item(
            "A-1",
            done=True,
            created=day(6, 1, 12),
            started="2025-06-03T00:00:00Z",
            resolved="2025-06-04T12:00:00.000+0000",
        ),
        now=NOW,
    )

    # created 1 June 12:00 -> resolved 4 June 12:00 = 3 days; started 3 June 00:00 -> 1.5 days
    assert found.lead_time_days == 3.0
    assert found.cycle_time_days == 1.5
    assert found.number("lead_time_days") == 3.0


def test_facts_are_unknown_without_their_attributes() -> None:
    found = facts_of(item("A-1", done=True), now=NOW)

    assert (found.lead_time_days, found.cycle_time_days, found.priority_changes) == (
        None,
        None,
        None,
    )
    assert not found.reads("priority_changes")


def test_priority_changes_read_zero_when_the_rule_reads_them_but_finds_nothing() -> None:
    assert facts_of(item("A-1", priority_changes=None), now=NOW).priority_changes == 0
    assert facts_of(item("A-1", priority_changes="3"), now=NOW).priority_changes == 3


def test_derived_facts_win_over_attributes_of_the_same_name_in_filters() -> None:
    found = facts_of(item("A-1", done=False, open="no", project="REG"), now=NOW)

    assert found.value("open") == "true"
    assert found.value("project") == "REG"
    assert found.value("missing") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-04T12:00:00.000+0000", datetime(2025, 6, 4, 12, tzinfo=UTC)),
        ("2025-06-04T12:00:00Z", datetime(2025, 6, 4, 12, tzinfo=UTC)),
        ("2025-06-04", datetime(2025, 6, 4, tzinfo=UTC)),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_read_moment(text: str | None, expected: datetime | None) -> None:
    assert read_moment(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Impediment", True),
        ("true", True),
        ("", False),
        ("No", False),
        ("off", False),
        (None, False),
    ],
)
def test_is_yes(text: str | None, expected: bool) -> None:
    assert is_yes(text) is expected
