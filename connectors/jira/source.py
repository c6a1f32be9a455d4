"""`JiraSource`: Jira issues, scope by scope, as pages of records with their watermarks.

An issue the connector cannot read is quarantined on its page (`connectors.quarantine`), and
the page goes on: one that is not a JSON object, has no readable key, no numeric id (the
watermark remembers ids), no ``fields`` object or no readable ``updated``, or whose history
cannot be read whole. A field definition that is not an object with an id is quarantined
likewise. The watermark follows the issues that were read, so a bad one never holds it back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connectors.errors import ConnectorConfigError, RecordError
from connectors.jira.auth import JiraAuth
from connectors.jira.changes import ChangeFilter
from connectors.jira.completion import IssueCompletion
from connectors.jira.fields import FieldCatalog, UnknownFieldError
from connectors.jira.jql import JqlDates, check_scope, scope_query
from connectors.jira.paging import ResultPage, SearchRequest, cloud_pages, datacenter_pages
from connectors.jira.site import JiraFlavour, JiraSite
from connectors.jira.watermark import Watermark, parse_jira_time
from connectors.quarantine import quarantine, readable_id, shown, storable_time
from connectors.records import QuarantinedRecord, RecordPage, SourceRecord
from connectors.retry import RetryPolicy

__all__ = ["FIELD", "FIELDS_SCOPE", "ISSUE", "MAX_PROPERTY_KEYS", "JiraSource"]

ISSUE = "issue"
FIELD = "jira_field"
FIELDS_SCOPE = "fields"
"""The scope holding the site's field definitions: issues keep field ids, people use names."""
"""The record type of every Jira record; its ``external_id`` is the issue key."""
MAX_PROPERTY_KEYS = 5
"""Cloud's search returns at most five issue properties (jira-wire.md §1)."""
_NEEDED_FIELDS = ("updated",)
_LONGEST_ISSUE_ID = 30
_ISSUE_KEY = re.compile(r"[A-Za-z0-9_]+-[0-9]+")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class JiraSource:
    """A `connectors.records.RecordSource` over one Jira site (Cloud or Data Center).

    Args:
        name: The source name errors and records carry (``jira:pmo``).
        url: The site's base URL.
        auth: `BasicAuth` (user + API token) or `BearerAuth` (personal access token).
        scopes: JQL per scope name (``{"pmo": "project = PMO"}``), or a list of JQL each
            named by itself. One scope is one query; it must not have an ORDER BY.
        fields: Fields the records carry, by name ("Flywheel Stage") or id; ``updated``
            (and ``issuetype`` when ``history_issue_types`` is given) are always added.
        flavour: Cloud or Data Center; None reads ``serverInfo``'s ``deploymentType``.
        property_keys: Issue property keys (our markers) each record carries under
            ``properties``; at most five.
        history_issue_types: Issue types whose complete history (``fullChangelog``) is read:
            None for every issue, an empty collection for none (no changelog at all).
        page_size: Issues asked for per search page (the site may return fewer).
        lookback: How far before the watermark an incremental read starts, so changes the
            search index shows late are still found (re-read issues are not yielded again).
        jql_time_zone: The zone JQL dates are read in (the API user's profile zone); None
            asks ``/myself`` once.
        policy: Retries every request (the library's own retries are off).
        timeout: Seconds allowed to connect and to wait for each answer.
        ca_bundle: A PEM bundle for a private certificate authority.
        clock: The current time (a read's watermark never passes the moment it began).

    Raises:
        ConnectorConfigError: A scope is not usable JQL or too many property keys are given.
    """

    def __init__(
        self,
        *,
        name: str,
        url: str,
        auth: JiraAuth,
        scopes: Mapping[str, str] | Sequence[str],
        fields: Sequence[str] = (),
        flavour: JiraFlavour | None = None,
        property_keys: Sequence[str] = (),
        history_issue_types: Collection[str] | None = None,
        page_size: int = 100,
        lookback: timedelta = timedelta(minutes=5),
        jql_time_zone: tzinfo | None = None,
        policy: RetryPolicy | None = None,
        timeout: float = 30.0,
        ca_bundle: Path | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        if page_size < 1 or lookback < timedelta(0) or timeout <= 0:
            raise ValueError("page_size and timeout must be positive, lookback not negative")
        self.name = name
        named = dict(scopes) if isinstance(scopes, Mapping) else {jql: jql for jql in scopes}
        try:
            self._scopes = {scope: check_scope(jql) for scope, jql in named.items()}
        except ValueError as problem:
            raise ConnectorConfigError(str(problem), source=name) from None
        if len(property_keys) > MAX_PROPERTY_KEYS:
            raise ConnectorConfigError(
                f"at most {MAX_PROPERTY_KEYS} property keys can be read with a search, "
                f"got {len(property_keys)}",
                source=name,
            )
        self._site = JiraSite(
            source=name,
            url=url,
            auth=auth,
            flavour=flavour,
            policy=policy or RetryPolicy(),
            timeout=timeout,
            ca_bundle=ca_bundle,
        )
        self._wanted_fields = tuple(fields) + _NEEDED_FIELDS
        if history_issue_types:
            self._wanted_fields += ("issuetype",)
        self._expand = (
            None if history_issue_types is not None and not history_issue_types else "changelog"
        )
        self._property_keys = tuple(property_keys)
        self._completion = IssueCompletion(
            self._site, history_types=history_issue_types, property_keys=self._property_keys
        )
        self._page_size = page_size
        self._lookback = lookback
        self._clock = clock
        self._dates: JqlDates | None = (
            None if jql_time_zone is None else JqlDates(zone=jql_time_zone)
        )
        self._field_ids: tuple[str, ...] | None = None

    def scopes(self) -> list[str]:
        """The field catalogue, then the configured scope names in the order given."""
        return [FIELDS_SCOPE, *self._scopes]

    def pages(
        self, scope: str, watermark: str | None, *, full: bool = False
    ) -> Iterator[RecordPage]:
        """The scope's new and changed issues since ``watermark``, oldest change first.

        Raises:
            ConnectorConfigError: Unknown scope, unknown field, a query Jira refuses, or an
                unreadable watermark.
            AuthenticationError: Jira refused the credentials.
            RetryableError: Jira kept failing (or throttling) past the retry policy.
        Issues that cannot be read (no key, no ``updated``, a partial history) are quarantined
        on their page rather than raised.
        """
        if scope == FIELDS_SCOPE:
            yield self._field_page()
            return
        jql = self._scopes.get(scope)
        if jql is None:
            raise ConnectorConfigError(f"unknown scope {scope!r}", source=self.name)
        since = None if full or watermark is None else self._parse(watermark, scope)
        request = SearchRequest(
            scope=scope,
            fields=self._fields(),
            expand=self._expand,
            properties=self._property_keys if self._site.flavour is JiraFlavour.CLOUD else (),
            page_size=self._page_size,
        )
        changes = ChangeFilter(since, lookback=self._lookback, started=self._clock())
        start = since.updated - self._lookback if since else None

        def query(resume: datetime | None) -> str:
            bound = resume or start
            literal = None if bound is None else self._jql_dates().at_or_before(bound)
            return scope_query(jql, updated_since=literal)

        if self._site.flavour is JiraFlavour.CLOUD:
            results = cloud_pages(self._site, query(None), request)
        else:
            results = datacenter_pages(self._site, query, request, self._updated_of)
        for result in results:
            yield self._page(scope, result, changes)

    def _page(self, scope: str, result: ResultPage, changes: ChangeFilter) -> RecordPage:
        if result.resumed_from is not None:
            changes.resume_from(result.resumed_from)
        records: list[SourceRecord] = []
        quarantined: list[QuarantinedRecord] = []
        requests_before = self._completion.requests
        skipped = 0
        for issue in result.issues:
            try:
                key, issue_id, updated = self._identity(issue)
                if not changes.admit(issue_id, updated):
                    skipped += 1
                    continue
                payload = self._completion.complete(issue)
            except RecordError as problem:
                quarantined.append(
                    quarantine(ISSUE, issue, problem.detail, external_id=problem.record)
                )
                continue
            records.append(
                SourceRecord(
                    record_type=ISSUE, external_id=key, payload=payload, updated_at=updated
                )
            )
        completing = self._completion.requests - requests_before
        return RecordPage(
            scope=scope,
            records=tuple(records),
            watermark=changes.watermark(),
            requests=1 + completing,
            details={"skipped": skipped, "completion_requests": completing},
            quarantined=tuple(quarantined),
        )

    def _identity(self, issue: object) -> tuple[str, str, datetime]:
        """The issue's key, numeric id and ``updated``, checked.

        Raises:
            RecordError: One of them cannot be read (``record`` is the key when it can be).
        """
        if not isinstance(issue, Mapping):
            raise RecordError(
                "the search answered an issue that is not a JSON object", source=self.name
            )
        key = readable_id(issue.get("key"))
        issue_id = readable_id(issue.get("id"))
        # A key goes into request paths (issue/<key>/changelog): only a key's shape will do.
        if key is None or _ISSUE_KEY.fullmatch(key) is None:
            raise RecordError(
                f"the issue (id {shown(issue.get('id'))}) has no readable key "
                f"({shown(issue.get('key'))})",
                source=self.name,
            )
        # The watermark lists ids of issues at its edge: only Jira's numeric ids fit there.
        if issue_id is None or not (issue_id.isascii() and issue_id.isdigit()):
            raise RecordError(
                f"the issue has no numeric id ({shown(issue.get('id'))})",
                source=self.name,
                record=key,
            )
        if len(issue_id) > _LONGEST_ISSUE_ID:
            raise RecordError(
                f"the issue id has {len(issue_id)} digits", source=self.name, record=key
            )
        if not isinstance(issue.get("fields"), Mapping):
            raise RecordError(
                f"the issue's 'fields' is not an object ({shown(issue.get('fields'))})",
                source=self.name,
                record=key,
            )
        updated = self._updated_of(issue)
        if updated is None:
            raise RecordError(
                f"the issue has no readable 'updated' ({shown(issue['fields'].get('updated'))})",
                source=self.name,
                record=key,
            )
        return key, issue_id, updated

    def _field_page(self) -> RecordPage:
        """Every field definition, so the mapping can read ``customfield_10010`` by its name.

        The request is the one field discovery makes anyway; the searches reuse its answer.
        """
        usable, quarantined = self._definitions(self._site.fields())
        self._field_ids = self._resolve(usable)
        records = tuple(
            SourceRecord(record_type=FIELD, external_id=field_id, payload=definition)
            for field_id, definition in usable.items()
        )
        return RecordPage(scope=FIELDS_SCOPE, records=records, quarantined=quarantined)

    def _definitions(
        self, found: list[Any]
    ) -> tuple[dict[str, dict[str, Any]], tuple[QuarantinedRecord, ...]]:
        """The readable field definitions by id, and the others quarantined."""
        usable: dict[str, dict[str, Any]] = {}
        quarantined: list[QuarantinedRecord] = []
        for definition in found:
            field_id = readable_id(definition.get("id")) if isinstance(definition, dict) else None
            if field_id is None:
                reason = "a field definition without a readable id"
                quarantined.append(quarantine(FIELD, definition, reason))
            elif not isinstance(definition.get("clauseNames") or [], list):
                reason = f"clauseNames is not a list ({shown(definition.get('clauseNames'))})"
                quarantined.append(quarantine(FIELD, definition, reason, external_id=field_id))
            else:
                usable[field_id] = definition
        return usable, tuple(quarantined)

    def _parse(self, watermark: str, scope: str) -> Watermark:
        try:
            return Watermark.parse(watermark)
        except ValueError as problem:
            raise ConnectorConfigError(
                f"scope {scope!r}: unreadable watermark ({problem}); read it again with full",
                source=self.name,
            ) from None

    def _fields(self) -> tuple[str, ...]:
        if self._field_ids is None:
            self._field_ids = self._resolve(self._definitions(self._site.fields())[0])
        return self._field_ids

    def _resolve(self, definitions: Mapping[str, dict[str, Any]]) -> tuple[str, ...]:
        try:
            return FieldCatalog(definitions.values()).resolve_all(self._wanted_fields)
        except UnknownFieldError as problem:
            raise ConnectorConfigError(str(problem), source=self.name) from None

    def _jql_dates(self) -> JqlDates:
        if self._dates is None:
            self._dates = JqlDates(zone=_zone(self._site.myself()))
        return self._dates

    @staticmethod
    def _updated_of(issue: object) -> datetime | None:
        """The issue's ``updated``; None when it has none that reads as a time with an offset."""
        fields = issue.get("fields") if isinstance(issue, Mapping) else None
        text = fields.get("updated") if isinstance(fields, Mapping) else None
        if not isinstance(text, str):
            return None
        try:
            return storable_time(parse_jira_time(text))
        except ValueError:
            return None


def _zone(user: Mapping[str, Any]) -> tzinfo | None:
    """The user's profile time zone; None when Jira did not say or named an unknown one."""
    name = user.get("timeZone")
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
