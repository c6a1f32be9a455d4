"""An ASGI app served by uvicorn on a background thread, on a socket the caller bound.

The sandbox (tests, the demo, benchmarks) and ``serve``'s ``/healthz`` and ``/metrics`` both
need an HTTP server that starts and stops with the code around it, not one that owns the
process: uvicorn sets no signal handlers off the main thread, and binding the socket first
lets the caller choose port 0 and read the port back before anything is served.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Final

import uvicorn
from starlette.types import ASGIApp

__all__ = ["BackgroundServer"]

_START_TIMEOUT_SECONDS: Final = 10.0


class BackgroundServer:
    """Serves ``app`` on ``bound`` (a bound TCP socket) from a daemon thread."""

    def __init__(self, app: ASGIApp, bound: socket.socket, *, name: str) -> None:
        self._socket = bound
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [bound]}, daemon=True, name=name
        )

    def start(self) -> None:
        """Serve; returns once connections are accepted.

        Raises:
            OSError: The server did not start within ten seconds.
        """
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while not self._server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self._server.started:
            self.stop()
            raise OSError(f"{self._thread.name} did not start")

    def stop(self) -> None:
        """Stop serving, wait for the thread, close the socket."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=_START_TIMEOUT_SECONDS)
        self._socket.close()
