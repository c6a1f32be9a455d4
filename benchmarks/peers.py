"""Scenario 5 of issue 8: flywheel-sync against its peers, same sandbox, same data, one run.

Three programs read every Jira issue of one HTTPS sandbox, one after the other, each as a
measured child (its own wall time and peak RSS; requests counted by the sandbox):

- **ours**: ``flywheel-sync pull`` with a configuration holding the Jira source only (the
  starter files, reduced: other tools' connections, rules and push targets removed), into a
  fresh SQLite store;
- **naive jira**: the ``jira`` library as a typical script uses it
  (`benchmarks.peers_naive_jira`: ``search_issues(jql, maxResults=False)``);
- **tap-jira**: Singer's ``tap-jira`` from PyPI, in a virtualenv of its own
  (``benchmarks/.venv-peers``, made on first use: its pins are old), with a catalog selecting
  the ``issues`` stream only, its Singer output written to a file.

Then, on a second sandbox (``--update-scale``, same latency), the same ``--updates`` stage
changes (issue key -> a ``Flywheel Stage`` option, options taken in turn) made by the naive
script (``issue.update`` per issue: a ``PUT`` and the library's reload ``GET``) and by our
push's write path (`benchmarks.peers_stage_push`: one ``editmeta``, then one bulk edit per
option and 1000 issues), the sandbox reset in between.

The sandbox speaks HTTPS because tap-jira rewrites every base URL to ``https://``; all three
use it, so they pay the same TLS. Its certificate authority is made at run time
(`flywheel_sync.sandbox.tls`) and handed to each: ``ca_bundle`` in ``flywheel.toml``,
``options={"verify": ...}`` for the jira library, and, for tap-jira (whose ``Session.send``
ignores ``REQUESTS_CA_BUNDLE``), a launcher that sets its sessions' ``verify``.

tap-jira 2.6.0 calls ``/rest/api/2/serverInfo``, ``/myself`` and ``/search/jql`` (the
enhanced search, 50 issues a page, ``fields=*all``, ``expand=changelog,transitions``), all
answered by the Cloud emulator, so the sandbox stays Cloud for all three. The emulator's
issues carry no ``comment`` field and no ``transitions`` expansion, which tap-jira reads
unconditionally; the launcher fills in empty ones where absent (and does nothing once the
emulator serves them).

Usage (a heavy run takes minutes: wrap it in ``flock /tmp/bench.lock``)::

    .venv/bin/python -m benchmarks.peers --scale 30 --latency-ms 30 --out benchmarks/results
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final

import yaml

from benchmarks.harness import FLYWHEEL, ChildRun, measure_child, write_result
from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.faults import FaultSettings
from flywheel_sync.sandbox.server import SandboxOptions, SandboxState, build_app
from flywheel_sync.sandbox.tls import LoopbackTLS, loopback_tls
from flywheel_sync.serving import BackgroundServer

__all__ = ["PEERS_VENV", "TAP_JIRA_VERSION", "installed_tap", "main", "peers_python"]

TAP_JIRA_VERSION: Final = "2.6.0"
"""The tap-jira release measured (PyPI, November 2025)."""
PEERS_VENV: Final = Path(__file__).resolve().parent / ".venv-peers"
"""tap-jira's own virtualenv (git-ignored), made by the benchmark when missing."""
REPOSITORY: Final = Path(__file__).resolve().parent.parent
JIRA_SOURCE: Final = "jira:pmo"
STAGE_FIELD: Final = "Flywheel Stage"
DELIVERY_PROJECTS: Final = ("GRID", "DIGI", "FIN", "HRX", "REG", "CSV")
NAIVE_JQL: Final = f"project in (PMO, {', '.join(DELIVERY_PROJECTS)}) ORDER BY key ASC"
"""Every issue of the demo site, as a script would ask for them."""
TAP_START_DATE: Final = "2000-01-01T00:00:00Z"
"""Before every seeded issue: tap-jira reads ``updated >= start_date``, i.e. everything."""

_TAP_LAUNCHER: Final = """
import sys
import requests
import tap_jira.streams as streams

ca_bundle = sys.argv.pop(1)
session_init = requests.Session.__init__


def trusting_init(self):
    session_init(self)
    self.verify = ca_bundle


requests.Session.__init__ = trusting_init
sync_sub_streams = streams.sync_sub_streams


def completed_sub_streams(page):
    for issue in page:
        issue["fields"].setdefault("comment", {"comments": []})
        issue.setdefault("transitions", [])
    sync_sub_streams(page)


streams.sync_sub_streams = completed_sub_streams
sys.argv[0] = "tap-jira"
from tap_jira import main

main()
"""
"""Runs tap-jira trusting the sandbox's authority, with the fields it expects filled in."""


