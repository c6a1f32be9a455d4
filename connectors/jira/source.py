"""`JiraSource`: Jira issues, scope by scope, as pages of records with their watermarks."""

from __future__ import annotations

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
from connectors.records import RecordPage, SourceRecord
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
            RecordError: An issue could not be read (no ``updated``, partial history).
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
        completing = skipped = 0
        for issue in result.issues:
            updated = self._updated_of(issue)
            if not changes.admit(str(issue.get("id")), updated):
                skipped += 1
                continue
            payload, used = self._completion.complete(issue)
            completing += used
            records.append(
                SourceRecord(
                    record_type=ISSUE,
                    external_id=str(issue["key"]),
                    payload=payload,
                    updated_at=updated,
                )
            )
        return RecordPage(
            scope=scope,
            records=tuple(records),
            watermark=changes.watermark(),
            requests=1 + completing,
            details={"skipped": skipped, "completion_requests": completing},
        )

    def _field_page(self) -> RecordPage:
        """Every field definition, so the mapping can read ``customfield_10010`` by its name.

        The request is the one field discovery makes anyway; the searches reuse its answer.
        """
        definitions = self._site.fields()
        self._field_ids = self._resolve(definitions)
        records = tuple(
            SourceRecord(record_type=FIELD, external_id=str(field["id"]), payload=field)
            for field in definitions
            if field.get("id")
        )
        return RecordPage(scope=FIELDS_SCOPE, records=records)

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
            self._field_ids = self._resolve(self._site.fields())
        return self._field_ids

    def _resolve(self, definitions: list[dict[str, Any]]) -> tuple[str, ...]:
        try:
            return FieldCatalog(definitions).resolve_all(self._wanted_fields)
        except UnknownFieldError as problem:
            raise ConnectorConfigError(str(problem), source=self.name) from None

    def _jql_dates(self) -> JqlDates:
        if self._dates is None:
            self._dates = JqlDates(zone=_zone(self._site.myself()))
        return self._dates

    def _updated_of(self, issue: Mapping[str, Any]) -> datetime:
        text = (issue.get("fields") or {}).get("updated")
        try:
            return parse_jira_time(str(text))
        except ValueError:
            raise RecordError(
                f"the issue has no readable 'updated' ({text!r})",
                source=self.name,
                record=str(issue.get("key") or issue.get("id")),
            ) from None


def _zone(user: Mapping[str, Any]) -> tzinfo | None:
    """The user's profile time zone; None when Jira did not say or named an unknown one."""
    name = user.get("timeZone")
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
