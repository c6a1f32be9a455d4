"""Project's labels in the demo: every project's 25 coloured labels, some of them named.

Project for the web gives each project the same 25 labels, one per colour, and people name the
ones they use; the Project Schedule APIs can rename a label but never create or delete one. A
label on a task is a ``msdyn_projecttasktolabel`` row linking the two. Column names are the
ones community clients read (the spec subset only names the tables); ``msdyn_colorindex`` is
192350000 plus the colour's position. Rows are Dataverse Web API JSON without ``@odata.etag``.
"""

from collections.abc import Sequence

from flywheel_sync.sandbox.demo.identifiers import guid
from flywheel_sync.sandbox.demo.jira_model import JsonObject

__all__ = ["LABELS_PER_PROJECT", "label_task", "project_labels"]

LABELS_PER_PROJECT = 25
_FIRST_COLOUR = 192350000


def project_labels(
    *, subject: str, project_id: str, created: str, names: Sequence[str] = (), named: str = ""
) -> list[JsonObject]:
    """A project's 25 labels; the first ``len(names)`` carry those names since ``named``.

    Raises:
        ValueError: More names than a project has labels (a story defect).
    """
    if len(names) > LABELS_PER_PROJECT:
        raise ValueError(f"a project has {LABELS_PER_PROJECT} labels, not {len(names)}")
    return [
        {
            "msdyn_projectlabelid": guid(f"dataverse/label/{subject}/{number}"),
            "msdyn_projectlabeltext": names[number] if number < len(names) else None,
            "msdyn_colorindex": _FIRST_COLOUR + number,
            "_msdyn_projectid_value": project_id,
            "statecode": 0,
            "createdon": created,
            "modifiedon": (named or created) if number < len(names) else created,
        }
        for number in range(LABELS_PER_PROJECT)
    ]


def label_task(task: JsonObject, label: JsonObject, *, at: str) -> JsonObject:
    """The row that puts ``label`` on ``task``, applied at ``at``."""
    return {
        "msdyn_projecttasktolabelid": guid(
            f"dataverse/tasklabel/{task['msdyn_projecttaskid']}/{label['msdyn_projectlabelid']}"
        ),
        "msdyn_name": label["msdyn_projectlabeltext"],
        "_msdyn_projecttaskid_value": task["msdyn_projecttaskid"],
        "_msdyn_projectlabelid_value": label["msdyn_projectlabelid"],
        "statecode": 0,
        "createdon": at,
        "modifiedon": at,
    }
