"""Raw records and watermarks on SQLAlchemy: a page and its watermark are stored together."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.orm import Session, sessionmaker

from flywheel_sync.store.ports import Clock
from flywheel_sync.store.rows import RawRecord, StoredRecord
from flywheel_sync.store.schema import SourceRecordModel, WatermarkModel
from flywheel_sync.store.sql.transactions import YIELD_PER, reading, writing

__all__ = ["SqlRecordRepository"]

_KEYS_PER_QUERY = 400  # two bound parameters per key; far below SQLite's limit

_RecordKey = tuple[str, str]  # (record_type, external_id)


class SqlRecordRepository:
    """`RecordRepository` on a SQLAlchemy database."""

    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def upsert_page(
        self, source: str, scope: str, records: Iterable[RawRecord], watermark: str | None
    ) -> int:
        """Store a page of records and advance the watermark, in one transaction.

        Unchanged records (same content hash) are not rewritten. If a record appears twice
        in the page, the later one wins. ``watermark=None`` leaves the stored one as it is.

        Returns:
            How many records were new or changed.
        """
        page = {(record.record_type, record.external_id): record for record in records}
        fetched_at = self._clock()
        with writing(self._sessions) as session:
            stored = _stored_hashes(session, source, list(page))
            new: list[dict[str, Any]] = []
            changed: list[dict[str, Any]] = []
            for key, record in page.items():
                row = _row(source, scope, record, fetched_at)
                if key not in stored:
                    new.append(row)
                elif stored[key][1] != row["content_hash"]:
                    changed.append({"id": stored[key][0], **row})
            if new:
                session.execute(insert(SourceRecordModel), new)
            if changed:
                session.execute(update(SourceRecordModel), changed)
            if watermark is not None:
                session.merge(
                    WatermarkModel(
                        source=source, scope=scope, value=watermark, updated_at=fetched_at
                    )
                )
        return len(new) + len(changed)

    def watermark(self, source: str, scope: str) -> str | None:
        """How far ``(source, scope)`` has been read, or ``None`` before its first page."""
        with reading(self._sessions) as session:
            stored = session.get(WatermarkModel, (source, scope))
            return None if stored is None else stored.value

    def iter_records(
        self, *, source: str | None = None, record_type: str | None = None
    ) -> Iterator[StoredRecord]:
        """Stream the stored records, optionally of one source and/or type, in storage order.

        The read transaction stays open until the iterator is exhausted or closed.
        """
        query = select(SourceRecordModel).order_by(SourceRecordModel.id)
        if source is not None:
            query = query.where(SourceRecordModel.source == source)
        if record_type is not None:
            query = query.where(SourceRecordModel.record_type == record_type)
        with reading(self._sessions) as session:
            for model in session.scalars(query.execution_options(yield_per=YIELD_PER)):
                yield _stored_record(model)

    def get_many(
        self, source: str, record_type: str, external_ids: Iterable[str]
    ) -> dict[str, StoredRecord]:
        """The stored records of one source and type among ``external_ids``, by id."""
        wanted = list(dict.fromkeys(external_ids))
        found: dict[str, StoredRecord] = {}
        with reading(self._sessions) as session:
            for start in range(0, len(wanted), _KEYS_PER_QUERY):
                query = select(SourceRecordModel).where(
                    SourceRecordModel.source == source,
                    SourceRecordModel.record_type == record_type,
                    SourceRecordModel.external_id.in_(wanted[start : start + _KEYS_PER_QUERY]),
                )
                for model in session.scalars(query):
                    found[model.external_id] = _stored_record(model)
        return found


def _stored_hashes(
    session: Session, source: str, keys: Sequence[_RecordKey]
) -> dict[_RecordKey, tuple[int, str]]:
    """``(id, content_hash)`` of the already-stored records among ``keys``."""
    found: dict[_RecordKey, tuple[int, str]] = {}
    columns = (SourceRecordModel.record_type, SourceRecordModel.external_id)
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        query = select(*columns, SourceRecordModel.id, SourceRecordModel.content_hash).where(
            SourceRecordModel.source == source,
            tuple_(*columns).in_(keys[start : start + _KEYS_PER_QUERY]),
        )
        for record_type, external_id, record_id, content_hash in session.execute(query):
            found[(record_type, external_id)] = (record_id, content_hash)
    return found


def _row(source: str, scope: str, record: RawRecord, fetched_at: datetime) -> dict[str, Any]:
    return {
        "source": source,
        "scope": scope,
        "record_type": record.record_type,
        "external_id": record.external_id,
        "updated_at": record.updated_at,
        "content_hash": record.content_hash,
        "payload": record.payload,
        "fetched_at": fetched_at,
    }


def _stored_record(model: SourceRecordModel) -> StoredRecord:
    return StoredRecord(
        source=model.source,
        scope=model.scope,
        record_type=model.record_type,
        external_id=model.external_id,
        payload=model.payload,
        content_hash=model.content_hash,
        updated_at=model.updated_at,
        fetched_at=model.fetched_at,
    )
