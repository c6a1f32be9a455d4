"""Time in the demo organisation: the anchor `now`, working hours, and each tool's timestamp format.

Everything is computed in whole UTC epoch seconds (cheap to add and compare at 100,000 issues)
and formatted only at the edge, in the spelling each tool puts on the wire.
"""

import datetime as dt
import random
import time

__all__ = [
    "DAY",
    "HOUR",
    "dataverse_time",
    "epoch",
    "graph_time",
    "jira_date",
    "jira_time",
    "story_stream",
    "stream",
    "to_datetime",
    "utc_anchor",
    "working_time",
]

HOUR = 3600
DAY = 24 * HOUR


def utc_anchor(now: dt.datetime) -> int:
    """Return ``now`` as whole epoch seconds.

    Raises:
        ValueError: ``now`` is naive; the demo only works with timezone-aware times.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got the naive datetime {now.isoformat()}")
    return int(now.timestamp())


def epoch(moment: dt.datetime) -> int:
    """Whole epoch seconds of an aware datetime."""
    return int(moment.timestamp())


def to_datetime(seconds: int) -> dt.datetime:
    """The aware UTC datetime of epoch seconds."""
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def working_time(seconds: int, rng: random.Random) -> int:
    """Move a moment into office hours (08:00-17:00 UTC on a weekday), never later than it was.

    People change tickets at work: a moment before 08:00 moves to the previous evening, a
    weekend one to the Friday before, and the time of day is redrawn within what is left. The
    result never moves forward, so it stays before ``now``.
    """
    day_start = seconds - seconds % DAY
    latest = min(seconds - day_start, 17 * HOUR)
    if latest < 8 * HOUR:
        day_start -= DAY
        latest = 17 * HOUR
    weekday = time.gmtime(day_start).tm_wday  # Monday is 0
    if weekday >= 5:
        day_start -= (weekday - 4) * DAY
        latest = 17 * HOUR
    if latest == 8 * HOUR:
        return day_start + latest
    return day_start + rng.randrange(8 * HOUR, latest)


def jira_time(seconds: int) -> str:
    """Jira's datetime spelling, e.g. ``2026-05-01T10:00:00.000+0000``.

    All values are UTC with the same width, so they also sort as text in time order.
    """
    return time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime(seconds))


def jira_date(seconds: int) -> str:
    """Jira's date spelling (``duedate``), e.g. ``2026-05-01``."""
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


def graph_time(seconds: int) -> str:
    """Microsoft Graph's UTC spelling, e.g. ``2026-05-01T10:00:00Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def dataverse_time(seconds: int) -> str:
    """Dataverse's UTC spelling (same as Graph's), e.g. ``2026-05-01T08:00:00Z``."""
    return graph_time(seconds)


def stream(seed: int, topic: str) -> random.Random:
    """A reproducible random stream for one topic of the demo.

    Each topic (a project's issues, the chatter in a channel) draws from its own stream, so
    adding draws to one never shifts another. String seeds hash with SHA-512 in CPython, so the
    stream is the same in every process regardless of ``PYTHONHASHSEED``.
    """
    # Not for security: a simulation that must replay exactly.
    return random.Random(f"northwind/{seed}/{topic}")  # noqa: S311


def story_stream(topic: str) -> random.Random:
    """A reproducible random stream for the PMO story, the same for every build seed."""
    return random.Random(f"northwind/story/{topic}")  # noqa: S311 - a replayable simulation