@dataclass(frozen=True, kw_only=True)
class HttpsSandbox:
    """A sandbox served over HTTPS on loopback, and the authority its clients must trust."""

    url: str
    options: SandboxOptions
    state: SandboxState
    tls: LoopbackTLS


@contextmanager
def https_sandbox(*, scale: float, latency_ms: float, seed: int = 1) -> Iterator[HttpsSandbox]:
    """A started sandbox at ``scale`` answering after ``latency_ms``, over HTTPS.

    Built here from `build_app` and `BackgroundServer` until `SandboxServer` takes a ``tls``
    option; the listening socket gets ``TCP_NODELAY`` as `SandboxServer`'s does.
    """
    options = SandboxOptions(seed=seed, scale=scale, faults=FaultSettings(latency_ms=latency_ms))
    app, state = build_app(options)
    with loopback_tls() as tls:
        bound = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        bound.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            bound.bind(("127.0.0.1", 0))
        except OSError:
            bound.close()
            raise
        port = int(bound.getsockname()[1])
        server = BackgroundServer(app, bound, name=f"https sandbox:{port}", tls=tls.server)
        server.start()
        try:
            yield HttpsSandbox(
                url=f"https://127.0.0.1:{port}", options=options, state=state, tls=tls
            )
        finally:
            server.stop()


class _RequestClock:
    """Watches the sandbox's request count from a thread: when the first and last came."""

    def __init__(self, state: SandboxState, *, every_s: float = 0.02) -> None:
        self._state = state
        self._every_s = every_s
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="request clock", daemon=True)
        self.started = time.perf_counter()
        self.first: float | None = None
        self.last: float | None = None

    def _watch(self) -> None:
        seen = 0
        while not self._done.wait(self._every_s):
            total = int(self._state.stats.snapshot()["total"])
            if total != seen:
                now = time.perf_counter() - self.started
                self.first = now if self.first is None else self.first
                self.last, seen = now, total

    def __enter__(self) -> _RequestClock:
        self.started = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._done.set()
        self._thread.join()


def measure(
    argv: Sequence[str], sandbox: HttpsSandbox, *, cwd: Path | None = None
) -> tuple[ChildRun, dict[str, Any]]:
    """`measure_child` against ``sandbox``: the run, and what the sandbox saw of it.

    Besides the requests by route (put into the run): the child's CPU seconds (user + system,
    from the usage of reaped children: on a shared machine, steadier than wall time), the
    bytes served, and when the first and the last request arrived after the child started
    (to the nearest 20 ms): before the first is start-up, after the last is the child's own
    work on what it read (storing, mapping).
    """
    sandbox.state.stats.reset()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with _RequestClock(sandbox.state) as clock:
        run = measure_child(argv, None, cwd=cwd)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    served = sandbox.state.stats.snapshot()
    traffic = sandbox.state.stats.traffic()
    run = dataclasses.replace(
        run,
        requests=served["requests"],
        throttled=served["throttled"],
        faults=served["faults"],
    )
    if run.exit_code != 0:
        raise RuntimeError(
            f"{shlex.join(run.argv)[:300]} exited {run.exit_code}: {run.stderr[-2000:]}"
        )
    cpu_s = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    seen = {
        "cpu_s": round(cpu_s, 2),
        "served_mb": round(sum(traffic["bytes"].values()) / 1e6, 1),
        "first_request_s": None if clock.first is None else round(clock.first, 2),
        "last_request_s": None if clock.last is None else round(clock.last, 2),
    }
    return run, seen


def _summary(run: ChildRun, seen: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    return {**run.summary(), **seen, "requests_by_route": dict(run.requests), **extra}


# ---------------------------------------------------------------- ours


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value))


def write_jira_only_config(folder: Path, sandbox: HttpsSandbox) -> Path:
    """The starter ``flywheel.toml`` + ``mapping.yaml`` for ``sandbox``, Jira source only.

    Keeps the store, logging and Jira sections (``ca_bundle`` added), the mapping rules that
    read Jira and the push targets that write it; returns the ``flywheel.toml`` path.
    """
    write_sandbox_config(folder, sandbox.url, sandbox.options)
    starter = tomllib.loads((folder / "flywheel.toml").read_text(encoding="utf-8"))
    lines = [f"mapping = {_toml_value(starter['mapping'])}"]
    for table in ("store", "logging"):
        lines += ["", f"[{table}]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in starter[table].items()]
    for name, connection in starter["jira"].items():
        lines += ["", f"[jira.{name}]"]
        settings = {**connection, "ca_bundle": str(sandbox.tls.ca_certificate)}
        lines += [f"{key} = {_toml_value(value)}" for key, value in settings.items()]
    config = folder / "flywheel.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")

    mapping_path = folder / "mapping.yaml"
    mapping = yaml.safe_load(mapping_path.read_text(encoding="utf-8"))
    mapping["rules"] = [r for r in mapping["rules"] if str(r["source"]).startswith("jira:")]
    for section, targets in mapping.get("push", {}).items():
        if isinstance(targets, dict):
            mapping["push"][section] = {
                tool: target
                for tool, target in targets.items()
                if not isinstance(target, dict) or str(target.get("source")).startswith("jira:")
            }
    mapping_path.write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    return config


