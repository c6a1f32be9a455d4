"""Teams cards: valid Workflows messages under the size limit, split or shortened as needed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from flywheel_sync.domain import KPIStatus, ScopeKind
from flywheel_sync.report import render_cards
from flywheel_sync.report.escaping import clean_text
from flywheel_sync.sandbox.workflows.card_validation import payload_problems
from tests.unit.report.builders import (
    HOSTILE,
    LINK,
    MEGABYTE,
    customer_summary,
    engagement_line,
    hostile_summary,
    kpi_line,
    summary,
)

MARKDOWN_CHARACTERS = set("*_[]`<>~&|{}\\")


def size(message: dict[str, Any]) -> int:
    return len(json.dumps(message, ensure_ascii=False).encode("utf-8"))


def nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object inside ``value``, depth first."""
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from nodes(child)
    elif isinstance(value, list):
        for child in value:
            yield from nodes(child)


def texts(message: dict[str, Any], kind: str) -> list[str]:
    return [node["text"] for node in nodes(message) if node.get("type") == kind]


def card(message: dict[str, Any]) -> dict[str, Any]:
    (attachment,) = message["attachments"]
    content: dict[str, Any] = attachment["content"]
    return content


def assert_accepted(messages: list[dict[str, Any]], max_bytes: int) -> None:
    """Every message is one the sandbox webhook accepts, and small enough."""
    for message in messages:
        assert payload_problems(message) == []
        assert size(message) <= max_bytes
        assert card(message)["version"] == "1.5"


def many_engagements(count: int) -> tuple[Any, ...]:
    return tuple(
        engagement_line(engagement_id=f"eng-{n:04}", title=f"Engagement number {n:04} " * 3)
        for n in range(count)
    )


@pytest.mark.parametrize("build", [summary, customer_summary])
def test_a_small_summary_is_one_valid_card(build: Any) -> None:
    messages = render_cards(build())
    assert len(messages) == 1
    assert_accepted(messages, 28_000)
    message = messages[0]
    assert message["type"] == "message"
    (attachment,) = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    assert attachment["content"]["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert attachment["content"]["type"] == "AdaptiveCard"


def test_card_shows_title_context_kpis_symptoms_engagements() -> None:
    (message,) = render_cards(customer_summary())
    runs = texts(message, "TextRun")
    assert runs[0] == "Value summary — Grid Operations (customer)"
    assert runs[1] == (
        "Customer · Northwind Energy · PMO: Enterprise PMO · November 2026 · "
        "Experience stage: Deployment (3/5)"
    )
    blocks = texts(message, "TextBlock")
    headings = ["KPIs", "Symptoms", "Engagements"]
    assert [block for block in blocks if block in headings] == headings
    assert {"On-time delivery", "87.5 %", "90 %", "was 85 %"} <= set(runs)
    assert "↑ improving" in blocks
    assert "4 of 10 items due this month are overdue" in runs
    assert "Service: Project Health Checks" in runs
    assert "Service Onboarding (5/10) · cycle 1 · since 2026-10-05 · 12 days" in blocks


@pytest.mark.parametrize(
    ("status", "colour"),
    [
        (KPIStatus.ON_TRACK, "Good"),
        (KPIStatus.AT_RISK, "Warning"),
        (KPIStatus.OFF_TRACK, "Attention"),
        (None, None),
    ],
)
def test_status_is_coloured(status: KPIStatus | None, colour: str | None) -> None:
    (message,) = render_cards(summary(kpis=(kpi_line(status=status),)))
    words: dict[KPIStatus | None, str] = {
        KPIStatus.ON_TRACK: "on track",
        KPIStatus.AT_RISK: "at risk",
        KPIStatus.OFF_TRACK: "off track",
        None: "not rated",
    }
    (block,) = [node for node in nodes(message) if node.get("text") == words[status]]
    assert block["type"] == "TextBlock"
    assert block.get("color") == colour


def test_stalled_engagement_is_flagged() -> None:
    (message,) = render_cards(summary(engagements=(engagement_line(stalled=True),)))
    (flag,) = [node for node in nodes(message) if node.get("text") == "Stalled"]
    assert flag["color"] == "Attention"


def test_link_becomes_an_open_url_action() -> None:
    (message,) = render_cards(summary())
    assert card(message)["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open the full summary", "url": LINK}
    ]


