"""Streams an MSPDI file: its tasks one at a time, then the project header.

The file is parsed with ``defusedxml``'s ``iterparse`` and a DTD is refused outright: MSPDI
files never declare one, and a DTD is how entity expansion (billion laughs) and external
entities (XXE, reading local files) get in. Memory stays flat however large the file: each
``<Task>`` is converted when it ends and removed from the tree, and the children of the other
collections (``<Resources>``, ``<Assignments>``, ``<Calendars>``, ...) are dropped as they end.

``<Task>`` with UID 0 is the project summary task, which Project computes from the others: it is
not yielded as a task; its fields go into the project's payload as ``SummaryTask``. The project
comes last, so its payload can carry the summary task wherever the file puts it.

A task that cannot be read (no whole-number UID, a UID met before, a value that does not
convert) is yielded as an `UnreadableTask`, and the file is read on: the caller quarantines
it. A file that is not well-formed, safe MSPDI, or whose project header has a value that
does not convert, cannot be read at all (`MalformedFile`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Protocol
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from connectors.project.mspdi_fields import (
    LINK_FIELDS,
    LINK_TYPES,
    NAMESPACE,
    PROJECT_FIELDS,
    TASK_FIELDS,
    Converter,
    FieldValueError,
    convert,
    lag_duration,
    parse_date,
)
from connectors.quarantine import storable_time

__all__ = [
    "ByteSource",
    "MalformedFile",
    "MspdiProject",
    "MspdiTask",
    "TaskProblem",
    "UnreadableTask",
    "read_mspdi",
]

_PROJECT = f"{{{NAMESPACE}}}Project"
_TASKS, _TASK, _LINK = "Tasks", "Task", "PredecessorLink"
_SKIPPED_TASK_PARTS = frozenset({"TimephasedData"})
"""Task children that can be large and that no record needs."""
SUMMARY_UID = 0
_FIELD_DEPTH = 1
"""``<Project>/<X>``: a header field, or a collection (``<Tasks>``, ``<Resources>``, ...)."""
_ITEM_DEPTH = 2
"""``<Project>/<X>/<item>``: one item of a collection (``<Task>``, ``<Resource>``, ...)."""
_UID_DIGITS = 10
_SHOWN = 40


class MalformedFile(Exception):
    """The file is not a well-formed, safe MSPDI document."""


class TaskProblem(Exception):
    """One task cannot be read; ``task`` names it (``UID 7``, or its position)."""

    def __init__(self, task: str, message: str) -> None:
        super().__init__(message)
        self.task = task


class ByteSource(Protocol):
    """What the parser reads from: a binary file, or a wrapper of one."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes; empty at the end."""
        ...


@dataclass(frozen=True, kw_only=True)
class MspdiTask:
    """One ``<Task>`` as JSON."""

    uid: int
    payload: dict[str, Any]
    saved: datetime | None
    """The project's ``LastSaved`` as known when the task was read."""


@dataclass(frozen=True, kw_only=True)
class UnreadableTask:
    """A ``<Task>`` that cannot be read: which one, why, and its simple fields as text."""

    uid: int | None
    """The task's UID when it is a whole number (a duplicate, or a bad value elsewhere)."""
    label: str
    """``UID 7``, or ``task #3 (no UID)`` by its position in the file."""
    reason: str
    fields: dict[str, str | None]
    """The task's simple fields, unconverted, for the quarantine's excerpt."""


@dataclass(frozen=True, kw_only=True)
class MspdiProject:
    """The ``<Project>`` header as JSON (plus ``SummaryTask`` when UID 0 was present)."""

    payload: dict[str, Any]
    saved: datetime | None


@dataclass
class _Open:
    """An element being parsed, and whether children were seen under it."""

    element: Element
    parent_of_some: bool = False


class _Uids:
    """The UIDs met so far, in a bit per UID below 2**24 (2 MB at most), a set above.

    Project numbers UIDs from 0 upwards, so the bits stay few and memory stays flat where a
    set of a million ints would not.
    """

    _DENSE = 1 << 24

    def __init__(self) -> None:
        self._bits = bytearray()
        self._sparse: set[int] = set()

    def add(self, uid: int) -> bool:
        """Remember ``uid``; False when it was met before."""
        if uid >= self._DENSE:
            new = uid not in self._sparse
            self._sparse.add(uid)
            return new
        byte, bit = divmod(uid, 8)
        if byte >= len(self._bits):
            self._bits.extend(bytes(max(byte + 1, 2 * len(self._bits)) - len(self._bits)))
        if self._bits[byte] >> bit & 1:
            return False
        self._bits[byte] |= 1 << bit
        return True


@dataclass
class _Progress:
    header: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] | None = None
    uids: _Uids = field(default_factory=_Uids)
    position: int = 0


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _cut(text: str) -> str:
    """``text`` short enough to name a task by in a message."""
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}…"


