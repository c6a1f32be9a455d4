"""The sandbox's documented departures from the spec subsets: dataverse (refs D40 to D49).

Each row mirrors one row of ``docs/sandbox-deviations.md`` with the same ``ref``.
"""

from __future__ import annotations

from tests.contract.deviation import Deviation

__all__ = ["DATAVERSE_DEVIATIONS"]

_ROWS = (
    "msdyn_projecttasks({msdyn_projecttaskid})",
    "msdyn_projectbuckets({msdyn_projectbucketid})",
    "msdyn_projectchecklists({msdyn_projectchecklistid})",
    "msdyn_projectteams({msdyn_projectteamid})",
    "msdyn_projecttaskdependencies({msdyn_projecttaskdependencyid})",
    "msdyn_resourceassignments({msdyn_resourceassignmentid})",
)
_SCHEDULING_SETS = (
    "msdyn_projects",
    "msdyn_projecttasks",
    "msdyn_projectbuckets",
    "msdyn_projectchecklists",
    "msdyn_projectteams",
    "msdyn_projecttaskdependencies",
    "msdyn_resourceassignments",
)

DATAVERSE_DEVIATIONS: tuple[Deviation, ...] = (
    Deviation(
        ref="D40",
        specs=("dataverse",),
        operations=(
            *(f"GET /{row}" for row in _ROWS),
            *(f"{method} /{row}" for row in _ROWS for method in ("PATCH", "DELETE")),
            "PATCH /msdyn_projects({msdyn_projectid})",
            "DELETE /msdyn_projects({msdyn_projectid})",
            "GET /msdyn_projectteams",
            "GET /msdyn_projecttaskdependencies",
            "GET /msdyn_resourceassignments",
            "GET /msdyn_operationsets",
            *(f"POST /{entity_set}" for entity_set in _SCHEDULING_SETS),
        ),
        phases=("request", "response"),
        kind="unknown-operation",
    ),
)
