"""The engine's input: the stored Value Ring entities, read back into domain values.

The mapping keeps its entities in the store as JSON payloads (`EntityRecord`); the engine works
on typed values. `Portfolio.from_entities` is the one place that reads those payloads, so the
analyses never parse JSON and a payload the domain rejects is named, not half-used.

Work items and reported symptoms have no domain model of their own (they are evidence, not
Value Ring entities), so they are small frozen dataclasses here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from flywheel_sync.domain import (
    Engagement,
    ExternalRef,
    Need,
    OnboardingChecklist,
    PMOCustomer,
    PMOService,
)
from flywheel_sync.store.rows import EntityRecord

__all__ = ["Portfolio", "PortfolioError", "RecordRef", "ReportedSymptom", "WorkItem"]


class PortfolioError(ValueError):
    """A stored entity does not read back as its domain value: re-run the mapping (pull)."""


@dataclass(frozen=True, kw_only=True, slots=True, order=True)
class RecordRef:
    """A stored record behind an entity: which source, which record type, which item."""

    source: str
    record_type: str
    external_id: str

    @classmethod
    def parse(cls, text: str) -> RecordRef:
        """Read the mapping's ``"jira:pmo issue PMO-10"`` form."""
        source, record_type, external_id = text.split(" ", 2)
        return cls(source=source, record_type=record_type, external_id=external_id)


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkItem:
    """Delivery work a KPI or symptom detector reads (a Jira issue, a Project task).

    ``attributes`` are the values the producing rule's ``attributes`` read (``due``,
    ``assignee``, ``resolved``, ...), as text; ``rule`` is that rule's name.
    """

    id: str
    title: str
    rule: str | None
    source: str | None
    ref: str
    customer_id: str | None
    service_id: str | None
    engagement_id: str | None
    done: bool | None
    created: datetime | None
    updated: datetime | None
    attributes: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportedSymptom:
    """Something a customer said (a Teams message) that may describe a symptom."""

    id: str
    customer_id: str | None
    text: str
    created: datetime | None
    ref: str


@dataclass(frozen=True, kw_only=True)
class Portfolio:
    """Every entity the last mapping produced, by kind, as domain values.

    ``checklists`` are keyed by ``(engagement id, source)``: one engagement may have its
    onboarding checklist in Jira and in Planner. ``engagement_titles`` and ``etags`` keep
    what the payloads carry beside the domain fields (the record's title; each tool
    reference's last seen ETag, for conditional writes). ``records`` names the stored
    records behind each customer and engagement, keyed by ``(kind, entity id)``: where the
    push finds them in the tools.
    """

    customers: Mapping[str, PMOCustomer] = field(default_factory=dict)
    services: Mapping[str, PMOService] = field(default_factory=dict)
    engagements: Mapping[str, Engagement] = field(default_factory=dict)
    engagement_titles: Mapping[str, str] = field(default_factory=dict)
    etags: Mapping[str, str] = field(default_factory=dict)
    checklists: Mapping[tuple[str, str], OnboardingChecklist] = field(default_factory=dict)
    records: Mapping[tuple[str, str], tuple[RecordRef, ...]] = field(default_factory=dict)
    needs: tuple[Need, ...] = ()
    reported_symptoms: tuple[ReportedSymptom, ...] = ()
    work_items: tuple[WorkItem, ...] = ()

    @classmethod
    def from_entities(cls, entities: Iterable[EntityRecord]) -> Portfolio:
        """Read stored entities back; kinds the engine does not use are ignored.

        Raises:
            PortfolioError: An entity's payload is not a valid domain value.
        """
        reading = _Reading()
        for entity in entities:
            try:
                reading.add(entity)
            except (ValidationError, KeyError, TypeError, ValueError) as problem:
                first = str(problem).splitlines()[0]
                raise PortfolioError(
                    f"stored {entity.kind} {entity.entity_id!r} does not read back ({first}); "
                    "run 'flywheel-sync pull' to map the records again"
                ) from problem
        return reading.portfolio()

    def record_id(self, kind: str, entity_id: str, source: str, record_type: str) -> str | None:
        """The tool id of a customer's or engagement's first record of this source and type.

        Rule order: the record of the authoritative rule comes first.
        """
        for ref in self.records.get((kind, entity_id), ()):
            if ref.source == source and ref.record_type == record_type:
                return ref.external_id
        return None


