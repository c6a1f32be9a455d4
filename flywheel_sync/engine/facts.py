"""What a work item says about delivery: its dates, state and people, read once, typed.

The mapping stores a work item's values as text under the names its rule gives them
(``attributes``). KPIs and symptom detectors read these names; a rule provides the ones its
tool has (``config/mapping.example.yaml`` shows Jira's and Project's):

==================  ======================================================================
attribute           meaning
==================  ======================================================================
``due``             due date (``YYYY-MM-DD``; a time is cut to its date)
``resolved``        when the work was resolved (Jira ``resolutiondate``)
``started``         when work started (e.g. Jira ``first_change:status``)
``assignee``        who does it (any stable id: Jira ``assignee.accountId``)
``status``          the status name; ``Blocked`` (any case) means blocked
``blocked``         any value but false/no/0 means blocked
``flagged``         same (Jira's ``Flagged`` field holds ``Impediment`` when raised)
``priority_changes``  how often the priority changed (Jira ``changes:priority``)
``sprint_start``    start of the item's sprint (Jira ``Sprint.startDate``)
``baseline_finish`` the baselined finish (Project ``msdyn_baselinefinish``)
``finish``          the current or actual finish (Project ``msdyn_finish``)
``parent``          the item it rolls up into (Project ``_msdyn_parenttask_value``)
==================  ======================================================================

Any other attribute (a CSAT answer, ``project``) is read by the KPI that names it.

The engine derives facts from them, which custom KPI filters (``where``) and aggregations
(``field``) may use like attributes (a fact wins over an attribute of the same name):

==================  ======================================================================
fact                meaning
==================  ======================================================================
``open``            ``true`` unless done: the rule's ``done``, else whether ``resolved`` is
                    set; unknown when the rule reads neither
``on_time``         ``true`` when resolved on or before the due date; ``false`` when
                    resolved later, or not resolved and the due date is before today;
                    unknown before the due date has passed
``late``            the opposite of ``on_time`` (unknown when it is)
``lead_time_days``  ``resolved`` minus creation, in days
``cycle_time_days`` ``resolved`` minus ``started``, in days
``created``         when the record was created (ISO 8601)
==================  ======================================================================

"Today" is the UTC date of ``now``; a resolution date is the date the tool wrote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flywheel_sync.engine.periods import DAY_SECONDS
from flywheel_sync.engine.portfolio import WorkItem

__all__ = ["DERIVED_FACTS", "WorkFacts", "facts_of", "is_yes", "read_moment", "read_number"]

DERIVED_FACTS = frozenset(
    {"open", "on_time", "late", "lead_time_days", "cycle_time_days", "created"}
)
"""The facts the engine derives (module docstring); filters read them like attributes."""

_NO = frozenset({"", "false", "no", "n", "0", "none", "off"})
_JIRA_OFFSET = re.compile(r"([+-]\d\d)(\d\d)$")


def is_yes(text: str | None) -> bool:
    """Whether an attribute's text raises a flag: any value but empty, false, no, 0, none, off."""
    return text is not None and text.strip().casefold() not in _NO


def read_moment(text: str | None) -> datetime | None:
    """An aware datetime from ISO 8601 text (Jira's ``+0000`` too); a bare date is UTC midnight.

    Unreadable text is None: a KPI skips the item rather than failing the whole run.
    """
    if not text:
        return None
    try:
        found = datetime.fromisoformat(_JIRA_OFFSET.sub(r"\1:\2", text.strip()))
    except ValueError:
        return None
    return found if found.utcoffset() is not None else found.replace(tzinfo=UTC)