def _stored_issues(folder: Path) -> int:
    """How many Jira issues the pull left in the SQLite store."""
    import sqlite3

    with sqlite3.connect(folder / ".flywheel" / "state.db") as database:
        row = database.execute(
            "SELECT count(*) FROM source_records WHERE source LIKE 'jira:%' "
            "AND record_type = 'issue'"
        ).fetchone()
    return int(row[0])


def pull_ours(sandbox: HttpsSandbox, folder: Path) -> dict[str, Any]:
    """``flywheel-sync pull`` of the Jira source into a fresh store."""
    config = write_jira_only_config(folder, sandbox)
    run, seen = measure([*FLYWHEEL, "-c", str(config), "pull"], sandbox, cwd=folder)
    return _summary(run, seen, issues=_stored_issues(folder))


# ---------------------------------------------------------------- naive jira


def _naive_argv(sandbox: HttpsSandbox, *extra: str) -> list[str]:
    credentials = sandbox.options.credentials
    return [
        sys.executable,
        "-m",
        "benchmarks.peers_naive_jira",
        "--server",
        f"{sandbox.url}/jira",
        "--user",
        credentials.atlassian_user,
        "--token",
        credentials.jira_token,
        "--ca-bundle",
        str(sandbox.tls.ca_certificate),
        "--jql",
        NAIVE_JQL,
        *extra,
    ]


def _last_json(text: str) -> dict[str, Any]:
    lines = [line for line in text.splitlines() if line.startswith("{")]
    return dict(json.loads(lines[-1]))


def pull_naive(sandbox: HttpsSandbox) -> dict[str, Any]:
    """The jira library's ``search_issues(jql, maxResults=False)`` over every issue."""
    run, seen = measure(_naive_argv(sandbox), sandbox, cwd=REPOSITORY)
    reported = _last_json(run.stdout)
    return _summary(run, seen, issues=reported["issues"], search_s=reported["search_s"])


# ---------------------------------------------------------------- tap-jira


def installed_tap(venv: Path = PEERS_VENV) -> Path | None:
    """The interpreter of ``venv`` if tap-jira `TAP_JIRA_VERSION` is installed there."""
    python = venv / "bin" / "python"
    if not python.exists():
        return None
    probe = "import importlib.metadata as m; print(m.version('tap-jira'))"
    found = subprocess.run(  # noqa: S603 - our own venv
        [str(python), "-c", probe], capture_output=True, text=True, check=False
    )
    return python if found.stdout.strip() == TAP_JIRA_VERSION else None


def peers_python(venv: Path = PEERS_VENV) -> Path:
    """tap-jira's interpreter: the virtualenv is made, and tap-jira installed, when missing."""
    installed = installed_tap(venv)
    if installed is not None:
        return installed
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)  # noqa: S603
    subprocess.run(  # noqa: S603 - pip of our own venv, a pinned package
        [str(python), "-m", "pip", "install", "--quiet", f"tap-jira=={TAP_JIRA_VERSION}"],
        check=True,
    )
    return python


def _tap_argv(python: Path, sandbox: HttpsSandbox, *args: str) -> list[str]:
    return [str(python), "-c", _TAP_LAUNCHER, str(sandbox.tls.ca_certificate), *args]


def _tap_config(sandbox: HttpsSandbox, folder: Path) -> Path:
    credentials = sandbox.options.credentials
    config = folder / "tap-config.json"
    settings = {
        "start_date": TAP_START_DATE,
        "username": credentials.atlassian_user,
        "password": credentials.jira_token,
        "base_url": f"{sandbox.url}/jira",
        "user_agent": "flywheel-sync-benchmark",
        "request_timeout": 300,
    }
    config.write_text(json.dumps(settings), encoding="utf-8")
    return config


