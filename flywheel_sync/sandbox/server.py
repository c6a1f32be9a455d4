"""One HTTP server on 127.0.0.1 hosting every emulator under its own prefix.

`SandboxServer` runs uvicorn on a background thread, so tests, the demo and benchmarks can
start it in-process on a random port (``port=0``) and drive it with the real client libraries.
The listening socket carries TCP_NODELAY, so keep-alive clients do not pay the 40 ms Nagle
stall (libraries.md §0; measured: 44 ms → about 1 ms per request on a reused connection).
"""

from __future__ import annotations

import socket
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount

from flywheel_sync.sandbox.admin import admin_routes
from flywheel_sync.sandbox.confluence.app import confluence_routes
from flywheel_sync.sandbox.confluence.seed import seeded_page_store
from flywheel_sync.sandbox.dataverse.routes import dataverse_routes
from flywheel_sync.sandbox.dataverse.store import DataverseStore
from flywheel_sync.sandbox.demo import DemoOrganisation, DemoVolume, build_demo_organisation
from flywheel_sync.sandbox.faults import Faults, FaultSettings
from flywheel_sync.sandbox.graph.app import GRAPH_ROOT, graph_routes
from flywheel_sync.sandbox.graph.planner.store import PlannerStore
from flywheel_sync.sandbox.graph.teams.store import TeamsStore
from flywheel_sync.sandbox.jira.app import JiraFlavour, jira_routes
from flywheel_sync.sandbox.jira.store import JiraStore
from flywheel_sync.sandbox.middleware import SandboxEdge
from flywheel_sync.sandbox.services import SandboxCredentials, service_profiles
from flywheel_sync.sandbox.stats import RequestStats
from flywheel_sync.sandbox.tls import LoopbackTLS, write_loopback_tls
from flywheel_sync.sandbox.workflows.inbox import WorkflowsInbox
from flywheel_sync.sandbox.workflows.routes import workflows_routes
from flywheel_sync.serving import BackgroundServer

__all__ = ["SandboxOptions", "SandboxServer", "build_app"]

_HOST = "127.0.0.1"
DATAVERSE_ROOT = "/dataverse/api/data/v9.2"
WORKFLOWS_ROOT = "/workflows"


def _start_of_today() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True, kw_only=True)
class SandboxOptions:
    """How a sandbox is seeded and how it behaves."""

    seed: int = 1
    scale: float = 1.0
    now: datetime = field(default_factory=_start_of_today)
    """Anchors the demo organisation's dates: the same seed gives the same data all day."""
    jira_flavour: JiraFlavour = JiraFlavour.CLOUD
    faults: FaultSettings = field(default_factory=FaultSettings)
    credentials: SandboxCredentials = field(default_factory=SandboxCredentials)
    planner_page_size: int = 400
    """Tasks per Planner page: Graph sizes them itself, ~400 (graph-wire.md §1)."""
    volume: DemoVolume = field(default_factory=DemoVolume)
    """Planner action tasks and chatter added per unit of scale (benchmarks); none by default."""
    tls: bool = False
    """Serve HTTPS with a certificate authority made at start (`SandboxServer.tls` names its
    ``ca.pem``), for clients that only speak ``https://`` (Singer's tap-jira)."""
    project_persist_seconds: float = 0.0
    """How long an executed Project operation set stays pending before it persists.

    The real Schedule API validates at once and persists asynchronously (Microsoft's sample
    waits 20 s; graph-wire.md §4), so a client must poll ``msdyn_operationsets``. Zero
    persists before Execute answers.
    """


