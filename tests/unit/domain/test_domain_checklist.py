"""Onboarding checklists and the service templates they come from."""

from typing import Any

import pytest
from pydantic import ValidationError

from flywheel_sync.domain import (
    ChecklistItem,
    ChecklistItemOrigin,
    ChecklistTemplateItem,
    OnboardingChecklist,
    PMOService,
)

TEMPLATE = ChecklistItemOrigin.TEMPLATE
HUMAN = ChecklistItemOrigin.HUMAN


def item(key: str, *, done: bool = False, external_id: str | None = None) -> ChecklistItem:
    return ChecklistItem(
        key=key, title=f"Step {key}", done=done, origin=TEMPLATE, external_id=external_id
    )


def checklist(*items: ChecklistItem) -> OnboardingChecklist:
    return OnboardingChecklist(engagement_id="ENG-1", service_id="svc-raid", items=items)


def service(**overrides: Any) -> PMOService:
    fields: dict[str, Any] = {
        "id": "svc-raid",
        "name": "RAID log management",
        "onboarding_template": (
            ChecklistTemplateItem(key="kickoff", title="Hold the kickoff"),
            ChecklistTemplateItem(key="train", title="Train the project leads"),
        ),
    }
    return PMOService.model_validate(fields | overrides)


@pytest.mark.parametrize(
    ("done_flags", "progress", "complete"),
    [
        ((), 0.0, False),
        ((False, False), 0.0, False),
        ((True, False, False, False), 25.0, False),
        ((True, True, False), 200 / 3, False),
        ((True, True, True), 100.0, True),
    ],
)
def test_progress_is_the_percentage_of_done_items(
    done_flags: tuple[bool, ...], progress: float, complete: bool
) -> None:
    current = checklist(*(item(f"k{i}", done=done) for i, done in enumerate(done_flags)))
    assert (current.progress, current.is_complete, current.done_count) == (
        progress,
        complete,
        sum(done_flags),
    )


def test_progress_is_not_serialised_so_a_dump_validates_back() -> None:
    current = checklist(item("a", done=True), item("b"))
    assert OnboardingChecklist.model_validate(current.model_dump()) == current


@pytest.mark.parametrize(
    ("items", "reason"),
    [
        ((item("a"), item("b"), item("a")), "checklist item keys must be unique; repeated: ['a']"),
        (
            (item("a", external_id="pl-1"), item("b", external_id="pl-1"), item("c")),
            "checklist item external ids must be unique; repeated: ['pl-1']",
        ),
    ],
)
def test_checklist_rejects_repeated_items(items: tuple[ChecklistItem, ...], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason.replace("[", r"\[")):
        checklist(*items)


def test_items_without_external_ids_are_not_duplicates() -> None:
    assert len(checklist(item("a"), item("b")).items) == 2


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"key": "a", "title": "", "origin": "template"}, "String should have at least 1"),
        ({"key": "a", "title": "   ", "origin": "template"}, "String should have at least 1"),
        ({"key": "a", "title": "Kickoff"}, "origin\n  Field required"),
        ({"key": "a", "title": "Kickoff", "origin": "robot"}, "Input should be 'template'"),
    ],
)
def test_item_fields_are_validated(fields: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError) as raised:
        ChecklistItem.model_validate(fields)
    assert reason in str(raised.value)


def test_human_items_keep_their_origin() -> None:
    added = ChecklistItem(key="extra", title="Invite the CFO", origin=HUMAN)
    assert checklist(added).items[0].origin is HUMAN


def test_service_builds_a_fresh_checklist_from_its_template() -> None:
    assert service().onboarding_checklist(engagement_id="ENG-7") == OnboardingChecklist(
        engagement_id="ENG-7",
        service_id="svc-raid",
        items=(
            ChecklistItem(key="kickoff", title="Hold the kickoff", done=False, origin=TEMPLATE),
            ChecklistItem(
                key="train", title="Train the project leads", done=False, origin=TEMPLATE
            ),
        ),
    )


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        (
            {
                "onboarding_template": (
                    {"key": "kickoff", "title": "Hold the kickoff"},
                    {"key": "kickoff", "title": "Kick off again"},
                )
            },
            "onboarding template keys must be unique; repeated: ['kickoff']",
        ),
        ({"kpi_ids": ("lead-time", "lead-time")}, "service kpi ids must be unique"),
    ],
)
def test_service_rejects_repeated_keys(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError) as raised:
        service(**overrides)
    assert reason in str(raised.value)
