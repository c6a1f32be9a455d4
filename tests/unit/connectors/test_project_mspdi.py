"""MspdiFileSource: MSPDI files streamed into project and task records, safely."""

from __future__ import annotations

import io
import re
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from connectors.errors import ConnectorConfigError
from connectors.project import MspdiFileSource
from connectors.project.mspdi_reader import MspdiTask, read_mspdi
from connectors.records import RecordPage

NAMESPACE = "http://schemas.microsoft.com/project"
HEADER = {
    "SaveVersion": "14",
    "Name": "grid.xml",
    "Title": "Grid Modernisation",
    "StartDate": "2026-11-02T08:00:00",
    "FinishDate": "2026-11-13T17:00:00",
    "LastSaved": "2026-11-20T09:30:00",
}


def element(name: str, value: Any) -> str:
    return f"<{name}>{value}</{name}>"


def task(uid: int, *, children: str = "", **fields: Any) -> str:
    values = {
        "UID": uid,
        "ID": uid,
        "Name": f"Task {uid}",
        "OutlineLevel": 1,
        "Start": "2026-11-02T08:00:00",
        "Finish": "2026-11-06T17:00:00",
        "Duration": "PT40H0M0S",
        "PercentComplete": 0,
        "Milestone": 0,
        "Summary": 0,
    } | fields
    inner = "".join(element(name, value) for name, value in values.items() if value is not None)
    return f"<Task>{inner}{children}</Task>"


def link(predecessor: int, kind: int = 1, lag: int = 0, lag_format: int = 7) -> str:
    return (
        f"<PredecessorLink><PredecessorUID>{predecessor}</PredecessorUID><Type>{kind}</Type>"
        f"<CrossProject>0</CrossProject><LinkLag>{lag}</LinkLag><LagFormat>{lag_format}</LagFormat>"
        "</PredecessorLink>"
    )


def mspdi(*tasks: str, namespace: str = NAMESPACE, prolog: str = "") -> str:
    header = "".join(element(name, value) for name, value in HEADER.items())
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
        f'<Project xmlns="{namespace}">{header}'
        "<Calendars><Calendar><UID>1</UID><Name>Standard</Name></Calendar></Calendars>"
        f"<Tasks>{''.join(tasks)}</Tasks>"
        "<Resources><Resource><UID>1</UID><Name>Crew</Name></Resource></Resources>"
        "<Assignments><Assignment><UID>1</UID><TaskUID>1</TaskUID></Assignment></Assignments>"
        "</Project>"
    )


def write(folder: Path, text: str, name: str = "grid.xml") -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def source(*paths: str, **options: Any) -> MspdiFileSource:
    return MspdiFileSource(name="mspdi:grid", paths=paths, **options)


def read(path: str, watermark: str | None = None, **options: Any) -> list[RecordPage]:
    return list(source(path, **options).pages(path, watermark))


def payloads(pages: list[RecordPage], record_type: str) -> list[dict[str, Any]]:
    return [dict(r.payload) for p in pages for r in p.records if r.record_type == record_type]


def test_each_task_becomes_a_record_with_typed_fields(tmp_path: Path) -> None:
    path = write(tmp_path, mspdi(task(1, WBS="1.1", PercentComplete=50, Milestone=1)))

    (first,) = payloads(read(path), "mspdi_task")

    assert first == {
        "UID": 1,
        "ID": 1,
        "Name": "Task 1",
        "OutlineLevel": 1,
        "Start": "2026-11-02T08:00:00+00:00",
        "Finish": "2026-11-06T17:00:00+00:00",
        "Duration": "PT40H0M0S",
        "PercentComplete": 50,
        "Milestone": True,
        "Summary": False,
        "WBS": "1.1",
    }


