"""The description checklist: our task list appended to, everything else copied untouched."""

from __future__ import annotations

from typing import Any

from flywheel_sync.push.adf_checklist import TaskItem, checklist_ids, task_items, with_items

LIST_ID, IDS = checklist_ids("PMO-1", ["owner", "rosters"])


def paragraph(text: str) -> dict[str, Any]:
    return {"type": "paragraph", "content": [{"type": "text", "text": text}]}


def item(local_id: str, text: str, state: str = "TODO") -> dict[str, Any]:
    return {
        "type": "taskItem",
        "attrs": {"localId": local_id, "state": state},
        "content": [{"type": "text", "text": text}],
    }


def doc(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(content)}


def test_ids_are_the_same_every_time_and_differ_by_issue() -> None:
    assert checklist_ids("PMO-1", ["owner"]) == checklist_ids("PMO-1", ["owner"])
    assert checklist_ids("PMO-2", ["owner"])[1]["owner"] != IDS["owner"]


def test_a_description_without_a_list_gets_one_after_its_text() -> None:
    updated = with_items(
        doc(paragraph("Why we do this.")),
        list_id=LIST_ID,
        heading="Onboarding checklist",
        add=[(IDS["owner"], "Nominate an owner")],
        retitle={},
    )

    assert updated["content"] == [
        paragraph("Why we do this."),
        paragraph("Onboarding checklist"),
        {
            "type": "taskList",
            "attrs": {"localId": LIST_ID},
            "content": [item(IDS["owner"], "Nominate an owner")],
        },
    ]


def test_no_description_at_all_becomes_a_document() -> None:
    updated = with_items(None, list_id=LIST_ID, heading="H", add=[(IDS["owner"], "A")], retitle={})

    assert task_items(updated) == {
        IDS["owner"]: TaskItem(local_id=IDS["owner"], text="A", done=False)
    }


def test_ticks_and_other_items_are_kept_and_present_items_not_added_twice() -> None:
    ours = {
        "type": "taskList",
        "attrs": {"localId": LIST_ID},
        "content": [item(IDS["owner"], "Nominate an owner", "DONE"), item("theirs", "Ours too")],
    }
    original = doc(paragraph("Text"), ours)

    updated = with_items(
        original,
        list_id=LIST_ID,
        heading="H",
        add=[(IDS["owner"], "Nominate an owner"), (IDS["rosters"], "Import rosters")],
        retitle={},
    )

    assert task_items(updated) == {
        IDS["owner"]: TaskItem(local_id=IDS["owner"], text="Nominate an owner", done=True),
        "theirs": TaskItem(local_id="theirs", text="Ours too", done=False),
        IDS["rosters"]: TaskItem(local_id=IDS["rosters"], text="Import rosters", done=False),
    }
    assert original["content"][1]["content"][-1] == item("theirs", "Ours too")  # not mutated


def test_retitling_changes_only_the_text() -> None:
    original = doc(
        {
            "type": "taskList",
            "attrs": {"localId": LIST_ID},
            "content": [item(IDS["owner"], "Old", "DONE")],
        }
    )

    updated = with_items(
        original, list_id=LIST_ID, heading="H", add=[], retitle={IDS["owner"]: "New"}
    )

    assert task_items(updated)[IDS["owner"]] == TaskItem(
        local_id=IDS["owner"], text="New", done=True
    )
