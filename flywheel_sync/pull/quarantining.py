"""One pull's use of the store's quarantine: hold what could not be read, release what now can.

`PullQuarantine` runs on the pull's writer thread, beside the page store:

- before a page is stored, its quarantined records are held (added, or renewed with the
  latest reason) and the entries of records the page read cleanly are released, in one
  transaction. The quarantine is written before the page, each in its own transaction: a
  crash between them leaves the page's watermark where it was, so the page is read again and
  settles the same way;
- which keys a source has in quarantine is read once per source per run, so a page (and a
  pull) with nothing to hold or release writes nothing extra;
- after a scope was read whole (a full read, or one from no watermark) to its end, the
  entries of that scope the read did not meet are released: the record is gone or was
  fixed. This is the only way out for an entry without an external id.
"""

from __future__ import annotations

from connectors.records import QuarantinedRecord, RecordPage
from flywheel_sync.store.quarantine import EntryKey, QuarantineNote, QuarantineRepository

__all__ = ["PullQuarantine"]


def _note(record: QuarantinedRecord) -> QuarantineNote:
    return QuarantineNote(
        record_type=record.record_type,
        external_id=record.external_id,
        reason=record.reason,
        excerpt=record.excerpt,
    )


class PullQuarantine:
    """The quarantine as one pull uses it; ``repository`` None keeps nothing (counts only).

    Call `start` when a scope's read begins, `settle` before each of its pages is stored and
    `finish` when it ends; all from the one thread that stores pages.
    """

    def __init__(self, repository: QuarantineRepository | None) -> None:
        self._repository = repository
        self._known: dict[str, set[EntryKey]] = {}
        self._met: dict[tuple[str, str], set[EntryKey]] = {}
        self._whole: set[tuple[str, str]] = set()

    def start(self, source: str, scope: str, *, exhaustive: bool) -> None:
        """A scope's read begins; ``exhaustive`` when it meets every record of the scope."""
        if self._repository is not None and source not in self._known:
            self._known[source] = self._repository.keys(source)
        self._met[source, scope] = set()
        if exhaustive:
            self._whole.add((source, scope))

    def settle(self, source: str, scope: str, page: RecordPage) -> int:
        """Hold the page's quarantined records, release those it read cleanly; how many released."""
        notes = [_note(record) for record in page.quarantined]
        held = {note.key for note in notes}
        self._met[source, scope] |= held
        if self._repository is None:
            return 0
        known = self._known[source]
        if not notes and not known:
            return 0  # the common case: nothing held before, nothing to hold now
        released = {(record.record_type, record.external_id) for record in page.records} & known
        released -= held
        if not notes and not released:
            return 0
        self._repository.settle(source, scope, held=notes, released=released)
        known -= released
        known |= held
        return len(released)

    def finish(self, source: str, scope: str, *, read_whole: bool) -> int:
        """A scope ended (``read_whole``: to its end); returns how many entries it released."""
        met = self._met.pop((source, scope), set())
        exhaustive = (source, scope) in self._whole
        self._whole.discard((source, scope))
        known = self._known.get(source, set())
        if self._repository is None or not (exhaustive and read_whole) or known <= met:
            return 0
        released = self._repository.release_others(source, scope, met)
        del self._known[source]  # read again when another of its scopes starts
        return released
