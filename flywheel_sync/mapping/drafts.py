"""One rule applied to one record: the values it reads, before records are joined.

A `Draft` is what a single record says about a single entity ("PMO-10 is the engagement of
grid-ops with portfolio-governance, in Value Delivery since 16 October"). Drafts of several
records, possibly from several tools, become one entity in `flywheel_sync.mapping.assembly`.
Every value read is kept as a `Reading` for ``flywheel-sync explain``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flywheel_sync.domain import CustomerExperienceStage, FlywheelStage, StageParseError
from flywheel_sync.mapping.catalogue import Catalogue, Resolution
from flywheel_sync.mapping.history import Move, Stage, jira_moves
from flywheel_sync.mapping.reading import ChecklistEntry, RecordReader
from flywheel_sync.mapping.values import ReadValue, read_value
from flywheel_sync.settings.rules import EntityKind, MappingRule, ValueSource

__all__ = ["Draft", "RecordKey", "draft"]


@dataclass(frozen=True, kw_only=True, order=True)
class RecordKey:
    """A stored record's identity: source, record type, external id."""

    source: str
    record_type: str
    external_id: str

    def __str__(self) -> str:
        return f"{self.source} {self.record_type} {self.external_id}"


@dataclass(kw_only=True)
class Draft:
    """What one rule read from one record."""

    rule: MappingRule
    rule_index: int
    record: RecordKey
    ref: str
    title: str
    entity_id: str
    join_key: str | None = None
    customer_id: str | None = None
    service_id: str | None = None
    flywheel_stage: FlywheelStage | None = None
    flywheel_moves: list[Move[FlywheelStage]] = field(default_factory=list)
    experience_stage: CustomerExperienceStage | None = None
    experience_moves: list[Move[CustomerExperienceStage]] = field(default_factory=list)
    engagement_key: str | None = None
    done: bool | None = None
    checklist: tuple[ChecklistEntry, ...] = ()
    attributes: dict[str, str | None] = field(default_factory=dict)
    created: datetime | None = None
    updated: datetime | None = None
    fetched_at: datetime | None = None
    etag: str | None = None
    readings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def kind(self) -> EntityKind:
        """The kind of entity the rule produces."""
        return self.rule.produces

    @property
    def tool(self) -> str:
        """The tool the record came from."""
        return self.rule.tool


class _Reader:
    """Applies a rule's value sources to one record, noting each reading."""

    def __init__(self, rule: MappingRule, reader: RecordReader, found: Draft) -> None:
        self.rule, self.reader, self.found = rule, reader, found

    def read(self, name: str, source: ValueSource | None) -> ReadValue | None:
        if source is None:
            return None
        value = read_value(source, self.reader)
        self.found.readings.append(f"{name}: {value.shown()}")
        return value

    def resolve(self, name: str, resolver: Callable[[list[str]], Resolution]) -> str | None:
        value = self.read(name, getattr(self.rule, name))
        if value is None:
            return None
        resolution = resolver(list(value.candidates))
        if resolution.problem:
            self.found.problems.append(f"{name}: {resolution.problem}")
        return resolution.entity_id

    def stage(self, name: str, parse: Callable[[str], Stage]) -> Stage | None:
        value = self.read(name, getattr(self.rule, name))
        if value is None:
            return None
        if value.value is None:
            self.found.problems.append(f"{name}: the record holds no value")
            return None
        try:
            return parse(value.value)
        except StageParseError as problem:
            self.found.problems.append(f"{name}: {problem} (map it with 'value_map')")
            return None


def draft(
    rule: MappingRule,
    rule_index: int,
    reader: RecordReader,
    catalogue: Catalogue,
) -> Draft:
    """What ``rule`` reads from the record behind ``reader``."""
    record = reader.record
    found = Draft(
        rule=rule,
        rule_index=rule_index,
        record=RecordKey(
            source=record.source, record_type=record.record_type, external_id=record.external_id
        ),
        ref=reader.ref,
        title=reader.title(),
        entity_id=reader.ref,
        created=reader.created(),
        updated=record.updated_at,
        fetched_at=record.fetched_at,
        etag=_etag(record.payload),
    )
    read = _Reader(rule, reader, found)
    identity = read.read("id", rule.id)
    if identity is not None and identity.value:
        found.entity_id = identity.value
    title = read.read("title", rule.title)
    if title is not None and title.value:
        found.title = title.value
    join = read.read("join_key", rule.join_key)
    found.join_key = join.value if join is not None else None
    found.customer_id = read.resolve("customer", catalogue.customer)
    found.service_id = read.resolve("service", catalogue.service)
    found.flywheel_stage = read.stage("flywheel_stage", FlywheelStage.parse)
    if found.flywheel_stage is not None and rule.flywheel_stage is not None:
        found.flywheel_moves = jira_moves(
            reader, rule.flywheel_stage, found.flywheel_stage, FlywheelStage.parse
        )
    found.experience_stage = read.stage("experience_stage", CustomerExperienceStage.parse)
    if found.experience_stage is not None and rule.experience_stage is not None:
        found.experience_moves = jira_moves(
            reader, rule.experience_stage, found.experience_stage, CustomerExperienceStage.parse
        )
    engagement = read.read("engagement", rule.engagement)
    found.engagement_key = engagement.value if engagement is not None else None
    done = read.read("done", rule.done)
    found.done = done.truthy if done is not None else None
    if rule.checklist:
        found.checklist = reader.checklist()
    for name, source in rule.attributes.items():
        value = read.read(f"attributes.{name}", source)
        found.attributes[name] = value.value if value is not None else None
    return found


def _etag(payload: Mapping[str, Any]) -> str | None:
    """The record's ETag (Planner, Dataverse), kept for writes that must name it."""
    found = payload.get("@odata.etag")
    return found if isinstance(found, str) else None
