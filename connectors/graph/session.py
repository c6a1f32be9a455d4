"""A Graph connection for synchronous callers: msgraph's request adapter on a loop of its own.

`GraphSession` builds what libraries.md §4 verified against the sandbox and real Graph:

- ``GraphRequestAdapter`` with its ``base_url`` set (``https://graph.microsoft.com/v1.0``, or
  the sandbox's ``http://127.0.0.1:P/graph/v1.0``) and a bearer token or credential (`auth`);
- msgraph's default middleware with ``RetryHandlerOption(max_retries=0)``: the connectors'
  `RetryPolicy` is the only retry, so waits and attempts are bounded in one place;
- an httpx transport with explicit timeouts, which `close` shuts (msgraph wraps the client's
  transport in its middleware pipeline, so closing the httpx client alone would leave the
  real transport's sockets open);
- the raw path through ``GraphServiceClient.request_adapter``:
  ``send_primitive_async(request, "bytes", …)`` and ``json.loads``, which skips the typed
  models whose first use costs over a second and 40 MB (libraries.md §1).

Each method sends ONE request (no retry) and maps its failure (`failures`); `GraphReader`
adds the retry policy and paging.
"""

from __future__ import annotations

import json
from collections.abc import Coroutine
from types import TracebackType
from typing import Any

import httpx
from azure.core.credentials import TokenCredential
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import ClientAuthenticationError
from kiota_abstractions.api_error import APIError
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_http.middleware.options import RetryHandlerOption
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import GraphClientFactory

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RetryableError,
)
from connectors.graph.auth import GRAPH_SCOPE, graph_authentication
from connectors.graph.failures import GraphFailure, graph_failure
from connectors.graph.loop import EventLoopThread

__all__ = ["DEFAULT_GRAPH_URL", "GraphSession", "JsonObject"]

DEFAULT_GRAPH_URL = "https://graph.microsoft.com/v1.0"
JsonObject = dict[str, Any]
_ERROR_MAP = {"4XX": ODataError, "5XX": ODataError}
_CONNECT_TIMEOUT = 10.0


def _header(headers: Any, name: str) -> str | None:
    """A response header by name, whatever the mapping's case rules."""
    if not headers:
        return None
    for key, value in dict(headers).items():
        if str(key).lower() == name.lower():
            return str(value)
    return None


def _failure_of(error: APIError) -> GraphFailure:
    main = getattr(error, "error", None)
    code = str(getattr(main, "code", None) or "")
    message = str(getattr(main, "message", None) or "") or (
        "" if isinstance(error, ODataError) else str(error.message or "")
    )
    return GraphFailure(
        int(error.response_status_code or 0),
        code=code,
        message=message,
        retry_after=_header(error.response_headers, "Retry-After"),
    )


class GraphSession:
    """One Graph connection; thread-safe; `close` it (or use it as a context manager).

    Args:
        base_url: Graph's root including the version, e.g. `DEFAULT_GRAPH_URL`.
        token: A bearer token used as given (the sandbox's, or one minted elsewhere).
        credential: An azure-identity credential (``ClientSecretCredential``,
            ``CertificateCredential``, ...) asked for ``scopes``. Exactly one of the two.
        scopes: What to ask the credential for.
        timeout: Seconds for one request (connecting takes at most 10 of them).
        transport: The httpx transport to send through (tests pass ``httpx.MockTransport``);
            default: a fresh connection pool.
        name: Names the loop thread, e.g. the source name.
    """

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_GRAPH_URL,
        token: str | None = None,
        credential: TokenCredential | AsyncTokenCredential | None = None,
        scopes: tuple[str, ...] = (GRAPH_SCOPE,),
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        name: str = "graph",
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        auth = graph_authentication(
            self.base_url, token=token, credential=credential, scopes=scopes
        )
        self._transport = transport or httpx.AsyncHTTPTransport()
        self._http = GraphClientFactory.create_with_default_middleware(
            client=httpx.AsyncClient(
                transport=self._transport,
                timeout=httpx.Timeout(timeout, connect=min(timeout, _CONNECT_TIMEOUT)),
            ),
            options={RetryHandlerOption.get_key(): RetryHandlerOption(delay=0, max_retries=0)},
        )
        adapter = GraphRequestAdapter(auth, client=self._http)
        adapter.base_url = self.base_url
        # The client registers the JSON parse node factories the error bodies are read with.
        self.client = GraphServiceClient(request_adapter=adapter)
        self._adapter = adapter
        self._loop = EventLoopThread(f"graph:{name}")

    def __repr__(self) -> str:
        return f"GraphSession(base_url={self.base_url!r})"

    def url(self, path_or_url: str) -> str:
        """An absolute URL: a path below `base_url`, or a link Graph gave (kept verbatim)."""
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def get_json(
        self,
        path_or_url: str,
        *,
        source: str,
        record: str | None = None,
        missing: type[ConnectorError] = ConnectorConfigError,
    ) -> JsonObject:
        """``GET`` one path or link; its JSON object. One attempt, failures mapped.

        Raises:
            ConnectorError: As `failures` maps the answer; a 404 raises ``missing``.
        """
        request = RequestInformation(Method.GET)
        request.url = self.url(path_or_url)
        request.headers.add("Accept", "application/json")
        return self._exchange(request, source=source, record=record, missing=missing)

    def post_json(
        self, path: str, body: JsonObject, *, source: str, record: str | None = None
    ) -> JsonObject:
        """``POST`` a JSON body (e.g. a ``$batch``); the JSON object answered. One attempt."""
        request = RequestInformation(Method.POST)
        request.url = self.url(path)
        request.headers.add("Accept", "application/json")
        request.headers.add("Content-Type", "application/json")
        request.content = json.dumps(body).encode()
        return self._exchange(request, source=source, record=record)

    async def _send(self, request: RequestInformation) -> bytes | None:
        answer: bytes | None = await self._adapter.send_primitive_async(
            request, "bytes", _ERROR_MAP
        )
        return answer

    def _exchange(
        self,
        request: RequestInformation,
        *,
        source: str,
        record: str | None,
        missing: type[ConnectorError] = ConnectorConfigError,
    ) -> JsonObject:
        what = f"{request.http_method.value if request.http_method else 'GET'} {request.url}"
        try:
            raw = self._loop.run(self._send(request), timeout=2 * self.timeout)
        except APIError as error:
            failure = _failure_of(error)
            raise graph_failure(
                failure, what=what, source=source, record=record, missing=missing
            ) from error
        except ClientAuthenticationError as error:
            raise AuthenticationError(
                f"signing in for {what} failed: {error.message}", source=source, record=record
            ) from error
        except httpx.UnsupportedProtocol as error:
            raise ConnectorConfigError(f"{what}: {error}", source=source, record=record) from error
        except (httpx.TransportError, httpx.DecodingError, TimeoutError) as error:
            raise RetryableError(
                f"{what} failed: {type(error).__name__}: {error}", source=source, record=record
            ) from error
        try:
            answer = json.loads(raw or b"")
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise RetryableError(
                f"{what} answered something that is not a JSON object",
                source=source,
                record=record,
            )
        return answer

    async def _shut(self) -> None:
        await self._http.aclose()
        await self._transport.aclose()

    def close(self) -> None:
        """Close the connections and stop the loop thread. Idempotent."""
        final: Coroutine[Any, Any, None] = self._shut()
        self._loop.close(final)

    def __enter__(self) -> GraphSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
