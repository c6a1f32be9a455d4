"""Hostile Dataverse rows and MSPDI tasks: quarantined with their reasons, the read goes on.

Dataverse rows are served by the in-memory Dataverse of ``test_project_dataverse``; MSPDI
tasks are written into a file whose XML stays well-formed (a file that is not is the
file's problem, not one task's: a configuration error, tested there).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.errors import ConnectorError
from connectors.quarantine import excerpt
from connectors.records import RecordPage
from tests.unit.connectors.hostile_records import (
    EVERY_RUN,
    MEGABYTE,
    assert_storable,
    mutated,
)
from tests.unit.connectors.test_project_dataverse import (
    GRID,
    SERVER_TIME,
    FakeDataverse,
    Row,
    checklist,
    demo,
    guid,
    last_watermark,
    read,
    source,
    task,
)
from tests.unit.connectors.test_project_mspdi import mspdi, write
from tests.unit.connectors.test_project_mspdi import read as read_file
from tests.unit.connectors.test_project_mspdi import task as mspdi_task

TASK_KEY, PARENT = "msdyn_projecttaskid", "_msdyn_projecttaskid_value"


class LenientDataverse(FakeDataverse):
    """The in-memory Dataverse, serving rows that lack ``modifiedon`` as null there.

    ``broken``, once set, is the answer to every request.
    """

    broken: httpx.Response | None = None

    def answer(self, request: httpx.Request) -> httpx.Response:
        if self.broken is not None:
            return self.broken
        for rows in self.tables.values():
            for row in rows:
                row.setdefault("modifiedon", None)
        return super().answer(request)


def grid_with(tasks: Sequence[Row] = (), checklists: Sequence[Row] = ()) -> LenientDataverse:
    seeded = demo()
    return LenientDataverse(
        msdyn_projects=seeded.tables["msdyn_projects"],
        msdyn_projecttasks=[*tasks, *seeded.tables["msdyn_projecttasks"]],
        msdyn_projectchecklists=[*checklists, *seeded.tables["msdyn_projectchecklists"]],
    )


def _records(pages: list[RecordPage], record_type: str) -> set[str]:
    return {r.external_id for p in pages for r in p.records if r.record_type == record_type}


def _excerpts(pages: list[RecordPage]) -> set[str]:
    return {entry.excerpt for page in pages for entry in page.quarantined}


def _served(rows: list[Row], project: str) -> list[Row]:
    """The hostile rows a query of the project's finds (the fake matches ids as text)."""
    return [row for row in rows if str(row.get("_msdyn_project_value", "")).casefold() == project]


@settings(EVERY_RUN)
@given(rows=st.lists(mutated(task(90, GRID)), min_size=1, max_size=4))
def test_every_hostile_task_row_is_a_record_or_quarantined(rows: list[Row]) -> None:
    fake = grid_with(tasks=rows)
    reader = source(fake)
    reader.scopes()

    pages = read(reader, "GRID")

    assert_storable(pages)
    stored, quarantined = _records(pages, "project_task"), _excerpts(pages)
    assert guid(2, 1) in stored  # the read went on
    for row in _served(rows, GRID):
        assert str(row.get(TASK_KEY)) in stored or excerpt(row) in quarantined


@settings(EVERY_RUN)
@given(rows=st.lists(mutated(checklist(90, 1, "2026-11-21T10:00:00Z")), min_size=1, max_size=4))
def test_every_hostile_changed_checklist_item_is_a_record_or_quarantined(rows: list[Row]) -> None:
    fake = grid_with()
    reader = source(fake)
    reader.scopes()
    watermark = last_watermark(read(reader, "GRID"))
    changed = [row | {"modifiedon": "2026-11-23T12:30:00Z"} for row in rows]
    fake.tables["msdyn_projectchecklists"] += changed
    fake.tables["msdyn_projectchecklists"].append(checklist(91, 2, "2026-11-23T12:30:00Z"))

    pages = read(reader, "GRID", watermark)

    assert_storable(pages)
    assert guid(3, 91) in _records(pages, "project_checklist_item")


@pytest.mark.parametrize(
    ("broken", "external_id", "reason"),
    [
        ({"modifiedon": None}, guid(2, 1), "project_task has no readable modifiedon (None)"),
        ({"modifiedon": "soon"}, guid(2, 1), "project_task has no readable modifiedon ('soon')"),
        (
            {"modifiedon": "0001-01-01T00:00:00+14:00"},
            guid(2, 1),
            "project_task has no readable modifiedon ('0001-01-01T00:00:00+14:00')",
        ),
        (
            {TASK_KEY: None},
            None,
            f"a project_task row without a readable {TASK_KEY} (None)",
        ),
        (
            {TASK_KEY: "x) or (1 eq 1"},
            "x) or (1 eq 1",
            f"a project_task row without a readable {TASK_KEY} ('x) or (1 eq 1')",
        ),
    ],
)
def test_a_row_without_its_id_or_modification_time_is_quarantined(
    broken: Row, external_id: str | None, reason: str
) -> None:
    fake = grid_with()
    fake.tables["msdyn_projecttasks"][0] |= broken
    reader = source(fake)
    reader.scopes()

    pages = read(reader, "GRID")

    (entry,) = [entry for page in pages for entry in page.quarantined]
    assert (entry.record_type, entry.external_id, entry.reason) == (
        "project_task",
        external_id,
        reason,
    )
    assert {guid(2, n) for n in range(2, 6)} <= _records(pages, "project_task")


