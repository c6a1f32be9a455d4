"""MSPDI element values as JSON: which elements are numbers, flags, dates or durations.

MSPDI (Microsoft Project XML, namespace ``http://schemas.microsoft.com/project``) writes every
value as element text (office-project/xml-data-interchange): integers, booleans as ``0``/``1``,
dates without an offset (``2026-11-02T08:00:00``, in the project's own time zone, which the file
does not name) and durations as ISO 8601 (``PT40H0M0S``). The elements declared here are given
JSON types; any other simple element is kept as its text, so a payload loses nothing.

Dates get the time zone the source is configured with and are written as ISO 8601 with an
offset. Durations are checked and kept as written. A predecessor link's ``LinkLag`` is in
tenths of a minute unless its ``LagFormat`` is a percentage (19, 20, 51, 52), so ``Lag`` (an
ISO 8601 duration) is added for time lags only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from types import MappingProxyType
from typing import Any

__all__ = [
    "LINK_FIELDS",
    "LINK_TYPES",
    "NAMESPACE",
    "PROJECT_FIELDS",
    "TASK_FIELDS",
    "Converter",
    "FieldValueError",
    "convert",
    "lag_duration",
    "parse_date",
]

NAMESPACE = "http://schemas.microsoft.com/project"

Converter = Callable[[str, tzinfo], Any]
LINK_TYPES: Mapping[int, str] = MappingProxyType({0: "FF", 1: "FS", 2: "SF", 3: "SS"})
"""``PredecessorLink/Type`` codes (graph-wire.md §4)."""
_PERCENT_LAG_FORMATS = frozenset({19, 20, 51, 52})
_DURATION = re.compile(
    r"-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
)
_TRUE, _FALSE = frozenset({"1", "true"}), frozenset({"0", "false"})
_LONGEST_DURATION = 64
_SHOWN = 60


def _shown(text: str) -> str:
    """``text`` quoted for a message, cut when long."""
    return repr(text) if len(text) <= _SHOWN else f"{text[:_SHOWN]!r}… ({len(text):,} characters)"


class FieldValueError(ValueError):
    """An element's text is not a value of its declared type."""


def _integer(text: str, zone: tzinfo) -> int:
    try:
        return int(text)
    except ValueError:
        raise FieldValueError(f"{_shown(text)} is not an integer") from None


def _boolean(text: str, zone: tzinfo) -> bool:
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FieldValueError(f"{_shown(text)} is not 0 or 1")


def parse_date(text: str, zone: tzinfo) -> datetime:
    """An MSPDI date, made aware with ``zone`` unless it carries an offset.

    Raises:
        FieldValueError: when ``text`` is not an ISO 8601 date and time.
    """
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FieldValueError(f"{_shown(text)} is not a date and time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _date(text: str, zone: tzinfo) -> str:
    return parse_date(text, zone).isoformat()


def _duration(text: str, zone: tzinfo) -> str:
    # The pattern backtracks over long runs of digits: a real duration is short.
    if len(text) > _LONGEST_DURATION or _DURATION.fullmatch(text) is None:
        raise FieldValueError(f"{_shown(text)} is not an ISO 8601 duration")
    return text


def _fields(**kinds: tuple[str, ...]) -> Mapping[str, Converter]:
    converters: dict[str, Converter] = {
        "integer": _integer,
        "boolean": _boolean,
        "date": _date,
        "duration": _duration,
    }
    return MappingProxyType(
        {name: converters[kind] for kind, names in kinds.items() for name in names}
    )


TASK_FIELDS = _fields(
    integer=(
        "UID",
        "ID",
        "OutlineLevel",
        "Priority",
        "PercentComplete",
        "PercentWorkComplete",
        "PhysicalPercentComplete",
        "Type",
        "ConstraintType",
        "DurationFormat",
        "CalendarUID",
    ),
    boolean=(
        "Milestone",
        "Summary",
        "Critical",
        "Active",
        "Manual",
        "IsNull",
        "Estimated",
        "Recurring",
        "EffortDriven",
        "ExternalTask",
    ),
    date=(
        "Start",
        "Finish",
        "CreateDate",
        "ActualStart",
        "ActualFinish",
        "EarlyStart",
        "EarlyFinish",
        "LateStart",
        "LateFinish",
        "ConstraintDate",
        "Deadline",
        "Stop",
        "Resume",
        "ManualStart",
        "ManualFinish",
    ),
    duration=(
        "Duration",
        "ManualDuration",
        "ActualDuration",
        "RemainingDuration",
        "Work",
        "ActualWork",
        "RemainingWork",
        "RegularWork",
        "OvertimeWork",
    ),
)
"""Typed elements of ``<Task>`` (and of its ``<Baseline>`` entries)."""

PROJECT_FIELDS = _fields(
    integer=("SaveVersion", "MinutesPerDay", "MinutesPerWeek", "DaysPerMonth", "CalendarUID"),
    boolean=("ScheduleFromStart",),
    date=("StartDate", "FinishDate", "CreationDate", "LastSaved", "CurrentDate", "StatusDate"),
)
"""Typed elements of the ``<Project>`` header."""

LINK_FIELDS = _fields(
    integer=("PredecessorUID", "Type", "LinkLag", "LagFormat"), boolean=("CrossProject",)
)
"""Typed elements of ``<PredecessorLink>``."""


def convert(fields: Mapping[str, Converter], name: str, text: str | None, zone: tzinfo) -> Any:
    """An element's value: typed when declared in ``fields`` (empty text is None), else text.

    Raises:
        FieldValueError: when a declared element's text is not of its type.
    """
    value = (text or "").strip()
    converter = fields.get(name)
    if converter is None:
        return text or ""
    return converter(value, zone) if value else None


def lag_duration(link_lag: int | None, lag_format: int | None) -> str | None:
    """A link's lag as an ISO 8601 duration (``PT30M``), None for percentage lags."""
    if link_lag is None or lag_format in _PERCENT_LAG_FORMATS:
        return None
    whole, tenths = divmod(abs(link_lag), 10)
    amount = f"{whole}.{tenths}" if tenths else str(whole)
    return f"{'-' if link_lag < 0 else ''}PT{amount}M"
