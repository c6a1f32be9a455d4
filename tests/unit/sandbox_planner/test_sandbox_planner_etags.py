"""Planner ETags: newer versions compare greater, objects never share one, If-Match checks."""

from __future__ import annotations

import pytest

from flywheel_sync.sandbox.graph.planner.etags import check_if_match, mint_etag
from flywheel_sync.sandbox.graph.planner.kinds import PlannerKind
from flywheel_sync.sandbox.graph.wire import GraphError

CURRENT = mint_etag(PlannerKind.TASK, "task-1", 7)


def test_a_newer_version_has_an_ordinally_greater_etag() -> None:
    etags = [mint_etag(PlannerKind.TASK, "task-1", version) for version in range(1, 5000, 7)]

    assert etags == sorted(etags)


def test_etags_look_like_planners_weak_base64_etags() -> None:
    assert CURRENT.startswith('W/"JzEtVGFzayAg')
    assert CURRENT.endswith('Jw=="')


@pytest.mark.parametrize(
    ("kind", "object_id"),
    [(PlannerKind.TASK, "task-2"), (PlannerKind.TASK_DETAILS, "task-1")],
)
def test_another_objects_etag_at_the_same_version_differs(
    kind: PlannerKind, object_id: str
) -> None:
    assert mint_etag(kind, object_id, 7) != CURRENT


def test_the_current_etag_passes() -> None:
    check_if_match(CURRENT, CURRENT)


@pytest.mark.parametrize(
    ("header", "status", "message"),
    [
        (None, 412, "The If-Match header must be specified for this kind of request."),
        ("  ", 412, "The If-Match header must be specified for this kind of request."),
        ("*", 400, "The If-Match header contains an invalid value."),
        ('W/"not base64!"', 400, "The If-Match header contains an invalid value."),
        ('W/"aGVsbG8="', 400, "The If-Match header contains an invalid value."),
        (mint_etag(PlannerKind.TASK, "task-1", 6), 412, None),
        (mint_etag(PlannerKind.TASK, "task-2", 7), 412, None),
    ],
    ids=["missing", "blank", "wildcard", "not-base64", "not-planner", "stale", "other-object"],
)
def test_if_match_refusals(header: str | None, status: int, message: str | None) -> None:
    with pytest.raises(GraphError) as refused:
        check_if_match(header, CURRENT)

    assert refused.value.status == status
    assert refused.value.code == ""
    if message is not None:
        assert refused.value.message == message
