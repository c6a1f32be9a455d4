"""ADF and wiki bodies in: what text the store keeps, and which bodies Jira refuses."""

from __future__ import annotations

from typing import Any

import pytest

from flywheel_sync.sandbox.jira.documents import (
    NOT_A_DOCUMENT,
    NOT_A_STRING,
    BodyRejected,
    document_text,
    stored_text,
)
from flywheel_sync.sandbox.jira.rendering import adf
from tests.unit.sandbox_jira.builders import doc

_LIST = {
    "type": "doc",
    "version": 1,
    "content": [
        {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Plan"}]},
        {
            "type": "bulletList",
            "content": [
                {
                    "type": "listItem",
                    "content": [{"type": "paragraph", "content": [{"type": "text", "text": "a"}]}],
                },
                {
                    "type": "listItem",
                    "content": [{"type": "paragraph", "content": [{"type": "text", "text": "b"}]}],
                },
            ],
        },
    ],
}
_INLINE = {
    "type": "doc",
    "version": 1,
    "content": [
        {
            "type": "paragraph",
            "content": [
                {"type": "text", "text": "Hi "},
                {"type": "mention", "attrs": {"id": "x", "text": "@Mia"}},
                {"type": "hardBreak"},
                {"type": "text", "text": "bye", "marks": [{"type": "strong"}]},
            ],
        }
    ],
}


@pytest.mark.parametrize(
    ("document", "text"),
    [
        (doc("one", "two"), "one\ntwo"),
        (doc("one", "", "three"), "one\n\nthree"),
        (_LIST, "Plan\na\nb"),
        (_INLINE, "Hi @Mia\nbye"),
        ({"type": "doc", "version": 1, "content": []}, ""),
    ],
)
def test_document_text_keeps_one_line_per_block(document: dict[str, Any], text: str) -> None:
    assert document_text(document) == text


@pytest.mark.parametrize("text", ["one line", "first\nsecond", "gap\n\nafter", "h1. *wiki*"])
def test_v3_text_reads_back_unchanged_through_rendering(text: str) -> None:
    assert stored_text(adf(text), version="3") == text


@pytest.mark.parametrize(
    ("value", "version", "kept"),
    [
        ("hi *bold*", "2", "hi *bold*"),
        ("", "2", None),
        (None, "3", None),
        (doc(""), "3", None),
    ],
)
def test_stored_text_per_version(value: Any, version: str, kept: str | None) -> None:
    assert stored_text(value, version=version) == kept


@pytest.mark.parametrize(
    ("value", "version", "message"),
    [
        ("plain text", "3", NOT_A_DOCUMENT),
        ({"type": "paragraph", "content": []}, "3", NOT_A_DOCUMENT),
        (doc("x"), "2", NOT_A_STRING),
        (42, "2", NOT_A_STRING),
    ],
)
def test_a_body_in_the_wrong_format_is_refused(value: Any, version: str, message: str) -> None:
    with pytest.raises(BodyRejected) as refused:
        stored_text(value, version=version)

    assert refused.value.message == message
