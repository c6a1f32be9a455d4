"""The sandbox's edge: authentication, latency, rate limits, faults and request counting.

It wraps every emulator, so each behaves the same way under the same knobs. Order per request:
latency, then the rate limit (429), then faults (500/503/drop), then credentials (401), then
the emulator. ``/_sandbox/*`` admin routes bypass all of it and are not counted.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flywheel_sync.sandbox.faults import Fault, Faults
from flywheel_sync.sandbox.services import ServiceProfile
from flywheel_sync.sandbox.stats import RequestStats

__all__ = ["ADMIN_PREFIX", "BATCH_STEP", "SandboxEdge", "matched_template"]

ADMIN_PREFIX = "/_sandbox"
BATCH_STEP = "sandbox.batch_step"
"""Scope key of a request a Graph ``$batch`` made for one of its steps.

Such a step gets no latency of its own: the batch request already waited once, and Graph runs
the steps of a batch side by side.
"""
_FAULT_MESSAGES = {
    Fault.ERROR_500: (500, "Internal server error (injected by the sandbox)."),
    Fault.ERROR_503: (503, "Service temporarily unavailable (injected by the sandbox)."),
}


def matched_template(routes: Sequence[BaseRoute], scope: Scope, prefix: str = "") -> str:
    """The route pattern a request would reach, e.g. ``/jira/rest/api/3/issue/{issue}``.

    Routing is repeated here (it is cheap) so that throttled and faulted requests are counted
    under the same key as served ones. Unrouted paths are counted as they are.
    """
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.NONE:
            continue
        if isinstance(route, Mount):
            return matched_template(route.routes, {**scope, **child}, prefix + route.path)
        if isinstance(route, Route):
            return prefix + route.path
    return str(scope["path"])


async def _send_json(
    send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", b"application/json;charset=UTF-8"),
        (b"content-length", str(len(payload)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


async def _drop_connection(send: Send) -> None:
    """Promise a body and break off: clients see the connection die mid-response."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"1024")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"partial": tr'})


def _counting(send: Send, stats: RequestStats, route: str) -> Send:
    """``send``, counting the response body bytes it carries under ``route``."""

    async def counted(message: Message) -> None:
        if message["type"] == "http.response.body":
            stats.served(route, len(message.get("body", b"")))
        await send(message)

    return counted


class SandboxEdge:
    """ASGI middleware applying the sandbox's knobs to every emulated service."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Sequence[BaseRoute],
        profiles: tuple[ServiceProfile, ...],
        faults: Faults,
        stats: RequestStats,
    ) -> None:
        self.app = app
        self.routes = routes
        self.profiles = profiles
        self.faults = faults
        self.stats = stats

    def _profile(self, path: str) -> ServiceProfile | None:
        for profile in self.profiles:
            if path == profile.prefix or path.startswith(profile.prefix + "/"):
                return profile
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Apply the knobs to one request, then hand it to the emulators."""
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        profile = self._profile(path)
        route = f"{scope['method']} {matched_template(self.routes, scope)}"
        step = bool(scope.get(BATCH_STEP))
        delay = 0.0 if step else self.faults.latency_seconds()
        if delay:
            await asyncio.sleep(delay)
        # A step's answer travels inside its batch's body, which is counted already.
        counted = send if step else _counting(send, self.stats, route)
        if profile is not None and await self._refused(profile, route, scope, counted, step=step):
            return
        self.stats.count(route, batch_step=step)
        await self.app(scope, receive, counted)

    async def _refused(
        self, profile: ServiceProfile, route: str, scope: Scope, send: Send, *, step: bool
    ) -> bool:
        """Answer for the service when throttled, faulted or unauthorised; False to proceed."""
        wait = self.faults.retry_after(profile.name)
        if wait is not None:
            self.stats.count(route, throttled=True, batch_step=step)
            reset = (datetime.now(UTC) + timedelta(seconds=wait)).strftime("%Y-%m-%dT%H:%MZ")
            headers = {"Retry-After": str(wait), **profile.throttle_headers}
            if profile.name == "jira":
                headers |= {"X-RateLimit-Reset": reset, "X-RateLimit-Remaining": "0"}
            await _send_json(send, 429, profile.error_body(429, "Rate limit exceeded."), headers)
            return True
        fault = self.faults.fault()
        if fault is not None:
            self.stats.count(route, fault=True, batch_step=step)
            if fault is Fault.DROP:
                await _drop_connection(send)
            else:
                status, message = _FAULT_MESSAGES[fault]
                await _send_json(send, status, profile.error_body(status, message))
            return True
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        below_prefix = scope["path"][len(profile.prefix) :]
        if not profile.is_authorised(below_prefix, headers.get("authorization")):
            self.stats.count(route, batch_step=step)
            message = "Client must be authenticated to access this resource."
            await _send_json(
                send,
                401,
                profile.error_body(401, message),
                {"WWW-Authenticate": profile.challenge},
            )
            return True
        return False