def _issues_catalog(python: Path, sandbox: HttpsSandbox, config: Path, folder: Path) -> Path:
    """tap-jira's own discovery, with the ``issues`` stream selected and nothing else."""
    discovered = subprocess.run(  # noqa: S603 - our own argv
        _tap_argv(python, sandbox, "--config", str(config), "--discover"),
        capture_output=True,
        text=True,
        check=True,
    )
    catalog = json.loads(discovered.stdout)
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = stream["tap_stream_id"] == "issues"
    path = folder / "tap-catalog.json"
    path.write_text(json.dumps(catalog), encoding="utf-8")
    return path


def _issue_records(output: Path) -> int:
    """The ``issues`` RECORD messages in a Singer output file."""
    count = 0
    with output.open(encoding="utf-8") as lines:
        for line in lines:
            head = line[:80]
            if '"type": "RECORD"' in head and '"stream": "issues"' in head:
                count += 1
    return count


def pull_tap(sandbox: HttpsSandbox, folder: Path, python: Path) -> dict[str, Any]:
    """tap-jira's sync of the ``issues`` stream, its Singer messages written to a file."""
    config = _tap_config(sandbox, folder)
    catalog = _issues_catalog(python, sandbox, config, folder)
    output = folder / "tap-output.jsonl"
    tap = _tap_argv(python, sandbox, "--config", str(config), "--properties", str(catalog))
    # exec: the shell becomes the tap, so wait4 reports the tap's own peak RSS.
    argv = ["/bin/sh", "-c", f'exec "$0" "$@" > {shlex.quote(str(output))}', *tap]
    run, seen = measure(argv, sandbox, cwd=folder)
    summary = _summary(run, seen, issues=_issue_records(output))
    summary["command"] = shlex.join([*tap[:2], "<launcher>", *tap[3:]]) + " > tap-output.jsonl"
    summary["output_mb"] = round(output.stat().st_size / 1e6, 1)
    output.unlink()
    return summary


# ---------------------------------------------------------------- per-issue updates


def stage_changes(
    state: SandboxState, count: int, *, stages: int = 0
) -> tuple[str, dict[str, str]]:
    """The stage field's id and ``count`` changes: delivery issues by id, stages in turn.

    ``stages`` limits how many of the field's options the changes go to (0: all of them).
    """
    site = state.organisation.jira
    field = next(f for f in site.fields if f.name == STAGE_FIELD)
    issues = [i for i in site.issues if i.project_key in DELIVERY_PROJECTS][:count]
    options = field.options[:stages] if stages else field.options
    return field.id, {issue.key: options[n % len(options)] for n, issue in enumerate(issues)}


def _route_total(run: ChildRun, routes: Sequence[str]) -> int:
    return sum(n for route, n in run.requests.items() if route in routes)


def updates(sandbox: HttpsSandbox, folder: Path, count: int, *, stages: int) -> dict[str, Any]:
    """The same stage changes by the naive script and by our push, sandbox reset between."""
    field_id, changes = stage_changes(sandbox.state, count, stages=stages)
    folder.mkdir(parents=True, exist_ok=True)
    changes_file = folder / "changes.json"
    changes_file.write_text(json.dumps(changes), encoding="utf-8")

    naive_run, naive_seen = measure(
        _naive_argv(sandbox, "--changes", str(changes_file), "--field", STAGE_FIELD),
        sandbox,
        cwd=REPOSITORY,
    )
    naive = _last_json(naive_run.stdout)
    update_routes = ("PUT /jira/rest/api/2/issue/{issue}", "GET /jira/rest/api/2/issue/{issue}")
    sandbox.state.reset()

    config = write_jira_only_config(folder / "ours", sandbox)
    ours_argv = [
        sys.executable,
        "-m",
        "benchmarks.peers_stage_push",
        "-c",
        str(config),
        "--changes",
        str(changes_file),
        "--field-id",
        field_id,
    ]
    ours_run, ours_seen = measure(ours_argv, sandbox, cwd=REPOSITORY)
    ours = _last_json(ours_run.stdout)
    sandbox.state.reset()
    naive_requests = _route_total(naive_run, update_routes)
    return {
        "changes": len(changes),
        "stages": len(set(changes.values())),
        "naive_jira": {
            **_summary(naive_run, naive_seen),
            "updated": naive["updated"],
            "update_s": naive["update_s"],
            "update_requests": naive_requests,
        },
        "ours": {
            **_summary(ours_run, ours_seen),
            "updated": ours["updated"],
            "failed": ours["failed"],
            "update_s": ours["update_s"],
            "update_requests": ours_run.total_requests,
            "bulk_edits": ours["bulk_edits"],
        },
        "ratios": {
            "update_wall": _ratio(ours["update_s"], naive["update_s"]),
            "update_requests": _ratio(ours_run.total_requests, naive_requests),
        },
    }


