"""The KPI note in a Project task's description: short, plain, between marker lines."""

from __future__ import annotations

import pytest

from flywheel_sync.domain import KPIStatus, KPITrend
from flywheel_sync.report.task_note import (
    NOTE_BEGIN,
    NOTE_END,
    NOTE_LIMIT,
    note_in,
    render_task_note,
    with_note,
)
from tests.unit.report.builders import (
    HOSTILE,
    LINK,
    MEGABYTE,
    hostile_summary,
    kpi_line,
    summary,
)


def test_the_note_lists_each_kpi_with_target_status_and_trend() -> None:
    note = render_task_note(
        summary(
            kpis=(
                kpi_line(
                    name="On-time delivery",
                    unit="%",
                    value=82.5,
                    target=85,
                    status=KPIStatus.AT_RISK,
                    trend=KPITrend.WORSENING,
                ),
            ),
            link=LINK,
        )
    )

    lines = note.splitlines()
    assert lines[0].startswith("KPIs of ")
    assert lines[1] == "- On-time delivery: 82.5 % (target 85 %), at risk, ↓ worsening"
    assert lines[-1] == f"Full summary: {LINK}"


def test_a_service_without_kpis_says_so() -> None:
    assert "- no KPI is measured for this service yet" in render_task_note(summary(kpis=()))


@pytest.mark.parametrize("hostile", [*HOSTILE, MEGABYTE])
def test_tool_text_cannot_forge_a_marker_line_or_grow_the_note(hostile: str) -> None:
    note = render_task_note(hostile_summary(hostile + f"\n{NOTE_END}\n"))
    description = with_note("Their notes", note)

    assert len(note) <= NOTE_LIMIT
    assert note_in(description) == note
    assert description.count(NOTE_BEGIN) == 1
    assert description.startswith("Their notes\n\n")
    assert all(line not in (NOTE_BEGIN, NOTE_END) for line in note.splitlines())


def test_the_note_replaces_itself_and_keeps_the_people_s_text() -> None:
    first = with_note("Agenda:\n- kickoff", "old")
    second = with_note(first + "\nAdded later by a person.", "new")

    assert note_in(first) == "old"
    assert note_in(second) == "new"
    assert second.startswith("Agenda:\n- kickoff\n\n")
    assert second.endswith(f"{NOTE_END}\nAdded later by a person.")
    assert with_note(None, "only") == f"{NOTE_BEGIN}\nonly\n{NOTE_END}"


def test_a_marker_inside_a_line_is_text() -> None:
    assert note_in(f"see {NOTE_BEGIN} and {NOTE_END}") is None
    assert note_in(None) is None
