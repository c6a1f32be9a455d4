"""Webhook payloads for tests: an Adaptive Card message, with any part replaced."""

from __future__ import annotations

from typing import Any

CARD_TYPE = "application/vnd.microsoft.card.adaptive"


def card(*body: Any, version: str = "1.4", **extra: Any) -> dict[str, Any]:
    """An AdaptiveCard holding ``body`` (one TextBlock when empty)."""
    return {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": version,
        "body": list(body) or [{"type": "TextBlock", "text": "Sync finished", "wrap": True}],
        **extra,
    }


def message(*cards: dict[str, Any]) -> dict[str, Any]:
    """The webhook body Teams Workflows expects, one attachment per card."""
    return {
        "type": "message",
        "attachments": [
            {"contentType": CARD_TYPE, "contentUrl": None, "content": content}
            for content in (cards or (card(),))
        ],
    }
