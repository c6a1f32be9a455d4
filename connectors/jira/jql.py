"""The JQL a scope is read with: the configured query, bounded by date, oldest change first.

``(<scope>) AND updated >= "<date>" ORDER BY updated ASC, key ASC``

- The scope is wrapped in parentheses so an ``OR`` inside it cannot escape the date bound.
  It must not carry its own ORDER BY: the connector's order is what makes watermarks safe.
- The key breaks ties between issues updated in the same millisecond, so paging is stable.
- JQL dates have **minute precision** and are read in the **time zone of the searching
  user** (the profile's ``timeZone``; the site default when unset). A bound is therefore
  the start of the minute, in that zone, at or before the instant wanted: reading a little
  too much is fixed by de-duplication, reading too little would lose changes. When the zone
  is unknown the bound moves back by the widest UTC offset (14 hours) instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

__all__ = ["JqlDates", "check_scope", "scope_query"]

_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_WIDEST_OFFSET = timedelta(hours=14)
_ORDER = " ORDER BY updated ASC, key ASC"


def check_scope(jql: str) -> str:
    """``jql`` stripped, if it can be a scope.

    Raises:
        ValueError: It is empty or has its own ORDER BY.
    """
    text = jql.strip()
    if not text:
        raise ValueError("a scope's JQL must not be empty")
    if _ORDER_BY.search(_QUOTED.sub('""', text)):
        raise ValueError(
            f"scope {text!r} must not have an ORDER BY: the connector orders by updated"
        )
    return text


def scope_query(scope: str, *, updated_since: str | None) -> str:
    """The search for ``scope``, from the JQL date ``updated_since`` on (all when None)."""
    bound = f' AND updated >= "{updated_since}"' if updated_since is not None else ""
    return f"({scope}){bound}{_ORDER}"


@dataclass(frozen=True, kw_only=True)
class JqlDates:
    """Writes instants as JQL date literals for one searching user.

    Attributes:
        zone: The user's time zone, or None when it is unknown.
    """

    zone: tzinfo | None

    def at_or_before(self, instant: datetime) -> str:
        """The latest JQL minute (``yyyy-MM-dd HH:mm``) that starts at or before ``instant``."""
        if self.zone is None:
            local = instant.astimezone(UTC) - _WIDEST_OFFSET
        else:
            local = instant.astimezone(self.zone)
            # In the hour a clock falls back, a wall time names two instants; Jira may read
            # the later one, so step back by the difference to stay at or before.
            earlier = local.replace(fold=0).utcoffset()
            later = local.replace(fold=1).utcoffset()
            if earlier is not None and later is not None and earlier != later:
                local -= abs(earlier - later)
        return local.strftime("%Y-%m-%d %H:%M")
