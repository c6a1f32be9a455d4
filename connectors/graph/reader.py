"""Reads over a `GraphSession` for one source: retried, paged, batched, and counted.

- Every request goes through the source's one `RetryPolicy` (the SDK's own retry is off).
- `GraphReader.pages` follows ``@odata.nextLink`` verbatim (graph-wire.md §2, "Paging") and
  refuses a link it has already followed, so a misbehaving server cannot loop it forever.
- `GraphReader.batch_get` sends GETs as JSON ``$batch`` requests of at most 20 steps
  (graph-wire.md §2, "JSON batching"). Graph throttles each step on its own, so a batch can
  answer 200 with some steps 429 (``Retry-After`` in the step's headers) or 5xx: only those
  steps are sent again. A round that completes at least one step starts the attempts afresh;
  a round that completes none counts as one failed attempt of the policy, which waits the
  longest ``Retry-After`` the steps sent. The SDK's own batch helpers are not used: they drop
  JSON step bodies (libraries.md §4).
- `GraphReader.requests` counts the HTTP requests sent, retries included, for
  `RecordPage.requests`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from connectors.errors import ConnectorConfigError, ConnectorError, RetryableError
from connectors.graph.failures import GraphFailure, graph_failure
from connectors.graph.session import GraphSession, JsonObject
from connectors.retry import RetryPolicy

__all__ = ["MAX_BATCH_STEPS", "GraphReader", "listed_values", "strip_context"]

MAX_BATCH_STEPS = 20
"""Graph refuses a ``$batch`` of more steps with a 400."""
_NOT_FOUND = 404


def strip_context(entity: Mapping[str, Any]) -> JsonObject:
    """``entity`` without ``@odata.context``, which describes the answer, not the object."""
    return {name: value for name, value in entity.items() if name != "@odata.context"}


def listed_values(page: JsonObject, source: str) -> list[object]:
    """A list page's ``value``, as sent: each item is checked (and maybe quarantined) later.

    Raises:
        RetryableError: ``value`` is there but not a list (the answer cannot be read).
    """
    listed = page.get("value")
    if listed is None:
        return []
    if not isinstance(listed, list):
        raise RetryableError("Graph answered a list whose 'value' is not a list", source=source)
    return listed


class GraphReader:
    """One source's reads over a shared session.

    Args:
        session: The Graph connection.
        policy: The retry policy every request goes through.
        source: The source name errors carry, e.g. ``planner:northwind``.
    """

    def __init__(self, session: GraphSession, policy: RetryPolicy, *, source: str) -> None:
        self.session = session
        self.policy = policy
        self.source = source
        self.requests = 0

    def take_requests(self) -> int:
        """The requests sent since the last call (the cost of one page of records)."""
        sent, self.requests = self.requests, 0
        return sent

    def get(
        self,
        path_or_url: str,
        *,
        record: str | None = None,
        missing: type[ConnectorError] = ConnectorConfigError,
    ) -> JsonObject:
        """``GET`` one path or link, retried by the policy."""

        def attempt() -> JsonObject:
            self.requests += 1
            return self.session.get_json(
                path_or_url, source=self.source, record=record, missing=missing
            )

        return self.policy.call(attempt)

    def pages(
        self,
        path_or_url: str,
        *,
        record: str | None = None,
        missing: type[ConnectorError] = ConnectorConfigError,
    ) -> Iterator[JsonObject]:
        """Every page of a list, following ``@odata.nextLink`` until there is none.

        Raises:
            ConnectorError: Graph handed out a next link this read already followed.
        """
        followed: set[str] = set()
        link: str | None = path_or_url
        while link is not None:
            page = self.get(link, record=record, missing=missing)
            yield page
            following = page.get("@odata.nextLink")
            link = following if isinstance(following, str) and following else None
            if link is not None:
                if link in followed:
                    raise ConnectorError(
                        f"Graph repeated the page link {link}: stopping", source=self.source
                    )
                followed.add(link)

    def batch_get(self, paths: Sequence[str]) -> dict[str, JsonObject | None]:
        """Each path's JSON object (None when Graph answers 404), read in ``$batch`` requests.

        Args:
            paths: Paths below the Graph root, e.g. ``/planner/tasks/{id}/details``.

        Raises:
            ConnectorError: A step failed for good (as `failures` maps its status), or the
                policy gave up on throttled or failing steps.
        """
        found: dict[str, JsonObject | None] = {}
        for start in range(0, len(paths), MAX_BATCH_STEPS):
            pending = list(dict.fromkeys(paths[start : start + MAX_BATCH_STEPS]))
            while pending:
                pending = self.policy.call(partial(self._batch_round, pending, found))
        return found

    def _batch_round(self, pending: list[str], found: dict[str, JsonObject | None]) -> list[str]:
        """Send ``pending`` once; keep what completed; return the steps to send again.

        Raises:
            RetryableError: No step completed (the policy then waits and tries again).
        """
        requests = [{"id": str(n), "method": "GET", "url": p} for n, p in enumerate(pending)]
        self.requests += 1
        answer = self.session.post_json("/$batch", {"requests": requests}, source=self.source)
        by_id = {str(step.get("id")): step for step in answer.get("responses") or []}
        again: list[str] = []
        transient: list[RetryableError] = []
        for number, path in enumerate(pending):
            step = by_id.get(str(number), {"status": 502})
            error = self._step_outcome(path, step, found)
            if error is not None:
                again.append(path)
                transient.append(error)
        if again and len(again) == len(pending):
            waits = [e.retry_after for e in transient if e.retry_after is not None]
            raise RetryableError(
                f"{len(again)} $batch steps failed, e.g. {transient[0].detail}",
                source=self.source,
                retry_after=max(waits) if waits else None,
                status=transient[0].status,
            )
        return again

    def _step_outcome(
        self, path: str, step: Mapping[str, Any], found: dict[str, JsonObject | None]
    ) -> RetryableError | None:
        """Keep one step's answer in ``found``; the error when the step should be sent again."""
        status = int(step.get("status") or 0)
        body = step.get("body")
        if 200 <= status < 300 and isinstance(body, dict):
            found[path] = strip_context(body)
            return None
        if status == _NOT_FOUND:
            found[path] = None
            return None
        error_body = (body or {}).get("error") if isinstance(body, dict) else None
        error_body = error_body if isinstance(error_body, dict) else {}
        headers = step.get("headers") if isinstance(step.get("headers"), dict) else {}
        retry_after = next(
            (str(v) for k, v in (headers or {}).items() if str(k).lower() == "retry-after"), None
        )
        failure = GraphFailure(
            status if status >= 300 else 502,  # a 2xx step without a JSON body is a bad answer
            code=str(error_body.get("code") or ""),
            message=str(error_body.get("message") or ""),
            retry_after=retry_after,
        )
        error = graph_failure(failure, what=f"$batch GET {path}", source=self.source)
        if isinstance(error, RetryableError):
            return error
        if failure.status == 424:  # failed dependency: only in sequential batches, never ours
            return RetryableError(error.detail, source=self.source, status=424)
        raise error
