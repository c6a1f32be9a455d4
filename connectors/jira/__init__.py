"""Jira connector: reads issues of configured JQL scopes incrementally with the jira library.

Cloud is read over REST v3 with the enhanced search (``/search/jql``, ``nextPageToken``),
Data Center over REST v2 (``/search``, ``startAt``); the flavour is configured or read from
``serverInfo``. Every request goes through one `connectors.retry.RetryPolicy` (the library's
own retries are off) and every failure becomes a `connectors.errors` class.

Records
    One record type, ``issue``: ``external_id`` is the issue key (``PMO-12``), ``updated_at``
    the issue's ``updated``, and ``payload`` the issue's JSON as the search returned it
    (``id``, ``key``, ``self``, ``fields`` holding only the fields asked for, keyed by field
    id; ``changelog`` as embedded; ``properties`` when property keys are configured), plus:

    - ``fullChangelog`` (`FULL_CHANGELOG_KEY`): for stage-bearing issues, the complete
      history, oldest first: ``[{"id", "author", "created", "items": [...]}, ...]``.

    And ``jira_field`` records in the scope ``fields`` (read first): every field definition
    of the site as ``GET /field`` returns it, keyed by field id, so that what reads the issues
    later (the mapping) finds ``customfield_10010`` by its name without asking Jira again.

Stage-bearing issues
    ``history_issue_types`` names the issue types whose history is completed (e.g.
    ``{"Epic"}``); by default every issue's is (an issue with no history gets ``[]``); an
    empty collection turns the changelog off. A search embeds at most 20 histories on Cloud:
    longer ones cost one ``/changelog`` request per 100 histories, for those issues only.

Watermark (per scope, opaque to the caller)
    ``<updated ISO 8601 with offset>[;seen=<issue id>,…]``, e.g.
    ``2026-11-23T08:50:06.000+00:00;seen=10231,10877``: the newest ``updated`` read (never
    later than the start of the read), and the ids already yielded inside the lookback
    window before it (see `connectors.jira.watermark`).

Pages
    One `RecordPage` per search answer, with the watermark it reaches. ``requests`` counts the
    search plus the requests that completed its issues; ``details`` holds ``skipped`` (issues
    found again and not yielded) and ``completion_requests``. A Data Center read that had to
    restart (see `connectors.jira.paging`) yields a page with no records for the restart.

Cost of a read
    Once per connector: ``serverInfo`` (only when the flavour is not configured), one
    ``GET /field`` (names to ids), one ``GET /myself`` (time zone for JQL dates; skipped for
    full reads or when ``jql_time_zone`` is given). Per scope: one search request per page;
    an incremental read with nothing changed is one search request. Per yielded issue:
    nothing more on Cloud except long histories; on Data Center one ``GET /issue`` when
    property keys are configured (its search cannot return properties).

Writes
    `JiraWriter` (over the same `JiraSite`) sets fields, bulk-edits a select field (Cloud),
    creates issues in bulk, and leaves comments and issue properties; see
    `connectors.jira.writer`.
"""

from connectors.jira.auth import BasicAuth, BearerAuth, JiraAuth
from connectors.jira.completion import FULL_CHANGELOG_KEY
from connectors.jira.site import JiraFlavour, JiraSite
from connectors.jira.source import FIELD, FIELDS_SCOPE, ISSUE, MAX_PROPERTY_KEYS, JiraSource
from connectors.jira.writer import (
    BulkEditOutcome,
    BulkEditUnavailableError,
    CommentInfo,
    CreatedIssue,
    JiraWriter,
    SubtaskInfo,
)

__all__ = [
    "FIELD",
    "FIELDS_SCOPE",
    "FULL_CHANGELOG_KEY",
    "ISSUE",
    "MAX_PROPERTY_KEYS",
    "BasicAuth",
    "BearerAuth",
    "BulkEditOutcome",
    "BulkEditUnavailableError",
    "CommentInfo",
    "CreatedIssue",
    "JiraAuth",
    "JiraFlavour",
    "JiraSite",
    "JiraSource",
    "JiraWriter",
    "SubtaskInfo",
]
