"""Drafts become entities: records joined across tools, catalogue entries filled in.

Drafts of one kind that share a join key (or, without one, an id) are one entity: the Jira
epic PMO-10 and the Planner task titled "… [PMO-10]" are the same engagement. Within a group
the draft of the rule listed first in ``mapping.yaml`` is authoritative: its id, its values,
its stage history; any other record that says otherwise is reported as a `Disagreement`
(that drift is what a push later corrects). A group that still lacks what its kind needs
(an engagement's customer, service and stage) is rejected with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flywheel_sync.domain import (
    ChecklistItem,
    ChecklistItemOrigin,
    CustomerExperienceStage,
    Engagement,
    ExternalRef,
    FlywheelStage,
    Need,
    OnboardingChecklist,
    StageTransition,
    Tool,
    ValueProposition,
)
from flywheel_sync.mapping.catalogue import Catalogue
from flywheel_sync.mapping.drafts import Draft
from flywheel_sync.mapping.history import Move, observed_moves, with_cycles
from flywheel_sync.mapping.outcome import Disagreement, Rejection
from flywheel_sync.settings.rules import EntityKind
from flywheel_sync.store.rows import EntityRecord, StageChange

__all__ = ["Assembly", "PreviousStages"]

PreviousStages = Callable[[str], Sequence[tuple[str, datetime]]]
"""An engagement's stored stage changes, ``(stage value, entered at)``, oldest first."""

_TOOLS = {"jira": Tool.JIRA, "planner": Tool.PLANNER, "teams": Tool.TEAMS, "project": Tool.PROJECT}


def _ref(found: Draft) -> ExternalRef:
    return ExternalRef(tool=_TOOLS.get(found.tool, Tool.PROJECT), ref=found.ref)


