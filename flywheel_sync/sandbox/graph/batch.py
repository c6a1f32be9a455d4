"""``POST /$batch``: Graph JSON batching, each step served as if it were its own request.

Steps go back through the whole sandbox (`SandboxEdge` included), so every step is
authenticated, throttled, faulted and counted on its own, as Graph evaluates each step
against throttling independently (graph-wire.md §2): a throttled step answers ``429`` with
``Retry-After`` in its headers while the batch itself answers ``200``.

Rules enforced (concepts/json-batching.md and the threads cited in docs/sandbox-deviations.md):
at most 20 steps; ids unique, compared case-insensitively; a step with a body names its
``Content-Type``; ``dependsOn`` makes the batch fully sequential (each step depends on the one
before) or it is refused with "Batch should be either fully sequential or fully parallel.";
once a step of a sequential batch fails, every later step answers ``424 Failed Dependency``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Scope

from flywheel_sync.sandbox.graph.wire import GraphError, graph_error_body, guarded, json_object
from flywheel_sync.sandbox.middleware import BATCH_STEP

__all__ = ["MAX_BATCH_STEPS", "batch_routes", "parse_batch"]

MAX_BATCH_STEPS = 20

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"})
_WRITES = frozenset({"POST", "PUT", "PATCH"})
_MIXED = "Batch should be either fully sequential or fully parallel."


@dataclass(frozen=True, kw_only=True)
class BatchStep:
    """One validated step of a batch."""

    id: str
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    depends_on: tuple[str, ...] = ()


def _bad(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def _step_body(raw: dict[str, Any], headers: dict[str, str]) -> bytes | None:
    if "body" not in raw or raw["body"] is None:
        return None
    value = raw["body"]
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if isinstance(value, str) and "json" not in content_type.lower():
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error:
            return value.encode()
    return json.dumps(value).encode()


def _parse_step(raw: Any) -> BatchStep:
    if not isinstance(raw, dict):
        raise _bad("Each batch request must be a JSON object.")
    for name in ("id", "method", "url"):
        if not isinstance(raw.get(name), str) or not raw[name]:
            raise _bad(f"Batch request is missing the required property '{name}'.")
    method = raw["method"].upper()
    if method not in _METHODS:
        raise _bad(f"Invalid method '{raw['method']}' in request id : {raw['id']}.")
    headers = raw.get("headers") or {}
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise _bad(f"Invalid headers in request id : {raw['id']}.")
    depends_on = raw.get("dependsOn") or []
    if not isinstance(depends_on, list) or not all(isinstance(d, str) for d in depends_on):
        raise _bad(f"Invalid dependsOn in request id : {raw['id']}.")
    has_type = any(k.lower() == "content-type" for k in headers)
    if method in _WRITES and raw.get("body") is not None and not has_type:
        raise _bad(f"Write request id : {raw['id']} does not contain Content-Type header or body.")
    return BatchStep(
        id=raw["id"],
        method=method,
        url=raw["url"],
        headers=dict(headers),
        body=_step_body(raw, headers),
        depends_on=tuple(depends_on),
    )


def parse_batch(body: dict[str, Any]) -> tuple[list[BatchStep], bool]:
    """The batch's steps, and whether they run in sequence.

    Raises:
        GraphError: 400 for a batch Graph refuses as a whole.
    """
    requests = body.get("requests")
    if not isinstance(requests, list):
        raise _bad("The batch request must have a 'requests' array.")
    if len(requests) > MAX_BATCH_STEPS:
        raise _bad(f"The batch contains more than the maximum of {MAX_BATCH_STEPS} requests.")
    steps = [_parse_step(raw) for raw in requests]
    seen: set[str] = set()
    for step in steps:
        if step.id.casefold() in seen:
            raise _bad(f"Batch request contains duplicate request id : {step.id}.")
        seen.add(step.id.casefold())
    for step in steps:
        unknown = [d for d in step.depends_on if d.casefold() not in seen]
        if unknown:
            raise _bad(f"Invalid dependency for request Id : {step.id}.")
    if not any(step.depends_on for step in steps):
        return steps, False
    for index, step in enumerate(steps):
        expected = () if index == 0 else (steps[index - 1].id.casefold(),)
        if tuple(d.casefold() for d in step.depends_on) != expected:
            raise _bad(_MIXED)
    return steps, True


def _canonical(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


async def _serve(app: ASGIApp, outer: Scope, root: str, step: BatchStep) -> dict[str, Any]:
    """Serve one step through ``app`` as a request below ``root``; describe its answer."""
    location = urlsplit(step.url)
    if location.scheme or location.netloc or "$batch" in location.path:
        body = graph_error_body("BadRequest", f"Invalid request URL in request id : {step.id}.")
        return {"id": step.id, "status": 400, "headers": {}, "body": body}
    path = root + "/" + location.path.lstrip("/")
    headers = [
        *((k, v) for k, v in outer["headers"] if k == b"authorization"),
        *((k.lower().encode(), v.encode()) for k, v in step.headers.items()),
    ]
    scope: Scope = {
        **{k: v for k, v in outer.items() if k not in ("router", "endpoint", "path_params")},
        "method": step.method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": location.query.encode(),
        "headers": headers,
        "root_path": "",
        BATCH_STEP: True,
    }
    messages: list[Message] = []
    pending = [{"type": "http.request", "body": step.body or b"", "more_body": False}]

    async def receive() -> Message:
        return pending.pop() if pending else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        messages.append(message)

    await app(scope, receive, send)
    return _item(step.id, messages)


def _item(step_id: str, messages: list[Message]) -> dict[str, Any]:
    start = next(m for m in messages if m["type"] == "http.response.start")
    raw = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    headers = {
        _canonical(k.decode()): v.decode()
        for k, v in start.get("headers", [])
        if k.lower() != b"content-length"
    }
    item: dict[str, Any] = {"id": step_id, "status": start["status"], "headers": headers}
    if not raw:
        return item
    if "json" in headers.get("Content-Type", ""):
        try:
            item["body"] = json.loads(raw)
        except ValueError:
            # The sandbox dropped the connection mid-answer (an injected fault).
            item |= {
                "status": 502,
                "headers": {"Content-Type": "application/json"},
                "body": graph_error_body("BadGateway", "The request failed mid-response."),
            }
    else:
        item["body"] = base64.b64encode(raw).decode()
    return item


def _failed_dependency(step: BatchStep) -> dict[str, Any]:
    return {
        "id": step.id,
        "status": 424,
        "headers": {"Content-Type": "application/json"},
        "body": graph_error_body("FailedDependency", "The request depends on a failed request."),
    }


def batch_routes(app: Callable[[], ASGIApp], *, graph_root: str) -> list[Route]:
    """The ``$batch`` route; ``app()`` is the whole sandbox, which serves every step.

    Args:
        app: Gives the sandbox's outermost ASGI app (known only once the app is built).
        graph_root: Where Graph is mounted, e.g. ``/graph/v1.0``: step URLs are below it.
    """

    async def post_batch(request: Request) -> Response:
        steps, sequential = parse_batch(await json_object(request))
        outer = request.scope
        if not sequential:
            items = await asyncio.gather(
                *(_serve(app(), outer, graph_root, step) for step in steps)
            )
            return JSONResponse({"responses": list(items)})
        answered: list[dict[str, Any]] = []
        for step in steps:
            if answered and answered[-1]["status"] >= 400:
                answered.append(_failed_dependency(step))
            else:
                answered.append(await _serve(app(), outer, graph_root, step))
        return JSONResponse({"responses": answered})

    return [Route("/$batch", guarded(post_batch), methods=["POST"])]
