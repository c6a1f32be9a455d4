"""What a KPI summary says, as plain values every renderer reads: the renderers' one input.

The push builds a `KPISummary` per service and per customer (and an `EngagementComment` when an
engagement enters a stage) from the engine's results; `confluence`, `cards`, `jira_comment` and
`markdown` turn the same value into each tool's format. Text fields hold tool text exactly as
read: the renderers clean and escape it, so nothing here needs to be safe already.

The values check what would make a rendering wrong rather than merely ugly: numbers are
finite, a link is an absolute http(s) URL, and a comment marker is one plain token (it is
written verbatim into wiki markup and ADF, and searched for later).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from flywheel_sync.domain import (
    CustomerExperienceStage,
    FlywheelStage,
    KPIDirection,
    KPIStatus,
    KPITrend,
    ScopeKind,
    SymptomKind,
)
from flywheel_sync.report.escaping import is_http_url

__all__ = ["EngagementComment", "EngagementLine", "KPILine", "KPISummary", "SymptomLine"]

_MARKER = re.compile(r"[A-Za-z0-9._:=/@-]+")
_SUMMARY_SCOPES = (ScopeKind.SERVICE, ScopeKind.CUSTOMER)


def _require_finite(owner: str, **numbers: float | None) -> None:
    for name, number in numbers.items():
        if number is not None and not math.isfinite(number):
            raise ValueError(f"{owner}: {name} must be a finite number, got {number}")


def _require_link(owner: str, link: str | None) -> None:
    if link is not None and not is_http_url(link):
        raise ValueError(
            f"{owner}: link must be an absolute http(s) URL (the page URL), got {link!r}"
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class KPILine:
    """One KPI of a summary: its value this period, the target, and how it compares.

    ``unit`` is shown after values ("%", "days", "items", "" for none); ``direction`` tells
    which way an improving trend moves the value (for the arrow). ``status`` is None when the
    KPI has no target or no value; ``trend`` is None without a previous value.

    Raises:
        ValueError: ``value``, ``target`` or ``previous`` is NaN or infinite.
    """

    kpi_id: str
    name: str
    unit: str
    value: float | None
    target: float | None
    previous: float | None
    status: KPIStatus | None
    trend: KPITrend | None
    direction: KPIDirection

    def __post_init__(self) -> None:
        _require_finite(
            f"KPI {self.kpi_id!r}", value=self.value, target=self.target, previous=self.previous
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class EngagementLine:
    """One engagement (a customer and a service) of a summary: where it stands in the flywheel.

    ``since`` is when it entered ``stage`` and ``dwell_days`` how long it has been there (None
    when unknown); ``stalled`` says the dwell is past the stage's threshold.
    """

    engagement_id: str
    title: str
    customer_name: str
    service_name: str
    stage: FlywheelStage
    cycle: int
    since: date | None
    dwell_days: int | None
    stalled: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class SymptomLine:
    """A detected symptom: what it is, the metric against its threshold, how much evidence.

    Raises:
        ValueError: ``value`` or ``threshold`` is NaN or infinite.
    """

    kind: SymptomKind
    summary: str
    value: float
    threshold: float
    evidence_count: int

    def __post_init__(self) -> None:
        _require_finite(f"symptom {self.kind.value!r}", value=self.value, threshold=self.threshold)


@dataclass(frozen=True, kw_only=True, slots=True)
class KPISummary:
    """Everything one published KPI summary shows, for a service or for a customer.

    ``period_label`` names the period measured ("November 2026"); ``experience_stage`` is the
    customer's Customer Experience Cycle stage (None for services, or when unknown). ``kpis``
    keep the order given (the configured order); engagements and symptoms are sorted by the
    renderers, so the same content always renders the same. ``link`` is where the full summary
    lives (the Confluence page), for the shorter formats to point at.

    Raises:
        ValueError: ``scope`` is not SERVICE or CUSTOMER, or ``link`` is not an absolute
            http(s) URL.
    """

    scope: ScopeKind
    subject_id: str
    subject_name: str
    organization: str
    pmo_name: str
    period_label: str
    experience_stage: CustomerExperienceStage | None
    kpis: tuple[KPILine, ...]
    engagements: tuple[EngagementLine, ...]
    symptoms: tuple[SymptomLine, ...]
    link: str | None = None

    def __post_init__(self) -> None:
        owner = f"summary of {self.scope.value} {self.subject_id!r}"
        if self.scope not in _SUMMARY_SCOPES:
            raise ValueError(
                f"{owner}: a KPI summary is about a service or a customer, not a {self.scope.value}"
            )
        _require_link(owner, self.link)

    def engagements_in_order(self) -> tuple[EngagementLine, ...]:
        """The engagements as every renderer lists them: by the other party's name, then title.

        The other party is the customer in a service's summary and the service in a
        customer's; the engagement id and the other fields break ties, so the order never
        depends on the input order.
        """
        customers_first = self.scope is ScopeKind.SERVICE

        def key(line: EngagementLine) -> tuple[object, ...]:
            first, second = (line.customer_name, line.service_name)
            if not customers_first:
                first, second = second, first
            names = (first, second, line.title)
            since = "" if line.since is None else line.since.isoformat()
            dwell = -1 if line.dwell_days is None else line.dwell_days
            details = (line.stage.number, line.cycle, since, dwell, line.stalled)
            return (*(name.casefold() for name in names), *names, line.engagement_id, *details)

        return tuple(sorted(self.engagements, key=key))

    def symptoms_in_order(self) -> tuple[SymptomLine, ...]:
        """The symptoms as every renderer lists them: by kind (declaration order), then text."""
        kinds = list(SymptomKind)

        def key(line: SymptomLine) -> tuple[object, ...]:
            return (
                kinds.index(line.kind),
                line.summary.casefold(),
                line.summary,
                line.value,
                line.threshold,
                line.evidence_count,
            )

        return tuple(sorted(self.symptoms, key=key))


@dataclass(frozen=True, kw_only=True, slots=True)
class EngagementComment:
    """A short Jira comment posted when an engagement enters a stage.

    ``marker`` is written verbatim into the comment so a later run recognises its own comment
    (`jira_comment.comment_has_marker`); it must be one token of letters, digits and
    ``. _ : = / @ -`` (e.g. "flywheel-sync:3f2a9c"), which no markup reads as markup.

    Raises:
        ValueError: ``marker`` is empty or holds another character, or ``link`` is not an
            absolute http(s) URL.
    """

    engagement_id: str
    title: str
    customer_name: str
    service_name: str
    stage: FlywheelStage
    cycle: int
    kpis: tuple[KPILine, ...]
    link: str | None
    marker: str

    def __post_init__(self) -> None:
        owner = f"comment on engagement {self.engagement_id!r}"
        if not _MARKER.fullmatch(self.marker):
            raise ValueError(
                f"{owner}: marker must be one token of letters, digits and . _ : = / @ - "
                f"(it is written verbatim into the comment), got {self.marker!r}"
            )
        _require_link(owner, self.link)
