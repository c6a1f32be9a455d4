"""The Teams Workflows webhook below ``/workflows``: a flow that posts Adaptive Cards.

A Workflows ("When a Teams webhook request is received") trigger is a Logic Apps HTTP
trigger: the URL is the credential (its ``sig`` query parameter), only POST is accepted, and
an accepted request gets **202 Accepted** with an empty body (graph-wire.md §3). Failures use
Logic Apps' body ``{"error": {"code", "message"}}``:

- no ``sig``: 401 ``DirectApiAuthorizationRequired``; a wrong one: 401
  ``DirectApiInvalidAuthorizationSignature``; a ``sig`` *and* an ``Authorization`` header: 400
  ``DirectApiRequestHasMoreThanOneAuthorization`` (Logic Apps takes one scheme only);
- another method: 405 with the real trigger's code ``TriggerRequestMethodNotValid`` (the
  status Logic Apps gives it is unverified);
- above 28 KB of body: 413 "Request Entity Too Large", the Teams message limit;
- a body that is not JSON: 400 ``InvalidRequestContent``;
- a payload Teams could not post: 400 ``TriggerInputSchemaMismatch`` listing every problem with
  its JSON path in ``message`` and in ``details`` (`card_validation`). A real flow would accept
  the request and fail in its run history, out of the caller's sight; the sandbox says why.

Other query parameters of real trigger URLs (``api-version``, ``sp``, ``sv``) are accepted and
ignored. ``/{webhook}/triggers/manual/paths/invoke`` is served too, so a URL shaped like a
real one works unchanged. Accepted payloads go to the `WorkflowsInbox`.
"""

from __future__ import annotations

import hmac
import json
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from flywheel_sync.sandbox.workflows.card_rules import MAX_MESSAGE_BYTES
from flywheel_sync.sandbox.workflows.card_validation import payload_problems
from flywheel_sync.sandbox.workflows.inbox import WorkflowsInbox

__all__ = ["workflows_routes"]

_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class _TriggerError(Exception):
    """A request the trigger refuses, answered in Logic Apps' error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers

    def response(self) -> Response:
        """The error as Logic Apps answers it."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return JSONResponse({"error": error}, status_code=self.status, headers=self.headers)


class _Trigger:
    """The webhook's one handler: authenticate, check, keep."""

    def __init__(self, inbox: WorkflowsInbox, signature: str) -> None:
        self.inbox = inbox
        self.signature = signature

    def _authenticate(self, request: Request) -> None:
        sig = request.query_params.get("sig")
        if sig is None:
            raise _TriggerError(
                401,
                "DirectApiAuthorizationRequired",
                "The request must be authenticated only by Shared Access scheme.",
            )
        authorization = request.headers.get("authorization")
        if authorization:
            scheme = authorization.split(" ", 1)[0]
            raise _TriggerError(
                400,
                "DirectApiRequestHasMoreThanOneAuthorization",
                f"The request has SAS authentication scheme, '{scheme}' authorization scheme "
                "or internal token scheme. Only one scheme should be used.",
            )
        if not hmac.compare_digest(sig.encode(), self.signature.encode()):
            raise _TriggerError(
                401,
                "DirectApiInvalidAuthorizationSignature",
                "The provided authorization signature is not valid.",
            )

    @staticmethod
    async def _payload(request: Request) -> Any:
        raw = await request.body()
        if len(raw) > MAX_MESSAGE_BYTES:
            raise _TriggerError(
                413,
                "RequestEntityTooLarge",
                f"Request Entity Too Large: the message is {len(raw)} bytes and Teams accepts "
                f"at most {MAX_MESSAGE_BYTES} (28 KB).",
            )
        content_type = request.headers.get("content-type", "")
        if "json" not in content_type.lower():
            raise _TriggerError(
                400,
                "InvalidRequestContent",
                f"The request content type '{content_type}' is not supported: "
                "send the payload as application/json.",
            )
        try:
            return json.loads(raw)
        except ValueError as error:
            raise _TriggerError(
                400,
                "InvalidRequestContent",
                f"The request content was invalid and could not be deserialized: '{error}'.",
            ) from None

    @staticmethod
    def _check_method(request: Request) -> None:
        if request.method != "POST":
            raise _TriggerError(
                405,
                "TriggerRequestMethodNotValid",
                "The HTTP method for this request is not valid: expected 'Post' and actual "
                f"'{request.method}'.",
                headers={"Allow": "POST"},
            )

    @staticmethod
    def _check_card(payload: Any) -> None:
        problems = payload_problems(payload)
        if problems:
            raise _TriggerError(
                400,
                "TriggerInputSchemaMismatch",
                "The input body for trigger 'manual' of type 'Request' did not match its "
                f"schema definition. Error details: '{'; '.join(map(str, problems))}'.",
                details=[
                    {"code": "InvalidPayload", "target": p.path, "message": p.reason}
                    for p in problems
                ],
            )

    async def receive(self, request: Request) -> Response:
        try:
            self._authenticate(request)
            self._check_method(request)
            payload = await self._payload(request)
            self._check_card(payload)
        except _TriggerError as error:
            return error.response()
        self.inbox.receive(request.path_params["webhook"], payload)
        return Response(
            status_code=202,
            headers={
                "x-ms-workflow-run-id": uuid.uuid4().hex.upper(),
                "x-ms-correlation-id": str(uuid.uuid4()),
            },
        )


async def _no_such_workflow(request: Request) -> Response:
    return _TriggerError(404, "WorkflowNotFound", "The workflow could not be found.").response()


def workflows_routes(inbox: WorkflowsInbox, *, signature: str) -> list[BaseRoute]:
    """Routes relative to ``/workflows``; ``signature`` is the ``sig`` every URL must carry."""
    trigger = _Trigger(inbox, signature)
    return [
        Route("/{webhook}", trigger.receive, methods=_ALL_METHODS),
        Route("/{webhook}/triggers/manual/paths/invoke", trigger.receive, methods=_ALL_METHODS),
        Route("/{rest:path}", _no_such_workflow, methods=_ALL_METHODS),
    ]
