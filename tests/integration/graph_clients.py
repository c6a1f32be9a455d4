"""msgraph-sdk pointed at the sandbox: a static bearer token and a local base URL.

This is the set-up libraries.md §4 verified: azure-identity cannot reach an http token
endpoint, so the token comes from the connectors' `StaticTokenProvider`, which hands out the
sandbox's token for the sandbox's host only (kiota then sends no token to any other host).
The retry handler keeps its behaviour but waits no extra seconds, so throttling tests stay
fast.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import httpx
from kiota_abstractions.authentication import (
    BaseBearerTokenAuthenticationProvider,
)
from kiota_http.middleware.options import RetryHandlerOption, UrlReplaceHandlerOption
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import GraphClientFactory

from connectors.graph.auth import StaticTokenProvider
from flywheel_sync.sandbox.graph.app import GRAPH_ROOT
from flywheel_sync.sandbox.services import SandboxCredentials

__all__ = ["GRAPH_TOKEN", "graph_client"]

GRAPH_TOKEN = SandboxCredentials().graph_token


@asynccontextmanager
async def graph_client(
    sandbox_url: str, *, token: str = GRAPH_TOKEN, max_retries: int = 3
) -> AsyncIterator[GraphServiceClient]:
    """A GraphServiceClient whose requests go to the sandbox at ``sandbox_url``.

    Enter it inside the event loop that uses it (its pooled connections belong to one loop).
    On exit the connections are closed: msgraph wraps the client's transport in its middleware
    pipeline, so closing the httpx client alone would leave the real transport's sockets open.
    """
    host = urlsplit(sandbox_url).hostname or "127.0.0.1"
    auth = BaseBearerTokenAuthenticationProvider(StaticTokenProvider(token, [host]))
    retry = RetryHandlerOption(delay=0, max_retries=max_retries)
    transport = httpx.AsyncHTTPTransport()
    try:
        http = GraphClientFactory.create_with_default_middleware(
            client=httpx.AsyncClient(transport=transport, timeout=30),
            options={
                RetryHandlerOption.get_key(): retry,
                # The SDK's builders write /me as a placeholder user id (libraries.md §4).
                UrlReplaceHandlerOption.get_key(): UrlReplaceHandlerOption(
                    enabled=True, replacement_pairs={"/users/me-token-to-replace": "/me"}
                ),
            },
        )
        adapter = GraphRequestAdapter(auth, client=http)
        adapter.base_url = sandbox_url.rstrip("/") + GRAPH_ROOT
        yield GraphServiceClient(request_adapter=adapter)
    finally:
        await transport.aclose()
