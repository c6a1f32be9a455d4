"""Refused credentials, one kind at a time: one clear message per source, exit 1, no retry storm.

A rotated or expired secret reaches flywheel-sync the way production sets it: an environment
variable (``FLYWHEEL_JIRA__PMO__TOKEN``, ...) overriding the sandbox token in flywheel.toml.
For every credential of the starter configuration, with a wrong value:

- ``pull`` exits 1, prints one line per source reading with it, naming the source and saying
  to re-authenticate, and logs one error for it; every other source is still read to its end;
- ``sync`` exits 1 without a traceback, and says so once per step that met the refusal (the
  pull's line, the writes' summary line, or the one error that ended the run);
- nothing is retried: a refusal is not transient, so each scope or batch asks once, and the
  run record counts no retries.

An expired Graph token after a good pull keeps what that pull stored. The Teams webhook's
credential is its URL's signature; Confluence is a writer only. Confluence pages and Project
labels are read while planning: a refusal there leaves that target out of the plan ("not
planned … (re-authenticate)"). Either way the other tools' writes are made (`SYNC_OUTCOME`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from flywheel_sync.sandbox.description import WORKFLOWS_WEBHOOK_PATH
from flywheel_sync.sandbox.server import SandboxServer
from tests.integration.pull_helpers import PullRun, configure, pull, stored_records
from tests.integration.push_helpers import CliRun, cli, lean_mapping, store_of

WRONG = "rotated-0ld-secret"
"""What a refused credential is set to: the value before a rotation, say."""
ALL_SOURCES = frozenset({"jira:pmo", "planner:northwind", "teams:northwind", "project:northwind"})
_TABLE_BORDERS = ("┏", "┃", "┡", "│", "└", "├", "╭", "╰")


@dataclass(frozen=True, kw_only=True)
class Credential:
    """One credential of the starter configuration and what reads or writes with it."""

    variable: str
    service: str
    """The sandbox route prefix of the tool that refuses it."""
    sources: frozenset[str] = frozenset()
    """The pull sources that read with it."""
    connections: frozenset[str] = frozenset()
    """The names its writes and errors carry."""

    def wrong_value(self, sandbox: SandboxServer) -> str:
        if self.variable.startswith("FLYWHEEL_TEAMS_WEBHOOKS"):
            return f"{sandbox.url}{WORKFLOWS_WEBHOOK_PATH}?api-version=2016-06-01&sig={WRONG}"
        return WRONG


CREDENTIALS = {
    "jira": Credential(
        variable="FLYWHEEL_JIRA__PMO__TOKEN",
        service="/jira/",
        sources=frozenset({"jira:pmo"}),
        connections=frozenset({"jira:pmo"}),
    ),
    "graph": Credential(
        variable="FLYWHEEL_GRAPH__NORTHWIND__TOKEN",
        service="/graph/",
        sources=frozenset({"planner:northwind", "teams:northwind"}),
        connections=frozenset({"planner:northwind", "teams:northwind"}),
    ),
    "dataverse": Credential(
        variable="FLYWHEEL_DATAVERSE__NORTHWIND__TOKEN",
        service="/dataverse/",
        sources=frozenset({"project:northwind"}),
        connections=frozenset({"project:northwind"}),
    ),
    "confluence": Credential(
        variable="FLYWHEEL_CONFLUENCE__PMO__TOKEN",
        service="/confluence/",
        connections=frozenset({"confluence:pmo"}),
    ),
    "teams webhook": Credential(
        variable="FLYWHEEL_TEAMS_WEBHOOKS__PMO__URL",
        service="/workflows/",
        connections=frozenset({"workflows:pmo"}),
    ),
}
READERS = [kind for kind, credential in CREDENTIALS.items() if credential.sources]
MAX_REFUSED_PER_SYNC = 7
"""A sync asks a refused tool at most once per scope it pulls (Jira has five), and once per
apply (a sync applies twice); its second pull skips a source that refused them all."""


# ------------------------------------------------------------------ observers


def configured(folder: Path, sandbox: SandboxServer) -> Path:
    """A fresh starter configuration (and store) for ``sandbox``, back at its seeded data."""
    sandbox.state.reset()
    config = configure(folder, sandbox)
    lean_mapping(config)
    return config


@contextmanager
def refused(credential: Credential, sandbox: SandboxServer) -> Iterator[None]:
    """The wrong value set, and the sandbox counting requests from here on."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(credential.variable, credential.wrong_value(sandbox))
        sandbox.state.stats.reset()
        yield


