"""The writes a push makes to Jira, each exactly the requests it names, through `JiraSite`.

`JiraWriter` sets fields (one ``PUT`` per issue, or Cloud's asynchronous bulk edit for one
select value on many issues), creates issues in bulk, leaves comments and issue properties
(the ownership markers), and reads what a plan needs to decide (a select field's options, a
parent's sub-tasks, a property, the comments). Every request goes through the site's retry
policy; failures are mapped by `connectors.jira.failures.translate_write`:
`WriteRejectedError` for a refusal of this one write, `StaleWriteError` for a conflict,
`AuthenticationError`, `RetryableError` once the policy gave up.

Cost: every method is one request, except `comments` (one per 100 comments),
`select_options` (one per field, then cached), `create_issues` (one per 50 issues),
`subtasks_of` (one per 100 parents on Cloud, one per parent on Data Center) and
`bulk_set_select` (per 1000 issues: one submission, then polls, plus one look-up per 100
issues when some were not edited, to name them: see `connectors.jira.bulk_edit`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from connectors.errors import ConnectorError, WriteRejectedError
from connectors.jira.bulk_edit import (
    BULK_EDIT_LIMIT,
    BULK_FETCH_LIMIT,
    BulkEditOutcome,
    BulkEditUnavailableError,
    bulk_set_select,
)
from connectors.jira.failures import Subject, write_rejection
from connectors.jira.site import JiraFlavour, JiraSite

__all__ = [
    "BULK_CREATE_LIMIT",
    "BULK_EDIT_LIMIT",
    "BulkEditOutcome",
    "BulkEditUnavailableError",
    "CommentInfo",
    "CreatedIssue",
    "JiraWriter",
    "SubtaskInfo",
]

BULK_CREATE_LIMIT = 50
"""Issues per ``POST /issue/bulk``."""
COMMENT_PAGE = 100
"""Comments per ``GET /issue/{key}/comment`` page."""


@dataclass(frozen=True, kw_only=True)
class CreatedIssue:
    """An issue a bulk create made."""

    id: str
    key: str


@dataclass(frozen=True, kw_only=True)
class SubtaskInfo:
    """A sub-task as its parent lists it."""

    key: str
    summary: str
    status: str


@dataclass(frozen=True, kw_only=True)
class CommentInfo:
    """A comment: its body is ADF (a dict) on Cloud, wiki text on Data Center.

    ``author_account_id`` is the author's ``accountId`` (Cloud) or user name (Data Center).
    """

    id: str
    body: dict[str, Any] | str
    author_account_id: str | None
    created: str


def _issue_path(key: str, *rest: str) -> str:
    return "/".join(["issue", quote(key, safe=""), *(quote(part, safe="") for part in rest)])


def _adf(text: str) -> dict[str, Any]:
    """Plain text as an Atlassian Document Format document, one paragraph per line."""
    paragraphs = [
        {"type": "paragraph", "content": [{"type": "text", "text": line}] if line else []}
        for line in text.split("\n")
    ]
    return {"type": "doc", "version": 1, "content": paragraphs}


class JiraWriter:
    """Writes to one Jira site.

    Args:
        site: The site; its flavour decides the REST version and what is available.
    """

    def __init__(self, site: JiraSite) -> None:
        self.site = site
        self._options: dict[str, dict[str, str]] = {}

    @property
    def flavour(self) -> JiraFlavour:
        """Cloud or Data Center (asks ``serverInfo`` the first time, if not configured)."""
        return self.site.flavour

    def _subject(self, key: str | None = None) -> Subject:
        return Subject(source=self.site.source, record=key)

    def set_fields(self, key: str, fields: Mapping[str, Any]) -> None:
        """``PUT /issue/{key}?notifyUsers=false`` with ``{"fields": fields}``: one request.

        Raises:
            WriteRejectedError: Jira refused a value; ``code`` is the first field refused.
            StaleWriteError: A conflicting update (409).
        """
        self.site.send(
            "PUT",
            _issue_path(key),
            body={"fields": dict(fields)},
            params={"notifyUsers": "false"},
            record=key,
        )

    def select_options(self, key: str, field_id: str) -> dict[str, str]:
        """A select field's option values and their ids, as the issue's edit screen allows.

        Read from ``GET /issue/{key}/editmeta`` once per field, then cached (options belong
        to the field's context, shared by the issues a push writes).

        Raises:
            WriteRejectedError: The field is not on the issue's edit screen, or has no options.
        """
        if field_id in self._options:
            return dict(self._options[field_id])
        meta = self.site.send("GET", _issue_path(key, "editmeta"), record=key) or {}
        allowed = ((meta.get("fields") or {}).get(field_id) or {}).get("allowedValues")
        if not isinstance(allowed, list):
            message = f"{field_id} is not a select field on the issue's edit screen"
            raise WriteRejectedError(
                message,
                source=self.site.source,
                record=key,
                code=field_id,
                reasons=(f"{field_id}: {message}",),
            )
        options = {
            str(o["value"]): str(o["id"])
            for o in allowed
            if isinstance(o, dict) and "value" in o and "id" in o
        }
        self._options[field_id] = options
        return dict(options)

    def create_issues(
        self, issues: Sequence[Mapping[str, Any]]
    ) -> list[CreatedIssue | WriteRejectedError]:
        """Create issues with ``POST /issue/bulk``, 50 to a request.

        Args:
            issues: ``IssueUpdateDetails`` each: ``{"fields": {...}, "properties": [...]}``.

        Returns:
            In input order, each issue created or the refusal of that one issue. Jira answers
            400 when every element failed: that too is a list of refusals, not an exception.

        Raises:
            WriteRejectedError: Jira refused the request as a whole.
            ConnectorError: Jira's answer does not account for every issue sent.
        """
        results: list[CreatedIssue | WriteRejectedError] = []
        for start in range(0, len(issues), BULK_CREATE_LIMIT):
            chunk = [dict(issue) for issue in issues[start : start + BULK_CREATE_LIMIT]]
            answer = self.site.send(
                "POST", "issue/bulk", body={"issueUpdates": chunk}, answer_on=(400,), creates=True
            )
            results += self._created(answer, len(chunk))
        return results

    def _created(self, answer: Any, count: int) -> list[CreatedIssue | WriteRejectedError]:
        errors = answer.get("errors", []) if isinstance(answer, dict) else None
        if not isinstance(errors, list):
            # A 400 about the request itself (no per-element errors): nothing was created.
            raise write_rejection(400, answer, self._subject())
        refused = {
            int(e["failedElementNumber"]): write_rejection(
                int(e["status"]) if "status" in e else None,
                e.get("elementErrors"),
                self._subject(),
            )
            for e in errors
            if isinstance(e, dict) and "failedElementNumber" in e
        }
        created = iter(answer.get("issues") or [])
        results: list[CreatedIssue | WriteRejectedError] = []
        for number in range(count):
            if number in refused:
                results.append(refused[number])
                continue
            issue = next(created, None)
            if not isinstance(issue, dict):
                raise ConnectorError(
                    f"Jira's bulk create answer lists no issue for element {number}",
                    source=self.site.source,
                )
            results.append(CreatedIssue(id=str(issue["id"]), key=str(issue["key"])))
        return results

    def subtasks(self, parent_key: str) -> list[SubtaskInfo]:
        """The parent's sub-tasks, read from its ``subtasks`` field (not a search).

        ``GET /issue/{parent}?fields=subtasks`` is consistent at once, where a search may not
        list a sub-task created moments ago (jira-wire.md §1).
        """
        issue = self.site.send(
            "GET", _issue_path(parent_key), params={"fields": "subtasks"}, record=parent_key
        )
        return _subtasks(issue)

    def subtasks_of(self, parent_keys: Sequence[str]) -> dict[str, list[SubtaskInfo]]:
        """Each parent's sub-tasks (by the key asked for): `subtasks` for many parents.

        On Cloud, ``POST /issue/bulkfetch`` reads 100 parents a request, from the issues
        themselves as ``GET /issue`` does (not a search, so consistent at once); Data Center
        has no bulk fetch and reads each parent. A parent Jira does not return is left out.
        """
        unique = list(dict.fromkeys(parent_keys))
        if self.flavour is not JiraFlavour.CLOUD:
            return {key: self.subtasks(key) for key in unique}
        found: dict[str, list[SubtaskInfo]] = {}
        for start in range(0, len(unique), BULK_FETCH_LIMIT):
            chunk = unique[start : start + BULK_FETCH_LIMIT]
            answer = self.site.send(
                "POST", "issue/bulkfetch", body={"issueIdsOrKeys": chunk, "fields": ["subtasks"]}
            )
            by_name: dict[str, list[SubtaskInfo]] = {}
            for issue in (answer or {}).get("issues") or []:
                if isinstance(issue, dict):
                    listed = _subtasks(issue)
                    by_name[str(issue.get("key")).upper()] = listed
                    by_name[str(issue.get("id"))] = listed
            found |= {key: by_name[key.upper()] for key in chunk if key.upper() in by_name}
        return found

    def property(self, key: str, property_key: str) -> Any | None:
        """An issue property's value; None when Jira answers 404.

        404 means no such property, or no such issue: a write to it is then refused.
        """
        try:
            found = self.site.send("GET", _issue_path(key, "properties", property_key), record=key)
        except WriteRejectedError as refused:
            if refused.status == 404:
                return None
            raise
        return (found or {}).get("value")

    def set_property(self, key: str, property_key: str, value: Any) -> None:
        """``PUT /issue/{key}/properties/{property_key}`` with ``value`` as the body."""
        self.site.send("PUT", _issue_path(key, "properties", property_key), body=value, record=key)

    def add_comment(self, key: str, body: dict[str, Any] | str) -> str:
        """Add a comment; its id.

        Args:
            key: The issue.
            body: Cloud: an ADF document, or text (sent as one paragraph per line). Data
                Center: wiki markup text.

        Raises:
            ValueError: An ADF document for Data Center, which takes text only.
        """
        cloud = self.flavour is JiraFlavour.CLOUD
        if isinstance(body, dict) and not cloud:
            raise ValueError("Jira Data Center takes a comment body as wiki markup text")
        sent = _adf(body) if cloud and isinstance(body, str) else body
        created = self.site.send(
            "POST", _issue_path(key, "comment"), body={"body": sent}, record=key, creates=True
        )
        return str((created or {})["id"])

    def comments(self, key: str) -> list[CommentInfo]:
        """Every comment of the issue, oldest first, paged by ``startAt``/``total``."""
        found: list[CommentInfo] = []
        cloud = self.flavour is JiraFlavour.CLOUD
        while True:
            page = self.site.send(
                "GET",
                _issue_path(key, "comment"),
                params={"startAt": str(len(found)), "maxResults": str(COMMENT_PAGE)},
                record=key,
            )
            listed = [c for c in (page or {}).get("comments") or [] if isinstance(c, dict)]
            found += [_comment(c, cloud=cloud) for c in listed]
            total = int((page or {}).get("total") or 0)
            if not listed or len(found) >= total:
                return found

    def bulk_set_select(
        self,
        keys: Sequence[str],
        *,
        field_id: str,
        option_id: str,
        poll: Callable[[float], None] = time.sleep,
    ) -> BulkEditOutcome:
        """Set one single-select field to one option on many issues (Cloud's bulk edit).

        Submits ``POST /bulk/issues/fields`` per 1000 issues and polls each task until it
        ends, waiting with ``poll`` between polls (at most `MAX_POLLS`).

        Args:
            keys: The issues (keys or ids).
            field_id: The select field, e.g. ``customfield_10010``.
            option_id: The option to set (`select_options` maps values to ids).
            poll: Waits the given seconds between two polls.

        Returns:
            The keys edited, and each key not edited with Jira's reasons (an unknown key:
            "does not exist or you do not have permission to see it").

        Raises:
            BulkEditUnavailableError: Data Center has no bulk edit: use `set_fields`.
            WriteRejectedError: Jira refused the submission (e.g. the field cannot be bulk
                edited).
            RetryableError: A task was still running after `MAX_POLLS` polls.
        """
        return bulk_set_select(self.site, keys, field_id=field_id, option_id=option_id, poll=poll)


def _subtasks(issue: Any) -> list[SubtaskInfo]:
    """The sub-tasks an issue lists in its ``subtasks`` field."""
    listed = ((issue or {}).get("fields") or {}).get("subtasks") or []
    return [
        SubtaskInfo(
            key=str(child["key"]),
            summary=str((child.get("fields") or {}).get("summary") or ""),
            status=str(((child.get("fields") or {}).get("status") or {}).get("name") or ""),
        )
        for child in listed
        if isinstance(child, dict)
    ]


def _comment(raw: Mapping[str, Any], *, cloud: bool) -> CommentInfo:
    author = raw.get("author") or {}
    # Data Center names users by ``name`` (field values take ``{"name": ...}``); Cloud by id.
    names = ("accountId",) if cloud else ("name", "key", "accountId")
    account = next((author[n] for n in names if author.get(n)), None)
    body = raw.get("body")
    return CommentInfo(
        id=str(raw["id"]),
        body=body if isinstance(body, dict) else str(body or ""),
        author_account_id=None if account is None else str(account),
        created=str(raw.get("created") or ""),
    )
