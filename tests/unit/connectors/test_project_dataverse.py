"""DataverseSource against a small in-memory Dataverse: scoping, watermarks, request shapes."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from connectors.errors import ConnectorConfigError
from connectors.project import DataverseSource
from connectors.records import RecordPage
from connectors.retry import RetryPolicy

GRID = "0f5c1a8e-0000-4000-8000-000000000001"
HRX = "0f5c1a8e-0000-4000-8000-000000000002"
SERVER_TIME = "Mon, 23 Nov 2026 12:00:00 GMT"
_versions = itertools.count(1000)
Row = dict[str, Any]


def guid(kind: int, number: int) -> str:
    return f"{kind:08x}-0000-4000-8000-{number:012x}"


def stamp(row: Row, modified: str) -> Row:
    """The row in a new version, changed at ``modified``."""
    columns = {name: value for name, value in row.items() if name != "@odata.etag"}
    return {"@odata.etag": f'W/"{next(_versions)}"', **columns, "modifiedon": modified}


def project(project_id: str, subject: str, modified: str = "2026-11-20T10:00:00Z") -> Row:
    return stamp({"msdyn_projectid": project_id, "msdyn_subject": subject}, modified)


def task(number: int, project_id: str, modified: str = "2026-11-20T10:00:00Z") -> Row:
    row = {"msdyn_projecttaskid": guid(2, number), "_msdyn_project_value": project_id}
    return stamp(row, modified)


def checklist(number: int, task_number: int, modified: str = "2026-11-20T10:00:00Z") -> Row:
    row = {
        "msdyn_projectchecklistid": guid(3, number),
        "msdyn_name": f"Item {number}",
        "_msdyn_projecttaskid_value": guid(2, task_number),
    }
    return stamp(row, modified)


class FakeDataverse:
    """Answers the reader's queries from rows in memory, filtering as far as it asks.

    Conditions on one column are alternatives (``or``), on different columns all must hold
    (``and``), except for projects, where the name resolution ``or``s ids and names.
    """

    def __init__(self, **tables: list[Row]) -> None:
        self.tables: dict[str, list[Row]] = {"msdyn_projectbuckets": [], **tables}
        self.requests: list[httpx.URL] = []

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.answer)

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url)
        entity_set = request.url.path.rsplit("/", 1)[-1]
        text = request.url.params.get("$filter", "")
        rows = [r for r in self.tables.get(entity_set, []) if _matches(entity_set, r, text)]
        if "modifiedon" in request.url.params.get("$orderby", ""):
            rows.sort(key=lambda r: str(r["modifiedon"]))
        return httpx.Response(200, json={"value": rows}, headers={"Date": SERVER_TIME})

    def queries(self, entity_set: str) -> list[dict[str, str]]:
        return [dict(u.params) for u in self.requests if u.path.endswith(f"/{entity_set}")]


def _matches(entity_set: str, row: Row, text: str) -> bool:
    wanted: dict[str, set[str]] = {}
    for column, value in re.findall(r"(\w+) eq ('[^']*'|[\w-]+)", text):
        wanted.setdefault(column, set()).add(value.strip("'").casefold())
    since = re.search(r"modifiedon ge (\S+)", text)
    if since and str(row["modifiedon"]) < since.group(1):
        return False
    tests = [str(row.get(column, "")).casefold() in values for column, values in wanted.items()]
    if entity_set == "msdyn_projects":
        return any(tests)
    return all(tests)


def source(fake: FakeDataverse, *projects: str, **options: Any) -> DataverseSource:
    return DataverseSource(
        name="project:test",
        environment_url="https://org.crm.dynamics.com",
        token="token",
        projects=projects or ("GRID",),
        retry=RetryPolicy(sleep=lambda seconds: None, max_attempts=2),
        transport=fake.transport(),
        **options,
    )


def demo() -> FakeDataverse:
    return FakeDataverse(
        msdyn_projects=[project(GRID, "GRID"), project(HRX, "HRX")],
        msdyn_projecttasks=[task(n, GRID) for n in range(1, 6)] + [task(9, HRX)],
        msdyn_projectchecklists=[checklist(1, 1), checklist(2, 5), checklist(9, 9)],
    )


def read(reader: DataverseSource, scope: str, watermark: str | None = None) -> list[RecordPage]:
    return list(reader.pages(scope, watermark))


def records(pages: list[RecordPage]) -> list[tuple[str, str]]:
    return [(r.record_type, r.external_id) for p in pages for r in p.records]


def last_watermark(pages: list[RecordPage], previous: str | None = None) -> str | None:
    marks = [p.watermark for p in pages if p.watermark is not None]
    return marks[-1] if marks else previous


def test_a_full_read_yields_the_project_its_tasks_and_their_checklist_items() -> None:
    reader = source(demo())
    reader.scopes()

    found = records(read(reader, "GRID"))

    assert found == [
        ("project", GRID),
        *[("project_task", guid(2, n)) for n in range(1, 6)],
        ("project_checklist_item", guid(3, 1)),
        ("project_checklist_item", guid(3, 2)),
    ]


def test_payloads_are_the_rows_as_returned_with_their_etags() -> None:
    fake = demo()
    reader = source(fake)

    pages = read(reader, "GRID")

    first_task = next(r for p in pages for r in p.records if r.record_type == "project_task")
    assert first_task.payload == fake.tables["msdyn_projecttasks"][0]
    assert first_task.updated_at is not None
    assert first_task.updated_at.utcoffset() == timedelta(0)


def test_checklist_items_are_asked_for_by_or_chains_of_task_ids() -> None:
    fake = demo()

    read(source(fake, id_batch=2), "GRID")

    filters = [q["$filter"] for q in fake.queries("msdyn_projectchecklists")]
    of_task = "_msdyn_projecttaskid_value eq {}".format
    assert filters == [
        f"({of_task(guid(2, 1))} or {of_task(guid(2, 2))})",
        f"({of_task(guid(2, 3))} or {of_task(guid(2, 4))})",
        f"({of_task(guid(2, 5))})",
    ]


def test_tables_ordered_by_change_ask_for_their_project_oldest_change_first() -> None:
    fake = demo()

    read(source(fake), "GRID")

    (tasks,) = fake.queries("msdyn_projecttasks")
    assert (tasks["$filter"], tasks["$orderby"]) == (
        f"_msdyn_project_value eq {GRID}",
        "modifiedon asc,msdyn_projecttaskid asc",
    )


def test_configured_columns_replace_the_defaults_but_keep_keys_and_lookups() -> None:
    fake = demo()

    read(source(fake, columns={"project_task": ["msdyn_subject"]}), "GRID")

    (tasks,) = fake.queries("msdyn_projecttasks")
    assert tasks["$select"] == "msdyn_projecttaskid,modifiedon,_msdyn_project_value,msdyn_subject"


def test_columns_for_an_unknown_record_type_are_refused() -> None:
    with pytest.raises(ConnectorConfigError, match=r"unknown record types \['task'\]"):
        source(demo(), columns={"task": ["msdyn_subject"]})


def test_every_configured_project_is_resolved_in_one_request() -> None:
    fake = demo()
    reader = source(fake, "GRID", HRX.upper())

    assert reader.scopes() == ["GRID", HRX.upper()]
    assert fake.queries("msdyn_projects")[0]["$filter"] == (
        f"msdyn_subject eq 'GRID' or msdyn_projectid eq {HRX}"
    )
    assert records(read(reader, HRX.upper()))[:2] == [
        ("project", HRX),
        ("project_task", guid(2, 9)),
    ]
    assert len(fake.queries("msdyn_projects")) == 1


@pytest.mark.parametrize(
    ("reference", "problem"),
    [
        ("NOPE", "project:test NOPE: no project has this msdyn_subject (name) in the environment"),
        (
            "0f5c1a8e-0000-4000-8000-00000000000f",
            "no project has this id in the environment",
        ),
        ("twin", f"2 projects are named 'twin' ({GRID}, {HRX}); configure one by id"),
    ],
)
def test_a_project_that_cannot_be_found_fails_its_own_scope_only(
    reference: str, problem: str
) -> None:
    fake = FakeDataverse(
        msdyn_projects=[project(GRID, "Twin"), project(HRX, "TWIN")],
        msdyn_projecttasks=[],
        msdyn_projectchecklists=[],
    )
    reader = source(fake, reference, GRID)
    reader.scopes()

    with pytest.raises(ConnectorConfigError, match=re.escape(problem)):
        read(reader, reference)
    assert records(read(reader, GRID)) == [("project", GRID)]


def test_a_scope_that_is_not_configured_is_refused() -> None:
    with pytest.raises(ConnectorConfigError, match="HRX: is not one of the configured projects"):
        read(source(demo()), "HRX")


def test_a_second_read_with_nothing_changed_yields_nothing_in_one_request_per_table() -> None:
    fake = demo()
    first = read(source(fake), "GRID")
    fake.requests.clear()

    second = read(source(fake), "GRID", last_watermark(first))

    assert records(second) == []
    assert [p.watermark for p in second] == [None]
    assert sum(p.requests for p in second) == len(fake.requests) == 4
    tasks = fake.queries("msdyn_projecttasks")[0]["$filter"]
    assert tasks == f"_msdyn_project_value eq {GRID} and modifiedon ge 2026-11-20T09:55:00Z"


def test_rows_changed_since_the_watermark_are_read_again_and_only_they() -> None:
    fake = demo()
    watermark = last_watermark(read(source(fake), "GRID"))
    tasks = fake.tables["msdyn_projecttasks"]
    tasks[2] = stamp(tasks[2], "2026-11-21T08:00:00Z")
    tasks[3] = stamp(tasks[3], "2026-11-20T10:00:00Z")  # same time, new version

    found = records(read(source(fake), "GRID", watermark))

    assert found == [("project_task", guid(2, 4)), ("project_task", guid(2, 3))]


def test_changed_checklist_items_of_other_projects_are_left_out() -> None:
    fake = demo()
    watermark = last_watermark(read(source(fake), "GRID"))
    items = fake.tables["msdyn_projectchecklists"]
    items[1] = stamp(items[1], "2026-11-23T12:30:00Z")
    items[2] = stamp(items[2], "2026-11-23T12:30:00Z")
    fake.requests.clear()

    pages = read(source(fake), "GRID", watermark)

    assert records(pages) == [("project_checklist_item", guid(3, 2))]
    membership = fake.queries("msdyn_projecttasks")[-1]["$filter"]
    # Task 5 came back with the tasks at the edge: only task 9 is looked up.
    assert membership == f"_msdyn_project_value eq {GRID} and (msdyn_projecttaskid eq {guid(2, 9)})"
    fake.requests.clear()
    assert records(read(source(fake), "GRID", last_watermark(pages, watermark))) == []
    assert len(fake.requests) == 4


def test_a_full_read_marks_checklist_items_at_the_services_clock_on_its_last_page() -> None:
    pages = read(source(demo()), "GRID")

    marks = [json.loads(p.watermark)["tables"] for p in pages if p.watermark]
    assert "project_checklist_item" not in marks[-2]
    assert marks[-1]["project_checklist_item"]["at"] == "2026-11-23T12:00:00Z"


def test_a_read_resumed_after_the_tasks_lists_the_task_ids_for_the_checklist_items() -> None:
    fake = demo()
    pages = read(source(fake), "GRID")
    after_tasks = next(
        p.watermark
        for p in pages
        if p.watermark and "project_task" in json.loads(p.watermark)["tables"]
    )
    fake.requests.clear()

    resumed = records(read(source(fake), "GRID", after_tasks))

    assert resumed == [
        ("project_checklist_item", guid(3, 1)),
        ("project_checklist_item", guid(3, 2)),
    ]
    assert fake.queries("msdyn_projecttasks")[-1] == {
        "$select": "msdyn_projecttaskid",
        "$filter": f"_msdyn_project_value eq {GRID}",
    }


def test_full_ignores_the_watermark() -> None:
    fake = demo()
    watermark = last_watermark(read(source(fake), "GRID"))

    again = list(source(fake).pages("GRID", watermark, full=True))

    assert len(records(again)) == 8


def test_pages_account_for_every_request_including_name_resolution() -> None:
    fake = demo()
    reader = source(fake, "GRID", "HRX")
    scopes = reader.scopes()

    pages = [p for scope in scopes for p in read(reader, scope)]

    assert sum(p.requests for p in pages) == len(fake.requests)


def test_the_source_closes_its_connections_as_a_context_manager() -> None:
    with source(demo()) as reader:
        pages: Iterator[RecordPage] = reader.pages("GRID", None)
        assert next(pages).records[0].record_type == "project"


@pytest.mark.parametrize(
    "options", [{"id_batch": 0}, {"page_size": 0}, {"lookback": timedelta(minutes=-1)}]
)
def test_limits_that_cannot_work_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ConnectorConfigError, match="must be at least 1, lookback not negative"):
        source(demo(), **options)
