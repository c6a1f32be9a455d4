"""A small OData client for one Dataverse environment: headers, bearer token, paging, retries.

No Dataverse client library is needed for reads: the Web API is OData 4.0 over HTTPS. Every
request carries the headers Dataverse documents (``OData-MaxVersion``/``OData-Version: 4.0``,
``Accept: application/json``, ``Prefer: odata.maxpagesize=N``, graph-wire.md §4) and a bearer
token fetched from the token provider for that attempt, so an expiring token is refreshed by
the provider rather than by the reader. Every request runs inside the connector's one
`RetryPolicy`; transport failures and failed statuses become `connectors.errors` classes
(`connectors.project.odata_errors` holds the status table).

Paging follows ``@odata.nextLink`` verbatim (an absolute URL carrying Dataverse's
``$skiptoken`` paging cookie) and stops with an error if the service hands back a link it
already gave, so a paging loop always ends.

Writes are unbound actions (the Project Schedule API, graph-wire.md §4): `ODataClient.post`
sends one and returns its JSON answer. A refusal of the request itself (400, 409, 412, 413,
422) is a `WriteRejectedError` carrying Dataverse's error ``code`` and its whole message in
``reasons`` (a Schedule API failure is a JSON document inside that message, longer than a log
line allows). A ``post(..., creates=True)`` runs under `RetryPolicy.for_creates`: sent again
only after a 429, since after a timeout or a 5xx the action may have run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any

import httpx

from connectors.errors import (
    ConnectorConfigError,
    ConnectorError,
    RetryableError,
    WriteRejectedError,
)
from connectors.project.odata_errors import status_error
from connectors.project.odata_query import query_string
from connectors.retry import RetryPolicy

__all__ = ["ODataClient", "ODataPage", "TokenProvider"]

TokenProvider = Callable[[], str]
"""Returns a bearer token for the environment; called before every request attempt."""

Row = dict[str, Any]
_REFUSED = frozenset({400, 409, 412, 413, 422})
"""Statuses of a POST Dataverse refused as sent: `WriteRejectedError`."""
_MISSING = 404
_SHOWN = 300
"""Characters of a service message quoted in an error's text (``reasons`` keep it whole)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ODataPage:
    """One response of a collection read."""

    rows: tuple[Row, ...]
    server_time: datetime | None
    """The response's ``Date`` header: the service's clock when it answered, if it said."""


