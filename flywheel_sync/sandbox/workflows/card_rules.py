"""What a Workflows webhook accepts, as tables: card versions, element types, action types.

Teams renders Adaptive Cards up to version 1.5, and cards posted by a flow cannot use
``Action.Submit`` or ``Action.Execute``: nobody receives their data (graph-wire.md §3). The
element and action types are those of the Adaptive Cards 1.5 schema
(adaptivecards.io/schemas/1.5.0/adaptive-card.json). Each type says which properties it needs
and where child elements or actions sit (`Slot`); `card_validation` walks a card with these
tables and has no per-type branches of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

__all__ = [
    "ACTIONS",
    "ADAPTIVE_CARD_CONTENT_TYPE",
    "CARD_SLOTS",
    "CARD_VERSIONS",
    "CONTEXTS",
    "ELEMENTS",
    "MAX_MESSAGE_BYTES",
    "ActionRule",
    "Context",
    "Slot",
    "TypeRule",
]

ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSIONS = ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5")
"""The versions Teams renders; a card declaring a later one is refused."""
MAX_MESSAGE_BYTES = 28 * 1024
"""Teams refuses a message above about 28 KB ("Request Entity Too Large"; graph-wire.md §3)."""


class Context(Enum):
    """Where an object sits in a card, which decides the types allowed there (value: a noun)."""

    ELEMENT = "a card element"
    COLUMN = "a column of a ColumnSet"
    ROW = "a row of a Table"
    CELL = "a cell of a TableRow"
    IMAGE = "an image of an ImageSet"
    INLINE = "an inline of a RichTextBlock"
    ACTION = "an action"
    SELECT_ACTION = "a selectAction"


@dataclass(frozen=True, kw_only=True)
class Slot:
    """A property holding children: one object or a list of them, in a context."""

    prop: str
    context: Context
    many: bool = True
    implicit_type: str | None = None
    """The type a child may leave out (``Column`` in ``columns``); None: ``type`` required."""
    strings_allowed: bool = False
    """Whether a bare string may stand for a child (``RichTextBlock.inlines``)."""


@dataclass(frozen=True, kw_only=True)
class TypeRule:
    """One element type: its required properties and its child slots."""

    required: tuple[str, ...] = ()
    slots: tuple[Slot, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ActionRule:
    """One action type; an unsupported one says why."""

    required: tuple[str, ...] = ()
    refused_because: str = ""
    card_prop: str = ""
    """The property holding a nested card (``Action.ShowCard.card``)."""


_SELECT = Slot(prop="selectAction", context=Context.SELECT_ACTION, many=False)
_ITEMS = Slot(prop="items", context=Context.ELEMENT)

ELEMENTS: Mapping[str, TypeRule] = {
    "TextBlock": TypeRule(required=("text",)),
    "Image": TypeRule(required=("url",), slots=(_SELECT,)),
    "Media": TypeRule(required=("sources",)),
    "RichTextBlock": TypeRule(
        required=("inlines",),
        slots=(
            Slot(
                prop="inlines",
                context=Context.INLINE,
                implicit_type="TextRun",
                strings_allowed=True,
            ),
        ),
    ),
    "TextRun": TypeRule(required=("text",), slots=(_SELECT,)),
    "Container": TypeRule(required=("items",), slots=(_ITEMS, _SELECT)),
    "ColumnSet": TypeRule(
        slots=(
            Slot(prop="columns", context=Context.COLUMN, implicit_type="Column"),
            _SELECT,
        )
    ),
    "Column": TypeRule(slots=(_ITEMS, _SELECT)),
    "FactSet": TypeRule(required=("facts",)),
    "ImageSet": TypeRule(
        required=("images",),
        slots=(Slot(prop="images", context=Context.IMAGE, implicit_type="Image"),),
    ),
    "ActionSet": TypeRule(
        required=("actions",), slots=(Slot(prop="actions", context=Context.ACTION),)
    ),
    "Table": TypeRule(slots=(Slot(prop="rows", context=Context.ROW, implicit_type="TableRow"),)),
    "TableRow": TypeRule(
        slots=(Slot(prop="cells", context=Context.CELL, implicit_type="TableCell"),)
    ),
    "TableCell": TypeRule(slots=(_ITEMS, _SELECT)),
    "Input.Text": TypeRule(required=("id",)),
    "Input.Number": TypeRule(required=("id",)),
    "Input.Date": TypeRule(required=("id",)),
    "Input.Time": TypeRule(required=("id",)),
    "Input.Toggle": TypeRule(required=("id", "title")),
    "Input.ChoiceSet": TypeRule(required=("id",)),
}
"""Every Adaptive Cards 1.5 type that is not an action, by its ``type``."""

_NO_RECEIVER = (
    "is not supported in a card posted by a Workflows webhook: no bot receives its data. "
    "Use Action.OpenUrl, Action.ShowCard or Action.ToggleVisibility"
)
ACTIONS: Mapping[str, ActionRule] = {
    "Action.OpenUrl": ActionRule(required=("url",)),
    "Action.ShowCard": ActionRule(required=("card",), card_prop="card"),
    "Action.ToggleVisibility": ActionRule(required=("targetElements",)),
    "Action.Submit": ActionRule(refused_because=_NO_RECEIVER),
    "Action.Execute": ActionRule(refused_because=_NO_RECEIVER),
}

CARD_SLOTS = (
    Slot(prop="body", context=Context.ELEMENT),
    Slot(prop="actions", context=Context.ACTION),
    _SELECT,
)
"""Where an AdaptiveCard (a posted one or an ``Action.ShowCard`` one) holds its children."""

CONTEXTS: Mapping[Context, frozenset[str]] = {
    Context.ELEMENT: frozenset(
        name for name in ELEMENTS if name not in ("TextRun", "Column", "TableRow", "TableCell")
    ),
    Context.COLUMN: frozenset({"Column"}),
    Context.ROW: frozenset({"TableRow"}),
    Context.CELL: frozenset({"TableCell"}),
    Context.IMAGE: frozenset({"Image"}),
    Context.INLINE: frozenset({"TextRun"}),
    Context.ACTION: frozenset(ACTIONS),
    # A card cannot open inside a tap target (Adaptive Cards: selectAction excludes ShowCard).
    Context.SELECT_ACTION: frozenset(ACTIONS) - {"Action.ShowCard"},
}
"""The types allowed in each context."""
