"""DataverseSource against the sandbox's Dataverse: full reads, incremental reads, trouble."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from connectors.errors import AuthenticationError, ConnectorConfigError
from connectors.project import DataverseSource
from connectors.records import RecordPage
from connectors.retry import RetryPolicy
from flywheel_sync.sandbox.server import SandboxServer
from flywheel_sync.sandbox.services import SandboxCredentials

CREDENTIALS = SandboxCredentials()
FAST = RetryPolicy(sleep=lambda seconds: None, max_attempts=8)
ROOT = "/dataverse/api/data/v9.2"
TASK = "Microsoft.Dynamics.CRM.msdyn_projecttask"
CHECKLIST = "Microsoft.Dynamics.CRM.msdyn_projectchecklist"
Key = tuple[str, str]
EVERY_PROJECT = ("GRID", "HRX", "PMO Engagements")
"""The sandbox's projects: the two delivery schedules and the one hosting engagements."""


def dataverse(sandbox: SandboxServer, *projects: str, **options: Any) -> DataverseSource:
    settings: dict[str, Any] = {
        "token": CREDENTIALS.dataverse_token,
        "retry": FAST,
        "page_size": 50,
    } | options
    return DataverseSource(
        name="project:sandbox",
        environment_url=f"{sandbox.url}/dataverse",
        projects=projects or EVERY_PROJECT,
        **settings,
    )


class Pull:
    """Reads every scope of a source the way the pull runner does, keeping the watermarks."""

    def __init__(self) -> None:
        self.watermarks: dict[str, str | None] = {}

    def run(self, source: DataverseSource, *, full: bool = False) -> dict[str, list[RecordPage]]:
        pages: dict[str, list[RecordPage]] = {}
        for scope in source.scopes():
            pages[scope] = list(source.pages(scope, self.watermarks.get(scope), full=full))
            for page in pages[scope]:
                if page.watermark is not None:
                    self.watermarks[scope] = page.watermark
        return pages


def keys(pages: list[RecordPage]) -> list[Key]:
    return [(r.record_type, r.external_id) for page in pages for r in page.records]


def every_key(pages: dict[str, list[RecordPage]]) -> list[Key]:
    return [key for scope_pages in pages.values() for key in keys(scope_pages)]


def seeded(sandbox: SandboxServer) -> Counter[str]:
    rows = sandbox.state.organisation.project
    return Counter(
        {
            "project": len(rows.projects),
            "project_bucket": len(rows.buckets),
            "project_task": len(rows.tasks),
            "project_checklist_item": len(rows.checklists),
        }
    )


def list_requests(sandbox: SandboxServer) -> Counter[str]:
    counted = requests.get(f"{sandbox.url}/_sandbox/stats", timeout=10).json()["requests"]
    return Counter({route: n for route, n in counted.items() if route.startswith(f"GET {ROOT}")})


def set_faults(sandbox: SandboxServer, **knobs: Any) -> None:
    requests.post(f"{sandbox.url}/_sandbox/faults", json=knobs, timeout=10).raise_for_status()