def _refs(drafts: Iterable[Draft]) -> tuple[ExternalRef, ...]:
    return tuple(dict.fromkeys(_ref(found) for found in drafts))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60] or "item"


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(kw_only=True)
class Assembly:
    """Builds entities from drafts; collects rejections and disagreements on the way."""

    catalogue: Catalogue
    previous: PreviousStages
    now: datetime
    entities: list[EntityRecord] = field(default_factory=list)
    stage_changes: list[StageChange] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    produced: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    """``id(draft)`` → the entities it went into (an engagement and its checklist)."""

    def build(self, drafts: Sequence[Draft]) -> None:
        """Assemble every kind; engagements first, since checklists and needs point at them."""
        by_kind: dict[EntityKind, list[Draft]] = {kind: [] for kind in EntityKind}
        for found in drafts:
            by_kind[found.kind].append(found)
        engagements = self._engagements(_groups(by_kind[EntityKind.ENGAGEMENT]))
        self._customers(by_kind[EntityKind.CUSTOMER])
        self._services(by_kind[EntityKind.SERVICE])
        self._checklists(
            by_kind[EntityKind.CHECKLIST_ITEM], by_kind[EntityKind.ENGAGEMENT], engagements
        )
        for kind in (EntityKind.NEED, EntityKind.SYMPTOM, EntityKind.VALUE_PROPOSITION):
            for group in _groups(by_kind[kind]):
                self._simple(kind, group, engagements)
        for group in _groups(by_kind[EntityKind.WORK_ITEM]):
            self._simple(EntityKind.WORK_ITEM, group, engagements)

    # -- helpers ------------------------------------------------------------------------

    def _add(self, record: EntityRecord, drafts: Iterable[Draft]) -> None:
        self.entities.append(record)
        for found in drafts:
            self.produced.setdefault(id(found), []).append((record.kind, record.entity_id))

    def _reject(self, group: Sequence[Draft], reasons: Sequence[str]) -> None:
        for found in group:
            self.rejections.append(
                Rejection(record=found.record, rule=found.rule.name, reasons=tuple(reasons))
            )

    def _agreed(self, group: Sequence[Draft], kind: str, attribute: str) -> Any:
        """The first value of ``attribute`` in the group; others that differ are reported."""
        said = [(found.ref, getattr(found, attribute)) for found in group]
        said = [(ref, value) for ref, value in said if value is not None]
        if not said:
            return None
        values = {str(getattr(value, "value", value)) for _, value in said}
        if len(values) > 1:
            shown = tuple((ref, str(getattr(value, "value", value))) for ref, value in said)
            entity_id = group[0].join_key or group[0].entity_id
            self.disagreements.append(
                Disagreement(entity=(kind, entity_id), attribute=attribute, values=shown)
            )
        return said[0][1]

    # -- engagements --------------------------------------------------------------------

    def _engagements(self, groups: list[list[Draft]]) -> dict[str, str]:
        """Build engagements; returns every join key and id → engagement id."""
        known: dict[str, str] = {}
        for group in groups:
            engagement = self._engagement(group)
            if engagement is None:
                continue
            for found in group:
                for key in (found.join_key, found.entity_id, found.ref):
                    if key:
                        known.setdefault(key.casefold(), engagement.id)
        return known

    def _engagement(self, group: list[Draft]) -> Engagement | None:
        kind = EntityKind.ENGAGEMENT.value
        customer = self._agreed(group, kind, "customer_id")
        service = self._agreed(group, kind, "service_id")
        stage = self._agreed(group, kind, "flywheel_stage")
        missing = [
            name
            for name, value in (("customer", customer), ("service", service), ("stage", stage))
            if value is None
        ]
        if missing:
            reasons = [problem for found in group for problem in found.problems]
            self._reject(group, reasons or [f"no {' or '.join(missing)} could be read"])
            return None
        entity_id = group[0].entity_id
        transitions = self._history(entity_id, group, stage)
        engagement = Engagement(
            id=entity_id,
            customer_id=customer,
            service_id=service,
            current_stage=stage,
            cycle=transitions[-1].cycle if transitions else 1,
            stage_history=transitions,
            external_refs=_refs(group),
        )
        self.stage_changes.extend(
            StageChange(
                engagement_id=entity_id,
                stage=step.stage.value,
                cycle=step.cycle,
                entered_at=step.entered_at,
                source_ref=step.source_ref,
            )
            for step in transitions
        )
        payload = engagement.model_dump(mode="json") | {
            "title": group[0].title,
            "join_key": group[0].join_key,
            "records": [str(found.record) for found in group],
            "etags": {found.ref: found.etag for found in group if found.etag},
        }
        self._add(
            EntityRecord(
                kind=kind,
                entity_id=entity_id,
                name=group[0].title,
                payload=payload,
                updated_at=self.now,
                flywheel_stage=stage.value,
            ),
            group,
        )
        return engagement

    def _history(
        self, entity_id: str, group: list[Draft], stage: FlywheelStage
    ) -> tuple[StageTransition, ...]:
        teller = next(found for found in group if found.flywheel_stage is not None)
        moves: list[Move[FlywheelStage]] = teller.flywheel_moves
        if not moves:
            observed_at = teller.fetched_at or self.now
            moves = observed_moves(
                self.previous(entity_id),
                stage,
                observed_at,
                f"{teller.record.source}:{teller.ref}@{teller.etag or 'observed'}",
                FlywheelStage.parse,
            )
        return with_cycles(moves)

    # -- catalogue kinds ----------------------------------------------------------------

    def _customers(self, drafts: list[Draft]) -> None:
        by_customer: dict[str, list[Draft]] = {}
        for found in drafts:
            if found.customer_id is None:
                self._reject([found], found.problems or ["no customer value"])
            else:
                by_customer.setdefault(found.customer_id, []).append(found)
        for customer_id, entry in self.catalogue.customers.items():
            group = sorted(by_customer.get(customer_id, []), key=_order)
            stage = self._agreed(group, "customer", "experience_stage") or entry.experience_stage
            teller = next((f for f in group if f.experience_stage is not None), None)
            history = [] if teller is None else teller.experience_moves
            customer = entry.model_copy(
                update={"experience_stage": stage, "external_refs": _refs(group)}
            )
            payload = customer.model_dump(mode="json", exclude={"aliases"}) | {
                "experience_history": [_move(move) for move in history],
                "records": [str(found.record) for found in group],
            }
            self._add(
                EntityRecord(
                    kind="customer",
                    entity_id=customer_id,
                    name=entry.name,
                    payload=payload,
                    updated_at=self.now,
                    experience_stage=stage.value if stage else None,
                ),
                group,
            )

    def _services(self, drafts: list[Draft]) -> None:
        by_service: dict[str, list[Draft]] = {}
        for found in drafts:
            if found.service_id is None:
                self._reject([found], found.problems or ["no service value"])
            else:
                by_service.setdefault(found.service_id, []).append(found)
        for service_id, entry in self.catalogue.services.items():
            group = sorted(by_service.get(service_id, []), key=_order)
            payload = entry.model_dump(mode="json", exclude={"aliases"}) | {
                "external_refs": [ref.model_dump(mode="json") for ref in _refs(group)],
                "records": [str(found.record) for found in group],
            }
            self._add(
                EntityRecord(
                    kind="service",
                    entity_id=service_id,
                    name=entry.name,
                    payload=payload,
                    updated_at=self.now,
                ),
                group,
            )

    # -- checklists ---------------------------------------------------------------------

    def _checklists(
        self, items: list[Draft], engagement_drafts: list[Draft], engagements: dict[str, str]
    ) -> None:
        lists: dict[tuple[str, str], list[tuple[Draft, ChecklistItem]]] = {}
        services = {e.entity_id: e.payload["service_id"] for e in self._of("engagement")}
        for found in engagement_drafts:
            made = self.produced.get(id(found), [])
            engagement_id = next((i for kind, i in made if kind == "engagement"), None)
            if not found.checklist or engagement_id is None:
                continue
            template = self._template(services[engagement_id])
            for entry in found.checklist:
                key = template.get(entry.title.strip().casefold())
                item = _item(key, entry.title, entry.done, entry.item_id)
                lists.setdefault((engagement_id, found.record.source), []).append((found, item))
        for found in items:
            owner = engagements.get((found.engagement_key or "").casefold())
            if owner is None:
                reason = (
                    f"it belongs to engagement {found.engagement_key!r}, which no "
                    "engagement rule produced"
                    if found.engagement_key
                    else "engagement: the record holds no value"
                )
                self._reject([found], [*found.problems, reason])
                continue
            template = self._template(services[owner])
            given = found.entity_id if found.rule.id is not None else None
            key = given if given in template.values() else template.get(found.title.casefold())
            item = _item(key, found.title, bool(found.done), found.ref)
            lists.setdefault((owner, found.record.source), []).append((found, item))
        for (engagement_id, source), entries in sorted(lists.items()):
            self._checklist(engagement_id, source, services[engagement_id], entries)

    def _checklist(
        self,
        engagement_id: str,
        source: str,
        service_id: str,
        entries: list[tuple[Draft, ChecklistItem]],
    ) -> None:
        seen: set[str] = set()
        items: list[ChecklistItem] = []
        for _, item in entries:
            if item.key in seen:  # a second item for one template step: a human's own
                item = item.model_copy(
                    update={
                        "key": f"human-{_slug(item.external_id or item.title)}",
                        "origin": ChecklistItemOrigin.HUMAN,
                    }
                )
            seen.add(item.key)
            items.append(item)
        checklist = OnboardingChecklist(
            engagement_id=engagement_id, service_id=service_id, items=tuple(items)
        )
        entity_id = f"{engagement_id}@{source}"
        payload = checklist.model_dump(mode="json") | {
            "source": source,
            "progress": checklist.progress,
        }
        drafts = [found for found, _ in entries]
        self._add(
            EntityRecord(
                kind="checklist",
                entity_id=entity_id,
                name=f"Onboarding of {engagement_id} in {source}",
                payload=payload,
                updated_at=self.now,
            ),
            drafts,
        )

    def _template(self, service_id: str) -> dict[str, str]:
        """Template step keys by title (case-insensitive); keys map to themselves too."""
        service = self.catalogue.services.get(service_id)
        steps = service.onboarding_template if service else ()
        return {step.title.strip().casefold(): step.key for step in steps} | {
            step.key: step.key for step in steps
        }

    def _of(self, kind: str) -> list[EntityRecord]:
        return [entity for entity in self.entities if entity.kind == kind]

    # -- needs, symptoms, value propositions, work items --------------------------------

    def _simple(self, kind: EntityKind, group: list[Draft], engagements: dict[str, str]) -> None:
        first = group[0]
        customer = self._agreed(group, kind.value, "customer_id")
        service = self._agreed(group, kind.value, "service_id")
        engagement = engagements.get((first.engagement_key or "").casefold())
        base: dict[str, Any] = {
            "id": first.entity_id,
            "title": first.title,
            "rule": first.rule.name,
            "customer_id": customer,
            "service_id": service,
            "engagement_id": engagement,
            "done": first.done,
            "created": _time(first.created),
            "updated": _time(first.updated),
            "attributes": dict(first.attributes),
            "external_refs": [ref.model_dump(mode="json") for ref in _refs(group)],
            "records": [str(found.record) for found in group],
        }
        try:
            payload = base | _domain_payload(kind, first, customer, service)
        except ValueError as problem:
            reasons = first.problems or [str(problem).splitlines()[0]]
            self._reject(group, reasons)
            return
        self._add(
            EntityRecord(
                kind=kind.value,
                entity_id=first.entity_id,
                name=first.title,
                payload=payload,
                updated_at=self.now,
            ),
            group,
        )


