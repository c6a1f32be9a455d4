"""Where a scope's next incremental read starts: the string the caller stores per scope.

Format: ``<updated>`` or ``<updated>;seen=<id>,<id>,…``

- ``updated``: ISO 8601 with its offset (``2026-11-23T08:50:06.000+00:00``). Every issue of
  the scope last updated at or before it has been read.
- ``seen``: the ids of the issues read whose ``updated`` lies in the lookback window that
  ends at ``updated``. The next read starts that much earlier (to catch changes Jira's search
  index shows late), finds these again, and skips them unless they changed since.

A bare timestamp is accepted too; nothing counts as seen then, so issues inside the window
are yielded once more (harmless: the store keeps one copy per issue).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

__all__ = ["Watermark", "parse_jira_time"]

_SEEN = ";seen="


def parse_jira_time(text: str) -> datetime:
    """An aware datetime from Jira's ``2026-11-23T08:50:06.000+0000`` (or RFC 3339).

    Raises:
        ValueError: ``text`` is not a date-time with an offset.
    """
    moment = datetime.fromisoformat(text)
    if moment.utcoffset() is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return moment


def _by_number(ids: Iterable[str]) -> list[str]:
    return sorted(ids, key=lambda issue_id: (len(issue_id), issue_id))


@dataclass(frozen=True, kw_only=True)
class Watermark:
    """How far a scope has been read, and which issues at the edge were already yielded."""

    updated: datetime
    seen: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str) -> Watermark:
        """The watermark ``str()`` wrote.

        Raises:
            ValueError: ``text`` is not one.
        """
        moment, _, ids = text.strip().partition(_SEEN)
        seen = frozenset(part for part in ids.split(",") if part)
        if any(not part.isdigit() for part in seen):
            raise ValueError(f"watermark {text!r}: seen ids must be numeric issue ids")
        return cls(updated=parse_jira_time(moment), seen=seen)

    def __str__(self) -> str:
        moment = self.updated.isoformat(timespec="milliseconds")
        return f"{moment}{_SEEN}{','.join(_by_number(self.seen))}" if self.seen else moment
