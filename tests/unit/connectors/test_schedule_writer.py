"""ScheduleWriter's decisions, against a scripted Schedule API (the sandbox covers the rest).

`FakeScheduleApi` answers what a test scripts and records every request, so each test states
one failure and the requests and outcomes it must lead to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from connectors.errors import AuthenticationError
from connectors.project.odata import ODataClient
from connectors.project.schedule_operations import (
    ScheduleOperation,
    add_checklist_item,
    delete_checklist_item,
    describe_task,
    record_id_for,
)
from connectors.project.schedule_writer import ScheduleWriter
from connectors.retry import RetryPolicy

PROJECT = "7a000000-0000-4000-8000-000000000001"
TASK = "7a000000-0000-4000-8000-0000000000a1"
OPEN, PENDING, FAILED, COMPLETED, ABANDONED = range(192350000, 192350005)
Answer = httpx.Response | Exception


@dataclass
class FakeScheduleApi:
    """Actions answer 200 unless scripted; sets report ``statuses`` in turn, then Completed."""

    refuse_staging: set[str] = field(default_factory=set)
    """Keys whose entity makes a staging call 400."""
    execute: list[Answer] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    existing: set[str] = field(default_factory=set)
    answers: dict[str, Answer] = field(default_factory=dict)
    """Fixed answers by action name."""
    requests: list[tuple[str, Any]] = field(default_factory=list)
    sets: int = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        name = request.url.path.rsplit("/", 1)[-1]
        body = json.loads(request.content) if request.content else dict(request.url.params)
        self.requests.append((f"{request.method} {name.split('(')[0]}", body))
        answer = self.answers.get(name) or self._answer(request.method, name, body)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def _answer(self, method: str, name: str, body: dict[str, Any]) -> httpx.Response:
        if name == "msdyn_CreateOperationSetV1":
            self.sets += 1
            return httpx.Response(200, json={"OperationSetId": set_id(self.sets)})
        if name.startswith("msdyn_Pss"):
            ids = {e.get("msdyn_projectchecklistid") for e in body["EntityCollection"]}
            if ids & {record_id_for(key) for key in self.refuse_staging}:
                return refusal("0x0", "Invalid property 'msdyn_nonsense' was found")
            staged = [{"operationSetId": body["OperationSetId"]} for _ in body["EntityCollection"]]
            return httpx.Response(200, json={"OperationSetResponse": json.dumps(staged)})
        if name == "msdyn_ExecuteOperationSetV1" and self.execute:
            answer = self.execute.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        if name.startswith("msdyn_operationsets("):
            status = self.statuses.pop(0) if self.statuses else COMPLETED
            return httpx.Response(200, json={"msdyn_status": status})
        if method == "GET":
            key = "msdyn_projectchecklistid"
            return httpx.Response(200, json={"value": [{key: i} for i in self.existing]})
        return httpx.Response(200, json={"OperationSetResponse": "{}"})

    def names(self) -> list[str]:
        return [name for name, _ in self.requests]


def set_id(number: int) -> str:
    return f"5e700000-0000-4000-8000-{number:012d}"


def refusal(code: str, message: str, status: int = 400) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message}})


def pss_error(index: int | None, key: str, detail: str) -> httpx.Response:
    error: dict[str, Any] = {"errorKey": key, "ErrorMessage": detail}
    if index is not None:
        error |= {
            "failedBatchRequestIndex": index,
            "failedBatchRequestError": {"errorKey": key, "ErrorMessage": detail},
        }
    return refusal("0x80040265", json.dumps(error))


def items(count: int) -> list[ScheduleOperation]:
    return [add_checklist_item(key=f"i{n}", task_id=TASK, name=f"Item {n}") for n in range(count)]


def writer(api: FakeScheduleApi, **options: Any) -> ScheduleWriter:
    client = ODataClient(
        source="project:test",
        environment_url="https://org.crm.dynamics.com",
        token="tok",
        retry=RetryPolicy(sleep=lambda seconds: None, max_attempts=3),
        transport=httpx.MockTransport(api),
    )
    return ScheduleWriter(client, source="project:test", **({"sleep": lambda s: None} | options))


def statuses(outcomes: list[Any]) -> list[str]:
    return [o.status for o in outcomes]


def test_one_set_is_opened_staged_by_runs_of_one_kind_executed_and_polled() -> None:
    api = FakeScheduleApi()
    operations = [
        *items(2),
        describe_task(key="d", task_id=TASK, description="Why"),
        delete_checklist_item(key="x", item_id=record_id_for("old")),
        *items(3)[2:],
    ]
    told: list[tuple[str, int]] = []

    outcomes = writer(api).run(
        PROJECT,
        operations,
        description="push",
        on_executing=lambda s, staged: told.append((s, len(staged))),
    )

    assert api.names() == [
        "POST msdyn_CreateOperationSetV1",
        "POST msdyn_PssCreateV2",
        "POST msdyn_PssUpdateV2",
        "POST msdyn_PssDeleteV2",
        "POST msdyn_PssCreateV2",
        "POST msdyn_ExecuteOperationSetV1",
        "GET msdyn_operationsets",
    ]
    assert api.requests[0][1] == {"ProjectId": PROJECT, "Description": "push"}
    assert api.requests[3][1]["EntityCollection"] == [
        {
            "@odata.type": "Microsoft.Dynamics.CRM.msdyn_projectchecklist",
            "msdyn_projectchecklistid": record_id_for("old"),
        }
    ]
    assert api.requests[5][1] == {"OperationSetId": set_id(1)}
    assert api.requests[6][1] == {
        "$select": "msdyn_status,msdyn_executedon,msdyn_completedon,_msdyn_psserrorlog_value"
    }
    assert told == [(set_id(1), 5)]
    assert [(o.key, o.status, o.operation_set_id) for o in outcomes] == [
        (op.key, "landed", set_id(1)) for op in operations
    ]


def test_a_refused_staging_call_is_halved_until_the_refused_operation_stands_alone() -> None:
    api = FakeScheduleApi(refuse_staging={"i5"})

    outcomes = writer(api).run(PROJECT, items(8), description="push")

    staged = [len(body["EntityCollection"]) for name, body in api.requests if "Pss" in name]
    assert staged == [8, 4, 4, 2, 1, 1, 2]
    assert statuses(outcomes) == ["landed"] * 5 + ["failed"] + ["landed"] * 2
    assert outcomes[5].detail == "Invalid property 'msdyn_nonsense' was found"


def test_the_operation_pss_names_fails_and_the_rest_go_again_in_a_new_set() -> None:
    api = FakeScheduleApi(execute=[pss_error(1, "E_X", "nope")], statuses=[FAILED])

    outcomes = writer(api).run(PROJECT, items(3), description="push")

    assert [(o.status, o.detail, o.operation_set_id) for o in outcomes] == [
        ("landed", "", set_id(2)),
        ("failed", "E_X: nope", set_id(1)),
        ("landed", "", set_id(2)),
    ]
    executed = [body for name, body in api.requests if name.endswith("Execute" + "OperationSetV1")]
    assert executed == [{"OperationSetId": set_id(1)}, {"OperationSetId": set_id(2)}]
    assert "POST msdyn_AbandonOperationSetV1" not in api.names()  # the set was not open


def test_a_failed_set_still_open_is_abandoned() -> None:
    api = FakeScheduleApi(execute=[pss_error(0, "E_X", "nope")], statuses=[OPEN])

    outcomes = writer(api).run(PROJECT, items(1), description="push")

    assert statuses(outcomes) == ["failed"]
    assert api.names()[-3:] == [
        "GET msdyn_operationsets",
        "POST msdyn_AbandonOperationSetV1",
        "GET msdyn_projectchecklists",  # whether the create was made by an earlier attempt
    ]


def test_an_unnamed_failure_is_isolated_by_halves() -> None:
    # The first set fails, naming nothing; its halves run as sets 2 and 3; set 3 fails too,
    # its halves 4 and 5; the one operation of set 5 fails.
    plain = refusal("0x80040265", "The batch failed")
    api = FakeScheduleApi(
        execute=[plain, httpx.Response(200, json={}), plain, httpx.Response(200, json={}), plain],
        statuses=[FAILED, COMPLETED, FAILED, COMPLETED, FAILED],
    )

    outcomes = writer(api).run(PROJECT, items(4), description="push")

    assert [(o.status, o.operation_set_id) for o in outcomes] == [
        ("landed", set_id(2)),
        ("landed", set_id(2)),
        ("landed", set_id(4)),
        ("failed", set_id(5)),
    ]
    assert outcomes[3].detail == "The batch failed"


def test_resubmits_are_bounded() -> None:
    api = FakeScheduleApi(execute=[pss_error(0, "E_X", "nope")], statuses=[FAILED])

    outcomes = writer(api, max_resubmits=0).run(PROJECT, items(3), description="push")

    assert statuses(outcomes) == ["failed"] * 3
    assert outcomes[1].detail == f"not applied: operation set {set_id(1)} failed (E_X: nope)"
    assert api.sets == 1


def test_creates_that_exist_already_have_landed() -> None:
    operations = items(3)
    api = FakeScheduleApi(
        execute=[pss_error(0, "E_DUPLICATE", "exists")],
        statuses=[FAILED],
        existing={operations[0].record_id, operations[1].record_id},
    )

    outcomes = writer(api).run(PROJECT, operations, description="again")

    assert [(o.status, o.detail[:15], o.operation_set_id) for o in outcomes] == [
        ("landed", "already created", set_id(1)),
        ("landed", "already created", set_id(1)),
        ("landed", "", set_id(2)),
    ]


def test_a_set_failing_while_persisting_names_its_error_log() -> None:
    api = FakeScheduleApi(statuses=[PENDING, FAILED])
    api.answers["msdyn_operationsets(" + set_id(1) + ")"] = httpx.Response(
        200, json={"msdyn_status": FAILED, "_msdyn_psserrorlog_value": "log-1"}
    )

    outcomes = writer(api).run(PROJECT, items(1), description="push")

    assert statuses(outcomes) == ["failed"]
    assert (
        outcomes[0].detail == f"operation set {set_id(1)} failed to persist (PSS error log log-1)"
    )


def test_a_set_that_cannot_be_opened_skips_the_whole_run() -> None:
    api = FakeScheduleApi()
    api.answers["msdyn_CreateOperationSetV1"] = refusal("0x80040265", "at most 10 open sets")

    outcomes = writer(api).run(PROJECT, items(201), description="push")

    assert set(statuses(outcomes)) == {"skipped"}
    assert outcomes[200].detail == (
        "no operation set could be opened: POST msdyn_CreateOperationSetV1 answered 400: "
        "0x80040265 at most 10 open sets"
    )
    assert api.names() == ["POST msdyn_CreateOperationSetV1"]


def test_trouble_while_staging_abandons_the_set_and_stops_the_run() -> None:
    api = FakeScheduleApi()
    api.answers["msdyn_PssCreateV2"] = httpx.Response(503, text="busy")

    outcomes = writer(api).run(PROJECT, items(201), description="push")

    assert set(statuses(outcomes)) == {"skipped"}
    assert api.names() == [
        "POST msdyn_CreateOperationSetV1",
        "POST msdyn_PssCreateV2",  # not sent again: it may have staged
        "POST msdyn_AbandonOperationSetV1",
    ]


def test_trouble_staging_one_kind_skips_the_later_kinds_too() -> None:
    api = FakeScheduleApi()
    api.answers["msdyn_PssDeleteV2"] = httpx.Response(503, text="busy")
    deletes = [delete_checklist_item(key=f"d{n}", item_id=record_id_for(f"d{n}")) for n in range(2)]

    outcomes = writer(api).run(PROJECT, [*deletes, *items(2)], description="push")

    assert statuses(outcomes) == ["skipped"] * 4  # none lost: every operation has its outcome
    assert "POST msdyn_PssCreateV2" not in api.names()
    assert api.names()[-1] == "POST msdyn_AbandonOperationSetV1"


def test_a_listener_that_fails_leaves_no_set_open() -> None:
    api = FakeScheduleApi()

    def refuse(set_id: str, staged: tuple[ScheduleOperation, ...]) -> None:
        raise RuntimeError("outbox unavailable")

    with pytest.raises(RuntimeError, match="outbox unavailable"):
        writer(api).run(PROJECT, items(1), description="push", on_executing=refuse)

    assert api.names()[-1] == "POST msdyn_AbandonOperationSetV1"


def test_a_pending_set_is_polled_until_the_timeout() -> None:
    api = FakeScheduleApi(statuses=[PENDING] * 10)
    clock = Clock()

    outcomes = writer(
        api, poll_interval=2, poll_timeout=5, sleep=clock.sleep, monotonic=clock.now
    ).run(PROJECT, items(1), description="push")

    assert statuses(outcomes) == ["unconfirmed"]
    assert clock.slept == [2, 2]
    assert api.names().count("GET msdyn_operationsets") == 3


@dataclass
class Clock:
    time: float = 0.0
    slept: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.time += seconds

    def now(self) -> float:
        return self.time


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_say_a_licensed_user_must_sign_in(status: int) -> None:
    api = FakeScheduleApi()
    api.answers["msdyn_CreateOperationSetV1"] = refusal("0x80040220", "not allowed", status)

    with pytest.raises(AuthenticationError, match="device code sign-in") as refused:
        writer(api).run(PROJECT, items(1), description="push")

    assert f"answered {status}: 0x80040220 not allowed" in str(refused.value)


def test_nothing_to_write_sends_nothing() -> None:
    api = FakeScheduleApi()

    assert writer(api).run(PROJECT, [], description="push") == []
    assert api.requests == []


def test_rows_exist_reads_fifty_ids_at_a_time() -> None:
    ids = [record_id_for(f"k{n}") for n in range(120)]
    api = FakeScheduleApi(existing={ids[0], ids[119]})

    found = writer(api).rows_exist("msdyn_projectchecklists", [i.upper() for i in ids])

    filters = [body["$filter"] for name, body in api.requests]
    assert found == {ids[0], ids[119]}
    assert [f.count(" or ") + 1 for f in filters] == [50, 50, 20]
    with pytest.raises(ValueError, match="not the entity set of a scheduling table"):
        writer(api).rows_exist("accounts", ids)
