"""What a Planner plan's watermark remembers: a short digest of every object's ETag.

Graph v1.0 has no Planner delta (graph-wire.md §1, "Delta"), so the connector polls and
diffs by ETag: an object whose ``@odata.etag`` digest differs from the one remembered is
new or changed. The watermark is compact JSON::

    {"v": 1,
     "plan": "<digest>", "details": "<digest>",
     "structure_read_at": "2026-11-23T09:30:00Z",
     "buckets": {"<bucket id>": "<digest>", ...},
     "tasks": {"<task id>": "<digest>", ...}}

A digest is 8 base64url characters of BLAKE2b over the ETag: 36 bytes or so per task with
its id, about 15 KB for a 400-task plan (Planner's cap is 9,000 tasks a plan). ETags are
opaque, so only equality is used (their ordinal order, planner-overview.md, is not needed).
``structure_read_at`` is when plan details and buckets were last listed (they are not read on
every poll; see `connectors.graph.planner`). A watermark that does not parse, or of another
version, reads as none: the next read is a full one, which loses nothing.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors.watermarks import decode_document, encode_document

__all__ = ["PlanWatermark", "etag_digest"]

_VERSION = 1
_DIGEST_BYTES = 6


def etag_digest(etag: object) -> str:
    """8 characters standing for one ETag (an absent ETag has its own digest)."""
    digest = hashlib.blake2b(str(etag).encode(), digest_size=_DIGEST_BYTES).digest()
    return base64.urlsafe_b64encode(digest).decode()


def _time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _digests(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return None
    return dict(value)


@dataclass(kw_only=True)
class PlanWatermark:
    """One plan's remembered ETag digests; mutable while a read builds the next one."""

    plan: str | None = None
    details: str | None = None
    structure_read_at: datetime | None = None
    buckets: dict[str, str] = field(default_factory=dict)
    tasks: dict[str, str] = field(default_factory=dict)

    def copy(self) -> PlanWatermark:
        """An independent copy (the dictionaries are copied too)."""
        return PlanWatermark(
            plan=self.plan,
            details=self.details,
            structure_read_at=self.structure_read_at,
            buckets=dict(self.buckets),
            tasks=dict(self.tasks),
        )

    def encode(self) -> str:
        """The watermark text (keys sorted, so equal states give equal text)."""
        read_at = self.structure_read_at
        document = {
            "plan": self.plan,
            "details": self.details,
            "structure_read_at": read_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if read_at
            else None,
            "buckets": dict(sorted(self.buckets.items())),
            "tasks": dict(sorted(self.tasks.items())),
        }
        return encode_document(_VERSION, document)

    @classmethod
    def decode(cls, text: str | None) -> PlanWatermark | None:
        """The watermark ``text`` holds; None when there is none or it cannot be read."""
        document = decode_document(text, _VERSION)
        if document is None:
            return None
        buckets, tasks = _digests(document.get("buckets")), _digests(document.get("tasks"))
        if buckets is None or tasks is None:
            return None
        plan, details = document.get("plan"), document.get("details")
        return cls(
            plan=plan if isinstance(plan, str) else None,
            details=details if isinstance(details, str) else None,
            structure_read_at=_time(document.get("structure_read_at")),
            buckets=buckets,
            tasks=tasks,
        )
