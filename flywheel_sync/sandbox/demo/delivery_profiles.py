"""How each delivery project behaves: its volume, its symptom, and its sprint calendar.

The symptoms the diagnosis should find are planted here as shares well past the example
mapping's thresholds, while every other project stays well below them:

====  ==================================================  ===========  =========
key   symptom                                             planted      others
====  ==================================================  ===========  =========
REG   missed deadlines: late share of issues with a due   0.42         ≤ 0.12
CSV   priority churn: priority changes per issue          ≈ 2.5        ≈ 0.1
CSV   overload: three analysts with 17, 14, 12 open items > 8          ≤ 5
DIGI  blocked work: share of open issues blocked/flagged  0.32         ≤ 0.05
FIN   scope churn: sprint issues created after sprint     0.42         ≤ 0.10
      start
====  ==================================================  ===========  =========
"""

import time
from dataclasses import dataclass

from flywheel_sync.sandbox.demo.jira_model import JsonObject
from flywheel_sync.sandbox.demo.timeline import DAY, HOUR

__all__ = ["PROFILES", "SPRINT_DAYS", "DeliveryProfile", "Sprint", "sprint_calendar"]

SPRINT_DAYS = 14
_PAST_SPRINTS = 26


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryProfile:
    """A delivery project's volume at scale 1 and the shares that shape its issues.

    Attributes:
        late_share: Of the issues with a due date, the share resolved after it or still open
            past it.
        churn_counts: Priority changes per issue are drawn from this tuple (all zero except
            for a ``churn_share`` of issues, which get one change, when empty).
        blocked_share: Of the open issues, the share that is Blocked or flagged "Impediment".
        blocked_history_share: Of the done issues, the share that was blocked for a while.
        added_share: Of the issues in started sprints, the share created after the sprint began.
        overloaded: Cast keys of assignees and the open items each is loaded with.
    """

    project_key: str
    customer_id: str
    base_issues: int
    late_share: float
    blocked_share: float
    added_share: float
    churn_share: float = 0.1
    churn_counts: tuple[int, ...] = ()
    blocked_history_share: float = 0.03
    overloaded: tuple[tuple[str, int], ...] = ()
    work: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


