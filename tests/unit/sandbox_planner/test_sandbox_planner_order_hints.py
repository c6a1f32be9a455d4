"""Order hints: the composed hints clients send, and the short ones the service stores."""

from __future__ import annotations

import random

import pytest

from flywheel_sync.sandbox.graph.planner.order_hints import (
    append_hint,
    hint_between,
    place_hint,
    validate_client_hint,
)
from flywheel_sync.sandbox.graph.wire import GraphError


@pytest.mark.parametrize("hint", [" !", "  !!", "5637 adhg!", "adhg ! !", " 5637! 5637 adhg!!"])
def test_composed_hints_from_the_documentation_are_accepted(hint: str) -> None:
    assert validate_client_hint("orderHint", hint) == hint


@pytest.mark.parametrize(
    "hint",
    ["8587094707721254251P]", "850001P!", "abc", "a b", "tab\t !", "é !", 5, None],
    ids=["service-hint", "service-hint-ending-bang", "bare", "no-bang", "control-char",
         "non-ascii", "number", "null"],
)  # fmt: skip
def test_values_that_are_not_composed_hints_are_refused(hint: object) -> None:
    with pytest.raises(GraphError) as refused:
        validate_client_hint("orderHint", hint)

    assert refused.value.status == 400


def test_a_hint_echoed_back_as_returned_is_refused() -> None:
    with pytest.raises(GraphError):
        validate_client_hint("orderHint", "a b!", current="a b!")


@pytest.mark.parametrize(
    ("lower", "upper"),
    [("", None), ("850001P!", "850002P!"), ("a", "b"), ("a", "ab"), ("", "!"), ("~~", None)],
)
def test_a_hint_between_two_sorts_between_them_without_a_trailing_space(
    lower: str, upper: str | None
) -> None:
    hint = hint_between(lower, upper)

    assert lower < hint
    assert upper is None or hint < upper
    assert not hint.endswith(" ")


def test_the_documented_example_keeps_the_intended_order() -> None:
    siblings = ["5637", "adhg"]

    before, middle, after = (
        place_hint(composed, siblings) for composed in (" 5637!", "5637 adhg!", "adhg !")
    )

    assert before < "5637" < middle < "adhg" < after


def test_appended_hints_sort_after_every_sibling() -> None:
    assert append_hint(["850001P!", "850016P!"]) > "850016P!"


def test_thousands_of_random_placements_keep_order_and_stay_short() -> None:
    rng = random.Random(7)  # noqa: S311 - a reproducible shuffle, not a secret
    hints: list[str] = []
    for _ in range(2000):
        ordered = sorted(hints)
        position = rng.randrange(len(ordered) + 1)
        previous = ordered[position - 1] if position else ""
        following = ordered[position] if position < len(ordered) else ""
        hint = place_hint(f"{previous} {following}!", hints)
        assert not previous or previous < hint
        assert not following or hint < following
        hints.append(hint)

    assert max(len(hint) for hint in hints) <= 8
