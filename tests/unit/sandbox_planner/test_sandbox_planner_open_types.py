"""Open-type dictionaries: what a PATCH may put in them, and the limits behind Planner's 403s."""

from __future__ import annotations

from typing import Any

import pytest

from flywheel_sync.sandbox.graph.planner.errors import PlannerLimits
from flywheel_sync.sandbox.graph.planner.open_types import (
    EditContext,
    merge_applied_categories,
    merge_assignments,
    merge_category_descriptions,
    merge_checklist,
    merge_references,
    merge_shared_with,
)
from flywheel_sync.sandbox.graph.wire import GraphError
from tests.unit.sandbox_planner.builders import (
    GUIDS,
    ITEM_TYPE,
    NOW_TEXT,
    REFERENCE_TYPE,
    assignment,
    checklist_item,
)

ACTOR = {"application": {"id": "app", "displayName": "flywheel-sync"}, "user": None}
CONTEXT = EditContext(now=NOW_TEXT, actor=ACTOR, limits=PlannerLimits())
REFERENCE = "https%3A//contoso%2Ecom/page"


def _refusal(merge: Any, *args: Any) -> GraphError:
    with pytest.raises(GraphError) as refused:
        merge(*args)
    return refused.value


# ---- assignments


def test_a_new_assignment_is_stamped_by_the_service() -> None:
    merged = merge_assignments({}, {GUIDS[0]: assignment()}, CONTEXT)

    assert merged[GUIDS[0]] == {
        "@odata.type": "#microsoft.graph.plannerAssignment",
        "assignedDateTime": NOW_TEXT,
        "assignedBy": ACTOR,
        "orderHint": merged[GUIDS[0]]["orderHint"],
    }
    assert merged[GUIDS[0]]["orderHint"] != " !"


def test_null_removes_an_assignment_and_keeps_the_others() -> None:
    current = merge_assignments({}, {GUIDS[0]: assignment(), GUIDS[1]: assignment()}, CONTEXT)

    merged = merge_assignments(current, {GUIDS[0]: None}, CONTEXT)

    assert list(merged) == [GUIDS[1]]


@pytest.mark.parametrize(
    "value",
    [
        {"orderHint": " !"},
        {"@odata.type": "#microsoft.graph.plannerChecklistItem", "orderHint": " !"},
        {"@odata.type": "#microsoft.graph.plannerAssignment"},
        {**assignment(), "assignedBy": ACTOR},
        True,
    ],
    ids=["no-odata-type", "wrong-odata-type", "no-order-hint", "service-owned", "not-object"],
)
def test_assignment_values_planner_refuses(value: Any) -> None:
    refused = _refusal(merge_assignments, {}, {GUIDS[0]: value}, CONTEXT)

    assert (refused.status, refused.code) == (400, "")


def test_an_assignee_that_is_not_a_user_id_is_refused() -> None:
    assert _refusal(merge_assignments, {}, {"alice": assignment()}, CONTEXT).status == 400


def test_more_than_twenty_assignees_is_a_limit_403() -> None:
    refused = _refusal(merge_assignments, {}, {g: assignment() for g in GUIDS[:21]}, CONTEXT)

    assert (refused.status, refused.code) == (403, "MaximumAssigneesInTasks")


# ---- applied categories


def test_true_applies_a_category_and_false_removes_its_key() -> None:
    merged = merge_applied_categories({"category1": True}, {"category25": True, "category1": False})

    assert merged == {"category25": True}


@pytest.mark.parametrize(
    "patch",
    [{"category26": True}, {"category0": True}, {"Category1": True}, {"category1": "yes"}],
)
def test_categories_outside_1_to_25_or_not_booleans_are_refused(patch: dict[str, Any]) -> None:
    assert _refusal(merge_applied_categories, {}, patch).status == 400


# ---- checklist


def test_a_new_checklist_item_answers_with_service_fields() -> None:
    merged = merge_checklist({}, {GUIDS[0]: checklist_item("Plan the kick-off")}, CONTEXT)

    assert merged[GUIDS[0]] == {
        "@odata.type": "#microsoft.graph.plannerChecklistItem",
        "isChecked": False,
        "title": "Plan the kick-off",
        "orderHint": merged[GUIDS[0]]["orderHint"],
        "lastModifiedDateTime": NOW_TEXT,
        "lastModifiedBy": ACTOR,
    }


@pytest.mark.parametrize("odata_type", [ITEM_TYPE, f"#{ITEM_TYPE}"])
def test_the_item_type_is_accepted_with_or_without_hash(odata_type: str) -> None:
    patch = {GUIDS[0]: {"@odata.type": odata_type, "title": "Step"}}

    assert GUIDS[0] in merge_checklist({}, patch, CONTEXT)


