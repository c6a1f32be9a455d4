"""The service's HTTP endpoints, ``/healthz`` and ``/metrics``, on a background thread.

Starlette and uvicorn (`flywheel_sync.serving`), as the sandbox uses.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from types import TracebackType

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flywheel_sync.scheduler.health import HealthReport
from flywheel_sync.scheduler.metrics import CONTENT_TYPE
from flywheel_sync.serving import BackgroundServer

__all__ = ["ServiceEndpoints"]


def _app(health: Callable[[], HealthReport], metrics: Callable[[], bytes]) -> Starlette:
    # Plain functions: Starlette runs them on its thread pool, so a slow store never blocks
    # the event loop (and with it /metrics).
    def healthz(request: Request) -> Response:
        report = health()
        return JSONResponse(report.document, status_code=report.status_code)

    def metrics_text(request: Request) -> Response:
        return Response(metrics(), media_type=CONTENT_TYPE)

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_text, methods=["GET"]),
        ]
    )


class ServiceEndpoints:
    """``/healthz`` and ``/metrics`` served on ``host:port`` until `stop`.

    Raises:
        OSError: The address is in use or cannot be bound (raised by the constructor).
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        health: Callable[[], HealthReport],
        metrics: Callable[[], bytes],
    ) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.host = host
        self.port: int = self._socket.getsockname()[1]
        self._server = BackgroundServer(
            _app(health, metrics), self._socket, name=f"serve-http:{self.port}"
        )

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:9187``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> ServiceEndpoints:
        """Serve; returns once connections are accepted."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    def __enter__(self) -> ServiceEndpoints:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
