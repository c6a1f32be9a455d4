"""A KPI summary as a short plain-text note in a Microsoft Project task's description.

Project users see a task's notes in the task details pane: plain text, no markup. The note is
short (the service's KPIs, the period, a link to the full page) and holds no dates that move
every day, so an unchanged organisation writes it once a period. It lives between two marker
lines inside the description, so whatever people wrote around it stays theirs:

    <their text>

    [flywheel-sync KPI summary]
    KPIs of Project Health Checks, November 2026:
    - On-time delivery: 82.5 % (target 85 %), at risk, ↓ worsening
    Full summary: https://…
    [/flywheel-sync KPI summary]

Tool text is cleaned to one printable line per value (`clean_text`), so a name cannot forge a
marker line or smuggle control characters.
"""

from __future__ import annotations

import re
from typing import Final

from flywheel_sync.report.escaping import clean_text, shorten
from flywheel_sync.report.summary import KPISummary
from flywheel_sync.report.wording import (
    kpi_name,
    status_words,
    subject_name,
    trend_words,
    value_text,
)

__all__ = ["NOTE_BEGIN", "NOTE_END", "NOTE_LIMIT", "note_in", "render_task_note", "with_note"]

NOTE_BEGIN: Final = "[flywheel-sync KPI summary]"
NOTE_END: Final = "[/flywheel-sync KPI summary]"
NOTE_LIMIT: Final = 1500
"""Characters of a note at most: the notes field is shared with people (Dataverse caps it at
a few thousand), and a glance is what it is for; the link leads to the rest."""
_LINE_LIMIT: Final = 200


def render_task_note(summary: KPISummary) -> str:
    """The note's lines (markers excluded) for the task of one of ``summary``'s engagements."""
    lines = [f"KPIs of {subject_name(summary)}, {clean_text(summary.period_label)}:"]
    for line in summary.kpis:
        figure = value_text(line.value, line.unit)
        if line.target is not None:
            figure += f" (target {value_text(line.target, line.unit)})"
        words = [status_words(line)]
        if line.trend is not None:
            words.append(trend_words(line.trend, line.direction))
        lines.append(shorten(f"- {kpi_name(line)}: {figure}, {', '.join(words)}", _LINE_LIMIT))
    if len(lines) == 1:
        lines.append("- no KPI is measured for this service yet")
    if summary.link:
        lines.append(f"Full summary: {summary.link}")
    text = "\n".join(lines)
    return shorten(text, NOTE_LIMIT - len(NOTE_BEGIN) - len(NOTE_END) - 2)


_BLOCK: Final = re.compile(
    rf"^{re.escape(NOTE_BEGIN)}[ \t]*\r?\n(?P<note>.*?)\r?\n{re.escape(NOTE_END)}[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
"""The note: the markers on lines of their own (a marker inside a line is text, not a marker)."""


def note_in(description: str | None) -> str | None:
    """The note inside ``description`` (between the marker lines), or None when there is none."""
    found = _BLOCK.search(description or "")
    return None if found is None else found.group("note")


def with_note(description: str | None, note: str) -> str:
    """``description`` with its note replaced by ``note`` (appended when it has none)."""
    block = f"{NOTE_BEGIN}\n{note}\n{NOTE_END}"
    text = description or ""
    found = _BLOCK.search(text)
    if found is not None:
        return text[: found.start()] + block + text[found.end() :]
    return f"{text.rstrip()}\n\n{block}" if text.strip() else block
