"""An ASGI app served by uvicorn on a background thread, on a socket the caller bound.

The sandbox (tests, the demo, benchmarks) and ``serve``'s ``/healthz`` and ``/metrics`` both
need an HTTP server that starts and stops with the code around it, not one that owns the
process: uvicorn sets no signal handlers off the main thread, and binding the socket first
lets the caller choose port 0 and read the port back before anything is served.

It speaks HTTPS when given a `ServerTLS`: clients that insist on ``https://`` (Singer's
``tap-jira`` rewrites every URL to it) can then be pointed at a loopback server.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import uvicorn
from starlette.types import ASGIApp

__all__ = ["BackgroundServer", "ServerTLS"]

_START_TIMEOUT_SECONDS: Final = 10.0
_KEEP_ALIVE_SECONDS: Final = 75


@dataclass(frozen=True, kw_only=True)
class ServerTLS:
    """What a server presents in the TLS handshake: PEM files, as uvicorn reads them.

    Attributes:
        certificate: The server's certificate (its chain may follow it in the same file).
        key: The certificate's private key, unencrypted.
    """

    certificate: Path
    key: Path


class BackgroundServer:
    """Serves ``app`` on ``bound`` (a bound TCP socket) from a daemon thread.

    Args:
        app: The ASGI application.
        bound: A bound, not yet listening, TCP socket; closed by `stop`.
        name: The thread's name, also used in the error when the server does not start.
        tls: Serve HTTPS with this certificate and key; plain HTTP when None.
    """

    def __init__(
        self, app: ASGIApp, bound: socket.socket, *, name: str, tls: ServerTLS | None = None
    ) -> None:
        self._socket = bound
        self.tls = tls
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="off",
            access_log=False,
            # uvicorn closes an idle keep-alive connection after 5 s; a client that reuses it
            # just then is reset (seen under load, after a slow sandbox reset). Tools' servers
            # keep connections open for a minute or more.
            timeout_keep_alive=_KEEP_ALIVE_SECONDS,
            ssl_certfile=tls.certificate if tls else None,
            ssl_keyfile=tls.key if tls else None,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [bound]}, daemon=True, name=name
        )

    @property
    def scheme(self) -> str:
        """``https`` when serving TLS, else ``http``: the start of the server's URLs."""
        return "https" if self.tls else "http"

    def start(self) -> None:
        """Serve; returns once connections are accepted.

        Raises:
            OSError: The server did not start within ten seconds (with TLS, also when the
                certificate or key cannot be read: uvicorn loads them in its thread).
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