def requests_to(sandbox: SandboxServer, service: str) -> int:
    """Requests the sandbox received for one tool (``/jira/``, ...) since the last reset."""
    routes: dict[str, int] = sandbox.state.stats.snapshot()["requests"]
    return sum(n for route, n in routes.items() if route.split(" ", 1)[1].startswith(service))


def said(text: str, name: str) -> list[str]:
    """The lines of ``text`` outside Rich tables that name ``name``."""
    return [
        line
        for line in text.splitlines()
        if name in line and not line.lstrip().startswith(_TABLE_BORDERS)
    ]


def log_records(stderr: str) -> list[dict[str, Any]]:
    """The JSON log records among stderr's lines."""
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def errors_about(run: PullRun, name: str) -> list[str]:
    """Error and warning records of the pull's log that name ``name``."""
    return [
        record["message"]
        for record in log_records(run.stderr)
        if record["level"] in {"error", "warning"} and name in record["message"]
    ]


def failed_scopes(run: PullRun, source: str) -> int:
    """Scopes of ``source`` the pull's log says failed, at whatever level."""
    return sum(
        record["message"].startswith(f"pull of {source} ") for record in log_records(run.stderr)
    )


def retries(run: PullRun) -> list[str]:
    """The pull's ``retrying ...`` log records."""
    return [
        record["message"]
        for record in log_records(run.stderr)
        if record["message"].startswith("retrying ")
    ]


@pytest.fixture(scope="module")
def shared() -> Iterator[SandboxServer]:
    """One sandbox for the module; every scenario starts it over from the seeded data."""
    with SandboxServer() as sandbox:
        yield sandbox


# ------------------------------------------------------------------ pull


@dataclass(frozen=True, kw_only=True)
class Pulled:
    credential: Credential
    run: PullRun
    stored_sources: frozenset[str]
    refused_requests: int


