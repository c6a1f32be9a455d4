"""One `ValueSource` applied to one record: read, narrow with the pattern, translate.

The result keeps each step, because ``flywheel-sync explain`` shows admins exactly why a
record became what it became ("field 'PMO Customer' = 'Grid Operations' → grid-ops").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from flywheel_sync.mapping.reading import RecordReader
from flywheel_sync.settings.rules import ValueSource

__all__ = ["ReadValue", "describe", "read_value", "translate"]

_TRUE = frozenset({"true", "yes", "y", "1", "done", "x", "checked"})


@dataclass(frozen=True, kw_only=True)
class ReadValue:
    """What a value source found: the raw strings, then the candidates after pattern and map."""

    origin: str
    raw: tuple[str, ...]
    candidates: tuple[str, ...]

    @property
    def value(self) -> str | None:
        """The first candidate, or None when nothing was found."""
        return self.candidates[0] if self.candidates else None

    @property
    def truthy(self) -> bool:
        """Whether the value means yes (true, yes, done, 1...), for ``done``."""
        return self.value is not None and self.value.strip().casefold() in _TRUE

    def shown(self) -> str:
        """``origin = raw → value``, for explanations."""
        raw = ", ".join(repr(text) for text in self.raw) or "nothing"
        if self.candidates == self.raw:
            return f"{self.origin} = {raw}"
        result = ", ".join(repr(text) for text in self.candidates) or "no match"
        return f"{self.origin} = {raw} → {result}"


def describe(source: ValueSource) -> str:
    """Where a value source reads from, as an admin wrote it."""
    if source.field is not None:
        return f"field {source.field!r}"
    if source.bucket:
        return "bucket"
    if source.label_prefix is not None:
        return f"label {source.label_prefix!r}…"
    return f"constant {source.constant!r}"


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _lowered(value_map: Mapping[str, str]) -> dict[str, str]:
    return {key.strip().casefold(): value for key, value in value_map.items()}


def translate(source: ValueSource, raw: tuple[str, ...]) -> tuple[str, ...]:
    """Narrow ``raw`` with the source's pattern, then translate through its value map.

    A value the map does not name passes unchanged: maps list the exceptions, and stage
    names such as "Service Onboarding" are read as they are.
    """
    found = raw
    if source.pattern is not None:
        pattern = _compiled(source.pattern)
        found = tuple(
            match.group("value")
            for text in raw
            if (match := pattern.search(text)) and match.group("value")
        )
    if source.value_map:
        lowered = _lowered(source.value_map)
        found = tuple(lowered.get(text.strip().casefold(), text) for text in found)
    return tuple(dict.fromkeys(found))


def _raw(source: ValueSource, reader: RecordReader) -> tuple[str, ...]:
    if source.field is not None:
        return reader.values(source.field)
    if source.bucket:
        bucket = reader.bucket()
        return (bucket,) if bucket else ()
    if source.label_prefix is not None:
        prefix = source.label_prefix
        return tuple(label[len(prefix) :] for label in reader.labels() if label.startswith(prefix))
    return (source.constant,) if source.constant else ()


def read_value(source: ValueSource, reader: RecordReader) -> ReadValue:
    """Apply ``source`` to the record behind ``reader``."""
    raw = _raw(source, reader)
    return ReadValue(origin=describe(source), raw=raw, candidates=translate(source, raw))