def read_mspdi(
    stream: ByteSource, *, zone: tzinfo
) -> Iterator[MspdiTask | UnreadableTask | MspdiProject]:
    """Every task of the file in file order (readable or not), then the project.

    Raises:
        MalformedFile: not well-formed XML, a DTD, a root other than MSPDI's ``<Project>``,
            or a header value that does not convert.
    """
    progress = _Progress()
    opened: list[_Open] = []
    try:
        for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                _check_root(opened, element)
                if opened:
                    opened[-1].parent_of_some = True
                opened.append(_Open(element))
                continue
            closed = opened.pop()
            depth = len(opened)
            if depth == _FIELD_DEPTH:
                _header_field(progress, closed, zone)
            elif depth == _ITEM_DEPTH:
                task = _collection_item(progress, opened[-1].element, element, zone)
                if task is not None:
                    yield task
            if depth in (_FIELD_DEPTH, _ITEM_DEPTH):
                opened[-1].element.remove(element)  # read: keep the tree small
    except ParseError as error:
        raise MalformedFile(f"not well-formed XML ({error})") from None
    except DefusedXmlException as error:
        raise MalformedFile(
            f"refused: {type(error).__name__} ({error}); MSPDI files declare no DTD or entities"
        ) from None
    yield _project(progress, zone)


def _check_root(opened: list[_Open], element: Element) -> None:
    if not opened and element.tag != _PROJECT:
        raise MalformedFile(f"the root element is {element.tag}, not MSPDI's {_PROJECT}")


def _header_field(progress: _Progress, closed: _Open, zone: tzinfo) -> None:
    if closed.parent_of_some:
        return
    name = _local(closed.element.tag)
    try:
        progress.header[name] = convert(PROJECT_FIELDS, name, closed.element.text, zone)
    except FieldValueError as error:
        raise MalformedFile(f"project header {name}: {error}") from None


def _collection_item(
    progress: _Progress, collection: Element, item: Element, zone: tzinfo
) -> MspdiTask | UnreadableTask | None:
    if _local(collection.tag) != _TASKS or _local(item.tag) != _TASK:
        return None
    progress.position += 1
    try:
        payload = _task_payload(item, progress, zone)
    except TaskProblem as problem:
        return UnreadableTask(
            uid=_uid(item),
            label=problem.task,
            reason=str(problem),
            fields={_local(child.tag): child.text for child in item if len(child) == 0},
        )
    uid = payload["UID"]
    if uid == SUMMARY_UID:
        progress.summary = payload
        return None
    return MspdiTask(uid=uid, payload=payload, saved=_saved(progress, zone))


def _uid(item: Element) -> int | None:
    """The task's UID, if it is a whole number (Project's are 32-bit)."""
    text = (item.findtext(f"{{{NAMESPACE}}}UID") or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= _UID_DIGITS:
        return int(text)
    return None


def _task_payload(item: Element, progress: _Progress, zone: tzinfo) -> dict[str, Any]:
    uid_text = (item.findtext(f"{{{NAMESPACE}}}UID") or "").strip()
    label = f"UID {_cut(uid_text)}" if uid_text else f"task #{progress.position} (no UID)"
    uid = _uid(item)
    if uid is None:
        raise TaskProblem(
            label, f"UID {_cut(uid_text)!r} is not a whole number" if uid_text else "no UID"
        )
    if not progress.uids.add(uid):
        raise TaskProblem(label, "this UID appears twice in the file")
    payload: dict[str, Any] = {}
    for child in item:
        name = _local(child.tag)
        try:
            if len(child) == 0:
                payload[name] = convert(TASK_FIELDS, name, child.text, zone)
            elif name == _LINK:
                payload.setdefault("PredecessorLinks", []).append(_link(child, zone))
            elif name not in _SKIPPED_TASK_PARTS:
                payload.setdefault(name, []).append(_simple_children(child, TASK_FIELDS, zone))
        except FieldValueError as error:
            raise TaskProblem(label, f"{name}: {error}") from None
    return payload


def _link(element: Element, zone: tzinfo) -> dict[str, Any]:
    link = _simple_children(element, LINK_FIELDS, zone)
    link_type = link.get("Type")
    link["TypeName"] = LINK_TYPES.get(link_type) if isinstance(link_type, int) else None
    link["Lag"] = lag_duration(link.get("LinkLag"), link.get("LagFormat"))
    return link


def _simple_children(
    element: Element, fields: Mapping[str, Converter], zone: tzinfo
) -> dict[str, Any]:
    return {
        _local(child.tag): convert(fields, _local(child.tag), child.text, zone)
        for child in element
        if len(child) == 0
    }


def _saved(progress: _Progress, zone: tzinfo) -> datetime | None:
    """The header's ``LastSaved``; None when absent or too near the ends of time to keep."""
    saved = progress.header.get("LastSaved")
    return storable_time(parse_date(saved, zone)) if isinstance(saved, str) else None


def _project(progress: _Progress, zone: tzinfo) -> MspdiProject:
    payload = dict(progress.header)
    if progress.summary is not None:
        payload["SummaryTask"] = progress.summary
    return MspdiProject(payload=payload, saved=_saved(progress, zone))
