"""Records exchanges with the sandbox and judges each against its OpenAPI subset.

`ContractRecorder` owns a `requests.Session` whose response hook keeps every exchange, so it
can record the tests' own calls and equally a real client library handed that session. Its
`ContractRecorder.check` maps the exchange onto the spec that serves the URL (`specs.Mount`),
runs openapi-core's request and response validators, flattens the errors into `Violation`s and
sets aside the ones a documented `Deviation` excuses.

One reading of the spec is the harness's own, not a deviation: a response declared as
``content: {}`` ("the response body will be empty", e.g. a Confluence 204) is satisfied by an
empty body; openapi-core 0.23 would report it as missing data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import requests
from openapi_core.contrib.requests import RequestsOpenAPIResponse
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_core.testing import MockResponse
from requests.auth import AuthBase

from tests.contract.deviations import DEVIATIONS, Deviation
from tests.contract.specs import ApiSpec, Mount, SpecRequest
from tests.contract.violations import Phase, Violation, violations_of

__all__ = ["ContractRecorder", "Exchange", "Verdict"]


@dataclass(frozen=True)
class Exchange:
    """One request the sandbox answered, as requests saw it."""

    request: requests.PreparedRequest
    response: requests.Response


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """How one exchange measured up to its spec."""

    operation: str
    """``METHOD path`` as the spec addresses it, e.g. ``GET /rest/api/3/issue/PMO-1``."""
    status: int
    violations: tuple[Violation, ...]
    """What no deviation excuses: a conforming exchange has none."""
    excused: tuple[str, ...]
    """Refs of the deviations that excused something, in table order."""


class ContractRecorder:
    """A session on one sandbox that keeps every exchange and checks it against ``specs``."""

    def __init__(
        self,
        base_url: str,
        specs: Sequence[ApiSpec],
        *,
        auth: tuple[str, str] | AuthBase,
        deviations: Sequence[Deviation] = DEVIATIONS,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.specs = tuple(specs)
        self.deviations = tuple(deviations)
        self.exchanges: list[Exchange] = []
        self.session = requests.Session()
        self.session.auth = auth
        self.session.hooks["response"].append(self._keep)

    def _keep(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.exchanges.append(Exchange(response.request, response))

    def _spec_for(self, request: requests.PreparedRequest) -> tuple[ApiSpec, Mount]:
        path = urlsplit(request.url or "").path
        served = [(s, m) for s in self.specs if (m := s.mount_for(path)) is not None]
        if not served:
            raise LookupError(f"no spec of {[s.name for s in self.specs]} serves {path}")
        return max(served, key=lambda pair: len(pair[1].sandbox))

    def check(self, exchange: Exchange) -> Verdict:
        """Validate the request and the response; excuse what a deviation describes."""
        spec, mount = self._spec_for(exchange.request)
        request = SpecRequest(exchange.request, spec, mount)
        status = exchange.response.status_code
        applicable = [
            d
            for d in self.deviations
            if d.covers(spec.name, request.method, request.spec_path, status)
        ]
        found = [
            *_all(spec.openapi.iter_request_errors(request), "request"),
            *self._response_violations(spec, request, exchange.response, applicable),
        ]
        excused: set[str] = set()
        violations: list[Violation] = []
        for violation in found:
            excuser = next((d for d in applicable if d.excuses(violation)), None)
            if excuser is None:
                violations.append(violation)
            else:
                excused.add(excuser.ref)
        return Verdict(
            operation=f"{request.method.upper()} {request.spec_path}",
            status=status,
            violations=tuple(violations),
            excused=tuple(d.ref for d in self.deviations if d.ref in excused),
        )

    def verdicts(self) -> list[Verdict]:
        """A verdict on every exchange recorded so far, oldest first."""
        return [self.check(exchange) for exchange in self.exchanges]

    def _response_violations(
        self,
        spec: ApiSpec,
        request: SpecRequest,
        response: requests.Response,
        applicable: Sequence[Deviation],
    ) -> Iterator[Violation]:
        wrapped = RequestsOpenAPIResponse(response)
        for violation in _all(spec.openapi.iter_response_errors(request, wrapped), "response"):
            if violation.kind == "missing-body" and _declares_empty_content(
                spec, request, response.status_code
            ):
                continue
            yield violation
        if any(d.each_item for d in applicable):
            yield from _item_violations(spec, request, wrapped)


def _all(errors: Iterable[Exception], phase: Phase) -> Iterator[Violation]:
    for error in errors:
        yield from violations_of(phase, error)


def _item_violations(
    spec: ApiSpec, request: SpecRequest, response: RequestsOpenAPIResponse
) -> Iterator[Violation]:
    """Each element of an array body validated as the single object the spec declares."""
    body = json.loads(response.data)
    if not isinstance(body, list):
        return
    for index, item in enumerate(body):
        single = MockResponse(
            json.dumps(item).encode(),
            status_code=response.status_code,
            headers=dict(response.headers),
            content_type=response.content_type,
        )
        for violation in _all(spec.openapi.iter_response_errors(request, single), "response"):
            yield replace(violation, where=f"{index}/{violation.where}".rstrip("/"))


def _declares_empty_content(spec: ApiSpec, request: SpecRequest, status: int) -> bool:
    try:
        found = APICallPathFinder(spec.openapi.spec).find(request.method, request.full_url)
    except PathError:
        return False
    responses = found.operation / "responses"
    declared = responses / str(status)
    if not declared.exists():
        declared = responses / "default"
    content = declared / "content"
    return content.exists() and not list(content.str_keys())
