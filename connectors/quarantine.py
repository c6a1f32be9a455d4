r"""Setting aside a record a connector cannot read: its reason and a bounded, masked excerpt.

A tool can send anything: a member missing or null, a number where an object belongs, a
1 MB string, control and bidirectional-override characters. A connector checks what it
needs of each item (its id, its update time, the nested objects it reads) and makes an item
that fails a check a `QuarantinedRecord` with `quarantine`, instead of failing the page.

What is kept of such an item is bounded and safe to store, log and print:

- the excerpt is compact JSON of at most `MAX_EXCERPT` characters: long strings are cut,
  deep or long containers are elided, and members whose names look like secrets
  (``password``, ``token``, ``authorization``, ...) are masked;
- the reason is at most `MAX_REASON` characters, and quotes values with `shown`;
- in both, control characters (NUL, which PostgreSQL text refuses, among them), format
  characters (bidirectional overrides, zero-width joiners) and lone surrogates are written
  as ``\uXXXX`` escapes, so a listing cannot be reordered or hidden on a terminal.

`readable_id` is the check every connector applies to ids: what the store keeps as an
external id must be a short, printable string. `storable_time` is the one for times: a
time with an offset that moves it past year 9999 (or before year 1) in UTC cannot be kept.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from connectors.records import QuarantinedRecord

__all__ = [
    "MAX_EXCERPT",
    "MAX_ID",
    "MAX_REASON",
    "excerpt",
    "quarantine",
    "readable_id",
    "shown",
    "storable_time",
]

MAX_EXCERPT: Final = 2_000
"""Characters an excerpt keeps at most: enough to recognise the item, never its bulk."""
MAX_REASON: Final = 500
MAX_ID: Final = 255
"""The longest external id the store keeps (its ``VARCHAR(255)``)."""

_LONGEST_TEXT = 200
_MEMBERS = 30
_ITEMS = 5
_DEPTH = 4
_LARGEST_NUMBER = 10**30
_MASK = "***"
_SECRET_NAME = re.compile(
    r"password|passwd|passphrase|^pass$|secret|token|authori[sz]ation|api[-_]?key|cookie"
    r"|credential|signature|private[-_]?key",
    re.IGNORECASE,
)
_MARGIN = timedelta(days=2)
"""Room around a time for a lookback window or a day's arithmetic without overflowing."""
_EARLIEST = datetime.min.replace(tzinfo=UTC) + _MARGIN
_LATEST = datetime.max.replace(tzinfo=UTC) - _MARGIN
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
"""Control, format (bidi overrides, zero-width) and surrogate code points."""


def _escaped(text: str) -> str:
    r"""``text`` with control, format and surrogate code points as ``\uXXXX`` escapes."""
    if text.isprintable():
        return text
    return "".join(
        f"\\u{ord(char):04x}" if unicodedata.category(char) in _ESCAPED_CATEGORIES else char
        for char in text
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def shown(value: object, limit: int = 60) -> str:
    """A short, printable rendering of ``value`` for a reason: ``'2026-13-40'``, ``None``."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _LARGEST_NUMBER:
        return f"a {value.bit_length()}-bit number"
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value):,} characters)"
    if isinstance(value, Mapping | list | tuple):
        return f"{type(value).__name__} of {len(value)}"
    return _escaped(_cut(repr(value), limit + 2))


def _bounded(value: Any, depth: int) -> Any:
    """A JSON value small enough to show whole, shaped like ``value``."""
    if isinstance(value, str):
        if len(value) <= _LONGEST_TEXT:
            return value
        return f"{value[:_LONGEST_TEXT]}… ({len(value):,} characters)"
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return value if abs(value) < _LARGEST_NUMBER else shown(value)
    if isinstance(value, Mapping):
        return _bounded_members(value, depth)
    if isinstance(value, list | tuple):
        if depth >= _DEPTH:
            return f"[… {len(value)} items]"
        items = [_bounded(item, depth + 1) for item in value[:_ITEMS]]
        if len(value) > _ITEMS:
            items.append(f"… {len(value) - _ITEMS} more items")
        return items
    return shown(value)


def _bounded_members(value: Mapping[Any, Any], depth: int) -> dict[str, Any] | str:
    """An object's first members, bounded, those with secret-looking names masked."""
    if depth >= _DEPTH:
        return f"{{… {len(value)} members}}"
    members: dict[str, Any] = {}
    for number, (name, member) in enumerate(value.items()):
        if number == _MEMBERS:
            members["…"] = f"{len(value) - _MEMBERS} more members"
            break
        secret = isinstance(name, str) and _SECRET_NAME.search(name) is not None
        members[_cut(str(name), _LONGEST_TEXT)] = (
            _MASK if secret and member else _bounded(member, depth + 1)
        )
    return members


def excerpt(payload: object, limit: int = MAX_EXCERPT) -> str:
    """Compact JSON of ``payload``, cut to ``limit`` characters, secrets masked.

    Never raises: whatever a JSON parser can return (and a Python value besides) has one.
    """
    text = json.dumps(_bounded(payload, 0), ensure_ascii=False, separators=(",", ":"))
    return _cut(_escaped(text), limit)


def quarantine(
    record_type: str, payload: object, reason: str, *, external_id: str | None = None
) -> QuarantinedRecord:
    """The `QuarantinedRecord` of an item that cannot be read, with its excerpt.

    Args:
        record_type: What the item would have been (``issue``, ``planner_task``).
        payload: The item as the tool sent it (any JSON value).
        reason: What is wrong, in plain words; values in it quoted with `shown`.
        external_id: The item's id, when it could be read (`readable_id`).
    """
    return QuarantinedRecord(
        record_type=record_type,
        external_id=external_id,
        reason=_cut(_escaped(reason), MAX_REASON),
        excerpt=excerpt(payload),
    )


def readable_id(value: object) -> str | None:
    """``value`` as an external id: a string (or whole number) of 1-255 printable characters.

    None otherwise: missing, null, empty, an object, too long for the store, or holding
    control or format characters (a NUL would be refused by PostgreSQL, a bidirectional
    override would disguise the id wherever it is shown).
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    if isinstance(value, int):
        return str(value) if abs(value) < _LARGEST_NUMBER else None
    if not value or len(value) > MAX_ID or not value.isprintable():
        return None
    return value


def storable_time(moment: datetime) -> datetime | None:
    """``moment`` if it is aware and can be kept in UTC with room around it; else None.

    ``0001-01-01T00:00:00+14:00`` parses, but is before year 1 in UTC: the store, and any
    arithmetic on it, would overflow.
    """
    if moment.utcoffset() is None:
        return None
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        return None
    return moment if _EARLIEST <= utc <= _LATEST else None