def execute(sandbox: SandboxServer, project_id: str, updates: list[dict[str, Any]]) -> None:
    """Update rows through the Project Schedule API, as a licensed user would."""
    response = requests.post(
        f"{sandbox.url}{ROOT}/msdyn_ExecuteOperationSetV3",
        json={"ProjectId": project_id, "UpdateEntityCollection": updates},
        headers={"Authorization": f"Bearer {CREDENTIALS.dataverse_token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def source(sandbox: SandboxServer) -> Iterator[DataverseSource]:
    with dataverse(sandbox) as reader:
        yield reader


def test_a_full_read_yields_every_seeded_row_once(
    sandbox: SandboxServer, source: DataverseSource
) -> None:
    found = every_key(Pull().run(source))

    assert Counter(record_type for record_type, _ in found) == seeded(sandbox)
    assert len(found) == len(set(found))


def test_records_carry_the_rows_etags_and_aware_modification_times(
    source: DataverseSource,
) -> None:
    pages = Pull().run(source)

    records = [r for scope_pages in pages.values() for p in scope_pages for r in p.records]
    assert all(str(r.payload["@odata.etag"]).startswith('W/"') for r in records)
    assert all(r.updated_at is not None and r.updated_at.utcoffset() is not None for r in records)


def test_a_second_read_with_nothing_changed_yields_nothing_within_the_budget(
    sandbox: SandboxServer, source: DataverseSource
) -> None:
    pull = Pull()
    pull.run(source)
    before = list_requests(sandbox)

    with dataverse(sandbox) as again:
        pages = pull.run(again)

    spent = list_requests(sandbox) - before
    assert every_key(pages) == []
    # One list request per table per project; the projects come with the name resolution.
    projects = len(EVERY_PROJECT)
    assert spent == Counter(
        {
            f"GET {ROOT}/msdyn_projects": 1,
            f"GET {ROOT}/msdyn_projectbuckets": projects,
            f"GET {ROOT}/msdyn_projecttasks": projects,
            f"GET {ROOT}/msdyn_projectchecklists": projects,
        }
    )
    assert (
        sum(p.requests for scope_pages in pages.values() for p in scope_pages) == 1 + 3 * projects
    )


def test_rows_updated_through_the_schedule_api_are_read_and_nothing_else(
    sandbox: SandboxServer, source: DataverseSource
) -> None:
    pull = Pull()
    pull.run(source)
    rows = sandbox.state.organisation.project
    by_subject = {p["msdyn_subject"]: p["msdyn_projectid"] for p in rows.projects}
    grid, hrx = by_subject["GRID"], by_subject["HRX"]
    grid_tasks = [t["msdyn_projecttaskid"] for t in rows.tasks if t["_msdyn_project_value"] == grid]
    hrx_task = next(
        t["msdyn_projecttaskid"] for t in rows.tasks if t["_msdyn_project_value"] == hrx
    )
    item = next(c for c in rows.checklists if c["_msdyn_projecttaskid_value"] in grid_tasks)
    changed_item = {
        "@odata.type": CHECKLIST,
        "msdyn_projectchecklistid": item["msdyn_projectchecklistid"],
        "msdyn_projectchecklistcompleted": not item["msdyn_projectchecklistcompleted"],
    }
    progress = [
        {"@odata.type": TASK, "msdyn_projecttaskid": task_id, "msdyn_progress": 0.5}
        for task_id in (*grid_tasks[3:5], hrx_task)
    ]
    execute(sandbox, grid, [*progress[:2], changed_item])
    execute(sandbox, hrx, progress[2:])

    with dataverse(sandbox) as again:
        pages = pull.run(again)

    assert sorted(keys(pages["GRID"])) == sorted(
        [
            ("project_checklist_item", item["msdyn_projectchecklistid"]),
            ("project_task", grid_tasks[3]),
            ("project_task", grid_tasks[4]),
        ]
    )
    assert keys(pages["HRX"]) == [("project_task", hrx_task)]
    assert keys(pages["PMO Engagements"]) == []
    with dataverse(sandbox) as third:
        assert every_key(pull.run(third)) == []


def test_a_read_resumed_from_any_stored_page_misses_nothing_and_repeats_nothing(
    sandbox: SandboxServer,
) -> None:
    with dataverse(sandbox, "GRID", page_size=20) as reader:
        reader.scopes()
        pages = list(reader.pages("GRID", None))
    stored = [i for i, p in enumerate(pages) if p.watermark is not None]
    crash_after = stored[len(stored) // 2]

    with dataverse(sandbox, "GRID", page_size=20) as resumed:
        resumed.scopes()
        rest = keys(list(resumed.pages("GRID", pages[crash_after].watermark)))

    before_crash = keys(pages[: crash_after + 1])
    assert sorted(before_crash + rest) == sorted(keys(pages))


def test_reads_complete_with_faults_injected(sandbox: SandboxServer) -> None:
    set_faults(sandbox, fault_rate=0.1)

    with dataverse(sandbox, page_size=10) as reader:
        found = every_key(Pull().run(reader))

    stats = requests.get(f"{sandbox.url}/_sandbox/stats", timeout=10).json()
    assert stats["faults"] > 0
    assert Counter(record_type for record_type, _ in found) == seeded(sandbox)


def test_reads_complete_under_a_rate_limit(sandbox: SandboxServer) -> None:
    # 10/s with a burst of 1 throttles for certain (local requests take milliseconds); waiting
    # 0.12 s per retry always finds a refilled token.
    set_faults(sandbox, rate_limit=10, burst=1)
    waiting = RetryPolicy(sleep=lambda seconds: time.sleep(0.12), max_attempts=8)

    with dataverse(sandbox, retry=waiting) as reader:
        found = every_key(Pull().run(reader))

    stats = requests.get(f"{sandbox.url}/_sandbox/stats", timeout=10).json()
    assert stats["throttled"] > 0
    assert Counter(record_type for record_type, _ in found) == seeded(sandbox)


def test_an_unknown_project_fails_its_scope_and_the_others_are_read(
    sandbox: SandboxServer,
) -> None:
    with dataverse(sandbox, "GRID", "Meters") as reader:
        scopes = reader.scopes()
        with pytest.raises(ConnectorConfigError, match="Meters: no project has this msdyn_subject"):
            list(reader.pages("Meters", None))
        grid = keys(list(reader.pages("GRID", None)))

    assert scopes == ["GRID", "Meters"]
    assert grid[0][0] == "project"


def test_a_project_created_through_the_schedule_api_is_found_by_id(
    sandbox: SandboxServer,
) -> None:
    created = requests.post(
        f"{sandbox.url}{ROOT}/msdyn_CreateProjectV1",
        json={
            "Project": {
                "@odata.type": "Microsoft.Dynamics.CRM.msdyn_project",
                "msdyn_subject": "Meters",
            }
        },
        headers={"Authorization": f"Bearer {CREDENTIALS.dataverse_token}"},
        timeout=10,
    ).json()["ProjectId"]

    with dataverse(sandbox, created) as reader:
        found = keys(list(reader.pages(created, None)))

    assert [record_type for record_type, _ in found] == ["project", "project_bucket"]


def test_a_refused_token_is_an_authentication_error(sandbox: SandboxServer) -> None:
    with (
        dataverse(sandbox, token="not-the-token") as reader,
        pytest.raises(AuthenticationError, match="answered 401"),
    ):
        reader.scopes()
