"""One Jira site reached through the jira library, every call retried and its failure mapped.

`JiraSite` owns the library client and is the only place that calls it. Each call goes
through the connector's `RetryPolicy` and `translate` (reads) or `translate_write` (writes,
and the reads a writer makes for them), with the library's own retries off
(``max_retries=0``): one policy decides how long to wait, honouring ``Retry-After``. The
client is built on first use, so a constructor never touches the network.

Flavour: Cloud is spoken to in REST v3 (enhanced search, ``nextPageToken``), Data Center in
REST v2 (``/search`` with ``startAt``). When the flavour is not configured it is read from
``serverInfo``'s ``deploymentType`` with a v2 client, which both flavours serve, and kept for
the connector's lifetime.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import requests
from jira import JIRA
from jira.exceptions import JIRAError

from connectors.errors import ConnectorError, RetryableError
from connectors.jira.auth import JiraAuth, client_credentials
from connectors.jira.failures import Subject, translate, translate_write
from connectors.retry import RetryPolicy

__all__ = ["JiraFlavour", "JiraSite"]

T = TypeVar("T")
Translator = Callable[[Exception, Subject], ConnectorError | None]


class JiraFlavour(StrEnum):
    """Which deployment answers: Cloud (REST v3) or Data Center (REST v2)."""

    CLOUD = "cloud"
    DATACENTER = "datacenter"


_REST_VERSIONS = {JiraFlavour.CLOUD: "3", JiraFlavour.DATACENTER: "2"}
_DEPLOYMENT_TYPES = {JiraFlavour.CLOUD: "Cloud", JiraFlavour.DATACENTER: "Server"}


class JiraSite:
    """The calls the connector makes, each one retried and mapped onto connector errors.

    Args:
        source: The source name errors carry (``jira:pmo``).
        url: The site's base URL (``https://your-domain.atlassian.net``).
        auth: Basic or bearer credentials.
        flavour: Cloud or Data Center; None reads it from ``serverInfo`` on first use.
        policy: Retries every call.
        timeout: Seconds to wait for a connection and for each answer.
        ca_bundle: A PEM bundle for a private certificate authority.
    """

    def __init__(
        self,
        *,
        source: str,
        url: str,
        auth: JiraAuth,
        flavour: JiraFlavour | None,
        policy: RetryPolicy,
        timeout: float,
        ca_bundle: Path | None = None,
    ) -> None:
        self.source = source
        self._url = url.rstrip("/")
        self._auth = auth
        self._flavour = flavour
        self._policy = policy
        self._timeout = timeout
        self._ca_bundle = ca_bundle
        self._jira: JIRA | None = None

    def call(
        self, operation: Callable[[JIRA], T], *, scope: str | None = None, record: str | None = None
    ) -> T:
        """Run ``operation`` on the client under the retry policy, failures translated."""
        return self._retried(self._client(), operation, scope=scope, record=record)

    def write(self, operation: Callable[[JIRA], T], *, record: str | None = None) -> T:
        """`call` for a write, or a read made for one: failures mapped by `translate_write`."""
        return self._retried(self._client(), operation, record=record, translator=translate_write)

    def send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
        record: str | None = None,
        answer_on: Collection[int] = (),
        creates: bool = False,
    ) -> Any:
        """One REST request of a writer, retried, failures mapped by `translate_write`.

        For endpoints the library has no method for, or whose method sends more than the one
        request asked for (``Issue.update`` reads the issue again); the URL is built for the
        client's REST version as the library builds its own.

        Args:
            method: ``GET``, ``PUT``, ``POST``, ...
            path: Below ``/rest/api/<version>/``, e.g. ``issue/PMO-12``.
            body: Sent as JSON, unless None.
            params: The query string.
            record: The issue the request is about, for errors.
            answer_on: Error statuses whose JSON body is returned instead of raised (bulk
                create answers 400 when every element failed, listing each one's errors).
            creates: The request creates something: retried only after a 429
                (`RetryPolicy.for_creates`).

        Returns:
            The answer's JSON, or None when it has no body (204).
        """

        def operation(jira: JIRA) -> Any:
            data = None if body is None else json.dumps(body)
            try:
                response = jira._session.request(
                    method, jira._get_url(path), data=data, params=dict(params or {})
                )
            except JIRAError as error:
                if error.status_code not in answer_on or error.response is None:
                    raise
                response = error.response
            return _json(response)

        policy = self._policy.for_creates() if creates else self._policy
        return self._retried(
            self._client(), operation, record=record, translator=translate_write, policy=policy
        )

    def _retried(
        self,
        client: JIRA,
        operation: Callable[[JIRA], T],
        *,
        scope: str | None = None,
        record: str | None = None,
        translator: Translator = translate,
        policy: RetryPolicy | None = None,
    ) -> T:
        subject = Subject(source=self.source, scope=scope, record=record)

        def attempt() -> T:
            try:
                return operation(client)
            except Exception as error:
                translated = translator(error, subject)
                if translated is None:
                    raise
                raise translated from error

        return (policy or self._policy).call(attempt)

    @property
    def flavour(self) -> JiraFlavour:
        """Cloud or Data Center (asks ``serverInfo`` the first time, if not configured)."""
        self._client()
        if self._flavour is None:  # pragma: no cover - _client() always settles it
            raise RuntimeError("the flavour is settled with the client")
        return self._flavour

    def _new_client(self, rest_version: str) -> JIRA:
        options: dict[str, Any] = {"rest_api_version": rest_version, "check_update": False}
        if self._ca_bundle is not None:
            options["verify"] = str(self._ca_bundle)
        return JIRA(
            server=self._url,
            options=options,
            get_server_info=False,
            max_retries=0,
            timeout=self._timeout,
            **client_credentials(self._auth),
        )

    def _client(self) -> JIRA:
        if self._jira is not None:
            return self._jira
        flavour = self._flavour
        client: JIRA | None = None
        if flavour is None:
            client = self._new_client(_REST_VERSIONS[JiraFlavour.DATACENTER])
            info = self._retried(client, lambda jira: jira.server_info())
            cloud = info.get("deploymentType") == _DEPLOYMENT_TYPES[JiraFlavour.CLOUD]
            flavour = JiraFlavour.CLOUD if cloud else JiraFlavour.DATACENTER
            if cloud:
                client = None  # the probe spoke REST v2; Cloud is read in v3
        if client is None:
            client = self._new_client(_REST_VERSIONS[flavour])
        # The library's Cloud-only methods check this instead of asking serverInfo again.
        client.deploymentType = _DEPLOYMENT_TYPES[flavour]
        self._jira, self._flavour = client, flavour
        return client

    def fields(self) -> list[Any]:
        """``GET /field``: every field of the site, as answered (the caller checks each one).

        The library translates field names in searches through its own cache, which it would
        fill with a second ``GET /field``; it is filled from this answer instead.

        Raises:
            ConnectorError: The answer is not a list.
        """
        found = self.call(lambda jira: jira.fields())
        if not isinstance(found, list):
            raise ConnectorError(
                "GET /field answered something that is not a list", source=self.source
            )
        # A definition that is not an object, or has no id, is the source's to set aside.
        usable = [f for f in found if isinstance(f, dict) and "id" in f]
        translations = {str(f["id"]): str(f["id"]) for f in usable}
        for definition in usable:
            names = definition.get("clauseNames")
            for name in names if isinstance(names, list) else ():
                translations[str(name)] = str(definition["id"])
        self._client()._fields_cache_value = translations
        return found

    def myself(self) -> dict[str, Any]:
        """``GET /myself``: the signed-in user (its ``timeZone`` reads JQL dates)."""
        return self.call(lambda jira: jira.myself())

    def search_page(
        self,
        jql: str,
        *,
        scope: str,
        fields: Sequence[str],
        expand: str | None,
        properties: Sequence[str],
        max_results: int,
        next_page_token: str | None = None,
        start_at: int = 0,
    ) -> dict[str, Any]:
        """One page of results: Cloud's ``/search/jql`` or Data Center's ``/search``.

        Cloud pages by ``next_page_token``, Data Center by ``start_at``; ``max_results`` must
        be positive, so the library fetches exactly one page.
        """
        wanted = ",".join(properties) or None
        if self.flavour is JiraFlavour.CLOUD:
            page = self.call(
                lambda jira: jira.enhanced_search_issues(
                    jql,
                    nextPageToken=next_page_token,
                    maxResults=max_results,
                    fields=list(fields),
                    expand=expand,
                    properties=wanted,
                    json_result=True,
                ),
                scope=scope,
            )
        else:
            page = self.call(
                lambda jira: jira.search_issues(
                    jql,
                    startAt=start_at,
                    maxResults=max_results,
                    fields=list(fields),
                    expand=expand,
                    properties=wanted,
                    json_result=True,
                ),
                scope=scope,
            )
        return self._object(page, f"scope {scope!r}: the search")

    def changelog_page(self, key: str, *, start_at: int, max_results: int) -> dict[str, Any]:
        """``GET /issue/{key}/changelog`` (Cloud): one page of the history, oldest first."""
        # The library has no method for this endpoint (pycontribs/jira#911); its _get_json
        # builds the URL for the client's REST version and raises JIRAError like the rest.
        page = self.call(
            lambda jira: jira._get_json(
                f"issue/{key}/changelog",
                params={"startAt": start_at, "maxResults": max_results},
            ),
            record=key,
        )
        return self._object(page, f"{key}: the history page")

    def issue(
        self, key: str, *, fields: str, expand: str | None, properties: Sequence[str]
    ) -> dict[str, Any]:
        """``GET /issue/{key}``: one issue's JSON, as narrow as ``fields`` makes it."""
        wanted = ",".join(properties) or None
        found = self.call(
            lambda jira: jira.issue(key, fields=fields, expand=expand, properties=wanted),
            record=key,
        )
        return self._object(found.raw, f"{key}: the issue")

    def _object(self, answer: Any, what: str) -> dict[str, Any]:
        """``answer`` if it is a JSON object.

        Raises:
            RetryableError: It is not (a proxy's page, a truncated or foreign answer).
        """
        if not isinstance(answer, dict):
            raise RetryableError(
                f"{what} answered something that is not a JSON object", source=self.source
            )
        return answer


def _json(response: requests.Response) -> Any:
    """The answer's JSON; None for an empty body. A cut-off body raises ``ValueError``."""
    if not response.content:
        return None
    return response.json()
