"""Checks that names used in one place are defined in another, within and across both files.

pydantic validates each value alone; whether job sources, rule sources, prescribed services or
webhooks exist is only known once both files are read. Every broken reference is reported.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flywheel_sync.settings.connections import AzureAuth
from flywheel_sync.settings.flywheel import FlywheelSettings
from flywheel_sync.settings.mapping import MappingFile

__all__ = ["BrokenReference", "check_mapping", "check_settings"]

Loc = tuple[str | int, ...]


@dataclass(frozen=True, kw_only=True)
class BrokenReference:
    """A name used at ``loc`` that is not defined where it should be."""

    loc: Loc
    message: str
    hint: str | None


def _unknown(loc: Loc, kind: str, name: str, known: Iterable[str]) -> BrokenReference:
    choices = sorted(known)
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    if close:
        hint = f"did you mean '{close[0]}'?"
    elif choices:
        hint = f"defined {kind}s: {', '.join(choices)}"
    else:
        hint = f"no {kind} is defined"
    return BrokenReference(loc=loc, message=f"unknown {kind} '{name}'", hint=hint)


def _duplicates(section: str, key: str, names: list[str]) -> Iterator[BrokenReference]:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            yield BrokenReference(
                loc=(section, index, key), message=f"'{name}' is defined twice", hint=None
            )
        seen.add(name)


def check_settings(settings: FlywheelSettings) -> list[BrokenReference]:
    """Job names are unique and every job source is a defined connection."""
    sources = settings.source_names()
    broken = list(_duplicates("jobs", "name", [job.name for job in settings.jobs]))
    for index, job in enumerate(settings.jobs):
        for position, source in enumerate(job.sources):
            if source not in sources:
                broken.append(
                    _unknown(("jobs", index, "sources", position), "source", source, sources)
                )
    return broken


def _mapping_internal(mapping: MappingFile) -> Iterator[BrokenReference]:
    yield from _duplicates("customers", "id", [c.id for c in mapping.customers])
    yield from _duplicates("services", "id", [s.id for s in mapping.services])
    yield from _duplicates("kpis", "id", [k.id for k in mapping.kpis])
    yield from _duplicates("rules", "name", [r.name for r in mapping.rules])
    kpi_ids = {k.id for k in mapping.kpis}
    service_ids = {s.id for s in mapping.services}
    rule_names = {r.name for r in mapping.rules}
    for index, service in enumerate(mapping.services):
        for position, kpi_id in enumerate(service.kpi_ids):
            if kpi_id not in kpi_ids:
                yield _unknown(("services", index, "kpi_ids", position), "KPI", kpi_id, kpi_ids)
    for index, kpi in enumerate(mapping.kpis):
        for position, rule in enumerate(kpi.custom.rules if kpi.custom else ()):
            if rule not in rule_names:
                yield _unknown(
                    ("kpis", index, "custom", "rules", position), "rule", rule, rule_names
                )
    for kind, detector in mapping.diagnosis.by_kind().items():
        for position, service_id in enumerate(detector.prescribes):
            if service_id not in service_ids:
                yield _unknown(
                    ("diagnosis", kind.value, "prescribes", position),
                    "service",
                    service_id,
                    service_ids,
                )


def _mapping_against_settings(
    mapping: MappingFile, settings: FlywheelSettings
) -> Iterator[BrokenReference]:
    sources = settings.source_names()
    for index, rule in enumerate(mapping.rules):
        if rule.source not in sources:
            yield _unknown(("rules", index, "source"), "source", rule.source, sources)
    for key_path, source in mapping.push.sources().items():
        loc: Loc = tuple(key_path.split("."))
        expected_tool = loc[2]
        tool = source.split(":", 1)[0]
        if source not in sources:
            yield _unknown(loc, "source", source, sources)
        elif expected_tool != "jira_comment" and tool != expected_tool:
            yield BrokenReference(
                loc=loc, message=f"'{source}' is not a {expected_tool} source", hint=None
            )
    yield from _delegated_project_identity(mapping, settings)
    teams = mapping.push.kpi_summaries.teams
    if teams is not None and teams.webhook not in settings.teams_webhooks:
        yield _unknown(
            ("push", "kpi_summaries", "teams", "webhook"),
            "webhook",
            teams.webhook,
            settings.teams_webhooks,
        )


_APPLICATION_IDENTITIES = frozenset({AzureAuth.CLIENT_SECRET, AzureAuth.CERTIFICATE})


def _delegated_project_identity(
    mapping: MappingFile, settings: FlywheelSettings
) -> Iterator[BrokenReference]:
    """Project push targets need a user: the Schedule API refuses application identities."""
    for key_path, source in mapping.push.sources().items():
        tool, _, name = source.partition(":")
        if tool != "project" or name not in settings.dataverse:
            continue
        target = mapping.push
        for part in key_path.split(".")[1:-1]:
            target = getattr(target, part)
        auth = settings.dataverse[name].auth
        if getattr(target, "enabled", True) and auth in _APPLICATION_IDENTITIES:
            yield BrokenReference(
                loc=tuple(key_path.split(".")),
                message=(
                    f"'{source}' signs in as an application ({auth.value}), and the Project "
                    "Schedule API that writes to Project refuses application users"
                ),
                hint=(
                    f'set auth = "device_code" in [dataverse.{name}] (a Project-licensed '
                    "user), or disable this target"
                ),
            )


def check_mapping(mapping: MappingFile, settings: FlywheelSettings | None) -> list[BrokenReference]:
    """Ids are unique, references inside the mapping resolve, and so do named connections."""
    broken = list(_mapping_internal(mapping))
    if settings is not None:
        broken.extend(_mapping_against_settings(mapping, settings))
    return broken
