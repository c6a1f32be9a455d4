"""Builders for the mapping's unit tests: Jira records, a small ``mapping.yaml``, a mapping run.

Each builder writes the payload the connector would store (Jira's search JSON with
``fullChangelog``; Planner, Teams and Project rows are in `microsoft_records`), so the mapping
is tested against the contract it reads, with only the members a test cares about spelled out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from flywheel_sync.mapping import MappingOutcome, map_records
from flywheel_sync.mapping.context import RecordContext
from flywheel_sync.mapping.reading import RecordReader, reader_for
from flywheel_sync.settings.mapping import MappingFile
from flywheel_sync.store.rows import EntityRecord, StoredRecord

JIRA = "jira:pmo"
PLANNER = "planner:northwind"
TEAMS = "teams:northwind"
PROJECT = "project:northwind"

CREATED = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
FETCHED = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
NOW = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)

PMO_CUSTOMER, PMO_SERVICE = "customfield_10010", "customfield_10011"
FLYWHEEL_STAGE, EXPERIENCE_STAGE = "customfield_10012", "customfield_10013"

GROUP, PLAN = "group-pmo", "plan-governance"
TEAM, CHANNEL = "team-pmo", "19:requests@thread.tacv2"

Payload = dict[str, Any]


def stored(
    source: str,
    record_type: str,
    external_id: str,
    payload: Payload,
    *,
    scope: str = "",
    fetched_at: datetime = FETCHED,
) -> StoredRecord:
    """A record as the store hands it to the mapping."""
    return StoredRecord(
        source=source,
        scope=scope,
        record_type=record_type,
        external_id=external_id,
        payload=payload,
        content_hash="0" * 64,
        updated_at=None,
        fetched_at=fetched_at,
    )


# -- Jira --------------------------------------------------------------------------------


def jira_time(moment: datetime) -> str:
    """Jira's timestamp spelling: milliseconds and a ``+0000`` offset."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000%z")


def option(value: str) -> Payload:
    """A select field's value."""
    return {"self": "https://jira/option", "value": value, "id": str(len(value))}


def status(name: str, category: str = "To Do") -> Payload:
    """An issue status with its category (To Do, In Progress, Done)."""
    keys = {"To Do": "new", "In Progress": "indeterminate", "Done": "done"}
    return {"name": name, "id": "3", "statusCategory": {"key": keys[category], "name": category}}


def change(
    history_id: str, at: datetime, start: str | None, end: str, *, field: str = "Flywheel Stage"
) -> Payload:
    """A changelog history changing one field (by default the Flywheel Stage field)."""
    field_id = {"Flywheel Stage": FLYWHEEL_STAGE, "Customer Experience Stage": EXPERIENCE_STAGE}
    return {
        "id": history_id,
        "created": jira_time(at),
        "author": {"displayName": "Ada Lovelace"},
        "items": [
            {
                "field": field,
                "fieldtype": "custom" if field in field_id else "jira",
                "fieldId": field_id.get(field, field),
                "from": None,
                "fromString": start,
                "to": None,
                "toString": end,
            }
        ],
    }


def jira_issue(
    key: str,
    *,
    issue_type: str = "Epic",
    summary: str | None = None,
    fields: Mapping[str, Any] | None = None,
    changelog: Sequence[Payload] | None = None,
    created: datetime | None = CREATED,
    scope: str = "",
    source: str = JIRA,
) -> StoredRecord:
    """An issue as the Jira connector stores it; ``fields`` adds to or replaces the defaults."""
    project = key.split("-", 1)[0]
    all_fields: Payload = {
        "summary": summary or f"{issue_type} {key}",
        "issuetype": {"id": "10000", "name": issue_type},
        "project": {"id": "100", "key": project, "name": f"{project} Office"},
        "status": status("Open"),
        "created": jira_time(created) if created else None,
        **(fields or {}),
    }
    payload: Payload = {
        "id": str(10000 + int(key.rsplit("-", 1)[1])),
        "key": key,
        "self": f"https://jira/rest/api/3/issue/{key}",
        "fields": all_fields,
    }
    if changelog is not None:
        payload["fullChangelog"] = list(changelog)
    return stored(source, "issue", key, payload, scope=scope)


def jira_field(field_id: str, name: str, *, source: str = JIRA) -> StoredRecord:
    """A field definition as ``GET /field`` returns it."""
    number = field_id.rsplit("_", 1)[-1]
    payload = {"id": field_id, "name": name, "custom": True, "clauseNames": [f"cf[{number}]"]}
    return stored(source, "jira_field", field_id, payload, scope="fields")


JIRA_FIELDS = (
    jira_field(PMO_CUSTOMER, "PMO Customer"),
    jira_field(PMO_SERVICE, "PMO Service"),
    jira_field(FLYWHEEL_STAGE, "Flywheel Stage"),
    jira_field(EXPERIENCE_STAGE, "Customer Experience Stage"),
)


