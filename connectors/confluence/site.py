"""One Confluence site through atlassian-python-api: pages and content properties, retried.

`ConfluenceSite` owns the library client and is the only place that calls it: Cloud through
``ConfluenceV2`` (REST v2 below ``<site>/wiki``), Data Center through ``ConfluenceServer``
(REST v1 below the site URL). Requests go through the client's ``request`` (its session,
credentials and URL building) with the library's retries off (``backoff_and_retry``,
``retry_with_header``): every request is one attempt of the connector's `RetryPolicy`, and
its status is mapped by `failures` (the policy as a table). The client is built on first
use, so a constructor never touches the network.

The methods keep the library's high-level page helpers out on purpose: v1 ``update_page``
skips the PUT when the body looks unchanged and reads the page three times first, v2
``update_page`` re-reads the page and writes its own version message, and the v2 property
helpers address properties by key where the API wants their id (see `pages`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import requests
from atlassian import ConfluenceServer, ConfluenceV2
from atlassian.rest_client import AtlassianRestAPI

from connectors.confluence.failures import http_failure, network_failure
from connectors.confluence.pages import PageApi, PageInfo, PropertyInfo, V1Pages, V2Pages
from connectors.errors import RetryableError
from connectors.jira.auth import BasicAuth, JiraAuth
from connectors.retry import RetryPolicy

__all__ = ["ConfluenceAuth", "ConfluenceFlavour", "ConfluenceSite"]

ConfluenceAuth = JiraAuth
"""Basic (account e-mail or user + API token) or bearer (a Data Center PAT), as for Jira."""

_NOT_FOUND = 404


class ConfluenceFlavour(StrEnum):
    """Which deployment answers: Cloud (REST v2) or Data Center (REST v1)."""

    CLOUD = "cloud"
    DATACENTER = "datacenter"


def _error_body(response: requests.Response) -> Any:
    """An error answer's JSON, or None when it is not JSON (a proxy's HTML page)."""
    try:
        return response.json()
    except ValueError:
        return None


def _credentials(auth: ConfluenceAuth) -> dict[str, Any]:
    token = auth.token() if callable(auth.token) else auth.token
    if isinstance(auth, BasicAuth):
        return {"username": auth.user, "password": token}
    return {"token": token}


class ConfluenceSite:
    """Pages and content properties of one Confluence site.

    Args:
        source: The source name errors carry (``confluence:pmo``).
        url: The site's base URL: ``https://your-domain.atlassian.net`` (Cloud; a trailing
            ``/wiki`` is accepted) or ``https://confluence.example.com[/context]`` (DC).
        auth: Basic or bearer credentials (`BasicAuth`, `BearerAuth`).
        flavour: ``cloud`` or ``datacenter``.
        policy: Retries every request.
        timeout: Seconds to wait for a connection and for each answer.
        ca_bundle: A PEM bundle for a private certificate authority (``ca_bundle`` in
            ``[confluence.<name>]``).
    """

    def __init__(
        self,
        *,
        source: str,
        url: str,
        auth: ConfluenceAuth,
        flavour: ConfluenceFlavour | Literal["cloud", "datacenter"],
        policy: RetryPolicy,
        timeout: float = 30.0,
        ca_bundle: Path | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.source = source
        self.flavour = ConfluenceFlavour(flavour)
        root = url.rstrip("/")
        if self.flavour is ConfluenceFlavour.CLOUD:
            root = root.removesuffix("/wiki") + "/wiki"
        self.base_url = root
        self._auth = auth
        self._policy = policy
        self._timeout = timeout
        self._ca_bundle = ca_bundle
        self._client: AtlassianRestAPI | None = None
        self._pages: PageApi = (
            V2Pages(self._send, base=root, source=source)
            if self.flavour is ConfluenceFlavour.CLOUD
            else V1Pages(self._send, base=root)
        )

    def __repr__(self) -> str:
        return f"ConfluenceSite(source={self.source!r}, url={self.base_url!r})"

    def close(self) -> None:
        """Close the library's connections (a later request opens new ones). Idempotent."""
        if self._client is not None:
            self._client.close()

    def __enter__(self) -> ConfluenceSite:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _library(self) -> AtlassianRestAPI:
        if self._client is not None:
            return self._client
        options: dict[str, Any] = {
            "url": self.base_url,
            "backoff_and_retry": False,
            "retry_with_header": False,
            **_credentials(self._auth),
        }
        client: AtlassianRestAPI
        if self.flavour is ConfluenceFlavour.CLOUD:
            with warnings.catch_warnings():
                # ConfluenceV2 warns about the v1 methods it still carries; none is used.
                warnings.simplefilter("ignore", DeprecationWarning)
                client = ConfluenceV2(**options)
        else:
            client = ConfluenceServer(**options)  # type: ignore[no-untyped-call]
        client.timeout = self._timeout  # type: ignore[assignment]  # the library int()s it
        if self._ca_bundle is not None:
            # A private certificate authority: requests verifies against this bundle.
            client._session.verify = str(self._ca_bundle)
        self._client = client
        return client

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        record: str | None = None,
        lookup: bool = False,
    ) -> Any:
        """One request, retried; its JSON. A lookup answered 404 gives None."""
        what = f"{method} {path}"

        def attempt() -> Any:
            response = self._request(method, path, params=params, body=body, record=record)
            status = response.status_code
            if status == _NOT_FOUND and lookup:
                return None
            if status >= 400:
                raise http_failure(
                    status,
                    _error_body(response),
                    what=what,
                    source=self.source,
                    record=record,
                    retry_after=response.headers.get("Retry-After"),
                )
            try:
                return response.json() if response.content else None
            except ValueError as error:  # a body cut short by a dropped connection
                mapped = network_failure(error, what=what, source=self.source, record=record)
                raise (mapped or error) from error

        # Every POST here creates (a page, a property): retried only when throttled.
        policy = self._policy.for_creates() if method == "POST" else self._policy
        return policy.call(attempt)

    def _request(
        self, method: str, path: str, *, params: Any, body: Any, record: str | None
    ) -> requests.Response:
        """Send through the library, whatever the status; network trouble mapped."""
        try:
            return self._library().request(
                method, path, data=body, params=dict(params or {}), advanced_mode=True
            )
        except Exception as error:
            mapped = network_failure(
                error, what=f"{method} {path}", source=self.source, record=record
            )
            if mapped is None:
                raise
            raise mapped from error

    def find_page(self, space_key: str, title: str) -> PageInfo | None:
        """The current page titled ``title`` in the space, with its body; None if there is none.

        Raises:
            ConnectorConfigError: Cloud: the space does not exist (or is hidden from us).
        """
        return self._pages.find_page(space_key, title)

    def page(self, page_id: str) -> PageInfo | None:
        """The page with its storage body and current version; None if it is gone."""
        return self._pages.page(page_id)

    def create_page(
        self, *, space_key: str, title: str, body: str, parent_id: str | None
    ) -> PageInfo:
        """Create a page (storage format body) at version 1, under ``parent_id`` if given.

        Raises:
            WriteRejectedError: Confluence refused it (a page with this title exists in the
                space, an unknown parent, a body over 5 MB).
        """
        return self._pages.create_page(
            space_key=space_key, title=title, body=body, parent_id=parent_id
        )

    def update_page(
        self, *, page_id: str, title: str, body: str, current_version: int, message: str
    ) -> PageInfo:
        """Replace the page's title and body: one PUT sending ``current_version`` + 1.

        Args:
            page_id: The page.
            title: Its title after the update.
            body: Its storage-format body after the update.
            current_version: The version the caller read and based the update on.
            message: The version comment shown in the page history.

        Raises:
            StaleWriteError: The page is no longer at ``current_version`` (409).
            WriteRejectedError: Confluence refused the update (e.g. the page is gone).
        """
        return self._pages.update_page(
            page_id=page_id, title=title, body=body, version=current_version, message=message
        )

    def page_property(self, page_id: str, key: str) -> PropertyInfo | None:
        """A content property of the page; None if it has none (or the page is gone)."""
        return self._pages.page_property(page_id, key)

    def set_page_property(self, page_id: str, key: str, value: Any) -> None:
        """Create the property, or update it with its version + 1: one read, one write.

        A create is not sent twice (`RetryPolicy.for_creates`); when its answer is lost, the
        property is read again, and a property holding ``value`` means the create landed.

        Raises:
            StaleWriteError: Someone else wrote the property between the read and the write.
            WriteRejectedError: Confluence refused the value or the page is gone.
            RetryableError: Confluence did not answer, and the property is not there.
        """
        current = self._pages.page_property(page_id, key)
        if current is not None:
            self._pages.update_property(page_id, current, key, value)
            return
        try:
            self._pages.create_property(page_id, key, value)
        except RetryableError:
            made = self._pages.page_property(page_id, key)
            if made is None or made.value != value:
                raise
