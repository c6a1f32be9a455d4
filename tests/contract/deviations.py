"""The sandbox's documented departures from the spec subsets, as data the harness applies.

Each `Deviation` mirrors one row of ``docs/sandbox-deviations.md`` (same ``ref``) and excuses
only the violations it describes: which spec and operations, which statuses, which kind of
failure, at which JSON paths, with which message. Anything else still fails the test; a row
whose contract test stops needing a deviation fails too (rows declare the refs they expect).
"""

from __future__ import annotations

from tests.contract.deviation import Deviation
from tests.contract.deviations_dataverse import DATAVERSE_DEVIATIONS
from tests.contract.deviations_graph import GRAPH_DEVIATIONS
from tests.contract.deviations_planner import PLANNER_DEVIATIONS
from tests.contract.deviations_teams import TEAMS_DEVIATIONS
from tests.contract.violations import AMBIGUOUS_ONE_OF

__all__ = ["DEVIATIONS", "Deviation"]

_JIRA_TIMESTAMP = r"'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}' is not a 'date-time'"
_NULL = r"None (for not nullable|is not of type 'string'|is not one of \[.*\])"
_CLOUD = ("jira-cloud-v3",)
_DC = ("jira-dc-v2",)
_V1 = ("confluence-cloud-v1",)
_V2 = ("confluence-cloud-v2",)
_HISTORIES = ("values", "changelog/histories", "issues/*/changelog/histories")
_CHANGELOG_OPERATIONS = (
    "GET /rest/api/3/issue/{issueIdOrKey}/changelog",
    "GET /rest/api/3/issue/{issueIdOrKey}",
    "GET /rest/api/3/search/jql",
    "POST /rest/api/3/search/jql",
)

DEVIATIONS: tuple[Deviation, ...] = (
    # ---- Jira Cloud, REST v3
    Deviation(
        ref="D1",
        specs=_CLOUD,
        operations=("GET /rest/api/3/search", "POST /rest/api/3/search"),
        statuses=(410,),
        kind="undeclared-status",
    ),
    Deviation(
        ref="D2",
        specs=_CLOUD,
        operations=(
            *_CHANGELOG_OPERATIONS,
            "GET /rest/api/3/issue/{issueIdOrKey}/comment",
            "POST /rest/api/3/issue/{issueIdOrKey}/comment",
            "GET /rest/api/3/issue/{issueIdOrKey}/comment/{id}",
        ),
        kind="schema",
        keyword="format",
        where=(
            *(f"{history}/*/created" for history in _HISTORIES),
            "created",
            "updated",
            "comments/*/created",
            "comments/*/updated",
        ),
        message=_JIRA_TIMESTAMP,
    ),
    Deviation(
        ref="D3",
        specs=_CLOUD,
        operations=_CHANGELOG_OPERATIONS,
        kind="schema",
        keyword="type",
        where=tuple(f"{h}/*/items/*/{end}" for h in _HISTORIES for end in ("from", "to")),
        message=r"None (for not nullable|is not of type 'string')",
    ),
    Deviation(
        ref="D4",
        specs=_CLOUD,
        operations=(
            "PUT /rest/api/3/issue/{issueIdOrKey}",
            "PUT /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
        ),
        statuses=(200, 201, 204),
        kind="missing-body",
    ),
    # ---- Jira Data Center, REST v2
    Deviation(
        ref="D5",
        specs=_DC,
        operations=(
            "GET /api/2/search",
            "POST /api/2/search",
            "GET /api/2/issue/{issueIdOrKey}",
            "POST /api/2/issue",
            "POST /api/2/issue/bulk",
            "PUT /api/2/issue/{issueIdOrKey}",
        ),
        phases=("request", "response"),
        kind="schema",
        keyword="type",
        where=("fields/*", "issues/*/fields/*", "issueUpdates/*/fields/*"),
    ),
    Deviation(
        ref="D6",
        specs=_DC,
        operations=("GET /api/2/field", "GET /api/2/project", "GET /api/2/issuetype"),
        statuses=(200,),
        kind="schema",
        keyword="type",
        where=("",),
        message=r"\[.*",  # the instance at the root is an array
        each_item=True,
    ),
    Deviation(
        ref="D7",
        specs=_DC,
        operations=("GET /api/2/search",),
        phases=("request",),
        kind="parameter",
        where=("query/fields", "query/expand"),
    ),
    Deviation(
        ref="D8",
        specs=_DC,
        operations=(
            "PUT /api/2/issue/{issueIdOrKey}/properties/{propertyKey}",
            "GET /api/2/issue/{issueIdOrKey}/properties/{propertyKey}",
        ),
        phases=("request", "response"),
        kind="schema",
        keyword="type",
        where=("", "value"),
        message=r".* is not of type 'string'",
    ),
    Deviation(
        ref="D9",
        specs=_DC,
        operations=("PUT /api/2/issue/{issueIdOrKey}",),
        statuses=(404,),
        kind="undeclared-status",
    ),
    # ---- Confluence Cloud, v1 and v2
    Deviation(
        ref="D10",
        specs=_V1,
        operations=("GET /wiki/rest/api/content/{id}/history",),
        phases=("request", "response"),
        kind="unknown-operation",
    ),
    Deviation(
        ref="D11",
        specs=(*_V1, *_V2),
        operations=("*",),
        statuses=(400, 401, 403, 404, 409, 413),
        kind="undescribed-body",
    ),
    Deviation(
        ref="D12",
        specs=_V2,
        operations=("PUT /pages/{id}",),
        statuses=(409,),
        kind="undeclared-status",
    ),
    Deviation(
        ref="D13",
        specs=_V2,
        operations=("POST /pages", "PUT /pages/{id}"),
        phases=("request",),
        kind="schema",
        keyword="oneOf",
        where=("body",),
        message=AMBIGUOUS_ONE_OF,
    ),
    Deviation(
        ref="D14",
        specs=_V2,
        operations=("GET /pages", "POST /pages", "GET /pages/{id}", "PUT /pages/{id}"),
        statuses=(200,),
        kind="schema",
        where=("parentId", "parentType", "results/*/parentId", "results/*/parentType"),
        message=_NULL,
    ),
    *PLANNER_DEVIATIONS,
    *TEAMS_DEVIATIONS,
    *GRAPH_DEVIATIONS,
    *DATAVERSE_DEVIATIONS,
)