def epic(
    key: str,
    *,
    customer: str | None = "GRID",
    service: str | None = "Portfolio Governance",
    stage: str | None = "Service Onboarding",
    changelog: Sequence[Payload] | None = None,
    created: datetime | None = CREATED,
    **fields: Any,
) -> StoredRecord:
    """An engagement epic with the PMO's custom fields (None leaves a field empty)."""
    custom = {
        PMO_CUSTOMER: option(customer) if customer else None,
        PMO_SERVICE: option(service) if service else None,
        FLYWHEEL_STAGE: option(stage) if stage else None,
    }
    return jira_issue(key, fields=custom | fields, changelog=changelog, created=created)


def subtask(
    key: str, *, parent: str | None, summary: str, labels: Sequence[str] = (), done: bool = False
) -> StoredRecord:
    """An onboarding sub-task under ``parent`` (None: the sub-task has lost its parent)."""
    fields = {
        "parent": {"id": "1", "key": parent, "fields": {"summary": "parent"}} if parent else None,
        "labels": list(labels),
        "status": status("Done", "Done") if done else status("Open"),
    }
    return jira_issue(key, issue_type="Sub-task", summary=summary, fields=fields)


# -- mapping.yaml ------------------------------------------------------------------------

CUSTOMERS: tuple[Payload, ...] = (
    {
        "id": "grid-ops",
        "name": "Grid Operations",
        "kind": "business_unit",
        "experience_stage": "realization",
        "aliases": ["GRID"],
    },
    {"id": "finance", "name": "Finance (CFO office)", "kind": "executive", "aliases": ["FIN"]},
)

SERVICES: tuple[Payload, ...] = (
    {
        "id": "portfolio-governance",
        "name": "Portfolio Governance",
        "onboarding_template": [
            {"key": "intake", "title": "Agree the intake criteria"},
            {"key": "board", "title": "Add the customer to the portfolio board agenda"},
            {"key": "first-review", "title": "First portfolio review"},
        ],
    },
    {"id": "health-checks", "name": "Project Health Checks"},
)


def rule(name: str, produces: str, *, source: str = JIRA, **parts: Any) -> Payload:
    """A rule of ``mapping.yaml`` as YAML would load it."""
    return {"name": name, "source": source, "produces": produces, **parts}


ENGAGEMENTS = rule(
    "engagements",
    "engagement",
    select={"jql": "project = PMO AND issuetype = Epic"},
    customer={"field": "PMO Customer"},
    service={"field": "PMO Service"},
    flywheel_stage={"field": "Flywheel Stage"},
    join_key={"field": "key"},
)

PLANNER_ENGAGEMENTS = rule(
    "planner-engagements",
    "engagement",
    source=PLANNER,
    select={"groups": [GROUP]},
    customer={"field": "title", "pattern": r" for (?P<value>.+?) \["},
    service={"field": "planName"},
    flywheel_stage={"bucket": True},
    join_key={"field": "title", "pattern": r"\[(?P<value>PMO-\d+)\]"},
)


def mapping(*rules: Payload) -> MappingFile:
    """A mapping with the test catalogue and ``rules``, validated as the loader would."""
    return MappingFile.model_validate(
        {"customers": list(CUSTOMERS), "services": list(SERVICES), "rules": list(rules)}
    )


def run(
    rules: Sequence[Payload],
    *records: StoredRecord,
    previous: Mapping[str, Sequence[tuple[str, datetime]]] | None = None,
) -> MappingOutcome:
    """Map ``records`` with ``rules``; ``previous`` holds stored stage changes by engagement."""
    stages = dict(previous or {})

    def stored_stages(engagement_id: str) -> Sequence[tuple[str, datetime]]:
        return stages.get(engagement_id, ())

    return map_records(mapping(*rules), lambda: records, now=NOW, previous=stored_stages)


def entity(outcome: MappingOutcome, kind: str, entity_id: str) -> EntityRecord:
    """The entity ``(kind, id)``; fails the test with what was produced when it is missing."""
    found = outcome.entities_of((kind, entity_id))
    produced = [(e.kind, e.entity_id) for e in outcome.entities]
    assert found is not None, f"no {kind} {entity_id!r}; produced {produced}"
    return found


def reasons(outcome: MappingOutcome) -> dict[str, tuple[str, ...]]:
    """Rejection reasons by the rejected record's external id."""
    return {r.record.external_id: r.reasons for r in outcome.rejections}


def reader(record: StoredRecord, *context: StoredRecord) -> RecordReader:
    """The reader of ``record``, with ``context`` records indexed."""
    return reader_for(record, RecordContext.of(context))