# ---------------------------------------------------------------- the run


def _ratio(ours: float, peer: float) -> float | None:
    return round(ours / peer, 3) if peer else None


def pull_ratios(pulls: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Ours / peer for wall, requests and peak RSS, and how many times faster we are."""
    ours = pulls["ours"]
    ratios: dict[str, Any] = {}
    for peer, figures in pulls.items():
        if peer == "ours":
            continue
        ratios[peer] = {
            measure_name: _ratio(ours[measure_name], figures[measure_name])
            for measure_name in ("wall_s", "requests", "peak_rss_mb")
        }
        ratios[peer]["speedup"] = _ratio(figures["wall_s"], ours["wall_s"])
    return ratios


def _load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def run_scenario(
    *,
    scale: float,
    latency_ms: float,
    peers: Sequence[str],
    update_scale: float,
    update_count: int,
    stages: int,
    venv: Path,
) -> dict[str, Any]:
    """Every peer's pull at ``scale`` and the updates at ``update_scale``, one latency."""
    load_before = _load()
    tap_python = peers_python(venv) if "tap_jira" in peers else None
    pulls: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="flywheel-peers-") as temporary:
        folder = Path(temporary)
        started = time.perf_counter()
        with https_sandbox(scale=scale, latency_ms=latency_ms) as sandbox:
            sandbox_start_s = time.perf_counter() - started
            jira_issues = sandbox.state.organisation.jira_issue_count
            pulls["ours"] = pull_ours(sandbox, folder / "ours")
            if "naive_jira" in peers:
                pulls["naive_jira"] = pull_naive(sandbox)
            if tap_python is not None:
                pulls["tap_jira"] = pull_tap(sandbox, folder, tap_python)
        update_results: dict[str, Any] | None = None
        if update_count and "naive_jira" in peers:
            with https_sandbox(scale=update_scale, latency_ms=latency_ms) as sandbox:
                update_results = {
                    "scale": update_scale,
                    **updates(sandbox, folder / "updates", update_count, stages=stages),
                }
    return {
        "scale": scale,
        "latency_ms": latency_ms,
        "jira_issues": jira_issues,
        "sandbox_start_s": round(sandbox_start_s, 2),
        "pull": pulls,
        "pull_ratios": pull_ratios(pulls),
        "updates": update_results,
        "load_average": {"before": load_before, "after": _load()},
    }


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="flywheel-sync against the jira library and tap-jira."
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="sandbox scale (30: ~99,000 issues)"
    )
    parser.add_argument(
        "--latency-ms", type=float, nargs="+", default=[30.0], help="per-request latency(ies)"
    )
    parser.add_argument(
        "--peers",
        nargs="+",
        choices=("naive_jira", "tap_jira"),
        default=["naive_jira", "tap_jira"],
        help="which peers to run against ours",
    )
    parser.add_argument("--updates", type=int, default=1000, help="stage changes; 0: none")
    parser.add_argument(
        "--stages", type=int, default=0, help="stages the changes go to (0: all ten)"
    )
    parser.add_argument("--update-scale", type=float, default=1.0, help="sandbox for the updates")
    parser.add_argument("--venv", type=Path, default=PEERS_VENV, help="tap-jira's virtualenv")
    parser.add_argument("--name", default="peers", help="result file name (without .json)")
    parser.add_argument("--out", type=Path, help="write <name>.json here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the scenario at each latency; write and return the results."""
    args = _arguments(argv)
    runs = [
        run_scenario(
            scale=args.scale,
            latency_ms=latency,
            peers=args.peers,
            update_scale=args.update_scale,
            update_count=args.updates,
            stages=args.stages,
            venv=args.venv,
        )
        for latency in args.latency_ms
    ]
    versions = {"jira": version("jira")}
    if "tap_jira" in args.peers:
        versions["tap-jira"] = TAP_JIRA_VERSION
    setup = {
        "transport": "HTTPS on 127.0.0.1, certificate authority made at run time",
        "jira_flavour": "cloud",
        "ours": "flywheel-sync pull, starter configuration reduced to the Jira source",
        "naive_jira_jql": NAIVE_JQL,
        "tap_jira": f"issues stream only, start_date {TAP_START_DATE}, output to a file",
        "updates": "Flywheel Stage set on delivery issues (by id), stages in turn; "
        "the sandbox is reset between the two programs",
    }
    return write_result(args.name, {"versions": versions, "setup": setup, "runs": runs}, args.out)


if __name__ == "__main__":
    main()
