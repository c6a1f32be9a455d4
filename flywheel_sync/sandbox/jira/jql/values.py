"""Reading Jira REST v3 field values the way JQL sees them: names, text, instants, numbers.

Every reader answers None for EMPTY: a missing field, None, ``""``, ``[]`` or ``{}`` (and an
unparsable timestamp or number, which Jira would never store). Readers are called once per
issue and clause, so they avoid allocation on the common paths.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "NAME_KEYS",
    "display_name",
    "instant",
    "issue_number",
    "names_hit",
    "number",
    "plain_text",
    "present",
]

# The members of a JSON object a JQL value can name: option `value`; status, type, priority,
# resolution `name`/`id`; project `key`/`name`/`id`; user `accountId`/`displayName`.
NAME_KEYS = ("value", "name", "key", "id", "accountId", "displayName", "emailAddress")
_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)-(\d+)$")


def present(value: Any) -> Any:
    """``value`` itself, or None when JQL counts it as EMPTY."""
    if value is None or (not value and isinstance(value, str | list | dict)):
        return None
    return value


def names_hit(value: Any, keys: tuple[str, ...], needles: frozenset[str]) -> bool:
    """Whether ``value`` (a string, an object or a list of either) is named by a needle.

    Needles are casefolded; an object is named by any of its members listed in ``keys``
    (see `NAME_KEYS`), a list by any of its elements (multi-selects, labels, users).
    """
    if type(value) is dict:  # the common case; `isinstance(.., Mapping)` costs 4x more
        for key in keys:
            member = value.get(key)
            if member is not None and _folded(member) in needles:
                return True
        return False
    if isinstance(value, str):
        return value.casefold() in needles
    if isinstance(value, list):
        return any(names_hit(element, keys, needles) for element in value)
    if isinstance(value, Mapping):
        return names_hit(dict(value), keys, needles)
    return value is not None and str(value).casefold() in needles


def _folded(member: Any) -> str:
    return member.casefold() if type(member) is str else str(member).casefold()


def display_name(value: Any) -> str:
    """The name a person reads for ``value`` (option value, name, display name, key)."""
    if isinstance(value, Mapping):
        for key in ("value", "name", "displayName", "key", "id"):
            member = value.get(key)
            if member is not None:
                return str(member)
        return ""
    if isinstance(value, list):
        names = (display_name(element).casefold() for element in value)
        return ",".join(sorted(name for name in names if name))
    return "" if value is None else str(value)


def plain_text(value: Any) -> str:
    """The searchable text of a string, an ADF document, a comment page or a list of those."""
    if isinstance(value, str):
        return value
    pieces: list[str] = []
    _collect_text(value, pieces)
    return " ".join(pieces)


def _collect_text(value: Any, pieces: list[str]) -> None:
    if isinstance(value, str):
        pieces.append(value)
    elif isinstance(value, Mapping):
        for key in ("text", "body", "content", "comments", "value"):
            member = value.get(key)
            if member is not None:
                _collect_text(member, pieces)
    elif isinstance(value, list):
        for element in value:
            _collect_text(element, pieces)


def instant(value: Any) -> float | None:
    """POSIX seconds of a Jira timestamp (``2026-05-01T10:00:00.000+0000``) or date.

    A date (``duedate``, date pickers) is midnight UTC: the emulator's server time zone.
    """
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def number(value: Any) -> float | None:
    """A number field's value; booleans and text are not numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def issue_number(key: str) -> tuple[str, int] | None:
    """``("pmo", 12)`` for ``PMO-12``: the casefolded project key and the sequence number."""
    match = _KEY.match(key)
    if match is None:
        return None
    return match.group(1).casefold(), int(match.group(2))
