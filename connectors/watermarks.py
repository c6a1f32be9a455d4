"""Watermarks as small versioned JSON documents: ``{"v": <version>, ...}``, compact.

Several sources keep more than a timestamp between reads (ETag digests, delta links, per-table
marks). They share this envelope, so a watermark written by an older format, or damaged, is
recognised as such and the source falls back to a full read instead of failing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["decode_document", "encode_document"]


def encode_document(version: int, fields: Mapping[str, Any]) -> str:
    """The watermark text for ``fields`` in format ``version``."""
    return json.dumps({"v": version, **fields}, separators=(",", ":"))


def decode_document(text: str | None, version: int) -> dict[str, Any] | None:
    """The fields a watermark of format ``version`` holds; None if absent, unreadable or other."""
    if not text:
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    if not isinstance(document, dict) or document.get("v") != version:
        return None
    return document
