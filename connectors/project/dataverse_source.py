"""`DataverseSource`: Planner premium / Project for the web projects, read from Dataverse.

A scope is one configured project, named by its ``msdyn_subject`` (``GRID``) or its id. The
names are resolved once per run, by `DataverseSource.scopes` (one request for every configured
project, which also fetches the project rows themselves); a name that matches no project, or
more than one, fails only its own scope, with a `ConnectorConfigError` saying which.
`connectors.project.dataverse_read` reads a scope; `connectors.project.dataverse_watermark`
describes its watermark.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from types import TracebackType
from typing import Any, Self
from uuid import UUID

import httpx

from connectors.errors import ConnectorConfigError
from connectors.project.dataverse_read import ReadSettings, ScopeRead
from connectors.project.dataverse_tables import PROJECT, TABLES, selected_columns
from connectors.project.dataverse_watermark import ScopeMark
from connectors.project.odata import ODataClient, TokenProvider
from connectors.project.odata_query import batched, text_literal
from connectors.records import RecordPage
from connectors.retry import RetryPolicy

__all__ = ["DataverseSource"]

Row = Mapping[str, Any]
_GUID_LENGTH = 36


def _as_id(reference: str) -> str | None:
    """The reference as a lower-case project id, or None when it is a name."""
    if len(reference) != _GUID_LENGTH:
        return None
    try:
        return str(UUID(reference))
    except ValueError:
        return None


class DataverseSource:
    """Reads projects, buckets, tasks and checklist items from a Dataverse environment.

    Args:
        name: The source name (``project:northwind``), carried by every error.
        environment_url: ``https://org.crm.dynamics.com``; the sandbox's is
            ``http://127.0.0.1:P/dataverse``.
        token: A bearer token, or a provider called before every request (see
            `connectors.project.dataverse_token_provider` for azure-identity credentials).
        projects: The projects to read, by ``msdyn_subject`` or id; each is one scope.
        api_path: The Web API root below the environment URL.
        columns: ``$select`` per record type (``project``, ``project_bucket``,
            ``project_task``, ``project_checklist_item``), replacing that table's defaults
            (`connectors.project.dataverse_tables`); keys, ``modifiedon`` and parent lookups
            are always added.
        page_size: Rows per page (``Prefer: odata.maxpagesize``, at most 5,000).
        lookback: How far before the watermark an incremental read starts.
        id_batch: Ids per ``or`` chain (checklist items of tasks, tasks of a project); 50 ids
            keep a URL near 4 KB.
        retry: The policy every request runs under.
        timeout: Seconds per attempt to connect and to read.
        transport: An httpx transport, for tests.

    Raises:
        ConnectorConfigError: for a ``columns`` key that is not a record type.
    """

    def __init__(
        self,
        *,
        name: str,
        environment_url: str,
        token: str | TokenProvider,
        projects: Sequence[str],
        api_path: str = "/api/data/v9.2",
        columns: Mapping[str, Sequence[str]] | None = None,
        page_size: int = 500,
        lookback: timedelta = timedelta(minutes=5),
        id_batch: int = 50,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        known = {table.record_type for table in TABLES}
        unknown = sorted(set(columns or {}) - known)
        if unknown:
            raise ConnectorConfigError(
                f"columns given for unknown record types {unknown}; known: {sorted(known)}",
                source=name,
            )
        if id_batch < 1 or page_size < 1 or lookback < timedelta(0):
            raise ConnectorConfigError(
                "id_batch and page_size must be at least 1, lookback not negative", source=name
            )
        self.name = name
        self._projects = tuple(dict.fromkeys(projects))
        self._settings = ReadSettings(
            columns=dict(columns or {}), lookback=lookback, id_batch=id_batch
        )
        self._client = ODataClient(
            source=name,
            environment_url=environment_url,
            token=token,
            api_path=api_path,
            page_size=page_size,
            timeout=timeout,
            retry=retry,
            transport=transport,
        )
        self._rows: dict[str, Row] | None = None
        self._problems: dict[str, str] = {}
        self._unreported = 0

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def scopes(self) -> list[str]:
        """The configured projects; resolves them (and fetches their rows) for this run."""
        self._resolve()
        return list(self._projects)

    def pages(
        self, scope: str, watermark: str | None, *, full: bool = False
    ) -> Iterator[RecordPage]:
        """The project's pages from ``watermark`` on (everything when ``full``).

        Raises:
            ConnectorConfigError: for a scope that is not configured, or a project that
                cannot be found (unknown or ambiguous name), or a query Dataverse refuses.
            AuthenticationError: when the token is refused.
            RetryableError: when retries ran out.
            ConnectorError: for a project row without a GUID id.

        A row without a readable id or ``modifiedon`` is quarantined on its page instead.
        """
        if scope not in self._projects:
            raise ConnectorConfigError(
                "is not one of the configured projects", source=self.name, record=scope
            )
        if self._rows is None:
            self._resolve()
        rows = self._rows or {}
        if scope not in rows:
            raise ConnectorConfigError(self._problems[scope], source=self.name, record=scope)
        unreported, self._unreported = self._unreported, 0
        read = ScopeRead(
            client=self._client,
            scope=scope,
            project=rows[scope],
            start=ScopeMark() if full else ScopeMark.decode(watermark),
            settings=self._settings,
            unreported=unreported,
        )
        yield from read.pages()

    def _resolve(self) -> None:
        """Find every configured project: one request per ``id_batch`` references."""
        before = self._client.requests
        found: list[Row] = []
        select = ",".join(selected_columns(PROJECT, self._settings.columns))
        for batch in batched(self._projects, self._settings.id_batch):
            terms = [
                f"{PROJECT.key} eq {project_id}"
                if (project_id := _as_id(reference))
                else f"msdyn_subject eq {text_literal(reference)}"
                for reference in batch
            ]
            options = [("$select", select), ("$filter", " or ".join(terms))]
            for page in self._client.pages(PROJECT.entity_set, options):
                found += page.rows
        self._rows, self._problems = {}, {}
        for reference in self._projects:
            matches = _matching(reference, found)
            if len(matches) == 1:
                self._rows[reference] = matches[0]
            elif matches:
                ids = ", ".join(str(row.get(PROJECT.key)) for row in matches)
                self._problems[reference] = (
                    f"{len(matches)} projects are named {reference!r} ({ids}); configure one by id"
                )
            else:
                what = "id" if _as_id(reference) else "msdyn_subject (name)"
                self._problems[reference] = f"no project has this {what} in the environment"
        self._unreported += self._client.requests - before


def _matching(reference: str, rows: Sequence[Row]) -> list[Row]:
    project_id = _as_id(reference)
    if project_id is not None:
        return [row for row in rows if str(row.get(PROJECT.key, "")).lower() == project_id]
    name = reference.casefold()
    return [row for row in rows if str(row.get("msdyn_subject") or "").casefold() == name]
