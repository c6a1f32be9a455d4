"""A canary in every credential: never in a log line, an error, a report, the store or `config`.

The sandbox is started with a distinct canary as each of its credentials (both Atlassian
tokens, the Graph and Dataverse tokens, the Workflows signature). flywheel.toml keeps the
starter's sandbox tokens; the canaries come from the environment, as secrets do in
production, and win. Then every command runs at debug level, with JSON and with text logs, in
this process and (what a job runs) in child processes, including runs where one credential is
refused so that errors are printed, and a configuration mistake holding a secret.

A canary *leaks* when any of these shows up: the value itself, a distinctive part of it (a
truncated token is still a leak), its URL-encoded forms, or the ``Authorization: Basic``
form ``base64(user:token)`` the Atlassian clients send. The places looked at:

- every command's stdout and stderr;
- every file left in the configuration's folder: the HTML and Markdown reports, and the
  SQLite store's raw bytes (where deleted rows linger);
- every row of every table of the store, read back by SQLAlchemy reflection (the audit log,
  the outbox, runs, records and entities among them);
- the messages and causes (the whole chain a traceback would print) of the connector errors
  each tool's refusal raises.

The store's PostgreSQL password is a canary too, with ``serve``'s ``/healthz`` and
``/metrics`` (`test_the_store_password_never_shows`).
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from connectors.errors import AuthenticationError, ConnectorError
from flywheel_sync.pull.sources import SourceFactory
from flywheel_sync.push.connections import Connections
from flywheel_sync.sandbox.description import WORKFLOWS_WEBHOOK_PATH, write_sandbox_config
from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer
from flywheel_sync.sandbox.services import SandboxCredentials
from flywheel_sync.settings import load_configuration
from flywheel_sync.store import resolve_store_url
from tests.integration.pull_helpers import use_store
from tests.integration.push_helpers import CliRun, cli, lean_mapping
from tests.integration.serve_helpers import serve_process

USER = SandboxCredentials().atlassian_user


@dataclass(frozen=True, kw_only=True)
class Canary:
    """A secret value, and every form of it that must never be shown."""

    value: str
    marker: str
    """A distinctive part of the value: seen anywhere, even in a truncated token, it leaked."""
    basic_user: str | None = None
    """Sent as ``Authorization: Basic base64(user:value)``."""

    def forms(self) -> set[str]:
        shown = {self.value, self.marker, quote(self.value, safe=""), quote_plus(self.value)}
        if self.basic_user is not None:
            shown.add(base64.b64encode(f"{self.basic_user}:{self.value}".encode()).decode())
        return shown


def _canary(name: str, shape: str, *, basic: bool = False) -> Canary:
    """A canary shaped like the real credential, ``{}`` standing for its marker."""
    marker = f"Canary{name}7f3a9c"
    return Canary(value=shape.format(marker), marker=marker, basic_user=USER if basic else None)


# Shaped like the real thing: Atlassian API tokens end in "=" and 8 hex digits, Entra
# tokens are JWTs, a Workflows signature is base64url.
JIRA = _canary("Jira", "ATATT3x{}=C0FFEE01", basic=True)
CONFLUENCE = _canary("Confluence", "ATATT3x{}=C0FFEE02", basic=True)
GRAPH = _canary("Graph", "eyJ0eXAiOiJKV1QifQ.{}.c2lnbmF0dXJl-_03")
DATAVERSE = _canary("Dataverse", "eyJ0eXAiOiJKV1QifQ.{}.c2lnbmF0dXJl-_04")
SIGNATURE = _canary("Signature", "{}-Zq_05")
REFUSED_JIRA = _canary("RefusedJira", "ATATT3x{}=C0FFEE06", basic=True)
"""The failing runs' Jira token: a wrong secret is a secret all the same."""
REFUSED_SIGNATURE = _canary("RefusedSignature", "{}-Zq_07")
REFUSED_TOKEN = _canary("RefusedToken", "eyJ0eXAiOiJKV1QifQ.{}.c2lnbmF0dXJl-_10", basic=True)
"""Every other tool's wrong token, when each tool is made to refuse its own."""
TYPO = _canary("Typo", "ATATT3x{}=C0FFEE08")
"""A token under a misspelled variable name: the configuration error must not echo it."""
STORE_PASSWORD = _canary("StorePassword", "{}=pg!09")
CANARIES = {
    "jira token": JIRA,
    "confluence token": CONFLUENCE,
    "graph token": GRAPH,
    "dataverse token": DATAVERSE,
    "workflows signature": SIGNATURE,
    "refused jira token": REFUSED_JIRA,
    "refused workflows signature": REFUSED_SIGNATURE,
    "refused token": REFUSED_TOKEN,
    "misspelled token": TYPO,
    "store password": STORE_PASSWORD,
}
SANDBOX_CREDENTIALS = SandboxCredentials(
    jira_token=JIRA.value,
    confluence_token=CONFLUENCE.value,
    graph_token=GRAPH.value,
    dataverse_token=DATAVERSE.value,
    workflows_signature=SIGNATURE.value,
)