def _domain_payload(
    kind: EntityKind, first: Draft, customer: str | None, service: str | None
) -> dict[str, Any]:
    """The domain object's fields where the kind has one (validated: bad input raises)."""
    if kind is EntityKind.NEED:
        if customer is None:
            raise ValueError("a need needs a customer")
        return Need(
            id=first.entity_id,
            customer_id=customer,
            statement=first.title,
            prescribed_service_ids=(service,) if service else (),
            source_refs=(first.ref,),
        ).model_dump(mode="json")
    if kind is EntityKind.VALUE_PROPOSITION:
        if customer is None or service is None:
            missing = [name for name, v in (("customer", customer), ("service", service)) if not v]
            raise ValueError(f"a value proposition needs a {' and a '.join(missing)}")
        return ValueProposition(
            id=first.entity_id, customer_id=customer, service_ids=(service,)
        ).model_dump(mode="json")
    return {}


def _item(key: str | None, title: str, done: bool, external_id: str) -> ChecklistItem:
    if key is None:
        return ChecklistItem(
            key=f"human-{_slug(external_id)}",
            title=title or external_id,
            done=done,
            origin=ChecklistItemOrigin.HUMAN,
            external_id=external_id,
        )
    return ChecklistItem(
        key=key,
        title=title or key,
        done=done,
        origin=ChecklistItemOrigin.TEMPLATE,
        external_id=external_id,
    )


def _move(move: Move[CustomerExperienceStage]) -> dict[str, str | None]:
    return {
        "stage": move.stage.value,
        "entered_at": move.at.isoformat(),
        "source_ref": move.source_ref,
    }


def _order(found: Draft) -> tuple[int, str]:
    return (found.rule_index, str(found.record))


def _groups(drafts: Iterable[Draft]) -> list[list[Draft]]:
    """Drafts grouped by join key (else id), each group in rule order."""
    groups: dict[str, list[Draft]] = {}
    for found in drafts:
        groups.setdefault((found.join_key or found.entity_id).casefold(), []).append(found)
    return [sorted(group, key=_order) for group in groups.values()]
