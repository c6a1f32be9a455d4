"""Planner's ETags: minted per object version, and the ``If-Match`` check on every write.

Planner's ETags look like ``W/"JzEtVGFzayAgQEBAQEBAQEBAQEBAQEBAWCc="``: base64 of a quoted
``'1-Task  …'`` payload. Two documented properties matter to clients (planner-overview.md
"Planner resource versioning"): of two ETags of the same object the ordinally greater one is
newer, and ETags of different objects are unrelated. So the emulator's ETag is base64 of
``'1-<Kind>`` followed by the version in ten letters whose ASCII order is their numeric order,
six letters derived from the object's id, and ``'``: newer versions compare greater, and an
ETag copied from another object never matches.

``If-Match`` (graph-wire.md §1, ETag / concurrency):

- missing → 412 "The If-Match header must be specified for this kind of request.";
- not a Planner ETag (``*`` included) → 400 "The If-Match header contains an invalid value."
  (the message is Planner's, microsoft-graph-docs-contrib#7153; the status is not documented);
- any other value than the current ETag → 412. Planner may accept an older ETag when the
  change does not conflict, and documents 409 for conflicts; the emulator is strict, so a
  client that re-reads on 412 is right against both.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import string

from flywheel_sync.sandbox.graph.planner.kinds import PlannerKind
from flywheel_sync.sandbox.graph.wire import GraphError

__all__ = ["MISSING_IF_MATCH", "STALE_IF_MATCH", "check_if_match", "mint_etag"]

MISSING_IF_MATCH = "The If-Match header must be specified for this kind of request."
INVALID_IF_MATCH = "The If-Match header contains an invalid value."
STALE_IF_MATCH = (
    "The If-Match header does not match the current version of the resource: it changed "
    "since that etag was read. Read the resource again and apply the change to it."
)
_LETTERS = string.ascii_uppercase + string.ascii_lowercase  # ASCII order = digit order
_VERSION_WIDTH = 10
_SALT_WIDTH = 6
_CLOSING_QUOTE = "Jw=="  # base64 of "'"
_HEADER = re.compile(r'(?:W/)?"([A-Za-z0-9+/]+={0,2})"')


def _prefix(kind: PlannerKind) -> str:
    """``'1-<Kind>`` padded with spaces to whole base64 groups, encoded."""
    payload = f"'1-{kind.value}"
    payload += " " * (-len(payload) % 3)
    return base64.b64encode(payload.encode("ascii")).decode("ascii")


def _letters(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, len(_LETTERS))
        digits.append(_LETTERS[digit])
    return "".join(reversed(digits))


def _salt(kind: PlannerKind, object_id: str) -> str:
    digest = hashlib.sha256(f"{kind.value}/{object_id}".encode()).digest()
    return _letters(int.from_bytes(digest[:8], "big"), _SALT_WIDTH)


def mint_etag(kind: PlannerKind, object_id: str, version: int) -> str:
    """The ``@odata.etag`` of version ``version`` of one object."""
    opaque = _prefix(kind) + _letters(version, _VERSION_WIDTH) + _salt(kind, object_id)
    return f'W/"{opaque}{_CLOSING_QUOTE}"'


def _opaque(value: str) -> str | None:
    """The quoted part of a Planner ETag, or None when ``value`` is not one."""
    found = _HEADER.fullmatch(value.strip())
    if found is None:
        return None
    try:
        payload = base64.b64decode(found.group(1), validate=True)
    except binascii.Error:
        return None
    if not (payload.startswith(b"'1-") and payload.endswith(b"'")):
        return None
    return found.group(1)


def check_if_match(header: str | None, current: str) -> None:
    """Refuse a write whose ``If-Match`` is not the object's ``current`` ETag.

    Raises:
        GraphError: 412 when the header is missing or stale, 400 when it is not an ETag.
    """
    if header is None or not header.strip():
        raise GraphError(412, "", MISSING_IF_MATCH)
    sent = _opaque(header)
    if sent is None:
        raise GraphError(400, "", INVALID_IF_MATCH)
    if sent != _opaque(current):
        raise GraphError(412, "", STALE_IF_MATCH)