def test_no_link_no_action() -> None:
    (message,) = render_cards(summary(link=None))
    assert card(message)["actions"] == []


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("scope", [ScopeKind.SERVICE, ScopeKind.CUSTOMER])
def test_tool_text_goes_only_into_text_runs(hostile: str, scope: ScopeKind) -> None:
    messages = render_cards(hostile_summary(hostile, scope=scope))
    assert_accepted(messages, 28_000)
    for message in messages:
        for block in texts(message, "TextBlock"):
            assert not MARKDOWN_CHARACTERS & set(block), block
        runs = " ".join(texts(message, "TextRun"))
        assert runs.count(clean_text(hostile)) >= 8


def test_many_engagements_continue_on_numbered_cards() -> None:
    built = summary(engagements=many_engagements(400))
    messages = render_cards(built)
    assert_accepted(messages, 28_000)
    count = len(messages)
    assert count > 2
    titles = [texts(message, "TextRun")[0:2] for message in messages]
    assert titles[0] == ["Value summary — Project Health Checks", f" (1/{count})"]
    assert titles[-1] == ["Value summary — Project Health Checks", f" ({count}/{count})"]
    shown = [
        run
        for message in messages
        for run in texts(message, "TextRun")
        if run.startswith("Engagement number")
    ]
    expected = [clean_text(line.title) for line in built.engagements_in_order()]
    assert shown == expected


def test_continuation_cards_hold_only_engagements() -> None:
    messages = render_cards(summary(engagements=many_engagements(400)))
    first, *rest = messages
    assert {"KPIs", "Symptoms", "Engagements"} <= set(texts(first, "TextBlock"))
    for message in rest:
        headings = {"KPIs", "Symptoms", "Engagements"} & set(texts(message, "TextBlock"))
        assert headings == {"Engagements"}


def test_many_kpis_split_their_table_across_cards() -> None:
    lines = tuple(kpi_line(kpi_id=f"k{n}", name=f"KPI number {n:03} " * 5) for n in range(300))
    messages = render_cards(summary(kpis=lines), max_bytes=12_000)
    assert_accepted(messages, 12_000)
    assert len(messages) > 2
    shown = [run for m in messages for run in texts(m, "TextRun") if run.startswith("KPI number")]
    assert shown == [clean_text(line.name) for line in lines]


@pytest.mark.parametrize("max_bytes", [6_000, 12_000, 28_000])
def test_every_card_respects_max_bytes(max_bytes: int) -> None:
    messages = render_cards(summary(engagements=many_engagements(120)), max_bytes=max_bytes)
    assert_accepted(messages, max_bytes)


def test_a_huge_title_is_shortened_and_the_card_links_the_full_summary() -> None:
    messages = render_cards(summary(subject_name=MEGABYTE))
    assert len(messages) == 1
    assert_accepted(messages, 28_000)
    runs = texts(messages[0], "TextRun")
    assert runs[0].startswith("Value summary — xxx")
    assert runs[0].endswith("…")
    assert "Some long texts are shortened." in runs
    assert f" Full summary: {LINK}" in runs


def test_a_huge_engagement_title_is_shortened() -> None:
    built = summary(engagements=(engagement_line(title=MEGABYTE), *many_engagements(3)))
    messages = render_cards(built)
    assert_accepted(messages, 28_000)
    runs = [run for message in messages for run in texts(message, "TextRun")]
    (long_title,) = [run for run in runs if run.startswith("xxx")]
    assert long_title.endswith("…")
    assert len(long_title) < 28_000


def test_shortening_without_a_link_says_so_without_pointing_anywhere() -> None:
    messages = render_cards(summary(subject_name=MEGABYTE, link=None))
    runs = texts(messages[0], "TextRun")
    assert "Some long texts are shortened." in runs
    assert not [run for run in runs if "Full summary" in run]


def test_multibyte_text_is_measured_in_bytes() -> None:
    emoji = "👩‍👩‍👧‍👦" * 3000
    messages = render_cards(summary(engagements=(engagement_line(title=emoji),)), max_bytes=9_000)
    assert_accepted(messages, 9_000)


def test_a_limit_too_small_for_any_card_is_refused() -> None:
    with pytest.raises(ValueError, match="raise max_bytes"):
        render_cards(summary(), max_bytes=500)


def test_rendering_is_deterministic() -> None:
    lines = many_engagements(150)
    first = render_cards(summary(engagements=lines))
    again = render_cards(summary(engagements=lines))
    reversed_input = render_cards(summary(engagements=tuple(reversed(lines))))
    dump = json.dumps
    assert dump(first) == dump(again) == dump(reversed_input)
