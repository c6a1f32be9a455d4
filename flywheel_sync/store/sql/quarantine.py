"""The quarantine of pulled records on the store's database (SQLite or PostgreSQL).

See `flywheel_sync.store.quarantine` for what an entry is and when it is released.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.expression import Tuple

from flywheel_sync.store.ports import Clock
from flywheel_sync.store.quarantine import EntryKey, QuarantineEntry, QuarantineNote
from flywheel_sync.store.schema import QuarantinedRecordModel
from flywheel_sync.store.sql.transactions import reading, writing

__all__ = ["SqlQuarantineRepository"]

_KEYS_PER_QUERY = 400  # two bound parameters per key; far below SQLite's limit


class SqlQuarantineRepository:
    """`QuarantineRepository` on the store's database (SQLite or PostgreSQL)."""

    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def keys(self, source: str) -> set[EntryKey]:
        """The keys of ``source``'s entries."""
        query = select(QuarantinedRecordModel.record_type, QuarantinedRecordModel.entry_key).where(
            QuarantinedRecordModel.source == source
        )
        with reading(self._sessions) as session:
            return {(record_type, key) for record_type, key in session.execute(query)}

    def settle(
        self,
        source: str,
        scope: str,
        *,
        held: Iterable[QuarantineNote],
        released: Iterable[EntryKey],
    ) -> None:
        """Release ``released``, then add or renew ``held`` (the later note of a key wins)."""
        notes = {note.key: note for note in held}
        gone = [key for key in dict.fromkeys(released) if key not in notes]
        now = self._clock()
        with writing(self._sessions) as session:
            for start in range(0, len(gone), _KEYS_PER_QUERY):
                session.execute(
                    delete(QuarantinedRecordModel).where(
                        QuarantinedRecordModel.source == source,
                        _key_column().in_(gone[start : start + _KEYS_PER_QUERY]),
                    )
                )
            stored = _stored(session, source, list(notes))
            for key, note in notes.items():
                model = stored.get(key)
                if model is None:
                    session.add(_new_model(source, scope, note, now))
                    continue
                model.scope, model.reason, model.excerpt = scope, note.reason, note.excerpt
                model.external_id = note.external_id
                model.last_seen_at, model.times_seen = now, model.times_seen + 1

    def release_others(self, source: str, scope: str, kept: Collection[EntryKey]) -> int:
        """Release ``scope``'s entries not in ``kept``; returns how many."""
        query = select(
            QuarantinedRecordModel.id,
            QuarantinedRecordModel.record_type,
            QuarantinedRecordModel.entry_key,
        ).where(QuarantinedRecordModel.source == source, QuarantinedRecordModel.scope == scope)
        with writing(self._sessions) as session:
            stale = [
                entry_id
                for entry_id, record_type, key in session.execute(query)
                if (record_type, key) not in kept
            ]
            for start in range(0, len(stale), _KEYS_PER_QUERY):
                chunk = stale[start : start + _KEYS_PER_QUERY]
                session.execute(
                    delete(QuarantinedRecordModel).where(QuarantinedRecordModel.id.in_(chunk))
                )
        return len(stale)

    def entries(self, *, source: str | None = None) -> list[QuarantineEntry]:
        """The entries, by source, record type and key."""
        query = select(QuarantinedRecordModel).order_by(
            QuarantinedRecordModel.source,
            QuarantinedRecordModel.record_type,
            QuarantinedRecordModel.entry_key,
        )
        if source is not None:
            query = query.where(QuarantinedRecordModel.source == source)
        with reading(self._sessions) as session:
            return [_entry(model) for model in session.scalars(query)]

    def counts(self) -> dict[str, int]:
        """Entries per source, sources sorted."""
        column = QuarantinedRecordModel.source
        query = select(column, func.count()).group_by(column).order_by(column)
        with reading(self._sessions) as session:
            return {str(source): int(count) for source, count in session.execute(query)}


def _key_column() -> Tuple:
    return tuple_(QuarantinedRecordModel.record_type, QuarantinedRecordModel.entry_key)


def _stored(
    session: Session, source: str, keys: list[EntryKey]
) -> dict[EntryKey, QuarantinedRecordModel]:
    found: dict[EntryKey, QuarantinedRecordModel] = {}
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        query = select(QuarantinedRecordModel).where(
            QuarantinedRecordModel.source == source,
            _key_column().in_(keys[start : start + _KEYS_PER_QUERY]),
        )
        for model in session.scalars(query):
            found[model.record_type, model.entry_key] = model
    return found


def _new_model(
    source: str, scope: str, note: QuarantineNote, now: datetime
) -> QuarantinedRecordModel:
    record_type, key = note.key
    return QuarantinedRecordModel(
        source=source,
        scope=scope,
        record_type=record_type,
        entry_key=key,
        external_id=note.external_id,
        reason=note.reason,
        excerpt=note.excerpt,
        first_seen_at=now,
        last_seen_at=now,
        times_seen=1,
    )


def _entry(model: QuarantinedRecordModel) -> QuarantineEntry:
    return QuarantineEntry(
        source=model.source,
        scope=model.scope,
        record_type=model.record_type,
        external_id=model.external_id,
        reason=model.reason,
        excerpt=model.excerpt,
        first_seen_at=model.first_seen_at,
        last_seen_at=model.last_seen_at,
        times_seen=model.times_seen,
    )