def test_records_are_named_by_file_and_uid_and_dated_by_last_saved(tmp_path: Path) -> None:
    path = write(tmp_path, mspdi(task(7)))

    pages = read(path)

    assert [(r.record_type, r.external_id, r.updated_at) for p in pages for r in p.records] == [
        ("mspdi_task", f"{path}#7", datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
        ("mspdi_project", path, datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
    ]


def test_dates_take_the_configured_time_zone(tmp_path: Path) -> None:
    path = write(tmp_path, mspdi(task(1)))

    pages = read(path, timezone=ZoneInfo("Europe/Berlin"))

    (first,) = payloads(pages, "mspdi_task")
    assert (first["Start"], pages[-1].records[-1].updated_at) == (
        "2026-11-02T08:00:00+01:00",
        datetime(2026, 11, 20, 8, 30, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        (link(1), [{"Type": 1, "TypeName": "FS", "LinkLag": 0, "Lag": "PT0M"}]),
        (
            link(1, kind=3, lag=4800),
            [{"Type": 3, "TypeName": "SS", "LinkLag": 4800, "Lag": "PT480M"}],
        ),
        (
            link(1, kind=0, lag=-45),
            [{"Type": 0, "TypeName": "FF", "LinkLag": -45, "Lag": "-PT4.5M"}],
        ),
        (
            link(1, kind=2, lag=500, lag_format=19),
            [{"Type": 2, "TypeName": "SF", "LinkLag": 500, "Lag": None}],
        ),
    ],
)
def test_predecessor_links_keep_their_type_and_lag(
    tmp_path: Path, links: str, expected: list[dict[str, Any]]
) -> None:
    path = write(tmp_path, mspdi(task(1), task(2, children=links)))

    second = payloads(read(path), "mspdi_task")[1]

    found = [
        {
            key: value
            for key, value in found.items()
            if key in ("Type", "TypeName", "LinkLag", "Lag")
        }
        for found in second["PredecessorLinks"]
    ]
    assert found == expected
    assert second["PredecessorLinks"][0]["PredecessorUID"] == 1


def test_the_project_summary_task_is_folded_into_the_project(tmp_path: Path) -> None:
    summary = task(0, OutlineLevel=0, PercentComplete=20, Summary=1, Name="Grid")
    path = write(tmp_path, mspdi(summary, task(1)))

    pages = read(path)

    (project,) = payloads(pages, "mspdi_project")
    assert [p["UID"] for p in payloads(pages, "mspdi_task")] == [1]
    assert (project["Title"], project["StartDate"], project["SummaryTask"]["PercentComplete"]) == (
        "Grid Modernisation",
        "2026-11-02T08:00:00+00:00",
        20,
    )


def test_only_the_last_page_carries_the_files_hash(tmp_path: Path) -> None:
    path = write(tmp_path, mspdi(*(task(uid) for uid in range(1, 6))))

    pages = read(path, page_size=2)

    assert [len(p.records) for p in pages] == [2, 2, 2]
    assert [p.watermark is not None for p in pages] == [False, False, True]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", pages[-1].watermark or "")
    assert {p.requests for p in pages} == {0}


def test_an_unchanged_file_yields_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, mspdi(task(1)))
    watermark = read(path)[-1].watermark

    assert read(path, watermark) == []


def test_a_changed_file_is_read_whole_and_full_rereads_an_unchanged_one(tmp_path: Path) -> None:
    path = write(tmp_path, mspdi(task(1)))
    watermark = read(path)[-1].watermark
    write(tmp_path, mspdi(task(1), task(2)))

    changed = read(path, watermark)
    forced = list(source(path).pages(path, changed[-1].watermark, full=True))

    assert [p["UID"] for p in payloads(changed, "mspdi_task")] == [1, 2]
    assert changed[-1].watermark != watermark
    assert len(payloads(forced, "mspdi_task")) == 2


XXE = '<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
LAUGHS = '<!DOCTYPE Project [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (mspdi(task(1)).replace("</Tasks>", "</Task>"), "not well-formed XML (mismatched tag"),
        ("", "not well-formed XML (no element found"),
        (mspdi(task(1), namespace="http://example.com/project"), "not MSPDI's {http://schemas"),
        ("<Project><Name>x</Name></Project>", "the root element is Project, not MSPDI's"),
        (mspdi(task(1), prolog=XXE).replace("grid.xml", "&secret;"), "refused: DTDForbidden"),
        (mspdi(task(1), prolog=LAUGHS).replace("grid.xml", "&b;"), "declare no DTD or entities"),
        (
            mspdi(task(1)).replace("2026-11-20T09:30:00", "last week"),
            "header LastSaved: 'last week'",
        ),
    ],
)
def test_a_file_that_is_not_safe_well_formed_mspdi_is_a_configuration_error(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = write(tmp_path, text)

    with pytest.raises(ConnectorConfigError, match=re.escape(problem)) as raised:
        read(path)

    assert raised.value.record == path


def test_a_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    path = str(tmp_path / "gone.xml")

    with pytest.raises(
        ConnectorConfigError, match=re.escape(f"{path}: cannot read the file: no such file")
    ):
        read(path, watermark="sha256:00")


def test_a_directory_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConnectorConfigError, match="cannot read the file: Is a directory"):
        read(str(tmp_path))


def test_a_path_that_is_not_configured_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConnectorConfigError, match="is not one of the configured files"):
        list(source(write(tmp_path, mspdi())).pages("other.xml", None))


def test_scopes_are_the_configured_paths_once_each(tmp_path: Path) -> None:
    assert source("a.xml", "b.xml", "a.xml").scopes() == ["a.xml", "b.xml"]


class CountingStream(io.BytesIO):
    """Counts how far the parser has read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.consumed = 0

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        self.consumed += len(data)
        return data


def test_tasks_are_streamed_before_the_file_is_read_to_its_end() -> None:
    data = mspdi(*(task(uid) for uid in range(1, 3001))).encode()
    stream = CountingStream(data)

    first = next(read_mspdi(stream, zone=UTC))

    assert isinstance(first, MspdiTask)
    assert first.uid == 1
    assert stream.consumed < len(data) // 10


def peak_memory_of_reading(tasks: int) -> int:
    data = mspdi(*(task(uid) for uid in range(1, tasks + 1))).encode()
    tracemalloc.start()
    try:
        for _ in read_mspdi(io.BytesIO(data), zone=UTC):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_the_file_grows() -> None:
    small, large = peak_memory_of_reading(500), peak_memory_of_reading(5000)

    assert large < small * 1.5


def test_repeated_task_parts_become_lists_and_timephased_data_is_left_out(tmp_path: Path) -> None:
    parts = (
        "<ExtendedAttribute><FieldID>188743731</FieldID><Value>North</Value></ExtendedAttribute>"
        "<Baseline><Number>0</Number><Start>2026-11-01T08:00:00</Start>"
        "<Duration>PT32H0M0S</Duration></Baseline>"
        "<TimephasedData><Type>11</Type><UID>1</UID><Value>PT8H0M0S</Value></TimephasedData>"
    )
    path = write(tmp_path, mspdi(task(1, children=parts)))

    (first,) = payloads(read(path), "mspdi_task")

    assert first["ExtendedAttribute"] == [{"FieldID": "188743731", "Value": "North"}]
    assert first["Baseline"] == [
        {"Number": "0", "Start": "2026-11-01T08:00:00+00:00", "Duration": "PT32H0M0S"}
    ]
    assert "TimephasedData" not in first
