"""Where a channel's next read starts: a delta link, or a full read still under way.

The watermark is compact JSON in one of two shapes::

    {"v": 1, "delta": "<url>"}
        incremental: GET this link next. It is the round's ``@odata.deltaLink`` once a round
        ended, or its ``@odata.nextLink`` when the pages stored so far stopped mid-round.

    {"v": 1, "since": "2026-11-23T09:25:00.000Z", "list": "<url>"}
        a full read under way: the message list continues at ``list`` (absent once every
        page is stored), then a delta round starts with
        ``$filter=lastModifiedDateTime gt <since>`` (``since`` is when the full read began,
        less the allowed clock skew).

Links are Graph's, kept verbatim. A watermark that does not parse reads as none (a full read).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from connectors.watermarks import decode_document, encode_document

__all__ = ["ChannelWatermark", "graph_time"]

_VERSION = 1


def graph_time(moment: datetime) -> str:
    """Graph's spelling of an instant in ``$filter``: ``2026-11-23T09:25:00.000Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


@dataclass(frozen=True, kw_only=True)
class ChannelWatermark:
    """Either ``delta`` (incremental) or ``since`` with an optional ``list_link`` (full read)."""

    delta: str | None = None
    since: str | None = None
    list_link: str | None = None

    def __post_init__(self) -> None:
        if (self.delta is None) == (self.since is None):
            raise ValueError("a channel watermark holds either a delta link or a since time")

    def encode(self) -> str:
        """The watermark text."""
        document: dict[str, object] = {}
        if self.delta is not None:
            document["delta"] = self.delta
        else:
            document["since"] = self.since
            if self.list_link is not None:
                document["list"] = self.list_link
        return encode_document(_VERSION, document)

    @classmethod
    def decode(cls, text: str | None) -> ChannelWatermark | None:
        """The watermark ``text`` holds; None when there is none or it cannot be read."""
        document = decode_document(text, _VERSION)
        if document is None:
            return None
        fields = {name: document.get(name) for name in ("delta", "since", "list")}
        if not all(value is None or isinstance(value, str) for value in fields.values()):
            return None
        try:
            return cls(delta=fields["delta"], since=fields["since"], list_link=fields["list"])
        except ValueError:
            return None
