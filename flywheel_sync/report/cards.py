"""A KPI summary as Teams Workflows webhook messages, each one Adaptive Card under the size limit.

Teams refuses a message above about 28 KB, so a summary is laid out as a sequence of *units*
(KPI table rows, then symptoms, then engagements) packed greedily into cards:

1. Everything fits: one card.
2. It does not: continuation cards, titled "(2/3)", carry the units that overflow; in practice
   the engagements, which come last.
3. Even one unit (or the header) cannot fit in a card, say a title of a megabyte: every tool
   text is shortened to a limit that is lowered step by step (with "…"), and each card says so
   and links the full summary ("Full summary: <link>").

A card's size is bounded while packing without serialising it again for every unit: the
size of the card with the units' sections but no units, plus each unit's JSON and its ", "
separator. The finished messages are measured exactly, as UTF-8 JSON with
``ensure_ascii=False`` (the form httpx sends, apart from its shorter separators).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flywheel_sync.report.card_parts import CardParts, Element
from flywheel_sync.report.summary import KPISummary

__all__ = [
    "CARD_CONTENT_TYPE",
    "CARD_SCHEMA",
    "CARD_VERSION",
    "DEFAULT_MAX_BYTES",
    "json_bytes",
    "render_cards",
]

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
"""The newest Adaptive Cards version Teams renders."""
DEFAULT_MAX_BYTES = 28_000
"""Below Teams' limit of 28 KB (28,672 bytes), with room for the poster's own encoding."""

_Line = TypeVar("_Line")

_TEXT_LIMITS: tuple[int | None, ...] = (None, 2000, 500, 200, 80, 30)
"""Characters kept of each tool text, tried in turn until the summary fits."""


@dataclass(frozen=True, kw_only=True, slots=True)
class _Section:
    """A part of the summary: its heading, its units, and whether they are KPI table rows."""

    heading: str
    units: tuple[Element, ...]
    table: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class _Unit:
    section: int
    element: Element
    size: int


def render_cards(
    summary: KPISummary, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[dict[str, Any]]:
    """The Workflows webhook messages showing ``summary``, each at most ``max_bytes``.

    Each message is ``{"type": "message", "attachments": [<one Adaptive Card 1.5>]}`` and its
    UTF-8 JSON (``json.dumps(message, ensure_ascii=False)``) is at most ``max_bytes`` long.
    The same summary always renders the same messages.

    Raises:
        ValueError: Not even one card fits in ``max_bytes`` with every text shortened to a
            few characters (e.g. a link of many kilobytes): raise ``max_bytes``.
    """
    for limit in _TEXT_LIMITS:
        messages = _Packer(CardParts(summary=summary, limit=limit), max_bytes).messages()
        if messages is not None:
            return messages
    raise ValueError(
        f"the summary of {summary.scope.value} {summary.subject_id!r} does not fit in "
        f"{max_bytes} bytes per card even with every text shortened to {_TEXT_LIMITS[-1]} "
        "characters: raise max_bytes (Teams accepts up to 28 KB) or shorten the link"
    )


def json_bytes(value: Any) -> int:
    """Bytes of ``value`` as UTF-8 JSON with ``ensure_ascii=False``: what ``max_bytes`` limits."""
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


class _Packer:
    """Packs one summary's units, in order, greedily into cards of at most ``max_bytes``."""

    def __init__(self, parts: CardParts, max_bytes: int) -> None:
        self.parts = parts
        self.max_bytes = max_bytes
        self.sections = _sections(parts)
        self.units = [
            _Unit(section=index, element=element, size=json_bytes(element) + len(", "))
            for index, section in enumerate(self.sections)
            for element in section.units
        ]
        # Wide enough for any "(k/n)": there are never more cards than units.
        widest = "9" * len(str(len(self.units)))
        self.placeholder = f" ({widest}/{widest})"
        self._bases: dict[tuple[bool, frozenset[int]], int] = {}

    def messages(self) -> list[dict[str, Any]] | None:
        """The messages, or None when some unit does not fit in a card at this text limit."""
        cards = self._pack()
        if cards is None:
            return None
        count = len(cards)
        messages = [
            _message(
                self._card(
                    units, first=number == 1, label=f" ({number}/{count})" if count > 1 else ""
                )
            )
            for number, units in enumerate(cards, start=1)
        ]
        if any(json_bytes(message) > self.max_bytes for message in messages):
            return None
        return messages

    def _pack(self) -> list[list[_Unit]] | None:
        cards: list[list[_Unit]] = []
        current: list[_Unit] = []
        present: frozenset[int] = frozenset()
        used = 0
        for unit in self.units:
            sections = present | {unit.section}
            if self._base(first=not cards, sections=sections) + used + unit.size <= self.max_bytes:
                current.append(unit)
                present, used = sections, used + unit.size
                continue
            if not current:
                return None  # alone on the first card, it does not fit
            cards.append(current)
            current, present, used = [unit], frozenset({unit.section}), unit.size
            if self._base(first=False, sections=present) + used > self.max_bytes:
                return None  # alone on a continuation card, it does not fit
        cards.append(current)
        return cards

    def _base(self, *, first: bool, sections: frozenset[int]) -> int:
        """Size of a message holding ``sections`` with no units, its label at its widest."""
        key = (first, sections)
        if key not in self._bases:
            card = self._card([], first=first, label=self.placeholder, sections=sections)
            self._bases[key] = json_bytes(_message(card))
        return self._bases[key]

    def _card(
        self,
        units: list[_Unit],
        *,
        first: bool,
        label: str,
        sections: frozenset[int] | None = None,
    ) -> dict[str, Any]:
        present = sections if sections is not None else frozenset(u.section for u in units)
        body = [*self.parts.header(first=first, label=label), *self.parts.notes()]
        for index in sorted(present):
            section = self.sections[index]
            elements = [u.element for u in units if u.section == index]
            body.append(CardParts.heading(section.heading))
            body.extend([CardParts.kpi_table(elements)] if section.table else elements)
        return {
            "$schema": CARD_SCHEMA,
            "type": "AdaptiveCard",
            "version": CARD_VERSION,
            "msteams": {"width": "Full"},
            "body": body,
            "actions": self.parts.actions(),
        }


def _sections(parts: CardParts) -> tuple[_Section, ...]:
    summary = parts.summary
    sections = [
        _listed("KPIs", summary.kpis, parts.kpi_row, table=True, empty="No KPIs were measured.")
    ]
    if summary.symptoms:
        sections.append(_listed("Symptoms", summary.symptoms_in_order(), parts.symptom))
    sections.append(
        _listed(
            "Engagements", summary.engagements_in_order(), parts.engagement, empty="No engagements."
        )
    )
    return tuple(sections)


def _listed(
    heading: str,
    lines: tuple[_Line, ...],
    element: Callable[[_Line], Element],
    *,
    table: bool = False,
    empty: str = "",
) -> _Section:
    if not lines:
        return _Section(heading=heading, units=(CardParts.notice(empty),))
    return _Section(heading=heading, units=tuple(element(line) for line in lines), table=table)


def _message(card: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": card}],
    }