def leaks(text: str) -> list[str]:
    """Which canaries ``text`` shows, in which form."""
    return [
        f"{name}: {form!r}"
        for name, canary in CANARIES.items()
        for form in sorted(canary.forms())
        if form in text
    ]


def webhook_url(sandbox: SandboxServer, signature: Canary) -> str:
    return f"{sandbox.url}{WORKFLOWS_WEBHOOK_PATH}?api-version=2016-06-01&sig={signature.value}"


def secrets_environment(sandbox: SandboxServer) -> dict[str, str]:
    """Every credential the sandbox accepts, as production sets them."""
    return {
        "FLYWHEEL_JIRA__PMO__TOKEN": JIRA.value,
        "FLYWHEEL_CONFLUENCE__PMO__TOKEN": CONFLUENCE.value,
        "FLYWHEEL_GRAPH__NORTHWIND__TOKEN": GRAPH.value,
        "FLYWHEEL_DATAVERSE__NORTHWIND__TOKEN": DATAVERSE.value,
        "FLYWHEEL_TEAMS_WEBHOOKS__PMO__URL": webhook_url(sandbox, SIGNATURE),
    }


def refused_environment(sandbox: SandboxServer) -> dict[str, str]:
    """The same, with the Jira token and the webhook's signature wrong."""
    return secrets_environment(sandbox) | {
        "FLYWHEEL_JIRA__PMO__TOKEN": REFUSED_JIRA.value,
        "FLYWHEEL_TEAMS_WEBHOOKS__PMO__URL": webhook_url(sandbox, REFUSED_SIGNATURE),
    }


