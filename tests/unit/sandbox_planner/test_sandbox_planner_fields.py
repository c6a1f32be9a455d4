"""What a create or update body may set: service-owned and unknown properties are a 400."""

from __future__ import annotations

from typing import Any

import pytest

from flywheel_sync.sandbox.graph.planner.fields import WRITABLE
from flywheel_sync.sandbox.graph.planner.kinds import PlannerKind
from flywheel_sync.sandbox.graph.wire import GraphError

TASK_FIELDS = WRITABLE[PlannerKind.TASK]
CURRENT = {"id": "task-1", "planId": "plan-1", "title": "Old"}


def test_plain_values_and_open_type_patches_are_split() -> None:
    body = {"title": "New", "percentComplete": 50, "appliedCategories": {"category1": True}}

    values, patches = TASK_FIELDS.accept(body, current=CURRENT)

    assert values == {"title": "New", "percentComplete": 50}
    assert patches == {"appliedCategories": {"category1": True}}


@pytest.mark.parametrize(
    "body",
    [
        {"@odata.type": "#microsoft.graph.plannerTask"},
        {"@odata.etag": 'W/"x"'},
        {"id": "task-1"},
        {"planId": "plan-1"},
    ],
    ids=["odata-type", "odata-etag", "own-id", "same-plan"],
)
def test_annotations_and_unchanged_fixed_values_are_ignored(body: dict[str, Any]) -> None:
    assert TASK_FIELDS.accept(body, current=CURRENT) == ({}, {})


@pytest.mark.parametrize(
    "body",
    [
        {"createdBy": {"user": {"id": "x"}}},
        {"createdDateTime": "2026-03-02T09:30:00Z"},
        {"completedDateTime": "2026-03-02T09:30:00Z"},
        {"checklistItemCount": 3},
        {"details": {}},
        {"planId": "plan-2"},
        {"id": "task-2"},
        {"colour": "red"},
    ],
    ids=["created-by", "created-date", "completed-date", "count", "navigation",
         "move-plan", "other-id", "unknown"],
)  # fmt: skip
def test_properties_a_client_may_not_set_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(GraphError) as refused:
        TASK_FIELDS.accept(body, current=CURRENT)

    assert (refused.value.status, refused.value.code) == (400, "")
    assert refused.value.message.startswith("The request is invalid:\r\n")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("title", ""),
        ("title", None),
        ("percentComplete", 101),
        ("percentComplete", True),
        ("priority", 11),
        ("priority", "5"),
        ("dueDateTime", "2026-03-02"),
        ("dueDateTime", "2026-03-02T09:30:00"),
        ("previewType", "gallery"),
        ("orderHint", "850001P!"),
    ],
)
def test_invalid_values_are_refused(name: str, value: Any) -> None:
    with pytest.raises(GraphError) as refused:
        TASK_FIELDS.accept({name: value}, current=CURRENT)

    assert refused.value.status == 400


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2026-03-02T09:30:00Z", "2026-03-02T09:30:00Z"),
        ("2026-03-02T10:30:00+01:00", "2026-03-02T09:30:00Z"),
        ("2026-03-02T09:30:00.5Z", "2026-03-02T09:30:00.5Z"),
        (None, None),
    ],
)
def test_dates_are_stored_in_utc(sent: str | None, stored: str | None) -> None:
    values, _ = TASK_FIELDS.accept({"dueDateTime": sent}, current=CURRENT)

    assert values == {"dueDateTime": stored}


def test_a_create_may_set_the_fixed_plan_id() -> None:
    values, _ = TASK_FIELDS.accept({"planId": "plan-1", "title": "New"}, current=None)

    assert values == {"planId": "plan-1", "title": "New"}