class ODataClient:
    """Requests against ``<environment_url><api_path>``: collection reads, row reads, actions.

    Args:
        source: The source name errors carry (``project:northwind``).
        environment_url: ``https://org.crm.dynamics.com`` (or the sandbox's
            ``http://127.0.0.1:P/dataverse``).
        token: A bearer token, or a provider called before every attempt.
        api_path: The Web API root below the environment URL.
        page_size: Rows per page asked for with ``Prefer: odata.maxpagesize`` (Dataverse
            caps it at 5,000).
        timeout: Seconds allowed for connecting, and for each read, of one attempt.
        retry: The policy every request runs under.
        transport: An httpx transport (tests pass ``httpx.MockTransport``).
    """

    def __init__(
        self,
        *,
        source: str,
        environment_url: str,
        token: str | TokenProvider,
        api_path: str = "/api/data/v9.2",
        page_size: int = 500,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.source = source
        self.root = environment_url.rstrip("/") + "/" + api_path.strip("/")
        self.page_size = page_size
        self.requests = 0
        """Requests answered so far (failed and retried attempts are not counted)."""
        self._token: TokenProvider = (lambda: token) if isinstance(token, str) else token
        self._retry = retry or RetryPolicy()
        self._http = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def pages(
        self, entity_set: str, options: Sequence[tuple[str, str]], *, record: str | None = None
    ) -> Iterator[ODataPage]:
        """Every page of ``GET <entity_set>?<options>``, following ``@odata.nextLink``.

        Raises:
            ConnectorError: as classified for a failed request; the base class when the
                service repeats a ``@odata.nextLink`` (a paging loop).
        """
        url = f"{self.root}/{entity_set}"
        if options:
            url += "?" + query_string(options)
        what = f"GET {entity_set}"
        links: set[str] = set()
        while True:
            body, page = self._retry.call(partial(self._get_page, url, what, record))
            yield page
            link = body.get("@odata.nextLink")
            if not isinstance(link, str):
                return
            if link in links:
                raise ConnectorError(
                    f"{what} handed back an @odata.nextLink it already gave; stopped paging",
                    source=self.source,
                    record=record,
                )
            links.add(link)
            url = link

    def get_one(
        self, path: str, options: Sequence[tuple[str, str]] = (), *, record: str | None = None
    ) -> Row | None:
        """``GET <path>?<options>`` of one row (``msdyn_operationsets(<id>)``); None when 404.

        Raises:
            ConnectorError: as classified for any other failed request; `RetryableError`
                when a success carries no JSON object.
        """
        url = f"{self.root}/{path}"
        if options:
            url += "?" + query_string(options)
        what = f"GET {path.split('(')[0]}"
        return self._retry.call(partial(self._get_one, url, what, record))

    def post(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        creates: bool = False,
        record: str | None = None,
    ) -> Row:
        """``POST <path>`` with a JSON body (an unbound action); its JSON answer (``{}`` if none).

        Args:
            path: Below the Web API root, e.g. ``msdyn_ExecuteOperationSetV1``.
            body: The action's parameters.
            creates: The action makes or runs something: retry only after a 429.
            record: What errors name as their record.

        Raises:
            WriteRejectedError: Dataverse refused the request (400, 409, 412, 413, 422).
            ConnectorError: as classified for any other failed request; `RetryableError`
                when a success carries no readable JSON (the action may have run).
        """
        policy = self._retry.for_creates() if creates else self._retry
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return policy.call(partial(self._post, f"{self.root}/{path}", content, path, record))

    def _headers(self, *, paged: bool = False, json_body: bool = False) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self._token()}",
            "OData-MaxVersion": "4.0",
            "OData-Version": "4.0",
            "Accept": "application/json",
        }
        if paged:
            headers["Prefer"] = f"odata.maxpagesize={self.page_size}"
        if json_body:
            headers["Content-Type"] = "application/json; charset=utf-8"
        return headers

    def _get_page(
        self, url: str, what: str, record: str | None
    ) -> tuple[Mapping[str, Any], ODataPage]:
        """One attempt at one page: the response body and its rows."""
        response = self._attempt("GET", url, what, record, headers=self._headers(paged=True))
        if not response.is_success:
            raise status_error(response, what=what, source=self.source, record=record)
        body = _json(response)
        rows = body.get("value") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not isinstance(rows, list):
            # A truncated or proxy-made answer: the same request may well succeed.
            raise RetryableError(
                f"{what} answered {response.status_code} without a JSON value list",
                source=self.source,
                record=record,
                status=response.status_code,
            )
        self.requests += 1
        page = ODataPage(
            rows=tuple(row for row in rows if isinstance(row, dict)),
            server_time=_server_time(response.headers.get("Date")),
        )
        return body, page

    def _get_one(self, url: str, what: str, record: str | None) -> Row | None:
        response = self._attempt("GET", url, what, record, headers=self._headers())
        if response.status_code == _MISSING:
            self.requests += 1
            return None
        if not response.is_success:
            raise status_error(response, what=what, source=self.source, record=record)
        body = _json(response)
        if not isinstance(body, dict):
            raise RetryableError(
                f"{what} answered {response.status_code} without a JSON object",
                source=self.source,
                record=record,
                status=response.status_code,
            )
        self.requests += 1
        return body

    def _post(self, url: str, content: bytes, what: str, record: str | None) -> Row:
        what = f"POST {what}"
        headers = self._headers(json_body=True)
        response = self._attempt("POST", url, what, record, headers=headers, content=content)
        if response.status_code in _REFUSED:
            code, message = _service_error(response)
            raise WriteRejectedError(
                f"{what} answered {response.status_code}: {code} {message[:_SHOWN]}".rstrip(),
                source=self.source,
                record=record,
                status=response.status_code,
                code=code,
                reasons=(message,) if message else (),
            )
        if not response.is_success:
            raise status_error(response, what=what, source=self.source, record=record)
        body = _json(response) if response.content.strip() else {}
        if not isinstance(body, dict):
            raise RetryableError(
                f"{what} answered {response.status_code} without a readable JSON object",
                source=self.source,
                record=record,
                status=response.status_code,
            )
        self.requests += 1
        return body

    def _attempt(
        self,
        method: str,
        url: str,
        what: str,
        record: str | None,
        *,
        headers: Mapping[str, str],
        content: bytes | None = None,
    ) -> httpx.Response:
        """Send once; transport failures become `connectors.errors` classes."""
        try:
            return self._http.request(method, url, headers=headers, content=content)
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as error:
            raise ConnectorConfigError(
                f"{what}: the environment URL cannot be used ({error})", source=self.source
            ) from error
        except httpx.TimeoutException as error:
            raise RetryableError(f"{what} timed out", source=self.source, record=record) from error
        except (httpx.TransportError, httpx.DecodingError) as error:
            raise RetryableError(
                f"{what} failed: {type(error).__name__}", source=self.source, record=record
            ) from error


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _service_error(response: httpx.Response) -> tuple[str, str]:
    """Dataverse's ``error.code`` and whole ``error.message``, or ``""`` and the text."""
    body = _json(response)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("code") or ""), str(error.get("message") or "")
    return "", response.text.strip()


def _server_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