def in_child(config: Path, environment: Mapping[str, str], *args: str) -> CliRun:
    """``flywheel-sync -c config ARGS`` in a child process with exactly these secrets."""
    base = {name: value for name, value in os.environ.items() if not name.startswith("FLYWHEEL_")}
    ended = subprocess.run(
        [sys.executable, "-m", "flywheel_sync.cli.main", "-c", str(config), *args],
        env=base | dict(environment),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return CliRun(exit_code=ended.returncode, stdout=ended.stdout, stderr=ended.stderr)


def in_process(config: Path, environment: Mapping[str, str], *args: str) -> CliRun:
    """``flywheel-sync -c config ARGS`` in this process with these variables set."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        return cli(config, *args)


def store_rows(url: str) -> dict[str, list[str]]:
    """Every row of every table at ``url``, each as the text of all its values."""
    engine = sa.create_engine(url)
    try:
        tables = sa.MetaData()
        tables.reflect(engine)
        with engine.connect() as connection:
            return {
                table.name: [
                    " | ".join(map(str, row)) for row in connection.execute(sa.select(table))
                ]
                for table in tables.sorted_tables
            }
    finally:
        engine.dispose()


# ------------------------------------------------------------------ the campaign


@dataclass(kw_only=True)
class Campaign:
    """What the commands printed and left behind."""

    runs: dict[str, CliRun] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    rows: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, ConnectorError] = field(default_factory=dict)


_EVERY_COMMAND: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # (name, where, arguments): in this process, or in a child, as a job runs it.
    ("pull, json log", "process", ("-vv", "--log-format", "json", "pull")),
    ("plan --json", "process", ("-vv", "plan", "--json")),
    ("apply, json log, in a child", "child", ("-vv", "--log-format", "json", "apply", "--yes")),
    ("sync, text log", "process", ("-vv", "sync")),
    ("kpis --json", "process", ("-vv", "kpis", "--json")),
    ("diagnose --json", "process", ("-vv", "diagnose", "--json")),
    ("report html", "process", ("-vv", "report", "-o", "{folder}/report.html")),
    (
        "report markdown",
        "process",
        ("-vv", "report", "--format", "markdown", "-o", "{folder}/report.md"),
    ),
    ("runs --json", "process", ("-vv", "runs", "--json")),
    ("status", "process", ("-vv", "status")),
    ("explain", "process", ("-vv", "explain", "PMO-13")),
    ("config validate", "process", ("-vv", "config", "validate")),
    ("config schema", "process", ("config", "schema")),
)
_REFUSED_COMMANDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("refused pull, text log", "process", ("-vv", "pull")),
    ("refused sync, json log", "process", ("-vv", "--log-format", "json", "sync")),
    ("refused sync, text log, in a child", "child", ("-vv", "sync")),
)


def _run_all(
    config: Path,
    environment: Mapping[str, str],
    commands: tuple[tuple[str, str, tuple[str, ...]], ...],
    campaign: Campaign,
) -> None:
    folder = str(config.parent)
    for name, where, arguments in commands:
        args = tuple(argument.format(folder=folder) for argument in arguments)
        run = in_child if where == "child" else in_process
        campaign.runs[name] = run(config, environment, *args)


Call = Callable[[Connections, SourceFactory, ExitStack], Any]
NO_PROJECT = "00000000-0000-0000-0000-000000000000"


def _first_page(source: str) -> Call:
    """Read the first page of the source's first scope."""

    def call(_: Connections, factory: SourceFactory, stack: ExitStack) -> Any:
        [built] = factory.build([source], stack)
        return built.pages(built.scopes()[0], None)

    return call


_CONNECTOR_CALLS: dict[str, Call] = {
    "jira source": _first_page("jira:pmo"),
    "planner source": _first_page("planner:northwind"),
    "teams source": _first_page("teams:northwind"),
    "project source": _first_page("project:northwind"),
    "jira writer": lambda c, _, __: c.jira("jira:pmo").comments("PMO-13"),
    "planner writer": lambda c, _, __: c.planner("planner:northwind").task("any"),
    "project writer": lambda c, _, __: c.project("project:northwind").labels(NO_PROJECT),
    "confluence site": lambda c, _, __: c.confluence("confluence:pmo").find_page("PMO", "x"),
    "teams webhook": lambda c, _, __: c.webhook("workflows:pmo").post({"type": "message"}),
}
"""One call per connector a run builds, each of which the tool answers first with a 401."""


def _connector_errors(config: Path, environment: Mapping[str, str]) -> dict[str, ConnectorError]:
    """The error each tool's refusal raises, through the connectors a run builds."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        configuration = load_configuration(config)
    raised: dict[str, ConnectorError] = {}
    for what, call in _CONNECTOR_CALLS.items():
        with ExitStack() as stack:
            connections = Connections(configuration=configuration, stack=stack)
            factory = SourceFactory(configuration=configuration)
            try:
                answer = call(connections, factory, stack)
                if isinstance(answer, Iterator):
                    next(answer)
            except ConnectorError as error:
                raised[what] = error
    return raised


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Campaign]:
    """The failing runs, every command with the canaries, then what they left behind."""
    folder = tmp_path_factory.mktemp("canary")
    done = Campaign()
    with SandboxServer(SandboxOptions(credentials=SANDBOX_CREDENTIALS)) as sandbox:
        write_sandbox_config(folder, sandbox.url, sandbox.options)
        # The sandbox's description lists its credentials on purpose; it is not ours.
        (folder / "sandbox.json").unlink()
        config = folder / "flywheel.toml"
        lean_mapping(config)
        secrets, refused = secrets_environment(sandbox), refused_environment(sandbox)
        # Refused first: the cards are not posted yet, so the refused webhook is tried.
        _run_all(config, refused, _REFUSED_COMMANDS, done)
        _run_all(config, secrets, _EVERY_COMMAND, done)
        done.runs["misspelled secret, config validate"] = in_process(
            config, {"FLYWHEEL_JIRA__PMO__TOKN": TYPO.value}, "-vv", "config", "validate"
        )
        done.errors = _connector_errors(
            config,
            refused_environment(sandbox)
            | {
                "FLYWHEEL_CONFLUENCE__PMO__TOKEN": REFUSED_TOKEN.value,
                "FLYWHEEL_GRAPH__NORTHWIND__TOKEN": REFUSED_TOKEN.value,
                "FLYWHEEL_DATAVERSE__NORTHWIND__TOKEN": REFUSED_TOKEN.value,
            },
        )
        done.rows = store_rows(resolve_store_url(None, base_dir=folder))
        done.files = {
            str(path.relative_to(folder)): path.read_bytes().decode("utf-8", "replace")
            for path in folder.rglob("*")
            if path.is_file()
        }
        yield done


# ------------------------------------------------------------------ the detector


@pytest.mark.parametrize("name", list(CANARIES))
def test_the_detector_sees_each_canary_in_every_form(name: str) -> None:
    canary = CANARIES[name]

    truncated = canary.value[: canary.value.index(canary.marker) + len(canary.marker)]

    for form in canary.forms():
        assert leaks(f"Authorization: Basic {form} …"), form
    assert leaks(f"token={truncated}…")


# ------------------------------------------------------------------ the checks


_ALL_RUNS = [name for name, _, _ in _EVERY_COMMAND + _REFUSED_COMMANDS] + [
    "misspelled secret, config validate"
]


@pytest.mark.parametrize("name", _ALL_RUNS)
def test_no_canary_in_any_output(campaign: Campaign, name: str) -> None:
    run = campaign.runs[name]

    assert leaks(run.stdout) == []
    assert leaks(run.stderr) == []


def test_the_commands_did_their_work(campaign: Campaign) -> None:
    """The outputs are worth looking at: the runs worked, at debug level, over HTTP."""
    failed = {name: run.exit_code for name, run in campaign.runs.items() if run.exit_code != 0}

    assert set(failed) == {name for name, _, _ in _REFUSED_COMMANDS} | {
        "misspelled secret, config validate"
    }, failed
    applied = campaign.runs["apply, json log, in a child"]
    assert "posted 1 card(s)" in applied.stdout  # the webhook's signed URL was used
    assert "HTTP Request: " in applied.stderr  # requests are logged at this level
    assert '"level": "debug"' in applied.stderr
    for name in ("refused pull, text log", "refused sync, text log, in a child"):
        assert "re-authenticate" in campaign.runs[name].stdout
    for name in ("refused sync, json log", "refused sync, text log, in a child"):
        assert "signature was refused" in campaign.runs[name].stdout


def test_no_canary_in_any_file_left_behind(campaign: Campaign) -> None:
    shown = {name: found for name, text in campaign.files.items() if (found := leaks(text))}

    assert {"report.html", "report.md", ".flywheel/state.db"} <= set(campaign.files)
    assert shown == {}


def test_no_canary_in_any_table_of_the_store(campaign: Campaign) -> None:
    shown = {
        table: found for table, rows in campaign.rows.items() if (found := leaks("\n".join(rows)))
    }

    assert {"audit_log", "outbox", "runs", "source_records"} <= set(campaign.rows)
    assert campaign.rows["audit_log"], "nothing was written: the audit log proves nothing"
    assert shown == {}


def test_every_tool_refused_its_wrong_credential(campaign: Campaign) -> None:
    refused = {
        what for what, error in campaign.errors.items() if isinstance(error, AuthenticationError)
    }

    assert len(campaign.errors) == len(_CONNECTOR_CALLS), campaign.errors
    assert refused == set(campaign.errors), campaign.errors


@pytest.mark.parametrize("what", list(_CONNECTOR_CALLS))
def test_no_canary_in_a_connector_error_or_its_causes(campaign: Campaign, what: str) -> None:
    error = campaign.errors[what]

    assert leaks(str(error)) == []
    assert leaks(repr(error)) == []
    assert leaks("".join(traceback.format_exception(error))) == []


# ------------------------------------------------------------------ the store's password


def test_the_store_password_never_shows(postgres_url: str, tmp_path: Path) -> None:
    """PostgreSQL with its password from the environment: commands, serve's endpoints, errors."""
    with SandboxServer(SandboxOptions(credentials=SANDBOX_CREDENTIALS)) as sandbox:
        write_sandbox_config(tmp_path, sandbox.url, sandbox.options)
        config = tmp_path / "flywheel.toml"
        lean_mapping(config)
        use_store(config, postgres_url)
        secrets = secrets_environment(sandbox) | {"FLYWHEEL_STORE__PASSWORD": STORE_PASSWORD.value}
        shown = {
            "pull": in_process(config, secrets, "-vv", "--log-format", "json", "pull"),
            "status": in_process(config, secrets, "-vv", "status"),
        }
        with serve_process(config, env=secrets, verbose=True) as service:
            health, metrics = service.get("/healthz"), service.get("/metrics")
            exit_code = service.stop()
        unreachable = str(make_url(postgres_url).set(database="no_such_database"))
        config.write_text(config.read_text(encoding="utf-8").replace(postgres_url, unreachable))
        shown["unreachable store"] = in_process(config, secrets, "-vv", "status")

    assert shown["pull"].exit_code == 0, shown["pull"].stderr
    assert exit_code == 0
    assert health.json()["store"]["url"].startswith("postgresql")
    assert shown["unreachable store"].exit_code != 0
    assert "no_such_database" in shown["unreachable store"].stderr
    for name, run in shown.items():
        assert leaks(run.stdout + run.stderr) == [], name
    assert leaks(health.text) == []
    assert leaks(metrics.text) == []
    assert leaks("\n".join(service.lines)) == []
    rows = store_rows(postgres_url)
    assert rows["source_records"]
    assert leaks("\n".join(row for table in rows.values() for row in table)) == []
