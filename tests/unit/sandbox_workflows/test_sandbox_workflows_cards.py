"""Which webhook payloads Teams could post, and what the sandbox says about the others."""

from __future__ import annotations

from typing import Any

import pytest

from flywheel_sync.sandbox.workflows.card_validation import Problem, payload_problems
from tests.unit.sandbox_workflows.builders import CARD_TYPE, card, message

TEXT = {"type": "TextBlock", "text": "Hello"}
OPEN_URL = {"type": "Action.OpenUrl", "title": "Open", "url": "https://example.org"}


@pytest.mark.parametrize(
    "payload",
    [
        message(),
        message(card(version="1.0"), card(version="1.5")),
        message(card(TEXT, actions=[OPEN_URL], msteams={"width": "Full"})),
        message(
            card(
                {"type": "Container", "items": [TEXT], "selectAction": OPEN_URL},
                {"type": "ColumnSet", "columns": [{"width": "auto", "items": [TEXT]}]},
                {"type": "FactSet", "facts": [{"title": "Updated", "value": "12"}]},
                {"type": "RichTextBlock", "inlines": ["plain", {"type": "TextRun", "text": "b"}]},
                {"type": "ImageSet", "images": [{"url": "https://example.org/a.png"}]},
                {"type": "Table", "rows": [{"cells": [{"items": [TEXT]}]}]},
                {"type": "ActionSet", "actions": [OPEN_URL]},
            )
        ),
        message(
            card(
                actions=[
                    {
                        "type": "Action.ShowCard",
                        "title": "More",
                        "card": {"type": "AdaptiveCard", "body": [TEXT]},
                    },
                    {"type": "Action.ToggleVisibility", "targetElements": ["details"]},
                ]
            )
        ),
        {**message(), "attachments": [{"contentType": CARD_TYPE, "content": card()}]},
    ],
    ids=[
        "text-block",
        "oldest-and-newest-versions",
        "actions-and-msteams",
        "every-container",
        "show-card-and-toggle",
        "no-content-url",
    ],
)
def test_cards_teams_can_post_have_no_problems(payload: dict[str, Any]) -> None:
    assert payload_problems(payload) == []


def problems(payload: Any) -> list[tuple[str, str]]:
    return [(p.path, p.reason) for p in payload_problems(payload)]


ATTACHMENT = "$.attachments[0]"
CONTENT = f"{ATTACHMENT}.content"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ([], [("$", "must be a JSON object, got an array")]),
        (
            {**message(), "type": "MessageCard"},
            [("$.type", "must be 'message', got 'MessageCard'")],
        ),
        (
            {"type": "message", "attachments": []},
            [("$.attachments", "must be a non-empty array, got an empty array")],
        ),
        ({"type": "message"}, [("$.attachments", "must be a non-empty array, got nothing")]),
        (
            {"type": "message", "attachments": [{"contentType": "text/html", "content": card()}]},
            [
                (
                    f"{ATTACHMENT}.contentType",
                    f"must be '{CARD_TYPE}', got 'text/html'",
                )
            ],
        ),
        (
            {"type": "message", "attachments": [{"contentType": CARD_TYPE, "content": "{}"}]},
            [
                (
                    CONTENT,
                    "must be the card as a JSON object, not a string (Graph's chatMessage "
                    "attachments take a string; webhooks do not)",
                )
            ],
        ),
        (
            message({**card(), "type": "HeroCard"}),
            [(f"{CONTENT}.type", "must be 'AdaptiveCard', got 'HeroCard'")],
        ),
    ],
    ids=[
        "not-an-object",
        "message-card",
        "no-attachments",
        "attachments-missing",
        "wrong-content-type",
        "card-as-string",
        "not-an-adaptive-card",
    ],
)
def test_envelope_problems_name_the_path(payload: Any, expected: list[tuple[str, str]]) -> None:
    assert problems(payload) == expected


@pytest.mark.parametrize(
    ("version", "reason"),
    [
        (
            "1.6",
            "must be one of 1.0, 1.1, 1.2, 1.3, 1.4, 1.5 (Teams renders Adaptive Cards up to "
            "1.5), got '1.6'",
        ),
        (1.5, 'must be a version string such as "1.5", got 1.5'),
    ],
)
def test_versions_teams_cannot_render_are_refused(version: Any, reason: str) -> None:
    assert problems(message(card(version=version))) == [(f"{CONTENT}.version", reason)]


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        (
            {"type": "TextBlok", "text": "x"},
            [("type", "unknown element type 'TextBlok' (Adaptive Cards 1.5)")],
        ),
        ({"text": "x"}, [("type", "is required")]),
        ({"type": "TextBlock"}, [("text", "is required on TextBlock")]),
        ({"type": "Column", "items": []}, [("type", "Column cannot be used as a card element")]),
        (
            {"type": "Container", "items": [{"type": "Image"}]},
            [("items[0].url", "is required on Image")],
        ),
        (
            {"type": "ColumnSet", "columns": [{"type": "TextBlock", "text": "x"}]},
            [("columns[0].type", "TextBlock cannot be used as a column of a ColumnSet")],
        ),
        ({"type": "Container", "items": TEXT}, [("items", "must be an array, got an object")]),
        (
            {
                "type": "Container",
                "items": [TEXT],
                "selectAction": {"type": "Action.ShowCard", "card": card()},
            },
            [("selectAction.type", "Action.ShowCard cannot be used as a selectAction")],
        ),
    ],
    ids=[
        "unknown-type",
        "no-type",
        "missing-required",
        "column-outside-column-set",
        "nested-element",
        "element-in-columns",
        "items-not-an-array",
        "show-card-as-select-action",
    ],
)
def test_element_problems_name_the_path(
    element: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    body = f"{CONTENT}.body[0]"

    assert problems(message(card(element))) == [(f"{body}.{path}", why) for path, why in expected]


@pytest.mark.parametrize("action_type", ["Action.Submit", "Action.Execute"])
def test_actions_nobody_receives_are_refused(action_type: str) -> None:
    payload = message(card(actions=[{"type": action_type, "title": "Approve"}]))

    assert problems(payload) == [
        (
            f"{CONTENT}.actions[0].type",
            f"{action_type} is not supported in a card posted by a Workflows webhook: no bot "
            "receives its data. Use Action.OpenUrl, Action.ShowCard or Action.ToggleVisibility",
        )
    ]


def test_every_problem_is_reported_at_once() -> None:
    payload = {
        "type": "message",
        "attachments": [
            {"contentType": CARD_TYPE, "content": card({"type": "Image"}, version="2.0")},
            {"contentType": "image/png", "content": card(actions=[{"type": "Action.Http"}])},
        ],
    }

    assert [p.path for p in payload_problems(payload)] == [
        "$.attachments[0].content.version",
        "$.attachments[0].content.body[0].url",
        "$.attachments[1].contentType",
        "$.attachments[1].content.actions[0].type",
    ]


def test_a_problem_reads_as_path_and_reason() -> None:
    assert str(Problem(path="$.type", reason="must be 'message'")) == "$.type: must be 'message'"