def test_checking_an_item_keeps_its_title_and_hint() -> None:
    current = merge_checklist({}, {GUIDS[0]: checklist_item("Step")}, CONTEXT)

    merged = merge_checklist(current, {GUIDS[0]: checklist_item(None, isChecked=True)}, CONTEXT)

    assert merged[GUIDS[0]] == {**current[GUIDS[0]], "isChecked": True}


def test_null_deletes_a_checklist_item() -> None:
    current = merge_checklist({}, {GUIDS[0]: checklist_item()}, CONTEXT)

    assert merge_checklist(current, {GUIDS[0]: None}, CONTEXT) == {}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("step-1", checklist_item()),
        (GUIDS[0], {"title": "Step"}),
        (GUIDS[0], checklist_item(None)),
        (GUIDS[0], checklist_item("")),
        (GUIDS[0], checklist_item(isChecked="yes")),
        (GUIDS[0], checklist_item(lastModifiedBy=ACTOR)),
        (GUIDS[0], checklist_item(colour="red")),
        (GUIDS[0], checklist_item(orderHint="850001P!")),
    ],
    ids=["key-not-guid", "no-odata-type", "new-without-title", "empty-title",
         "is-checked-not-bool", "service-owned", "unknown-member", "returned-hint"],
)  # fmt: skip
def test_checklist_changes_planner_refuses(key: str, value: dict[str, Any]) -> None:
    refused = _refusal(merge_checklist, {}, {key: value}, CONTEXT)

    assert (refused.status, refused.code) == (400, "")


def test_more_than_twenty_checklist_items_is_a_limit_403() -> None:
    patch = {key: checklist_item() for key in GUIDS[:21]}

    refused = _refusal(merge_checklist, {}, patch, CONTEXT)

    assert (refused.status, refused.code) == (403, "MaximumChecklistItemsOnTask")


def test_a_checklist_item_placed_between_two_sorts_between_them() -> None:
    current = merge_checklist({}, {GUIDS[0]: checklist_item(), GUIDS[1]: checklist_item()}, CONTEXT)
    first, last = current[GUIDS[0]]["orderHint"], current[GUIDS[1]]["orderHint"]

    merged = merge_checklist(
        current, {GUIDS[2]: checklist_item(orderHint=f"{first} {last}!")}, CONTEXT
    )

    assert first < merged[GUIDS[2]]["orderHint"] < last


# ---- references


def test_a_reference_keyed_by_its_encoded_url_is_added() -> None:
    patch = {REFERENCE: {"@odata.type": REFERENCE_TYPE, "alias": "Contoso", "type": "Other"}}

    merged = merge_references({}, patch, CONTEXT)

    assert merged[REFERENCE]["alias"] == "Contoso"
    assert merged[REFERENCE]["lastModifiedBy"] == ACTOR


@pytest.mark.parametrize(
    "key",
    ["https://contoso.com/page", "https%3A//contoso.com/page", "not a url", "contoso%2Ecom"],
)
def test_reference_keys_that_are_not_encoded_urls_are_refused(key: str) -> None:
    patch = {key: {"@odata.type": REFERENCE_TYPE}}

    assert _refusal(merge_references, {}, patch, CONTEXT).status == 400


def test_more_references_than_the_limit_is_a_limit_403() -> None:
    patch = {f"https%3A//contoso%2Ecom/{n}": {"@odata.type": REFERENCE_TYPE} for n in range(11)}

    refused = _refusal(merge_references, {}, patch, CONTEXT)

    assert (refused.status, refused.code) == (403, "MaximumReferencesOnTask")


# ---- plan details


def test_category_descriptions_name_labels_and_null_clears_one() -> None:
    merged = merge_category_descriptions(
        {"category1": "Grid", "category2": "HR"}, {"category1": None, "category25": "Ops"}
    )

    assert merged == {"category1": None, "category2": "HR", "category25": "Ops"}


def test_a_category_description_beyond_25_is_refused() -> None:
    assert _refusal(merge_category_descriptions, {}, {"category26": "x"}).status == 400


def test_shared_with_adds_true_and_removes_false() -> None:
    merged = merge_shared_with({GUIDS[0]: True}, {GUIDS[0]: False, GUIDS[1]: True})

    assert merged == {GUIDS[1]: True}


@pytest.mark.parametrize("patch", [None, [], "category1"])
def test_an_open_type_that_is_not_an_object_is_refused(patch: Any) -> None:
    assert _refusal(merge_applied_categories, {}, patch).status == 400
