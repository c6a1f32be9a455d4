"""Cloud's asynchronous bulk edit of one single-select field, and naming what it did.

``POST /bulk/issues/fields`` takes up to 1000 issues and answers a task id; the edit happens
later, and ``GET /bulk/queue/{taskId}`` reports it (jira-wire.md §2): ``status``, the ids
processed, ``failedAccessibleIssues`` (id → reasons) and ``invalidOrInaccessibleIssueCount``
(unknown keys, only counted). The queue speaks numeric ids while the caller speaks keys, so
when a task did not edit everything, the keys are matched to ids with ``POST
/issue/bulkfetch`` (100 to a request): a key Jira does not return there does not exist or
is hidden. A task that edited every issue costs no look-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from connectors.errors import ConnectorError, RetryableError
from connectors.jira.site import JiraFlavour, JiraSite

__all__ = [
    "BULK_EDIT_LIMIT",
    "MAX_POLLS",
    "POLL_SECONDS",
    "BulkEditOutcome",
    "BulkEditUnavailableError",
    "bulk_set_select",
]

BULK_EDIT_LIMIT = 1000
"""Issues per bulk edit task (sub-tasks included)."""
BULK_FETCH_LIMIT = 100
"""Issues per ``POST /issue/bulkfetch``."""
MAX_POLLS = 120
"""Polls of one bulk edit task before giving up on it."""
POLL_SECONDS = 1.0
"""Wait between two polls of a bulk edit task."""
_DONE = frozenset({"COMPLETE", "FAILED", "CANCELLED", "DEAD"})
_NOT_EDITED = "the issue does not exist or you do not have permission to see it"


class BulkEditUnavailableError(ConnectorError):
    """The site has no bulk edit (Data Center): set the fields issue by issue instead."""


@dataclass(frozen=True, kw_only=True)
class BulkEditOutcome:
    """What a bulk edit did: the keys edited, and each key not edited with Jira's reasons."""

    edited: tuple[str, ...]
    failed: Mapping[str, str] = field(default_factory=dict)


def _option_id(option_id: str) -> int | str:
    """The bulk edit API takes option ids as numbers."""
    return int(option_id) if option_id.isdigit() else option_id


def bulk_set_select(
    site: JiraSite,
    keys: Sequence[str],
    *,
    field_id: str,
    option_id: str,
    poll: Callable[[float], None],
) -> BulkEditOutcome:
    """Set ``field_id`` to ``option_id`` on ``keys``: one task per 1000, each polled to its end.

    See `JiraWriter.bulk_set_select`.
    """
    if site.flavour is not JiraFlavour.CLOUD:
        raise BulkEditUnavailableError(
            "Jira Data Center has no bulk edit: set the field issue by issue",
            source=site.source,
        )
    edited: list[str] = []
    failed: dict[str, str] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), BULK_EDIT_LIMIT):
        chunk = unique[start : start + BULK_EDIT_LIMIT]
        progress = _run(site, chunk, field_id, option_id, poll)
        done, refused = _outcome(site, chunk, progress)
        edited += done
        failed |= refused
    return BulkEditOutcome(edited=tuple(edited), failed=failed)


def _run(
    site: JiraSite, keys: list[str], field_id: str, option_id: str, poll: Callable[[float], None]
) -> dict[str, Any]:
    """Submit one task and poll it until it ends; its last progress report."""
    submitted = site.send(
        "POST",
        "bulk/issues/fields",
        body={
            "selectedIssueIdsOrKeys": keys,
            "selectedActions": [field_id],
            "editedFieldsInput": {
                "singleSelectFields": [
                    {"fieldId": field_id, "option": {"optionId": _option_id(option_id)}}
                ]
            },
            "sendBulkNotification": False,
        },
    )
    task_id = str((submitted or {})["taskId"])
    progress: dict[str, Any] = {}
    for number in range(MAX_POLLS):
        if number:
            poll(POLL_SECONDS)
        progress = site.send("GET", f"bulk/queue/{quote(task_id, safe='')}") or {}
        if progress.get("status") in _DONE:
            return progress
    raise RetryableError(
        f"bulk edit task {task_id} was still {progress.get('status')} after {MAX_POLLS} "
        "polls: read the issues again before deciding what is left to edit",
        source=site.source,
    )


def _outcome(
    site: JiraSite, keys: list[str], progress: Mapping[str, Any]
) -> tuple[list[str], dict[str, str]]:
    """The keys edited and the keys not edited (with why) of one finished task."""
    processed = {str(i) for i in progress.get("processedAccessibleIssues") or []}
    refused = {
        str(issue_id): "; ".join(map(str, reasons)) or "refused"
        for issue_id, reasons in (progress.get("failedAccessibleIssues") or {}).items()
    }
    status = str(progress.get("status"))
    if status == "COMPLETE" and len(processed) == len(keys) and not refused:
        return list(keys), {}
    ids = _issue_ids(site, keys)
    edited: list[str] = []
    failed: dict[str, str] = {}
    for key in keys:
        issue_id = ids.get(key)
        if issue_id is None:
            failed[key] = _NOT_EDITED
        elif issue_id in processed:
            edited.append(key)
        elif issue_id in refused:
            failed[key] = refused[issue_id]
        else:
            failed[key] = f"not edited: the bulk edit task ended {status}"
    return edited, failed


def _issue_ids(site: JiraSite, keys: list[str]) -> dict[str, str]:
    """Each key's numeric id (``POST /issue/bulkfetch``); unknown keys are left out."""
    ids: dict[str, str] = {}
    for start in range(0, len(keys), BULK_FETCH_LIMIT):
        chunk = keys[start : start + BULK_FETCH_LIMIT]
        found = site.send(
            "POST", "issue/bulkfetch", body={"issueIdsOrKeys": chunk, "fields": ["key"]}
        )
        by_name: dict[str, str] = {}
        for issue in (found or {}).get("issues") or []:
            by_name[str(issue["key"]).upper()] = str(issue["id"])
            by_name[str(issue["id"])] = str(issue["id"])
        ids |= {key: by_name[key.upper()] for key in chunk if key.upper() in by_name}
    return ids
