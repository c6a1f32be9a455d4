"""Which issues a read yields: new and changed ones only, however often the search repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.jira.changes import ChangeFilter
from connectors.jira.watermark import Watermark

W = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LOOKBACK = timedelta(minutes=5)
LATER = W + timedelta(hours=1)
SECOND = timedelta(seconds=1)


def read_since(watermark: Watermark | None, *, started: datetime = LATER) -> ChangeFilter:
    return ChangeFilter(watermark, lookback=LOOKBACK, started=started)


@pytest.mark.parametrize(
    ("issue_id", "updated", "admitted", "why"),
    [
        ("1", W + SECOND, True, "changed after the watermark"),
        ("7", W, False, "seen at the watermark, unchanged"),
        ("7", W - timedelta(minutes=2), False, "seen inside the window, unchanged"),
        ("7", W + SECOND, True, "seen, then changed again"),
        ("8", W - timedelta(minutes=2), True, "inside the window, never seen: indexed late"),
        ("9", W - LOOKBACK - SECOND, False, "before the window: found again by rounding"),
    ],
)
def test_an_incremental_read_admits_only_new_or_changed_issues(
    issue_id: str, updated: datetime, admitted: bool, why: str
) -> None:
    changes = read_since(Watermark(updated=W, seen=frozenset({"7"})))

    assert changes.admit(issue_id, updated) is admitted, why


def test_a_full_read_admits_everything_once() -> None:
    changes = read_since(None)

    first = [changes.admit(str(n), W + n * SECOND) for n in range(3)]
    again = changes.admit("2", W + 2 * SECOND)

    assert (first, again) == ([True, True, True], False)


def test_the_watermark_is_the_newest_updated_with_the_ids_inside_the_window() -> None:
    changes = read_since(None)
    for issue_id, minutes in (("1", 0), ("2", 8), ("3", 9), ("4", 14)):
        changes.admit(issue_id, W + timedelta(minutes=minutes))

    assert changes.watermark() == "2026-11-23T09:14:00.000+00:00;seen=3,4"


def test_a_read_that_saw_nothing_keeps_the_watermark_it_was_given() -> None:
    given = Watermark(updated=W, seen=frozenset({"7"}))

    assert read_since(given).watermark() == str(given)
    assert read_since(None).watermark() is None


def test_the_watermark_never_passes_the_moment_the_read_began() -> None:
    began = W + timedelta(minutes=1)
    changes = read_since(None, started=began)
    changes.admit("1", W)
    changes.admit("2", began + timedelta(minutes=3))  # edited while the read ran

    assert changes.watermark() == "2026-11-23T09:01:00.000+00:00;seen=1"


def test_ids_carried_in_the_watermark_are_forgotten_once_outside_the_window() -> None:
    changes = read_since(Watermark(updated=W, seen=frozenset({"7"})))
    changes.admit("1", W + LOOKBACK + SECOND)

    assert changes.watermark() == "2026-11-23T09:05:01.000+00:00;seen=1"


def test_after_a_restart_issues_older_than_its_position_are_not_yielded_again() -> None:
    changes = read_since(None)
    changes.admit("1", W)
    changes.admit("2", W + timedelta(hours=2))
    changes.resume_from(W + timedelta(hours=2))

    assert changes.admit("1", W) is False  # forgotten (outside the window), still skipped
    assert changes.admit("3", W + timedelta(hours=2)) is True