def _fields(model: type[Any], payload: Mapping[str, Any]) -> dict[str, Any]:
    """The members of ``payload`` that ``model`` declares (payloads carry extras)."""
    return {name: payload[name] for name in model.model_fields if name in payload}


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _first_ref(payload: Mapping[str, Any], default: str) -> str:
    refs = [ExternalRef.model_validate(ref) for ref in payload.get("external_refs") or ()]
    return refs[0].ref if refs else default


def _source(payload: Mapping[str, Any]) -> str | None:
    """The source of the first record behind an entity (``"jira:pmo issue PMO-1"``)."""
    records = payload.get("records") or ()
    return str(records[0]).split(" ", 1)[0] if records else None


@dataclass
class _Reading:
    customers: dict[str, PMOCustomer] = field(default_factory=dict)
    services: dict[str, PMOService] = field(default_factory=dict)
    engagements: dict[str, Engagement] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    etags: dict[str, str] = field(default_factory=dict)
    checklists: dict[tuple[str, str], OnboardingChecklist] = field(default_factory=dict)
    records: dict[tuple[str, str], tuple[RecordRef, ...]] = field(default_factory=dict)
    needs: list[Need] = field(default_factory=list)
    symptoms: list[ReportedSymptom] = field(default_factory=list)
    work_items: list[WorkItem] = field(default_factory=list)

    def add(self, entity: EntityRecord) -> None:
        payload = entity.payload
        if entity.kind in ("customer", "engagement"):
            self.records[(entity.kind, entity.entity_id)] = tuple(
                RecordRef.parse(str(text)) for text in payload.get("records") or ()
            )
        if entity.kind == "customer":
            self.customers[entity.entity_id] = PMOCustomer.model_validate(
                _fields(PMOCustomer, payload)
            )
        elif entity.kind == "service":
            self.services[entity.entity_id] = PMOService.model_validate(
                _fields(PMOService, payload)
            )
        elif entity.kind == "engagement":
            engagement = Engagement.model_validate(_fields(Engagement, payload))
            self.engagements[engagement.id] = engagement
            self.titles[engagement.id] = str(payload.get("title") or entity.name)
            self.etags.update({str(k): str(v) for k, v in (payload.get("etags") or {}).items()})
        elif entity.kind == "checklist":
            checklist = OnboardingChecklist.model_validate(_fields(OnboardingChecklist, payload))
            self.checklists[(checklist.engagement_id, str(payload["source"]))] = checklist
        elif entity.kind == "need":
            self.needs.append(Need.model_validate(_fields(Need, payload)))
        elif entity.kind == "symptom":
            self.symptoms.append(_reported(entity))
        elif entity.kind == "work_item":
            self.work_items.append(_work_item(entity))

    def portfolio(self) -> Portfolio:
        return Portfolio(
            customers=self.customers,
            services=self.services,
            engagements=self.engagements,
            engagement_titles=self.titles,
            etags=self.etags,
            checklists=self.checklists,
            records=self.records,
            needs=tuple(self.needs),
            reported_symptoms=tuple(self.symptoms),
            work_items=tuple(self.work_items),
        )


def _reported(entity: EntityRecord) -> ReportedSymptom:
    payload = entity.payload
    attributes = payload.get("attributes") or {}
    return ReportedSymptom(
        id=entity.entity_id,
        customer_id=payload.get("customer_id"),
        text=str(attributes.get("text") or payload.get("title") or entity.name),
        created=_time(payload.get("created")),
        ref=_first_ref(payload, entity.entity_id),
    )


def _work_item(entity: EntityRecord) -> WorkItem:
    payload = entity.payload
    done = payload.get("done")
    return WorkItem(
        id=entity.entity_id,
        title=str(payload.get("title") or entity.name),
        rule=payload.get("rule"),
        source=_source(payload),
        ref=_first_ref(payload, entity.entity_id),
        customer_id=payload.get("customer_id"),
        service_id=payload.get("service_id"),
        engagement_id=payload.get("engagement_id"),
        done=done if isinstance(done, bool) else None,
        created=_time(payload.get("created")),
        updated=_time(payload.get("updated")),
        attributes={
            str(k): None if v is None else str(v)
            for k, v in (payload.get("attributes") or {}).items()
        },
    )
