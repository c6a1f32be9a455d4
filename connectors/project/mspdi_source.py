"""`MspdiFileSource`: Microsoft Project desktop exports (MSPDI XML files) as a source.

A scope is one configured file path. The watermark is the SHA-256 of the file's bytes,
``sha256:<64 hex digits>``: an unchanged file yields nothing, a changed one is read whole
(MSPDI has no per-task modification time to read incrementally by). The digest stored is that
of the bytes actually parsed, and only the last page carries it, so a file that changes or
fails mid-read is read again next time.

A task that cannot be read is quarantined on its page (`connectors.quarantine`), named
``<path>#<UID>`` when its UID reads; the file's digest is stored all the same, so the
quarantine stands until the file changes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, tzinfo
from pathlib import Path
from typing import IO

from connectors.errors import ConnectorConfigError
from connectors.project.mspdi_reader import (
    MalformedFile,
    MspdiProject,
    MspdiTask,
    UnreadableTask,
    read_mspdi,
)
from connectors.quarantine import quarantine, readable_id
from connectors.records import QuarantinedRecord, RecordPage, SourceRecord

__all__ = ["MspdiFileSource"]

_CHUNK = 1 << 16
MSPDI_TASK = "mspdi_task"


class _HashingReader:
    """A binary file whose bytes are hashed as they are read."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self._hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self._hash.update(data)
        return data

    def watermark(self) -> str:
        """The digest of everything read, after reading the rest of the file."""
        while self.read(_CHUNK):
            pass
        return f"sha256:{self._hash.hexdigest()}"


class MspdiFileSource:
    """Reads MSPDI files: one ``mspdi_project`` and its ``mspdi_task`` records per file.

    Args:
        name: The source name (``mspdi:grid_export``), carried by every error.
        paths: The files to read; each path, as given, is a scope.
        timezone: The zone the files' offset-less dates are in (MSPDI does not say).
        page_size: Tasks per page.
    """

    def __init__(
        self,
        *,
        name: str,
        paths: Sequence[str | os.PathLike[str]],
        timezone: tzinfo = UTC,
        page_size: int = 500,
    ) -> None:
        if page_size < 1:
            raise ConnectorConfigError("page_size must be at least 1", source=name)
        self.name = name
        self._paths = tuple(dict.fromkeys(os.fspath(path) for path in paths))
        self._zone = timezone
        self._page_size = page_size

    def scopes(self) -> list[str]:
        """The configured file paths."""
        return list(self._paths)

    def pages(
        self, scope: str, watermark: str | None, *, full: bool = False
    ) -> Iterator[RecordPage]:
        """The file's records, unless its content hash equals ``watermark`` (and not ``full``).

        Raises:
            ConnectorConfigError: the file is not configured, missing, unreadable, not
                well-formed, declares a DTD, or is not MSPDI.

        A task that cannot be read is quarantined on its page instead (named by the file
        and its UID).
        """
        if scope not in self._paths:
            raise ConnectorConfigError(
                "is not one of the configured files", source=self.name, record=scope
            )
        path = Path(scope)
        if not full and watermark is not None and self._digest(path) == watermark:
            return
        try:
            with path.open("rb") as handle:
                yield from self._read(scope, _HashingReader(handle))
        except OSError as error:
            raise self._unreadable(scope, error) from error

    def _read(self, scope: str, reader: _HashingReader) -> Iterator[RecordPage]:
        batch: list[SourceRecord] = []
        unreadable: list[QuarantinedRecord] = []
        try:
            for item in read_mspdi(reader, zone=self._zone):
                if isinstance(item, UnreadableTask):
                    unreadable.append(self._quarantined(scope, item))
                else:
                    batch.append(self._record(scope, item))
                full = len(batch) + len(unreadable) >= self._page_size
                if full and not isinstance(item, MspdiProject):  # the project ends the last page
                    yield RecordPage(
                        scope=scope,
                        records=tuple(batch),
                        requests=0,
                        quarantined=tuple(unreadable),
                    )
                    batch, unreadable = [], []
        except MalformedFile as error:
            raise ConnectorConfigError(str(error), source=self.name, record=scope) from None
        yield RecordPage(
            scope=scope,
            records=tuple(batch),
            watermark=reader.watermark(),
            requests=0,
            quarantined=tuple(unreadable),
        )

    def _quarantined(self, scope: str, task: UnreadableTask) -> QuarantinedRecord:
        external_id = None if task.uid is None else readable_id(f"{scope}#{task.uid}")
        reason = f"task {task.label}: {task.reason}"
        return quarantine(MSPDI_TASK, task.fields, reason, external_id=external_id)

    def _record(self, scope: str, item: MspdiTask | MspdiProject) -> SourceRecord:
        if isinstance(item, MspdiTask):
            return SourceRecord(
                record_type=MSPDI_TASK,
                external_id=f"{scope}#{item.uid}",
                payload=item.payload,
                updated_at=item.saved,
            )
        return SourceRecord(
            record_type="mspdi_project",
            external_id=scope,
            payload=item.payload,
            updated_at=item.saved,
        )

    def _digest(self, path: Path) -> str:
        try:
            with path.open("rb") as handle:
                return _HashingReader(handle).watermark()
        except OSError as error:
            raise self._unreadable(str(path), error) from error

    def _unreadable(self, scope: str, error: OSError) -> ConnectorConfigError:
        reason = "no such file" if isinstance(error, FileNotFoundError) else error.strerror
        return ConnectorConfigError(
            f"cannot read the file: {reason}", source=self.name, record=scope
        )
