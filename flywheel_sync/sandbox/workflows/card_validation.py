"""Every problem in a Workflows webhook payload, each at its JSON path.

A real flow accepts any JSON at its trigger and fails later, in the run, where nobody calling
the webhook sees it. The sandbox checks up front and lists *every* problem at once (path and
reason), so a test learns in one go what a flow would have choked on. The rules are the tables
in `card_rules`; this module only walks a payload with them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flywheel_sync.sandbox.workflows.card_rules import (
    ACTIONS,
    ADAPTIVE_CARD_CONTENT_TYPE,
    CARD_SLOTS,
    CARD_VERSIONS,
    CONTEXTS,
    ELEMENTS,
    Context,
    Slot,
)

__all__ = ["Problem", "payload_problems"]


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing wrong with a payload: where (``$.attachments[0].content.version``) and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


def payload_problems(payload: Any) -> list[Problem]:
    """What is wrong with a webhook body: ``{"type": "message", "attachments": [cards]}``."""
    return list(_payload(payload))


def _payload(payload: Any) -> Iterator[Problem]:
    if not isinstance(payload, dict):
        yield Problem(path="$", reason=f"must be a JSON object, got {_kind(payload)}")
        return
    if payload.get("type") != "message":
        yield Problem(path="$.type", reason=f"must be 'message', got {payload.get('type')!r}")
    attachments = payload.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        got = "nothing" if attachments is None else _kind(attachments)
        if isinstance(attachments, list):
            got = "an empty array"
        yield Problem(path="$.attachments", reason=f"must be a non-empty array, got {got}")
        return
    for index, attachment in enumerate(attachments):
        yield from _attachment(attachment, f"$.attachments[{index}]")


def _attachment(attachment: Any, path: str) -> Iterator[Problem]:
    if not isinstance(attachment, dict):
        yield Problem(path=path, reason=f"must be an object, got {_kind(attachment)}")
        return
    if attachment.get("contentType") != ADAPTIVE_CARD_CONTENT_TYPE:
        yield Problem(
            path=f"{path}.contentType",
            reason=f"must be '{ADAPTIVE_CARD_CONTENT_TYPE}', got {attachment.get('contentType')!r}",
        )
    url = attachment.get("contentUrl")
    if url is not None and not isinstance(url, str):
        yield Problem(path=f"{path}.contentUrl", reason=f"must be null or a string, got {url!r}")
    content = attachment.get("content")
    if isinstance(content, str):
        yield Problem(
            path=f"{path}.content",
            reason="must be the card as a JSON object, not a string (Graph's chatMessage "
            "attachments take a string; webhooks do not)",
        )
    elif not isinstance(content, dict):
        yield Problem(path=f"{path}.content", reason=f"must be an object, got {_kind(content)}")
    else:
        yield from _card(content, f"{path}.content", top_level=True)


def _version(card: dict[str, Any], path: str) -> Iterator[Problem]:
    version = card.get("version")
    if not isinstance(version, str):
        yield Problem(
            path=f"{path}.version",
            reason=f'must be a version string such as "1.5", got {version!r}',
        )
    elif version not in CARD_VERSIONS:
        yield Problem(
            path=f"{path}.version",
            reason=f"must be one of {', '.join(CARD_VERSIONS)} (Teams renders Adaptive Cards "
            f"up to {CARD_VERSIONS[-1]}), got {version!r}",
        )


def _card(card: dict[str, Any], path: str, *, top_level: bool) -> Iterator[Problem]:
    if card.get("type") != "AdaptiveCard":
        yield Problem(
            path=f"{path}.type", reason=f"must be 'AdaptiveCard', got {card.get('type')!r}"
        )
    if top_level:
        yield from _version(card, path)
    schema = card.get("$schema")
    if schema is not None and not isinstance(schema, str):
        yield Problem(path=f"{path}.$schema", reason=f"must be a string, got {_kind(schema)}")
    msteams = card.get("msteams")
    if msteams is not None and not isinstance(msteams, dict):
        yield Problem(path=f"{path}.msteams", reason=f"must be an object, got {_kind(msteams)}")
    for slot in CARD_SLOTS:
        yield from _slot(card, slot, path)


def _slot(owner: dict[str, Any], slot: Slot, path: str) -> Iterator[Problem]:
    value = owner.get(slot.prop)
    where = f"{path}.{slot.prop}"
    if value is None:
        return
    if not slot.many:
        yield from _object(value, where, slot)
    elif not isinstance(value, list):
        yield Problem(path=where, reason=f"must be an array, got {_kind(value)}")
    else:
        for index, child in enumerate(value):
            yield from _object(child, f"{where}[{index}]", slot)


def _object(value: Any, path: str, slot: Slot) -> Iterator[Problem]:
    if isinstance(value, str) and slot.strings_allowed:
        return
    if not isinstance(value, dict):
        yield Problem(path=path, reason=f"must be an object, got {_kind(value)}")
        return
    kind = value.get("type", slot.implicit_type)
    if not isinstance(kind, str):
        yield Problem(path=f"{path}.type", reason="is required")
        return
    if kind not in CONTEXTS[slot.context]:
        yield Problem(path=f"{path}.type", reason=_misplaced(kind, slot.context))
        return
    if kind in ACTIONS:
        yield from _action(value, kind, path)
        return
    rule = ELEMENTS[kind]
    yield from _required(value, rule.required, kind, path)
    for child in rule.slots:
        yield from _slot(value, child, path)


def _misplaced(kind: str, context: Context) -> str:
    if kind in ELEMENTS or kind in ACTIONS:
        return f"{kind} cannot be used as {context.value}"
    noun = "action" if context in (Context.ACTION, Context.SELECT_ACTION) else "element"
    return f"unknown {noun} type {kind!r} (Adaptive Cards 1.5)"


def _action(action: dict[str, Any], kind: str, path: str) -> Iterator[Problem]:
    rule = ACTIONS[kind]
    if rule.refused_because:
        yield Problem(path=f"{path}.type", reason=f"{kind} {rule.refused_because}")
        return
    yield from _required(action, rule.required, kind, path)
    nested = action.get(rule.card_prop) if rule.card_prop else None
    if isinstance(nested, dict):
        yield from _card(nested, f"{path}.{rule.card_prop}", top_level=False)
    elif nested is not None:
        yield Problem(
            path=f"{path}.{rule.card_prop}", reason=f"must be an object, got {_kind(nested)}"
        )


def _required(
    value: dict[str, Any], names: tuple[str, ...], kind: str, path: str
) -> Iterator[Problem]:
    for name in names:
        if value.get(name) is None:
            yield Problem(path=f"{path}.{name}", reason=f"is required on {kind}")
