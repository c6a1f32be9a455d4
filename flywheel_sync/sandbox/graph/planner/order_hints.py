"""Planner order hints: what a client may send, and the short value the service stores instead.

Order hints are strings of characters 32-126 sorted by ordinal (planner-order-hint-format.md).
A client places an item between two others by sending ``"<previous hint> <next hint>!"``,
with an empty string for a missing neighbour (``" !"`` for the first item). Such a composed
value sorts where the client wants the item, so the service stores a short hint that sorts in
the same place among the item's siblings, and answers it with ``Prefer: return=representation``.
Sending back a hint the service returned is a 400 (planner-overview.md "400 Bad request").

Service hints never end with a space, so there is always a hint between two of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flywheel_sync.sandbox.graph.planner.errors import invalid_request

__all__ = [
    "append_hint",
    "hint_between",
    "place_hint",
    "placed_client_hint",
    "validate_client_hint",
]

_LOWEST, _HIGHEST = 32, 126
_BASE = _HIGHEST - _LOWEST + 1


def validate_client_hint(name: str, value: object, *, current: str | None = None) -> str:
    """``value`` if it is a composed hint (``"<previous> <next>!"``).

    Raises:
        GraphError: 400 when it is not a string of characters 32-126 ending with ``!`` after a
            space-separated pair, or when it echoes the ``current`` hint as returned.
    """
    if (
        not isinstance(value, str)
        or not value.endswith("!")
        or " " not in value
        or any(not _LOWEST <= ord(char) <= _HIGHEST for char in value)
        or value == current
    ):
        raise invalid_request(
            f"The value of '{name}' is not a valid order hint. Send \"<previous hint> "
            f'<next hint>!" built from the neighbours\' hints (" !" for the first item), '
            "never a hint exactly as the service returned it."
        )
    return value


def _digit(text: str, index: int) -> int:
    return ord(text[index]) - _LOWEST if index < len(text) else 0


def hint_between(lower: str, upper: str | None) -> str:
    """The shortest-ish hint that sorts after ``lower`` and before ``upper`` (None: no bound).

    ``lower`` may be empty (no lower bound); ``upper`` must not end with a space and must sort
    after ``lower``. The result never ends with a space.
    """
    if upper is not None:
        shared = 0
        while shared < len(upper) and _digit(lower, shared) + _LOWEST == ord(upper[shared]):
            shared += 1
        if shared:
            return upper[:shared] + hint_between(lower[shared:], upper[shared:])
    low = _digit(lower, 0)
    high = _BASE if upper is None else ord(upper[0]) - _LOWEST
    if high - low > 1:
        return chr(_LOWEST + (low + high) // 2)
    if upper is not None and len(upper) > 1:
        return upper[0]
    return chr(_LOWEST + low) + hint_between(lower[1:], None)


def place_hint(composed: str, siblings: Iterable[str]) -> str:
    """The service hint that sorts where ``composed`` sorts among ``siblings``' hints."""
    hints = [hint for hint in siblings if hint]
    lower = max((hint for hint in hints if hint < composed), default="")
    upper = min((hint for hint in hints if hint > composed), default=None)
    return hint_between(lower, upper)


def append_hint(siblings: Iterable[str]) -> str:
    """A service hint after every one of ``siblings`` (new items without a hint go last)."""
    return hint_between(max((hint for hint in siblings if hint), default=""), None)


def placed_client_hint(name: str, composed: Any, current: str | None, siblings: list[str]) -> str:
    """The service hint for a client's composed hint ``composed`` for property ``name``.

    Raises:
        GraphError: 400 as `validate_client_hint` does.
    """
    return place_hint(validate_client_hint(name, composed, current=current), siblings)
