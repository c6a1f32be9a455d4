"""Quarantined records: what the pull could not read, why, and since when.

A connector that cannot read an item (no id, an unreadable update time, a field of the wrong
type where it needs one) sets it aside with the reason instead of failing its scope; the
pull keeps it here (`QuarantineRepository.settle`) so ``flywheel-sync quarantine`` can list
it, and releases it once the same record is read cleanly. An entry is keyed by source,
record type and external id; an item whose id could not be read is keyed by a digest of its
excerpt instead (``#3f9a...``), so the same unreadable item seen again stays one entry. Such
an entry can only be released by a full read of its scope that no longer meets it
(`QuarantineRepository.release_others`).

Here: the entries, the port and an in-memory implementation (the pull runner's tests use it).
The SQL one is `flywheel_sync.store.sql.quarantine`; an open store has it as
``store.quarantine``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from flywheel_sync.store.ports import Clock

__all__ = [
    "EntryKey",
    "MemoryQuarantine",
    "QuarantineEntry",
    "QuarantineNote",
    "QuarantineRepository",
]

EntryKey = tuple[str, str]
"""``(record_type, entry key)``: an entry within its source."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True, slots=True)
class QuarantineNote:
    """One item a connector could not read, as the pull hands it to the store.

    ``reason`` and ``excerpt`` are bounded and printable already (the connector made them).
    """

    record_type: str
    external_id: str | None
    reason: str
    excerpt: str

    @property
    def key(self) -> EntryKey:
        """The entry's key: the external id, or ``#`` and a digest of the excerpt."""
        if self.external_id is not None:
            return self.record_type, self.external_id
        digest = hashlib.sha256(self.excerpt.encode("utf-8", "replace")).hexdigest()[:16]
        return self.record_type, f"#{digest}"


@dataclass(frozen=True, kw_only=True, slots=True)
class QuarantineEntry:
    """A quarantined record as the store keeps it."""

    source: str
    scope: str
    """The scope it was last met in."""
    record_type: str
    external_id: str | None
    reason: str
    """Why it was set aside, the last time it was met."""
    excerpt: str
    first_seen_at: datetime
    last_seen_at: datetime
    times_seen: int
    """How many reads met it unreadable (a record re-read every poll counts up)."""


class QuarantineRepository(Protocol):
    """The quarantined records of every source; every method is its own transaction."""

    def keys(self, source: str) -> set[EntryKey]:
        """The keys of ``source``'s entries (few: the pull asks once per source per run)."""
        ...

    def settle(
        self,
        source: str,
        scope: str,
        *,
        held: Iterable[QuarantineNote],
        released: Iterable[EntryKey],
    ) -> None:
        """Release the entries of records read cleanly, then hold (add or renew) ``held``."""
        ...

    def release_others(self, source: str, scope: str, kept: Collection[EntryKey]) -> int:
        """After a full read of ``scope``: release its entries not in ``kept``; how many."""
        ...

    def entries(self, *, source: str | None = None) -> list[QuarantineEntry]:
        """The entries (of ``source`` only, if given), by source, record type and key."""
        ...

    def counts(self) -> dict[str, int]:
        """How many entries each source has (sources without any are left out)."""
        ...


class MemoryQuarantine:
    """`QuarantineRepository` in memory: the runner's tests use it as their fake."""

    def __init__(self, *, clock: Clock = _utc_now) -> None:
        self._clock = clock
        self._entries: dict[tuple[str, str, str], QuarantineEntry] = {}

    def keys(self, source: str) -> set[EntryKey]:
        """The keys of ``source``'s entries."""
        return {(kind, key) for owner, kind, key in self._entries if owner == source}

    def settle(
        self,
        source: str,
        scope: str,
        *,
        held: Iterable[QuarantineNote],
        released: Iterable[EntryKey],
    ) -> None:
        """Release ``released``, then add or renew ``held``."""
        notes = {note.key: note for note in held}
        for record_type, key in released:
            if (record_type, key) not in notes:
                self._entries.pop((source, record_type, key), None)
        now = self._clock()
        for (record_type, key), note in notes.items():
            before = self._entries.get((source, record_type, key))
            entry = QuarantineEntry(
                source=source,
                scope=scope,
                record_type=record_type,
                external_id=note.external_id,
                reason=note.reason,
                excerpt=note.excerpt,
                first_seen_at=now,
                last_seen_at=now,
                times_seen=1,
            )
            if before is not None:
                entry = replace(
                    entry, first_seen_at=before.first_seen_at, times_seen=before.times_seen + 1
                )
            self._entries[source, record_type, key] = entry

    def release_others(self, source: str, scope: str, kept: Collection[EntryKey]) -> int:
        """Release ``scope``'s entries not in ``kept``."""
        stale = [
            full_key
            for full_key, entry in self._entries.items()
            if entry.source == source and entry.scope == scope and full_key[1:] not in kept
        ]
        for full_key in stale:
            del self._entries[full_key]
        return len(stale)

    def entries(self, *, source: str | None = None) -> list[QuarantineEntry]:
        """The entries, by source, record type and key."""
        return [
            entry
            for full_key, entry in sorted(self._entries.items())
            if source is None or full_key[0] == source
        ]

    def counts(self) -> dict[str, int]:
        """Entries per source, sources sorted."""
        counted: dict[str, int] = {}
        for owner, _, _ in sorted(self._entries):
            counted[owner] = counted.get(owner, 0) + 1
        return counted