class SandboxState:
    """The emulators' data, built from one demo organisation, and the admin's knobs."""

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.stats = RequestStats()
        self.faults = Faults(options.faults, seed=options.seed)
        self.organisation = _demo(options)
        self.jira = JiraStore(lambda: self.organisation.jira)
        self.confluence = seeded_page_store(self.organisation.confluence)
        self.planner = PlannerStore(self.organisation)
        self.teams = TeamsStore(self.organisation)
        self.dataverse = DataverseStore(
            self.organisation, persist_delay=options.project_persist_seconds
        )
        self.inbox = WorkflowsInbox()

    def reset(self) -> None:
        """Return every emulator to the seeded organisation: all writes are forgotten."""
        self.organisation = _demo(self.options)
        self.jira.reset()
        self.confluence.load(self.organisation.confluence.pages)
        self.planner.load(self.organisation)
        self.teams.load(self.organisation)
        self.dataverse.load(self.organisation)
        self.inbox.clear()


def _demo(options: SandboxOptions) -> DemoOrganisation:
    return build_demo_organisation(
        seed=options.seed, scale=options.scale, now=options.now, volume=options.volume
    )


def build_app(options: SandboxOptions) -> tuple[SandboxEdge, SandboxState]:
    """The sandbox's ASGI application and the state its admin endpoints expose."""
    state = SandboxState(options)
    edges: list[SandboxEdge] = []  # the batch needs the edge, which needs the routes
    routes: list[BaseRoute] = [
        *admin_routes(stats=state.stats, faults=state.faults, inbox=state.inbox, reset=state.reset),
        Mount(
            "/jira",
            routes=jira_routes(
                flavour=options.jira_flavour, credentials=options.credentials, store=state.jira
            ),
        ),
        Mount("/confluence", routes=confluence_routes(state.confluence)),
        Mount(
            GRAPH_ROOT,
            routes=graph_routes(
                planner=state.planner,
                teams=state.teams,
                organisation=lambda: state.organisation,
                planner_page_size=options.planner_page_size,
                sandbox=lambda: edges[0],
            ),
        ),
        Mount(
            DATAVERSE_ROOT,
            routes=dataverse_routes(state.dataverse, credentials=options.credentials),
        ),
        Mount(
            WORKFLOWS_ROOT,
            routes=workflows_routes(state.inbox, signature=options.credentials.workflows_signature),
        ),
    ]
    app = Starlette(routes=routes)
    edge = SandboxEdge(
        app,
        routes=routes,
        profiles=service_profiles(options.credentials),
        faults=state.faults,
        stats=state.stats,
    )
    edges.append(edge)
    return edge, state


class SandboxServer:
    """The sandbox on a background thread: ``with SandboxServer() as sandbox: sandbox.url``."""

    def __init__(self, options: SandboxOptions | None = None, *, port: int = 0) -> None:
        self.options = options or SandboxOptions()
        app, self.state = build_app(self.options)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this. Without it, keep-alive clients wait ~40 ms per
        # request (Nagle + delayed ACK): uvicorn only sets it on sockets it binds itself.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self._socket.bind((_HOST, port))
        except OSError:
            self._socket.close()
            raise
        self.port: int = self._socket.getsockname()[1]
        self._tls_folder: tempfile.TemporaryDirectory[str] | None = None
        self.tls: LoopbackTLS | None = None
        """The authority clients must trust and the server's certificate, with ``tls=True``."""
        if self.options.tls:
            self._tls_folder = tempfile.TemporaryDirectory(prefix="flywheel-sandbox-tls-")
            self.tls = write_loopback_tls(Path(self._tls_folder.name))
        self._server = BackgroundServer(
            app,
            self._socket,
            name=f"sandbox:{self.port}",
            tls=self.tls.server if self.tls else None,
        )

    @property
    def url(self) -> str:
        """The server's base URL, e.g. ``http://127.0.0.1:54321`` (``https://`` with TLS)."""
        return f"{self._server.scheme}://{_HOST}:{self.port}"

    def start(self) -> SandboxServer:
        """Start serving; returns once the server accepts connections."""
        try:
            self._server.start()
        except OSError:
            raise RuntimeError(f"the sandbox did not start on {self.url}") from None
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end; the TLS files are removed."""
        self._server.stop()
        if self._tls_folder is not None:
            self._tls_folder.cleanup()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