def test_a_quarantined_task_s_checklist_items_are_still_read() -> None:
    fake = grid_with()
    fake.tables["msdyn_projecttasks"][0] |= {"modifiedon": "soon"}
    reader = source(fake)
    reader.scopes()

    pages = read(reader, "GRID")

    assert guid(3, 1) in _records(pages, "project_checklist_item")


def test_a_changed_item_whose_task_is_not_an_id_is_quarantined_and_never_queried() -> None:
    fake = grid_with()
    reader = source(fake)
    reader.scopes()
    watermark = last_watermark(read(reader, "GRID"))
    hostile = checklist(90, 1, "2026-11-23T12:30:00Z") | {PARENT: "x) or (1 eq 1"}
    fake.tables["msdyn_projectchecklists"].append(hostile)

    pages = read(reader, "GRID", watermark)

    (entry,) = [entry for page in pages for entry in page.quarantined]
    assert entry.reason == f"its {PARENT} is not a task id ('x) or (1 eq 1')"
    assert not [url for url in fake.requests if "1 eq 1" in str(url)]


def test_a_page_that_is_not_a_value_list_still_fails_the_scope() -> None:
    fake = grid_with()
    reader = source(fake)
    reader.scopes()
    fake.broken = httpx.Response(200, json={"value": "rows"}, headers={"Date": SERVER_TIME})

    with pytest.raises(ConnectorError, match="without a JSON value list"):
        read(reader, "GRID")


# ---------------------------------------------------------------- MSPDI

_XML_TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=["Cc"], exclude_characters="\ufffe\uffff"
    ),
    max_size=20,
)
_FIELD_TEXT = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "one",
            "9" * 5000,
            "2026-13-40T08:00:00",
            "0001-01-01T00:00:00",
            "maybe",
            "40 hours",
            "PT8H0M0S",
            "\u202e\u0301🙂",
            MEGABYTE,
        ]
    ),
    _XML_TEXT,
)
_FIELDS = ("UID", "Name", "Start", "Duration", "Milestone", "PercentComplete", "OutlineLevel")
WITNESS_UID = 424242


@st.composite
def hostile_task(draw: st.DrawFn) -> str:
    """A ``<Task>`` with a few of its fields replaced (or left out)."""
    values: dict[str, Any] = {"UID": draw(st.integers(min_value=2, max_value=5))}
    for name in draw(st.lists(st.sampled_from(_FIELDS), min_size=1, max_size=3, unique=True)):
        values[name] = draw(st.one_of(st.none(), _FIELD_TEXT.map(escape)))  # None: left out
    return mspdi_task(7, **values)


@settings(EVERY_RUN)
@given(tasks=st.lists(hostile_task(), min_size=1, max_size=4))
def test_every_hostile_mspdi_task_is_a_record_or_quarantined(
    tmp_path_factory: pytest.TempPathFactory, tasks: list[str]
) -> None:
    path = write(tmp_path_factory.mktemp("mspdi"), mspdi(*tasks, mspdi_task(WITNESS_UID)))

    pages = read_file(path)

    assert_storable(pages)
    records = [r for p in pages for r in p.records if r.record_type == "mspdi_task"]
    quarantined = [entry for page in pages for entry in page.quarantined]
    assert f"{path}#{WITNESS_UID}" in {record.external_id for record in records}  # it went on
    summaries = sum(1 for text in tasks if re.search(r"<UID>\s*0*\s*</UID>", text))
    assert len(records) + len(quarantined) <= len(tasks) + 1
    assert len(records) + len(quarantined) + summaries >= len(tasks) + 1
    assert (
        pages[-1].watermark is not None
    )  # the file's digest: the quarantine stands till it changes


@pytest.mark.parametrize(
    ("tasks", "external_id", "reason"),
    [
        (
            (mspdi_task(1), mspdi_task(2, Start="2026-13-40T08:00:00")),
            "#2",
            "task UID 2: Start: '2026-13-40T08:00:00' is not a date and time",
        ),
        ((mspdi_task(1, Milestone="maybe"),), "#1", "task UID 1: Milestone: 'maybe' is not 0 or 1"),
        (
            (mspdi_task(3, Duration="40 hours"),),
            "#3",
            "task UID 3: Duration: '40 hours' is not an ISO 8601 duration",
        ),
        ((mspdi_task(1, UID=None),), None, "task task #1 (no UID): no UID"),
        ((mspdi_task(1, UID="one"),), None, "task UID one: UID 'one' is not a whole number"),
        ((mspdi_task(1), mspdi_task(1)), "#1", "task UID 1: this UID appears twice in the file"),
        (
            (mspdi_task(20_000_000), mspdi_task(20_000_000)),
            "#20000000",
            "task UID 20000000: this UID appears twice in the file",
        ),
    ],
)
def test_an_unreadable_mspdi_task_is_quarantined_naming_file_and_uid(
    tmp_path: Path, tasks: tuple[str, ...], external_id: str | None, reason: str
) -> None:
    path = write(tmp_path, mspdi(*tasks, mspdi_task(9)))

    pages = read_file(path)

    (entry,) = [entry for page in pages for entry in page.quarantined]
    expected_id = None if external_id is None else f"{path}{external_id}"
    assert (entry.record_type, entry.external_id, entry.reason) == (
        "mspdi_task",
        expected_id,
        reason,
    )
    assert f"{path}#9" in {r.external_id for p in pages for r in p.records}
