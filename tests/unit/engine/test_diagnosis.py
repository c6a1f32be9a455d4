"""Symptom detectors: each metric on a small fixture, thresholds, min_records and disabling.

NOW is 11 June 2025 12:00 UTC, so "today" is 11 June.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from flywheel_sync.domain import Evidence, SymptomKind
from flywheel_sync.engine import diagnose
from flywheel_sync.engine.facts import WorkFacts
from flywheel_sync.settings.thresholds import DiagnosisSettings
from tests.unit.engine.builders import NOW, day, facts, item

K = SymptomKind

LATE = facts(
    item("REG-1", done=True, due="2025-05-05", resolved="2025-05-05T10:00:00Z"),  # on time
    item("REG-2", done=True, due="2025-05-05", resolved="2025-05-06T10:00:00Z"),  # late
    item("REG-10", done=False, due="2025-06-10"),  # open past due: late
    item("REG-3", done=False, due="2025-06-11"),  # due today: not late
    item("REG-4", done=False),  # no due date: not counted
)
# 2 late of 4 with a due date = 0.5

CHURN = facts(
    item("CSV-1", priority_changes="3"),
    item("CSV-2", priority_changes="0"),
    item("CSV-3", priority_changes="1"),
    item("CSV-4", priority_changes="0"),
    item("CSV-5"),  # the rule does not read changes: not counted
)
# 4 changes over 4 items = 1.0

LOADS = facts(
    *(item(f"CSV-{n}", done=False, assignee="priya") for n in range(1, 4)),  # 3 open
    *(item(f"CSV-{n}", done=False, assignee="marco") for n in range(4, 7)),  # 3 open
    item("CSV-7", done=False, assignee="hannah"),
    item("CSV-8", done=True, assignee="hannah"),  # done: no load
    item("CSV-9", done=False),  # unassigned
)
# loads: priya 3, marco 3, hannah 1; the most: 3

BLOCKED = facts(
    item("DIGI-1", done=False, status="Blocked"),
    item("DIGI-2", done=False, status="In Progress", flagged="Impediment"),
    item("DIGI-3", done=False, status="In Progress", flagged=None),
    item("DIGI-4", done=False, status="To Do", flagged=None),
    item("DIGI-5", done=False, status="In Progress", flagged=None),
    item("DIGI-6", done=True, status="Done", flagged="Impediment"),  # done: not counted
)
# 2 blocked of 5 open = 0.4

SPRINTS = facts(
    item("FIN-1", created=day(5, 1), sprint_start="2025-05-05T09:00:00.000Z"),
    item("FIN-2", created=day(5, 6), sprint_start="2025-05-05T09:00:00.000Z"),  # added
    item("FIN-3", created=day(5, 20), sprint_start="2025-05-19T09:00:00.000Z"),  # added
    item("FIN-4", created=day(5, 2), sprint_start="2025-05-19T09:00:00.000Z"),
    item("FIN-5", created=day(6, 12), sprint_start="2025-06-16T09:00:00.000Z"),  # not started
    item("FIN-6", created=day(5, 2)),  # in no sprint
)
# 2 added of 4 in started sprints = 0.5


def settings(**detectors: dict[str, Any]) -> DiagnosisSettings:
    defaults = {kind.value: {"threshold": 0.1, "min_records": 1} for kind in K}
    return DiagnosisSettings.model_validate(defaults | detectors)


def found(work: Sequence[WorkFacts], diagnosis: DiagnosisSettings) -> dict[K, Evidence]:
    symptoms = diagnose({"c": tuple(work)}, diagnosis, now=NOW)
    return {symptom.kind: symptom.evidence[0] for symptom in symptoms}


@pytest.mark.parametrize(
    ("kind", "work", "metric", "value", "refs"),
    [
        (K.MISSED_DEADLINES, LATE, "overdue_ratio", 0.5, ("REG-2", "REG-10")),
        (K.UNCLEAR_PRIORITIES, CHURN, "priority_churn", 1.0, ("CSV-1", "CSV-3")),
        (K.BLOCKED_WORK, BLOCKED, "blocked_ratio", 0.4, ("DIGI-1", "DIGI-2")),
        (K.SCOPE_CHURN, SPRINTS, "scope_churn_ratio", 0.5, ("FIN-2", "FIN-3")),
    ],
)
def test_each_detector_measures_its_metric(
    kind: K, work: tuple[WorkFacts, ...], metric: str, value: float, refs: tuple[str, ...]
) -> None:
    evidence = found(work, settings())[kind]

    assert (evidence.metric, evidence.value, evidence.threshold) == (metric, value, 0.1)
    assert evidence.record_refs == refs


def test_overload_names_each_assignee_above_the_threshold_most_loaded_first() -> None:
    symptoms = diagnose({"c": LOADS}, settings(resource_overload={"threshold": 2}), now=NOW)
    overload = next(s for s in symptoms if s.kind is K.RESOURCE_OVERLOAD)

    first, *per_person = overload.evidence
    assert (first.metric, first.value, first.record_refs) == (
        "wip_per_person",
        3.0,
        ("marco", "priya"),
    )
    assert [(e.metric, e.value, e.record_refs) for e in per_person] == [
        ("open_items_of:marco", 3.0, ("CSV-4", "CSV-5", "CSV-6")),
        ("open_items_of:priya", 3.0, ("CSV-1", "CSV-2", "CSV-3")),
    ]


@pytest.mark.parametrize(
    ("kind", "work", "threshold", "fires"),
    [
        (K.MISSED_DEADLINES, LATE, 0.49, True),
        (K.MISSED_DEADLINES, LATE, 0.5, False),  # must be above, not at, the threshold
        (K.UNCLEAR_PRIORITIES, CHURN, 1.0, False),
        (K.RESOURCE_OVERLOAD, LOADS, 3, False),
        (K.RESOURCE_OVERLOAD, LOADS, 2, True),
        (K.BLOCKED_WORK, BLOCKED, 0.39, True),
        (K.SCOPE_CHURN, SPRINTS, 0.5, False),
    ],
)
def test_a_detector_fires_only_above_its_threshold(
    kind: K, work: tuple[WorkFacts, ...], threshold: float, fires: bool
) -> None:
    diagnosis = settings(**{kind.value: {"threshold": threshold, "min_records": 1}})

    assert (kind in found(work, diagnosis)) is fires


@pytest.mark.parametrize(
    ("kind", "work", "sample"),
    [
        (K.MISSED_DEADLINES, LATE, 4),  # items with a due date
        (K.UNCLEAR_PRIORITIES, CHURN, 4),  # items reading priority changes
        (K.RESOURCE_OVERLOAD, LOADS, 7),  # open assigned items
        (K.BLOCKED_WORK, BLOCKED, 5),  # open items
        (K.SCOPE_CHURN, SPRINTS, 4),  # items in started sprints
    ],
)
def test_min_records_is_the_smallest_sample_that_counts(
    kind: K, work: tuple[WorkFacts, ...], sample: int
) -> None:
    enough = settings(**{kind.value: {"threshold": 0.1, "min_records": sample}})
    too_few = settings(**{kind.value: {"threshold": 0.1, "min_records": sample + 1}})

    assert kind in found(work, enough)
    assert kind not in found(work, too_few)


def test_a_disabled_detector_finds_nothing() -> None:
    diagnosis = settings(missed_deadlines={"threshold": 0.1, "min_records": 1, "enabled": False})

    assert found(LATE, diagnosis) == {}


def test_a_symptom_names_its_customer_time_summary_and_prescribed_services() -> None:
    diagnosis = settings(
        missed_deadlines={"threshold": 0.2, "min_records": 1, "prescribes": ["health-checks"]}
    )

    (symptom,) = diagnose({"reg": LATE}, diagnosis, now=NOW)

    assert (symptom.customer_id, symptom.detected_at) == ("reg", NOW)
    assert symptom.prescribed_service_ids == ("health-checks",)
    assert symptom.summary == "2 of 4 work items with a due date are late (50%; threshold 20%)"


def test_customers_without_evidence_have_no_symptoms() -> None:
    assert (
        diagnose({"quiet": (), "clean": facts(item("A-1", done=True))}, settings(), now=NOW) == ()
    )
