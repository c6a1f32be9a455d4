"""Post a message (an Adaptive Card) to a Teams channel through a Workflows webhook.

A Workflows trigger URL is its own credential: the ``sig`` query parameter signs it
(graph-wire.md §3), so the query string is a secret. It never leaves this module: errors,
log lines and ``repr`` show scheme, host and path only (`redacted_url`). For the same reason
requests go straight to the httpx transport rather than through ``httpx.Client``, which logs
every request's full URL at INFO level.

=====================  ==========================================================
answer                 outcome
=====================  ==========================================================
2xx (202 Accepted)     posted
400                    `WriteRejectedError` with the trigger's error text (a payload
                       Teams cannot post)
413                    `WriteRejectedError`: the card is larger than Teams accepts
                       (28 KB); split or shorten it
401, 403               `AuthenticationError`: the signature was refused (a rotated
                       or revoked URL)
404                    `ConnectorConfigError`: no such workflow (deleted, or the URL
                       is wrong)
408, 429, 5xx,         `RetryableError` (``Retry-After`` honoured), retried by the
network                policy
other 4xx              `WriteRejectedError`
=====================  ==========================================================
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RetryableError,
    WriteRejectedError,
)
from connectors.retry import RetryPolicy, retry_after_seconds

__all__ = ["MAX_MESSAGE_BYTES", "WorkflowsWebhook", "redacted_url"]

MAX_MESSAGE_BYTES = 28 * 1024
"""The largest message Teams posts (about 28 KB); larger ones are answered 413."""
_TOO_LARGE = "card larger than Teams accepts (28 KB)"


def _parsed(url: str) -> httpx.URL | None:
    try:
        return httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return None


def redacted_url(url: str) -> str:
    """``url`` without its query, fragment and user info: safe to print."""
    parsed = _parsed(url)
    if parsed is None:
        return "<an unreadable URL>"
    port = f":{parsed.port}" if parsed.port is not None else ""
    return f"{parsed.scheme}://{parsed.host}{port}{parsed.path}"


def _error_text(response: httpx.Response) -> tuple[str, str]:
    """The trigger's error ``code`` and message (Logic Apps' ``{"error": {...}}``)."""
    try:
        body: Any = response.json()
    except ValueError:
        return "", response.text.strip()[:500]
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "", ""
    return str(error.get("code") or ""), str(error.get("message") or "")


class WorkflowsWebhook:
    """One Workflows webhook; thread-safe; `close` it (or use it as a context manager).

    Args:
        source: The source name errors carry, e.g. ``teams:pmo-reports``.
        url: The trigger URL, signature included; kept out of every message.
        policy: Retries transient failures.
        timeout: Seconds for connecting and for the answer.
        transport: Where requests go (tests pass ``httpx.MockTransport``); default: a
            connection pool this webhook owns and `close` shuts.
    """

    def __init__(
        self,
        *,
        source: str,
        url: str,
        policy: RetryPolicy,
        timeout: float = 30,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.source = source
        self.url = redacted_url(url)
        """The URL without its signature: for messages."""
        parsed = _parsed(url)
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
            raise ConnectorConfigError(
                f"the webhook URL {self.url} is not an http(s) URL: copy the URL the "
                "workflow's trigger shows",
                source=source,
            )
        self._url = parsed
        self._policy = policy
        self._timeout = httpx.Timeout(timeout)
        self._owned = transport is None
        self._transport = transport or httpx.HTTPTransport()

    def __repr__(self) -> str:
        return f"WorkflowsWebhook(source={self.source!r}, url={self.url!r})"

    def post(self, message: Mapping[str, Any]) -> None:
        """POST ``message`` (``{"type": "message", "attachments": [...]}``) as JSON.

        Raises:
            WriteRejectedError: The trigger refused the payload (400) or it is too large (413).
            AuthenticationError: The signature was refused (401, 403).
            ConnectorConfigError: There is no such workflow (404).
            RetryableError: Throttling or failures outlasted the retry policy.
        """
        content = json.dumps(message).encode()
        self._policy.call(lambda: self._send(content))

    def _send(self, content: bytes) -> None:
        request = httpx.Request(
            "POST",
            self._url,
            content=content,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            extensions={"timeout": self._timeout.as_dict()},
        )
        try:
            response = self._transport.handle_request(request)
            try:
                response.read()
            finally:
                response.close()
        except httpx.TransportError as error:
            # Neither the error nor its cause may carry the signed URL into a traceback.
            kind = ConnectorConfigError if isinstance(error, httpx.UnsupportedProtocol) else None
            raise (kind or RetryableError)(
                f"POST {self.url} failed ({type(error).__name__})", source=self.source
            ) from None
        if response.is_success:
            return
        raise self._failure(response)

    def _failure(self, response: httpx.Response) -> ConnectorError:
        status = response.status_code
        code, text = _error_text(response)
        said = f" ({code})" if code else ""
        message = f"POST {self.url} answered {status}{said}" + (f": {text}" if text else "")
        if status in (401, 403):
            return AuthenticationError(
                f"{message}: the webhook's signature was refused; copy the trigger URL again",
                source=self.source,
            )
        if status == 404:
            return ConnectorConfigError(
                f"{message}: no such workflow; check the webhook URL", source=self.source
            )
        if status in (408, 429) or status >= 500:
            return RetryableError(
                message,
                source=self.source,
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
                status=status,
            )
        reasons = (_TOO_LARGE,) if status == 413 else (text,) if text else ()
        detail = f"POST {self.url} answered 413: {_TOO_LARGE}" if status == 413 else message
        return WriteRejectedError(
            detail, source=self.source, status=status, code=code, reasons=reasons
        )

    def close(self) -> None:
        """Close the connection pool, if this webhook opened it. Idempotent."""
        if self._owned:
            self._transport.close()

    def __enter__(self) -> WorkflowsWebhook:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
