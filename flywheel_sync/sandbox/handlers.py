"""What every emulator's routes share: the handler type, and answering refusals from a table.

Each emulator refuses requests by raising its own errors (`GraphError`, `DataverseError`,
Jira's `BadRequest`, ...) deep in its handlers; `answering` turns them into that service's
error response at the route, so the table of error class → answer is the whole policy.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["Answers", "Handler", "answering"]

Handler = Callable[[Request], Awaitable[Response]]
Answers = Mapping[type[Exception], Callable[[Any], Response]]
"""Error class → how the service answers it; the first class the error is an instance of wins."""


def answering(handler: Handler, answers: Answers) -> Handler:
    """``handler``, with every error ``answers`` names turned into its response."""
    caught = tuple(answers)

    async def answered(request: Request) -> Response:
        try:
            return await handler(request)
        except caught as error:
            answer = next(answer for kind, answer in answers.items() if isinstance(error, kind))
            return answer(error)

    return answered