@pytest.fixture(scope="module", params=READERS)
def pulled(
    request: pytest.FixtureRequest,
    shared: SandboxServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Pulled:
    """A first pull with one reading credential refused."""
    credential = CREDENTIALS[request.param]
    config = configured(tmp_path_factory.mktemp("pulled"), shared)
    with refused(credential, shared):
        run = pull(config)
    return Pulled(
        credential=credential,
        run=run,
        stored_sources=frozenset(source for source, _, _ in stored_records(config)),
        refused_requests=requests_to(shared, credential.service),
    )


def test_a_refused_credential_fails_only_its_sources(pulled: Pulled) -> None:
    others = ALL_SOURCES - pulled.credential.sources

    assert pulled.run.exit_code == 1, pulled.run.stdout
    assert {report.source for report in pulled.run.scopes} == others
    assert pulled.stored_sources == others


def test_a_refused_credential_is_reported_once_per_source(pulled: Pulled) -> None:
    run = pulled.run

    for source in pulled.credential.sources:
        lines, logged = said(run.stdout, source), errors_about(run, source)
        assert len(lines) == 1, lines
        assert "re-authenticate" in lines[0]
        assert len(logged) == 1, logged
        assert "re-authenticate" in logged[0]
    others = ALL_SOURCES - pulled.credential.sources
    assert [line for other in others for line in said(run.stdout, other)] == []


def test_a_refused_credential_is_asked_once_per_scope_and_never_retried(pulled: Pulled) -> None:
    scopes = sum(failed_scopes(pulled.run, source) for source in pulled.credential.sources)

    assert scopes >= len(pulled.credential.sources)
    assert 1 <= pulled.refused_requests <= scopes
    assert retries(pulled.run) == []


def test_an_expired_graph_token_keeps_what_the_last_pull_stored(
    shared: SandboxServer, tmp_path: Path
) -> None:
    graph = CREDENTIALS["graph"]
    config = configured(tmp_path, shared)
    assert pull(config).exit_code == 0
    before = stored_records(config)

    with refused(graph, shared):  # the token expired since the last run
        run = pull(config)

    assert run.exit_code == 1
    after = stored_records(config)
    for source in graph.sources:
        kept = {key: record for key, record in after.items() if key[0] == source}
        assert kept == {key: record for key, record in before.items() if key[0] == source}
        lines = said(run.stdout, source)
        assert len(lines) == 1, lines
        assert "re-authenticate" in lines[0]
    scopes = sum(failed_scopes(run, source) for source in graph.sources)
    assert requests_to(shared, graph.service) <= scopes
    assert retries(run) == []


# ------------------------------------------------------------------ sync


@dataclass(frozen=True, kw_only=True)
class Synced:
    kind: str
    credential: Credential
    ran: CliRun
    refused_requests: int
    run_outcome: str
    run_counts: dict[str, int]


SYNC_OUTCOME = {
    "jira": "partial",
    "graph": "partial",
    "teams webhook": "partial",
    # Confluence pages and Project labels are read live while planning: a refusal there
    # leaves those targets out of the plan, and the other writes are made.
    "confluence": "partial",
    "dataverse": "partial",
}


@pytest.fixture(scope="module", params=list(CREDENTIALS))
def synced(
    request: pytest.FixtureRequest,
    shared: SandboxServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Synced:
    """``sync`` with one credential refused; a good pull first when the credential reads.

    The good pull fills the store with what the refused tool holds, so the sync wants to
    write to it all the same.
    """
    credential = CREDENTIALS[request.param]
    config = configured(tmp_path_factory.mktemp("synced"), shared)
    if credential.sources:
        assert pull(config).exit_code == 0
    with refused(credential, shared):
        ran = cli(config, "sync")
    with store_of(config) as store:
        [run] = store.runs.recent(1)
    return Synced(
        kind=request.param,
        credential=credential,
        ran=ran,
        refused_requests=requests_to(shared, credential.service),
        run_outcome=str(run.outcome),
        run_counts=dict(run.counts),
    )


def _step(line: str, name: str) -> str:
    """Which step of a sync printed a line about ``name``: pull, plan, writes or the end."""
    if line.startswith(name):
        return "pull"
    if line.startswith("failed"):
        return "writes"
    if line.startswith("not planned"):
        return "plan"
    return "end" if line.startswith("error") else "elsewhere"


SAYS_WHAT_TO_DO = {
    "pull": re.compile("re-authenticate"),
    "plan": re.compile("re-authenticate"),
    "end": re.compile("re-authenticate"),
    # The applier words a write's reason (``not written (re-authenticate): <the refusal>``).
    "writes": re.compile("re-authenticate"),
}


def test_a_sync_with_a_refused_credential_fails_without_a_traceback(synced: Synced) -> None:
    ran = synced.ran
    errors = [line for line in ran.stderr.splitlines() if line.startswith(("error", "unexpected"))]

    assert ran.exit_code == 1, ran.stdout + ran.stderr
    assert "Traceback" not in ran.stdout + ran.stderr
    for line in errors:  # the one error that ended the run, if any, is the refusal
        assert line.startswith("error (re-authenticate): "), errors
        assert any(name in line for name in synced.credential.connections), errors


def test_a_sync_with_a_refused_credential_makes_the_other_writes(synced: Synced) -> None:
    assert synced.run_outcome == SYNC_OUTCOME[synced.kind]
    if synced.run_outcome == "partial":
        assert synced.run_counts["writes.applied"] > 0


def test_a_sync_with_a_refused_credential_says_so_once_per_step(synced: Synced) -> None:
    ran = synced.ran

    for name in synced.credential.connections:
        shown = said(ran.stdout, name) + [
            line for line in said(ran.stderr, name) if line.startswith("error")
        ]
        logged = [line for line in said(ran.stderr, name) if line.startswith("ERROR")]
        assert shown, f"nothing says that {name} was refused"
        steps = Counter(_step(line, name) for line in shown)
        assert set(steps) <= set(SAYS_WHAT_TO_DO), shown
        assert max(steps.values()) == 1, shown
        assert all(SAYS_WHAT_TO_DO[_step(line, name)].search(line) for line in shown), shown
        assert len(logged) <= 1, logged


def test_a_sync_with_a_refused_credential_retries_nothing(synced: Synced) -> None:
    assert 1 <= synced.refused_requests <= MAX_REFUSED_PER_SYNC
    assert synced.run_counts.get("retries", 0) == 0
