"""Graph ``$batch`` exchanges against the v1.0 subset's hand-authored ``x.batch`` schemas.

Only the outer exchange is judged here: each step is an ordinary Graph request that the
Planner, Teams and directory contract tables already cover.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from tests.contract.calls import WRONG_BEARER, Call, ContractClient, Setup, cases

BATCH = "/graph/v1.0/$batch"


def the_group(setup: Setup) -> Mapping[str, str]:
    """``{group}``: the Enterprise PMO's Microsoft 365 group."""
    groups = setup.call("GET", "/graph/v1.0/groups")
    return {"group": str(groups["value"][0]["id"])}


def _get(step_id: str, url: str, **extra: object) -> dict[str, object]:
    return {"id": step_id, "method": "GET", "url": url, **extra}


CALLS = [
    Call(
        name="parallel-steps",
        method="POST",
        path=BATCH,
        given=the_group,
        json={
            "requests": [
                _get("1", "/groups/{group}"),
                _get("2", "/groups/{group}/planner/plans"),
                _get("3", "/planner/tasks/not-a-task"),
            ]
        },
    ),
    Call(
        name="sequential-steps-with-failed-dependency",
        method="POST",
        path=BATCH,
        json={
            "requests": [
                _get("1", "/planner/tasks/not-a-task"),
                _get("2", "/planner/plans/not-a-plan", dependsOn=["1"]),
            ]
        },
    ),
    Call(
        name="too-many-steps",
        method="POST",
        path=BATCH,
        json={"requests": [_get(str(n), "/groups") for n in range(21)]},
        status=400,
        invalid_request="the spec's maxItems: 20 is what the sandbox enforces",
    ),
    Call(
        name="duplicate-ids",
        method="POST",
        path=BATCH,
        json={"requests": [_get("a", "/groups"), _get("A", "/groups")]},
        status=400,
    ),
    Call(
        name="wrong-token",
        method="POST",
        path=BATCH,
        json={"requests": [_get("1", "/groups")]},
        auth=WRONG_BEARER,
        status=401,
    ),
]


@pytest.mark.parametrize("call", cases(CALLS))
def test_batch_exchange_conforms_to_graph_v1(call: Call, graph: ContractClient) -> None:
    verdict = graph.perform(call)

    assert (verdict.status, verdict.violations, verdict.excused) == (
        call.status,
        (),
        call.deviations,
    )
