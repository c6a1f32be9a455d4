"""Raw JSON ``$batch`` requests: the steps as Graph reads them, the answers as Graph sends them.

The SDK's batch helpers drop JSON step bodies and ignore the ids given to them (libraries.md
§4), so batches are sent as one raw ``POST /$batch`` through `GraphSession.post_json`
(graph-wire.md §2, "JSON batching"): at most 20 steps, ids unique, ``Content-Type`` named for
every step with a body. Graph answers 200 for the batch and a status per step, in any order;
each step is throttled on its own (``429`` with ``Retry-After`` in the step's headers).

This module only builds and reads batches; what a step's status means for the caller
(retry, stale, refused) is the caller's table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.graph.session import GraphSession, JsonObject
from connectors.retry import retry_after_seconds

__all__ = ["MAX_BATCH_STEPS", "BatchStep", "StepAnswer", "send_batch"]

MAX_BATCH_STEPS = 20
"""Graph refuses a ``$batch`` of more steps with a 400."""
_UNANSWERED = 502
"""The status given to a step the batch's answer does not mention (a bad gateway's answer)."""


@dataclass(frozen=True, kw_only=True)
class BatchStep:
    """One request of a batch; ``url`` is relative to the Graph root (``/planner/...``)."""

    id: str
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None

    def wire(self) -> JsonObject:
        """The step as the ``requests`` array of the batch holds it."""
        step: JsonObject = {"id": self.id, "method": self.method, "url": self.url}
        headers = dict(self.headers)
        if self.body is not None:
            step["body"] = dict(self.body)
            if not any(name.lower() == "content-type" for name in headers):
                headers["Content-Type"] = "application/json"
        if headers:
            step["headers"] = headers
        return step


@dataclass(frozen=True, kw_only=True)
class StepAnswer:
    """One step's answer: status, headers and JSON body (None when it has none)."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None

    def header(self, name: str) -> str | None:
        """A header by name, whatever its case."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def retry_after(self) -> float | None:
        """Seconds the step's ``Retry-After`` asks for, if it sent one."""
        return retry_after_seconds(self.header("Retry-After"))

    @property
    def error(self) -> tuple[str, str]:
        """Graph's error ``code`` and ``message`` from the body (empty strings if absent)."""
        found = self.body.get("error") if isinstance(self.body, Mapping) else None
        if not isinstance(found, Mapping):
            return "", ""
        return str(found.get("code") or ""), str(found.get("message") or "")


def _answer(raw: Mapping[str, Any]) -> StepAnswer:
    headers = raw.get("headers")
    return StepAnswer(
        status=int(raw.get("status") or _UNANSWERED),
        headers={str(k): str(v) for k, v in headers.items()} if isinstance(headers, dict) else {},
        body=raw.get("body"),
    )


def send_batch(
    session: GraphSession, steps: Sequence[BatchStep], *, source: str
) -> dict[str, StepAnswer]:
    """Send ``steps`` as one ``POST /$batch``; each step's answer by its id. One attempt.

    A step the answer does not mention is given status 502, so that callers send it again.

    Raises:
        ValueError: More than `MAX_BATCH_STEPS` steps, or two with the same id.
        ConnectorError: The batch itself failed, as `GraphSession` maps it (401/403:
            `AuthenticationError`; 429, 5xx, network: `RetryableError`).
    """
    if len(steps) > MAX_BATCH_STEPS:
        raise ValueError(f"a $batch holds at most {MAX_BATCH_STEPS} steps, not {len(steps)}")
    ids = [step.id.lower() for step in steps]
    if len(set(ids)) != len(ids):
        raise ValueError("$batch step ids must be unique (Graph compares them ignoring case)")
    answer = session.post_json(
        "/$batch", {"requests": [step.wire() for step in steps]}, source=source
    )
    listed = {
        str(raw.get("id")).lower(): _answer(raw)
        for raw in answer.get("responses") or []
        if isinstance(raw, dict)
    }
    return {step.id: listed.get(step.id.lower(), StepAnswer(status=_UNANSWERED)) for step in steps}
