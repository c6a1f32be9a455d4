"""An onboarding checklist inside a Jira Cloud description: an ADF task list.

Jira Cloud descriptions are Atlassian Document Format (ADF) documents, whose ``taskList``
holds ``taskItem``s that people tick in the issue view (``attrs.state``: ``TODO`` or
``DONE``). flywheel-sync keeps its steps in one task list of its own (found by its
``localId``), each step an item with a ``localId`` derived from the issue and the step, so it
finds its items again whatever else people write around them. It only ever appends items or
retitles its own: ticks, other items and the rest of the description are copied untouched.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["TaskItem", "checklist_ids", "task_items", "with_items"]

_NAMESPACE = uuid.UUID("0b7f6c0e-34c1-4a4e-9d0f-9a8a4f1c2d31")


def checklist_ids(issue_key: str, step_keys: Sequence[str]) -> tuple[str, dict[str, str]]:
    """The ``localId`` of an issue's task list, and of each step's item in it."""
    list_id = str(uuid.uuid5(_NAMESPACE, f"{issue_key}/checklist"))
    return list_id, {key: str(uuid.uuid5(_NAMESPACE, f"{issue_key}/{key}")) for key in step_keys}


@dataclass(frozen=True, kw_only=True, slots=True)
class TaskItem:
    """One item of a description's task lists: its id, its text, whether it is ticked."""

    local_id: str
    text: str
    done: bool


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for child in node.get("content") or ():
            yield from _walk(child)


def _text(node: dict[str, Any]) -> str:
    return "".join(str(n.get("text", "")) for n in _walk(node) if n.get("type") == "text")


def task_items(doc: Any) -> dict[str, TaskItem]:
    """Every task item of the description, by ``localId`` (empty for a description without)."""
    return {
        str(node["attrs"]["localId"]): TaskItem(
            local_id=str(node["attrs"]["localId"]),
            text=_text(node),
            done=node["attrs"].get("state") == "DONE",
        )
        for node in _walk(doc)
        if node.get("type") == "taskItem" and (node.get("attrs") or {}).get("localId")
    }


def _item(local_id: str, text: str) -> dict[str, Any]:
    return {
        "type": "taskItem",
        "attrs": {"localId": local_id, "state": "TODO"},
        "content": [{"type": "text", "text": text}],
    }


def with_items(
    doc: Any,
    *,
    list_id: str,
    heading: str,
    add: Sequence[tuple[str, str]],
    retitle: Mapping[str, str],
) -> dict[str, Any]:
    """``doc`` with the items ``add`` (``(localId, text)``) appended to our task list.

    The list is created at the end of the description, under ``heading``, when it is not
    there yet; items of ``retitle`` (``localId`` → text) get their new text. An item already
    present (by ``localId``) is not added again. Nothing else changes.
    """
    result: dict[str, Any] = (
        copy.deepcopy(dict(doc))
        if isinstance(doc, Mapping) and doc.get("type") == "doc"
        else {"type": "doc", "version": 1, "content": []}
    )
    present = task_items(result)
    for node in _walk(result):
        local_id = str((node.get("attrs") or {}).get("localId") or "")
        if node.get("type") == "taskItem" and local_id in retitle:
            node["content"] = [{"type": "text", "text": retitle[local_id]}]
    new = [_item(local_id, text) for local_id, text in add if local_id not in present]
    if not new:
        return result
    ours = next(
        (
            n
            for n in _walk(result)
            if n.get("type") == "taskList" and (n.get("attrs") or {}).get("localId") == list_id
        ),
        None,
    )
    if ours is not None:
        ours.setdefault("content", []).extend(new)
        return result
    result.setdefault("content", []).extend(
        [
            {"type": "paragraph", "content": [{"type": "text", "text": heading}]},
            {"type": "taskList", "attrs": {"localId": list_id}, "content": new},
        ]
    )
    return result
