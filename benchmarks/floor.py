"""The request floor: the pages each API must serve, at its largest page, for a full pull.

A full pull cannot cost fewer requests than the APIs' page sizes allow for the records the
mapping selects. The floor is computed from what the sandbox holds (its JQL engine counts the
issues each rule's query matches; plans, tasks, messages and Project rows are counted in the
seeded organisation) and from the documented largest page of each list:

- **Jira Cloud** ``/rest/api/3/search/jql``: 100 issues a page once fields are asked for. The
  spec allows ``maxResults`` up to 5,000 but "may return fewer ... where a large number of
  fields ... are requested; the greatest number of items ... when requesting id or key only"
  (jira-wire.md §1, [S1]); with fields Cloud answers 100 (Atlassian KB "Changing maxResults
  parameter for Jira Cloud REST API", confluence.atlassian.com/jirakb/779160706; observed in
  pycontribs/jira#1819 and jenkinsci/jira-plugin#647). The sandbox does the same
  (``flywheel_sync.sandbox.jira.search.PAGE_LIMIT``). ``expand=changelog`` embeds the newest 20
  histories; a longer history costs ``GET /issue/{key}/changelog`` pages of 100
  (jira-wire.md §2). One ``GET /field`` resolves field names to ids.
- **Planner** (Graph v1.0): lists come in server-sized pages of about 400 and ignore ``$top``
  (graph-wire.md §1, microsoft-graph-docs#6438). A plan costs its details and its bucket list
  (label and bucket names), then its task pages; every task's details (checklist) is one
  object, ``GET /planner/tasks/{id}/details``, no list returns them (``$expand=details`` is
  undocumented: microsoft-graph-docs#8730). A ``$batch`` carries at most 20 such reads
  (graph-wire.md §2, JSON batching), so it lowers HTTP requests, not the pages served: Graph
  throttles each step.
- **Teams** (Graph v1.0): a channel's message list serves at most 50 root posts a page
  (``$top`` max 50) with up to 1,000 replies inline (graph-wire.md §3); one more request
  opens the delta round whose link the next incremental pull follows (a full read cannot
  use delta alone: delta reaches back eight months only). A message's author's department
  (which customer said it) is ``GET /users/{id}``, one per distinct author, batchable by 20.
- **Project** (Dataverse Web API): ``Prefer: odata.maxpagesize`` up to 5,000 rows a page
  (learn.microsoft.com/power-apps/developer/data-platform/webapi/query/page-results;
  ``connectors.project.dataverse_source``). One request resolves the configured projects'
  rows; then each table (buckets, tasks, checklist items) per project, or for every project
  at once with an ``or`` of project ids. Checklist items have no project lookup, only their
  task's: Dataverse filters through a lookup's navigation property
  (``msdyn_projecttaskid/_msdyn_project_value eq …``), so they too are one query per project.

Two floors are given per source. ``pages`` reads every selected record once, as one query per
list across scopes (the strict floor). ``scoped_pages`` keeps our scopes (one Jira query per
distinct rule selection, one Project read per project, one task list per plan), each paged on
its own, which is what any scope-by-scope reader with a watermark per scope pays. ``http``
counts a Graph ``$batch`` of 20 reads as one request.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Final

from flywheel_sync.sandbox.demo import DemoOrganisation
from flywheel_sync.sandbox.jira.jql import compile_jql
from flywheel_sync.sandbox.jira.rendering import EMBEDDED_CHANGELOG_LIMIT
from flywheel_sync.sandbox.jira.search import PAGE_LIMIT
from flywheel_sync.sandbox.jira.store import JiraStore
from flywheel_sync.settings.mapping import MappingFile

__all__ = [
    "CHANGELOG_PAGE",
    "DATAVERSE_PAGE",
    "GRAPH_BATCH",
    "JIRA_PAGE",
    "MESSAGE_PAGE",
    "PLANNER_PAGE",
    "SourceFloor",
    "floor_summary",
    "request_floor",
]

JIRA_PAGE: Final = PAGE_LIMIT
"""Issues per ``/search/jql`` page when fields are requested (100)."""
CHANGELOG_PAGE: Final = 100
"""Histories per ``GET /issue/{key}/changelog`` page."""
PLANNER_PAGE: Final = 400
"""Objects per Planner list page (server-sized)."""
MESSAGE_PAGE: Final = 50
"""Root posts per channel message page (``$top`` max)."""
GRAPH_BATCH: Final = 20
"""Requests per Graph ``$batch``."""
DATAVERSE_PAGE: Final = 5000
"""Rows per Dataverse page (``odata.maxpagesize`` max)."""


@dataclass(frozen=True, kw_only=True)
class SourceFloor:
    """The least a full pull of one tool must be served.

    Attributes:
        records: The objects read (issues, tasks, messages, rows).
        pages: Pages served at the largest page size, every selected record read once.
        scoped_pages: The same, when each of our scopes is paged on its own.
        http: HTTP requests for ``pages`` (Graph ``$batch`` carries 20 single-object reads).
        basis: What was counted, in a line.
    """

    records: int
    pages: int
    scoped_pages: int
    http: int
    basis: str


def _pages(count: int, size: int) -> int:
    """Pages serving ``count`` items, ``size`` a page; an empty list is still one page."""
    return max(1, math.ceil(count / size))


def _jira(organisation: DemoOrganisation, mapping: MappingFile, now: datetime) -> SourceFloor:
    store = JiraStore(lambda: organisation.jira)
    queries = list(
        dict.fromkeys(
            jql
            for rule in mapping.rules
            if rule.tool == "jira" and (jql := rule.select.jira_query())
        )
    )
    union: set[str] = set()
    scoped = 1  # GET /field
    for jql in queries:
        query = compile_jql(jql, fields=store.catalog)
        found = {view["id"] for view in query.search(store.views, now=now)}
        union |= found
        scoped += _pages(len(found), JIRA_PAGE)
    histories = [len(issue.changelog) for issue in store.issues if issue.id in union]
    long = [n for n in histories if n > EMBEDDED_CHANGELOG_LIMIT]
    changelog = sum(math.ceil(n / CHANGELOG_PAGE) for n in long)
    pages = 1 + _pages(len(union), JIRA_PAGE) + changelog
    return SourceFloor(
        records=len(union),
        pages=pages,
        scoped_pages=scoped + changelog,
        http=pages,
        basis=(
            f"1 field list + {len(union):,} issues / {JIRA_PAGE} + {changelog} changelog pages "
            f"({len(long)} issues with more than {EMBEDDED_CHANGELOG_LIMIT} histories); "
            f"{len(queries)} scope queries"
        ),
    )


def _selected(values: Iterable[tuple[str, ...]]) -> list[str]:
    return list(dict.fromkeys(value for group in values for value in group))


def _planner(organisation: DemoOrganisation, mapping: MappingFile) -> SourceFloor:
    groups = _selected(r.select.groups for r in mapping.rules if r.tool == "planner")
    tenant = organisation.planner
    plans = [p for p in tenant.plans if p.get("container", {}).get("containerId") in groups]
    plan_ids = {p["id"] for p in plans}
    tasks = [t for t in tenant.tasks if t["planId"] in plan_ids]
    buckets = [b for b in tenant.buckets if b["planId"] in plan_ids]
    per_plan = sum(
        2 + _pages(sum(1 for t in tasks if t["planId"] == plan_id), PLANNER_PAGE)
        for plan_id in plan_ids
    )
    lists = len(groups) + per_plan
    pages = lists + len(tasks)
    return SourceFloor(
        records=len(plans) + len(buckets) + len(tasks),
        pages=pages,
        scoped_pages=pages,
        http=lists + math.ceil(len(tasks) / GRAPH_BATCH),
        basis=(
            f"{len(groups)} group plan lists + {len(plans)} plans x (details + buckets + "
            f"task pages of {PLANNER_PAGE}) + {len(tasks):,} task details "
            f"(HTTP: {GRAPH_BATCH} per $batch)"
        ),
    )


def _author(message: Mapping[str, Any]) -> str | None:
    user = (message.get("from") or {}).get("user") or {}
    found = user.get("id")
    return str(found) if found else None


def _teams(organisation: DemoOrganisation, mapping: MappingFile) -> SourceFloor:
    channels = _selected(
        tuple(c.channel_id for c in r.select.channels) for r in mapping.rules if r.tool == "teams"
    )
    tenant = organisation.teams
    roots = [m for cid in channels for m in tenant.messages.get(cid, [])]
    replies = [r for m in roots for r in tenant.replies.get(m["id"], [])]
    authors = {a for m in (*roots, *replies) if (a := _author(m))}
    per_channel = sum(
        _pages(len(tenant.messages.get(cid, [])), MESSAGE_PAGE) + 1 for cid in channels
    )
    return SourceFloor(
        records=len(roots) + len(replies) + len(authors),
        pages=per_channel + len(authors),
        scoped_pages=per_channel + len(authors),
        http=per_channel + math.ceil(len(authors) / GRAPH_BATCH),
        basis=(
            f"{len(roots):,} root posts / {MESSAGE_PAGE} (replies inline) + 1 delta request "
            f"per channel ({len(channels)}) + {len(authors)} authors (HTTP: {GRAPH_BATCH} "
            "per $batch)"
        ),
    )


def _project(organisation: DemoOrganisation, mapping: MappingFile) -> SourceFloor:
    names = set(_selected(r.select.projects for r in mapping.rules if r.tool == "project"))
    rows = organisation.project
    chosen = {
        str(p["msdyn_projectid"])
        for p in rows.projects
        if p.get("msdyn_subject") in names or str(p["msdyn_projectid"]) in names
    }
    buckets = [b for b in rows.buckets if b.get("_msdyn_project_value") in chosen]
    tasks = [t for t in rows.tasks if t.get("_msdyn_project_value") in chosen]
    project_of = {str(t["msdyn_projecttaskid"]): t["_msdyn_project_value"] for t in tasks}
    items = [c for c in rows.checklists if c.get("_msdyn_projecttaskid_value") in project_of]

    def count(found: list[Any], project: str, key: str) -> int:
        return sum(1 for row in found if row.get(key) == project)

    scoped = 1 + sum(
        _pages(count(buckets, p, "_msdyn_project_value"), DATAVERSE_PAGE)
        + _pages(count(tasks, p, "_msdyn_project_value"), DATAVERSE_PAGE)
        + _pages(
            sum(1 for c in items if project_of[c["_msdyn_projecttaskid_value"]] == p),
            DATAVERSE_PAGE,
        )
        for p in chosen
    )
    pages = 1 + sum(_pages(len(found), DATAVERSE_PAGE) for found in (buckets, tasks, items))
    return SourceFloor(
        records=len(chosen) + len(buckets) + len(tasks) + len(items),
        pages=pages,
        scoped_pages=scoped,
        http=pages,
        basis=(
            f"1 project lookup + {len(buckets):,} buckets, {len(tasks):,} tasks, "
            f"{len(items):,} checklist items / {DATAVERSE_PAGE:,} ({len(chosen)} projects)"
        ),
    )


def request_floor(
    organisation: DemoOrganisation, mapping: MappingFile, *, now: datetime | None = None
) -> dict[str, SourceFloor]:
    """The floor of a full pull of what ``mapping`` selects in ``organisation``, per tool.

    Tools are named as `benchmarks.pull.tool_of` names the routes: ``jira``, ``planner``,
    ``teams`` (messages and their authors) and ``project``.
    """
    moment = now or datetime.now(UTC)
    return {
        "jira": _jira(organisation, mapping, moment),
        "planner": _planner(organisation, mapping),
        "teams": _teams(organisation, mapping),
        "project": _project(organisation, mapping),
    }


def floor_summary(floors: Mapping[str, SourceFloor]) -> dict[str, Any]:
    """JSON-ready floors, with their totals."""
    return {
        "by_source": {name: asdict(found) for name, found in floors.items()},
        "pages": sum(f.pages for f in floors.values()),
        "scoped_pages": sum(f.scoped_pages for f in floors.values()),
        "http": sum(f.http for f in floors.values()),
    }
