"""Diagnosis: symptoms read from each customer's delivery work (the physician model).

One detector per `SymptomKind`, run over each customer's work items (`engine.facts`). A
detector measures a metric over a sample of items; it fires when it is enabled, the sample
holds at least ``min_records`` items, and the metric is above ``threshold`` (settings in
``mapping.yaml`` ``diagnosis``). The metrics:

=====================  ===================  ===================================================
symptom                metric               definition (sample)
=====================  ===================  ===================================================
missed deadlines       ``overdue_ratio``    late items / items with a due date; late: resolved
                                            after the due date, or unresolved and due before
                                            today (items with a due date)
unclear priorities     ``priority_churn``   priority changes / items (items whose rule reads
                                            ``priority_changes``)
resource overload      ``wip_per_person``   the most open items one assignee carries; each
                                            assignee above the threshold is evidence (open
                                            items with an assignee)
blocked work           ``blocked_ratio``    blocked items / open items; blocked: status
                                            Blocked, or flagged (open items whose rule reads a
                                            blocking signal)
scope churn            ``scope_churn_ratio``  items created after their sprint started / items
                                            in a sprint that has started (by ``now``)
=====================  ===================  ===================================================

These are the demo's definitions (`flywheel_sync.sandbox.demo.delivery_metrics`), so on the
demo organisation the detectors find exactly the planted symptoms.

Each `Symptom`'s first `Evidence` is the metric: its value, the threshold and the records
behind it (work item refs; for overload the overloaded assignees, most loaded first, with
one more `Evidence` per assignee naming their open items).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from flywheel_sync.domain import Evidence, Symptom, SymptomKind
from flywheel_sync.engine.facts import WorkFacts
from flywheel_sync.settings.thresholds import DetectorSettings, DiagnosisSettings

__all__ = ["Finding", "detect", "diagnose"]

_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def _ordered(refs: Iterable[str]) -> tuple[str, ...]:
    """Refs in natural order (``REG-9`` before ``REG-10``), each once."""

    def key(ref: str) -> tuple[str, int, str]:
        found = _NUMBERED.match(ref)
        return (found.group(1), int(found.group(2)), ref) if found else (ref, -1, ref)

    return tuple(sorted(set(refs), key=key))


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    """What a detector measured for one customer, whether or not it is a symptom.

    ``sample`` is how many items the metric was computed over (compared with
    ``min_records``); ``refs`` are the records behind it.
    """

    kind: SymptomKind
    metric: str
    value: float
    sample: int
    refs: tuple[str, ...]
    summary: str
    details: tuple[tuple[str, float, tuple[str, ...]], ...] = ()


def _pct(value: float) -> str:
    return f"{value:.0%}"


def _missed_deadlines(work: Sequence[WorkFacts], settings: DetectorSettings) -> Finding | None:
    with_due = [f for f in work if f.due is not None]
    if not with_due:
        return None
    late = [f.item.ref for f in with_due if f.late is True]
    value = len(late) / len(with_due)
    return Finding(
        kind=SymptomKind.MISSED_DEADLINES,
        metric="overdue_ratio",
        value=value,
        sample=len(with_due),
        refs=_ordered(late),
        summary=f"{len(late)} of {len(with_due)} work items with a due date are late "
        f"({_pct(value)}; threshold {_pct(settings.threshold)})",
    )


def _unclear_priorities(work: Sequence[WorkFacts], settings: DetectorSettings) -> Finding | None:
    counted = [f for f in work if f.priority_changes is not None]
    if not counted:
        return None
    changes = sum(f.priority_changes or 0 for f in counted)
    value = changes / len(counted)
    return Finding(
        kind=SymptomKind.UNCLEAR_PRIORITIES,
        metric="priority_churn",
        value=value,
        sample=len(counted),
        refs=_ordered(f.item.ref for f in counted if f.priority_changes),
        summary=f"{changes} priority changes over {len(counted)} work items: {value:.2f} per "
        f"item (threshold {settings.threshold:g})",
    )


def _resource_overload(work: Sequence[WorkFacts], settings: DetectorSettings) -> Finding | None:
    carried: dict[str, list[str]] = {}
    for f in work:
        if f.open is True and f.assignee is not None:
            carried.setdefault(f.assignee, []).append(f.item.ref)
    if not carried:
        return None
    loads = Counter({who: len(refs) for who, refs in carried.items()})
    over = sorted(
        ((count, who) for who, count in loads.items() if count > settings.threshold),
        key=lambda pair: (-pair[0], pair[1]),
    )
    value = float(max(loads.values()))
    return Finding(
        kind=SymptomKind.RESOURCE_OVERLOAD,
        metric="wip_per_person",
        value=value,
        sample=loads.total(),
        refs=tuple(who for _, who in over),
        summary=f"{len(over)} of {len(loads)} people carry more than {settings.threshold:g} "
        f"open work items each (the most: {value:g})",
        details=tuple(
            (f"open_items_of:{who}", float(count), _ordered(carried[who])) for count, who in over
        ),
    )


def _blocked_work(work: Sequence[WorkFacts], settings: DetectorSettings) -> Finding | None:
    open_items = [f for f in work if f.open is True and f.blocked is not None]
    if not open_items:
        return None
    blocked = [f.item.ref for f in open_items if f.blocked]
    value = len(blocked) / len(open_items)
    return Finding(
        kind=SymptomKind.BLOCKED_WORK,
        metric="blocked_ratio",
        value=value,
        sample=len(open_items),
        refs=_ordered(blocked),
        summary=f"{len(blocked)} of {len(open_items)} open work items are blocked "
        f"({_pct(value)}; threshold {_pct(settings.threshold)})",
    )


def _scope_churn(
    work: Sequence[WorkFacts], settings: DetectorSettings, now: datetime
) -> Finding | None:
    in_sprint = [f for f in work if f.sprint_start is not None and f.sprint_start < now]
    if not in_sprint:
        return None
    added = [
        f.item.ref
        for f in in_sprint
        if f.created is not None and f.sprint_start is not None and f.created > f.sprint_start
    ]
    value = len(added) / len(in_sprint)
    return Finding(
        kind=SymptomKind.SCOPE_CHURN,
        metric="scope_churn_ratio",
        value=value,
        sample=len(in_sprint),
        refs=_ordered(added),
        summary=f"{len(added)} of {len(in_sprint)} work items in started sprints were added "
        f"after the sprint began ({_pct(value)}; threshold {_pct(settings.threshold)})",
    )


Detector = Callable[[Sequence[WorkFacts], DetectorSettings, datetime], "Finding | None"]

_DETECTORS: Mapping[SymptomKind, Detector] = {
    SymptomKind.MISSED_DEADLINES: lambda w, s, _: _missed_deadlines(w, s),
    SymptomKind.UNCLEAR_PRIORITIES: lambda w, s, _: _unclear_priorities(w, s),
    SymptomKind.RESOURCE_OVERLOAD: lambda w, s, _: _resource_overload(w, s),
    SymptomKind.BLOCKED_WORK: lambda w, s, _: _blocked_work(w, s),
    SymptomKind.SCOPE_CHURN: _scope_churn,
}


def detect(
    kind: SymptomKind, work: Sequence[WorkFacts], settings: DetectorSettings, *, now: datetime
) -> Finding | None:
    """What the ``kind`` detector measures over ``work`` (None: nothing to measure)."""
    return _DETECTORS[kind](work, settings, now)


def _symptom(
    finding: Finding, customer_id: str, settings: DetectorSettings, now: datetime
) -> Symptom:
    evidence = [
        Evidence(
            record_refs=finding.refs,
            metric=finding.metric,
            value=finding.value,
            threshold=settings.threshold,
        )
    ]
    evidence += [
        Evidence(record_refs=refs, metric=metric, value=value, threshold=settings.threshold)
        for metric, value, refs in finding.details
    ]
    return Symptom(
        kind=finding.kind,
        customer_id=customer_id,
        detected_at=now,
        summary=finding.summary,
        evidence=tuple(evidence),
        prescribed_service_ids=settings.prescribes,
    )


def diagnose(
    work_by_customer: Mapping[str, Sequence[WorkFacts]],
    settings: DiagnosisSettings,
    *,
    now: datetime,
) -> tuple[Symptom, ...]:
    """Every symptom of every customer, customer by customer in the order given, then by kind."""
    found: list[Symptom] = []
    for customer_id, work in work_by_customer.items():
        for kind, detector in settings.by_kind().items():
            if not detector.enabled:
                continue
            finding = detect(kind, work, detector, now=now)
            if (
                finding is not None
                and finding.refs
                and finding.sample >= detector.min_records
                and finding.value > detector.threshold
            ):
                found.append(_symptom(finding, customer_id, detector, now))
    return tuple(found)