def read_number(text: str | None) -> float | None:
    """A finite number from text, else None."""
    if text is None:
        return None
    try:
        found = float(text)
    except ValueError:
        return None
    return found if found == found and abs(found) != float("inf") else None


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _days(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / DAY_SECONDS


def _text(value: bool | float | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value)


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkFacts:
    """A work item's attributes read as typed facts (see the module docstring).

    ``None`` always means unknown: the rule does not read it, or the record holds nothing
    readable. ``blocked`` is None when the rule reads none of ``status``, ``blocked`` and
    ``flagged``; ``priority_changes`` when it does not read ``priority_changes``.
    """

    item: WorkItem
    due: date | None
    resolved: datetime | None
    started: datetime | None
    assignee: str | None
    open: bool | None
    blocked: bool | None
    on_time: bool | None
    priority_changes: int | None
    sprint_start: datetime | None
    baseline_finish: datetime | None
    finish: datetime | None
    parent: str | None

    @property
    def created(self) -> datetime | None:
        """When the record was created."""
        return self.item.created

    @property
    def lead_time_days(self) -> float | None:
        """Days from creation to resolution."""
        return _days(self.created, self.resolved)

    @property
    def cycle_time_days(self) -> float | None:
        """Days from the start of work to resolution."""
        return _days(self.started, self.resolved)

    @property
    def late(self) -> bool | None:
        """Whether the due date was missed (unknown while it is not decided)."""
        return None if self.on_time is None else not self.on_time

    def derived(self) -> Mapping[str, str | None]:
        """The derived facts as text, for filters."""
        return {name: _text(getattr(self, name)) for name in DERIVED_FACTS}

    def value(self, name: str) -> str | None:
        """The text of a fact or attribute (facts first); None when unknown."""
        if name in DERIVED_FACTS:
            return _text(getattr(self, name))
        return self.item.attributes.get(name)

    def number(self, name: str) -> float | None:
        """A fact or attribute as a number (``lead_time_days``, a CSAT answer), else None."""
        if name == "lead_time_days":
            return self.lead_time_days
        if name == "cycle_time_days":
            return self.cycle_time_days
        return read_number(self.item.attributes.get(name))

    def moment(self, name: str) -> datetime | None:
        """A fact or attribute as an aware time (``due``, ``resolved``, ``created``), else None."""
        if name == "created":
            return self.created
        return read_moment(self.item.attributes.get(name))

    def reads(self, name: str) -> bool:
        """Whether the item's rule reads the attribute ``name`` (even if it holds nothing)."""
        return name in self.item.attributes


def _open(item: WorkItem, resolved: datetime | None) -> bool | None:
    if item.done is not None:
        return not item.done
    if "resolved" in item.attributes:
        return resolved is None
    return None


def _blocked(attributes: Mapping[str, str | None]) -> bool | None:
    if not {"status", "blocked", "flagged"} & attributes.keys():
        return None
    status = (attributes.get("status") or "").strip().casefold()
    return (
        status == "blocked"
        or is_yes(attributes.get("blocked"))
        or is_yes(attributes.get("flagged"))
    )


def _on_time(
    due: date | None, resolved: datetime | None, is_open: bool | None, today: date
) -> bool | None:
    if due is None:
        return None
    if resolved is not None:
        return resolved.date() <= due
    if is_open is False:
        return None  # done, but the rule does not say when
    return None if due >= today else False


def _count(attributes: Mapping[str, str | None], name: str) -> int | None:
    if name not in attributes:
        return None
    found = read_number(attributes[name])
    return int(found) if found is not None else 0


def facts_of(item: WorkItem, *, now: datetime) -> WorkFacts:
    """Read ``item``'s attributes as facts, deciding deadlines as of ``now`` (aware)."""
    attributes = item.attributes
    resolved = read_moment(attributes.get("resolved"))
    due = _date(attributes.get("due"))
    is_open = _open(item, resolved)
    return WorkFacts(
        item=item,
        due=due,
        resolved=resolved,
        started=read_moment(attributes.get("started")),
        assignee=(attributes.get("assignee") or "").strip() or None,
        open=is_open,
        blocked=_blocked(attributes),
        on_time=_on_time(due, resolved, is_open, now.astimezone(UTC).date()),
        priority_changes=_count(attributes, "priority_changes"),
        sprint_start=read_moment(attributes.get("sprint_start")),
        baseline_finish=read_moment(attributes.get("baseline_finish")),
        finish=read_moment(attributes.get("finish")),
        parent=(attributes.get("parent") or "").strip() or None,
    )