PROFILES: tuple[DeliveryProfile, ...] = (
    DeliveryProfile(
        project_key="GRID",
        customer_id="grid-ops",
        base_issues=800,
        late_share=0.1,
        blocked_share=0.04,
        added_share=0.08,
        work=(
            "Replace protection relays at {place}",
            "Survey the {place} substation",
            "Upgrade SCADA telemetry for {place}",
            "Plan the outage window for {place}",
            "Fix alarm flooding in the {place} control room",
        ),
        places=(
            "Northgate",
            "Riverside",
            "Eastfield",
            "Hollybank",
            "Westmoor",
            "Kingsbridge",
            "Ashford",
            "Millbrook",
        ),
        labels=("substation", "scada", "outage", "safety"),
    ),
    DeliveryProfile(
        project_key="DIGI",
        customer_id="digital-channels",
        base_issues=600,
        late_share=0.12,
        blocked_share=0.32,
        blocked_history_share=0.35,
        added_share=0.1,
        work=(
            "Redesign the {place} journey in the app",
            "Integrate the vendor API for {place}",
            "Fix the crash on the {place} screen",
            "A/B test the {place} page",
            "Accessibility review of {place}",
        ),
        places=(
            "billing",
            "outage map",
            "meter reading",
            "moving home",
            "payment plan",
            "sign-in",
            "usage insights",
        ),
        labels=("app", "web", "vendor-api", "ux"),
    ),
    DeliveryProfile(
        project_key="FIN",
        customer_id="finance",
        base_issues=500,
        late_share=0.1,
        blocked_share=0.03,
        added_share=0.42,
        work=(
            "Migrate the {place} ledger",
            "Reconcile {place} balances after cut-over",
            "Automate the {place} month-end report",
            "Add a {place} approval step",
            "Fix rounding in {place} invoices",
        ),
        places=(
            "accounts payable",
            "fixed assets",
            "treasury",
            "payroll",
            "capital projects",
            "receivables",
        ),
        labels=("ledger", "reporting", "controls"),
    ),
    DeliveryProfile(
        project_key="HRX",
        customer_id="hr-transformation",
        base_issues=450,
        late_share=0.09,
        blocked_share=0.04,
        added_share=0.09,
        work=(
            "Configure {place} in the new HR system",
            "Migrate {place} records",
            "Write the {place} policy guide",
            "Train managers on {place}",
            "Test the {place} workflow",
        ),
        places=(
            "leave booking",
            "onboarding",
            "performance review",
            "payroll interface",
            "recruitment",
            "learning",
        ),
        labels=("hr-system", "policy", "training"),
    ),
    DeliveryProfile(
        project_key="REG",
        customer_id="regulatory-affairs",
        base_issues=400,
        late_share=0.42,
        blocked_share=0.05,
        added_share=0.07,
        work=(
            "Submit the {place} filing to the regulator",
            "Answer the regulator's {place} information request",
            "Prepare evidence for the {place} audit",
            "Draft the {place} consultation response",
            "Publish the {place} compliance statement",
        ),
        places=(
            "network resilience",
            "customer vulnerability",
            "connections",
            "tariff",
            "data assurance",
            "outage reporting",
        ),
        labels=("filing", "audit", "consultation"),
    ),
    DeliveryProfile(
        project_key="CSV",
        customer_id="customer-service",
        base_issues=550,
        late_share=0.12,
        blocked_share=0.04,
        added_share=0.1,
        churn_counts=(1, 2, 2, 3, 3, 4),
        overloaded=(("priya", 17), ("marco", 14), ("hannah", 12)),
        work=(
            "Clear the {place} complaints backlog",
            "Update the {place} call script",
            "Fix the {place} billing query routing",
            "Improve first-contact resolution for {place}",
            "Review the {place} escalation rota",
        ),
        places=(
            "billing",
            "smart meter",
            "debt advice",
            "priority services",
            "complaints",
            "moving home",
        ),
        labels=("complaints", "billing", "contact-centre"),
    ),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Sprint:
    """A two-week sprint of a project's board, and the shared ``Sprint`` field value naming it."""

    start: int
    end: int
    field_value: tuple[JsonObject, ...]


def _sprint_time(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(seconds))


def sprint_calendar(project_key: str, board_id: int, *, now: int) -> tuple[Sprint, ...]:
    """The board's sprints: 26 closed, the active one (containing ``now``) and one future.

    Sprints start on Mondays at 09:00 UTC; the field value is what Jira Software returns in
    the Sprint field (``id``, ``name``, ``state``, ``boardId``, dates).
    """
    day_start = now - now % DAY
    active_start = day_start - time.gmtime(day_start).tm_wday * DAY + 9 * HOUR
    if active_start > now:
        active_start -= 7 * DAY
    sprints = []
    for offset in range(-_PAST_SPRINTS, 2):
        start = active_start + offset * SPRINT_DAYS * DAY
        end = start + (SPRINT_DAYS - 3) * DAY + 8 * HOUR  # Friday 17:00 of the second week
        number = offset + _PAST_SPRINTS + 1
        state = "closed" if offset < 0 else ("active" if offset == 0 else "future")
        value: JsonObject = {
            "id": board_id * 100 + number,
            "name": f"{project_key} Sprint {number}",
            "state": state,
            "boardId": board_id,
            "goal": "",
            "startDate": _sprint_time(start),
            "endDate": _sprint_time(end),
        }
        if state == "closed":
            value["completeDate"] = _sprint_time(end)
        sprints.append(Sprint(start=start, end=end, field_value=(value,)))
    return tuple(sprints)
