"""Which ``$batch`` bodies Graph refuses as a whole, and how the steps are read."""

from __future__ import annotations

from typing import Any

import pytest

from flywheel_sync.sandbox.graph.batch import MAX_BATCH_STEPS, parse_batch
from flywheel_sync.sandbox.graph.wire import GraphError


def step(step_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": step_id, "method": "GET", "url": f"/planner/tasks/{step_id}", **extra}


def refusal(body: dict[str, Any]) -> str:
    with pytest.raises(GraphError) as raised:
        parse_batch(body)
    assert raised.value.status == 400
    assert raised.value.code == "BadRequest"
    return raised.value.message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({}, "must have a 'requests' array", id="no-requests"),
        pytest.param(
            {"requests": [step(str(n)) for n in range(MAX_BATCH_STEPS + 1)]},
            "more than the maximum of 20",
            id="21-steps",
        ),
        pytest.param(
            {"requests": [step("a"), step("A")]}, "duplicate request id : A", id="ids-ignore-case"
        ),
        pytest.param(
            {"requests": [{"id": "1", "method": "GET"}]}, "required property 'url'", id="no-url"
        ),
        pytest.param(
            {"requests": [step("1", method="TRACE")]}, "Invalid method 'TRACE'", id="bad-method"
        ),
        pytest.param(
            {"requests": [step("1", method="PATCH", body={"title": "x"})]},
            "Write request id : 1 does not contain Content-Type header or body.",
            id="body-without-content-type",
        ),
        pytest.param(
            {"requests": [step("1", dependsOn=["9"])]},
            "Invalid dependency for request Id : 1.",
            id="unknown-dependency",
        ),
        pytest.param(
            {"requests": [step("1"), step("2"), step("3", dependsOn=["1"])]},
            "Batch should be either fully sequential or fully parallel.",
            id="half-sequential",
        ),
        pytest.param(
            {"requests": [step("1"), step("2", dependsOn=["1"]), step("3", dependsOn=["1"])]},
            "Batch should be either fully sequential or fully parallel.",
            id="fan-out",
        ),
    ],
)
def test_graph_refuses_the_whole_batch(body: dict[str, Any], message: str) -> None:
    assert message in refusal(body)


def test_twenty_steps_are_allowed() -> None:
    steps, sequential = parse_batch({"requests": [step(str(n)) for n in range(20)]})

    assert len(steps) == MAX_BATCH_STEPS
    assert not sequential


def test_a_chain_of_dependencies_runs_in_sequence() -> None:
    body = {"requests": [step("1"), step("2", dependsOn=["1"]), step("3", dependsOn=["2"])]}

    steps, sequential = parse_batch(body)

    assert sequential
    assert [s.depends_on for s in steps] == [(), ("1",), ("2",)]


def test_a_json_body_is_sent_as_json_and_headers_are_kept() -> None:
    patch = step(
        "1",
        method="PATCH",
        headers={"Content-Type": "application/json", "If-Match": 'W/"abc"'},
        body={"title": "Renamed"},
    )

    (parsed,), _ = parse_batch({"requests": [patch]})

    assert parsed.body == b'{"title": "Renamed"}'
    assert parsed.headers["If-Match"] == 'W/"abc"'
    assert parsed.method == "PATCH"


def test_a_base64_body_is_decoded_when_the_content_is_not_json() -> None:
    upload = step("1", method="PUT", headers={"Content-Type": "text/plain"}, body="aGVsbG8=")

    (parsed,), _ = parse_batch({"requests": [upload]})

    assert parsed.body == b"hello"
