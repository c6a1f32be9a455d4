"""Which issues a read yields as changes, and the watermark its pages reach.

An incremental read searches from ``lookback`` before the watermark (rounded down to a JQL
minute), so it finds again issues it already yielded. `ChangeFilter` remembers, by
``(issue id, updated)``, the issues at the edge of what was read, and admits an issue only
when it is new or changed:

- an issue remembered (from the watermark's ``seen`` or earlier in this read) is admitted
  only if its ``updated`` moved on;
- an issue updated before the watermark's lookback window was found only because the JQL
  bound was rounded down, and was read before: skipped;
- an issue inside the window that is not remembered is a change the search index showed
  late: admitted.

The watermark is the newest ``updated`` seen, but never later than the moment the read
began: a change made while a long read runs may land behind the read's position, and is
caught by the next read instead of being skipped. Memory holds the lookback window only.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from connectors.jira.watermark import Watermark

__all__ = ["ChangeFilter"]


class ChangeFilter:
    """Admits new and changed issues of one scope read; tracks the watermark it reaches.

    Args:
        since: The stored watermark; None for a full read.
        lookback: How far before the watermark the read starts.
        started: When the read began (the watermark never passes it).
    """

    def __init__(self, since: Watermark | None, *, lookback: timedelta, started: datetime) -> None:
        self._since = since
        self._lookback = lookback
        self._started = started
        self._newest: datetime | None = since.updated if since else None
        # Issue id -> the updated last seen; None for ids from the watermark (at or before it).
        self._known: dict[str, datetime | None] = dict.fromkeys(since.seen) if since else {}
        self._carried = bool(self._known)
        self._order: deque[tuple[datetime, str]] = deque()
        self._resumed_from: datetime | None = None

    def admit(self, issue_id: str, updated: datetime) -> bool:
        """Whether the issue is new or changed; either way it is remembered."""
        admitted = self._is_change(issue_id, updated)
        self._known[issue_id] = updated
        self._order.append((updated, issue_id))
        if self._newest is None or updated > self._newest:
            self._newest = updated
        self._forget_old()
        return admitted

    def resume_from(self, updated: datetime) -> None:
        """The read restarts its search at ``updated``: anything older was read already."""
        self._resumed_from = updated

    def _is_change(self, issue_id: str, updated: datetime) -> bool:
        if issue_id in self._known:
            previous = self._known[issue_id]
            if previous is None and self._since is not None:
                previous = self._since.updated
            return previous is None or updated > previous
        if self._since is not None and updated < self._since.updated - self._lookback:
            return False
        return self._resumed_from is None or updated >= self._resumed_from

    def _reach(self) -> datetime | None:
        if self._newest is None:
            return None
        reach = min(self._newest, self._started)
        return max(reach, self._since.updated) if self._since else reach

    def _forget_old(self) -> None:
        reach = self._reach()
        if reach is None:
            return
        floor = reach - self._lookback
        while self._order and self._order[0][0] < floor:
            updated, issue_id = self._order.popleft()
            if self._known.get(issue_id) == updated:
                del self._known[issue_id]
        if self._carried and self._since is not None and self._since.updated < floor:
            for issue_id in [i for i, seen in self._known.items() if seen is None]:
                del self._known[issue_id]
            self._carried = False

    def _since_updated(self, default: datetime) -> datetime:
        return self._since.updated if self._since else default

    def watermark(self) -> str | None:
        """The watermark reached by the issues seen so far; None before the first."""
        reach = self._reach()
        if reach is None:
            return None
        floor = reach - self._lookback
        seen = frozenset(
            issue_id
            for issue_id, updated in self._known.items()
            if floor <= (updated or self._since_updated(reach)) <= reach
        )
        return str(Watermark(updated=reach, seen=seen))
