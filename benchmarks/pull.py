r"""Full and incremental pulls against the sandbox: wall time, requests, bytes, memory (issue 8).

Scenario 1 (full pull) and 2 (incremental pull with 0% and 1% of the records changed), per
scale and per latency, optionally under a rate limit. Each pull is ``flywheel-sync pull`` in a
child process (`benchmarks.harness.measure_child`): its wall time and peak RSS are its own, the
sandbox counts its requests per route, the response bytes, and the Graph ``$batch`` steps.
The full pull is compared with the request floor (`benchmarks.floor`).

What a run reports, per pull:

- ``wall_s``, ``peak_rss_mb``; ``phases``: start-up (until the first request), reading
  (first to last request, as the sandbox saw them) and the rest (mapping the store, the
  summary, exit);
- ``rss_mb``: the child's RSS sampled over its life (``/proc``), to show whether memory grows
  with what has been read;
- ``by_tool``: pages served (every request, ``$batch`` steps included), HTTP requests and
  bytes per tool; ``floor``: the floor per tool and the ratios.

Volume: the sandbox is seeded with `DemoVolume.benchmark` (about 5,000 Planner tasks with
details and 5,000 Teams messages at scale 30), and the starter mapping gets one more rule
reading the action plans as work items (`benchmark_config`).

The 1% change is made through the tools' own APIs where the sandbox takes app writes: Jira
``PUT /issue/{key}`` (summary), Planner ``PATCH /planner/tasks/{id}`` with ``If-Match``
(title), Project through the Schedule API (``msdyn_description``, via the product's
`ScheduleWriter`). Teams refuses application posts and edits (graph-wire.md §3), so 1% of
the channel's root posts are edited in the sandbox's own state (body and
``lastModifiedDateTime``), as a person editing them would. Changes are made with latency and
rate limit off, and not counted.

Every case runs on a sandbox of its own (`measure_scale` says why). Usage (the commands of
``docs/benchmarks.md``; wrap anything above scale 3 in ``flock /tmp/bench.lock``)::

    .venv/bin/python -m benchmarks.pull --scales 1 10 --latency-ms 0 30 --out benchmarks/results
    .venv/bin/python -m benchmarks.pull --scales 30 --latency-ms 30 --name pull-30-latency-30 \\
        --out benchmarks/results
    .venv/bin/python -m benchmarks.pull --scales 10 --latency-ms --rate-limit 50 \\
        --rate-limited-latency-ms 30 --name pull-10-rate-limited --out benchmarks/results
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import requests
import yaml

from benchmarks.floor import SourceFloor, floor_summary, request_floor
from benchmarks.harness import (
    FLYWHEEL,
    ChildRun,
    benchmark_sandbox,
    measure_child,
    sandbox_config,
    write_result,
)
from connectors.project.odata import ODataClient
from connectors.project.schedule_operations import ScheduleOperation
from connectors.project.schedule_writer import ScheduleWriter
from flywheel_sync.sandbox.demo import DemoVolume
from flywheel_sync.sandbox.demo.catalogue import CUSTOMERS
from flywheel_sync.sandbox.demo.planner_actions import action_plan_title
from flywheel_sync.sandbox.faults import FaultSettings
from flywheel_sync.sandbox.server import SandboxServer
from flywheel_sync.settings import load_configuration

__all__ = ["benchmark_config", "main", "measure_pull", "tool_of"]

_KNOBS: Final = {"latency_ms", "rate_limit"}
MAX_FLOOR_RATIO: Final = 1.1
MAX_UNCHANGED_S: Final = 2.0
MAX_RSS_MB: Final = 300.0
_TOOLS: Final = ("jira", "planner", "teams", "project")


def tool_of(route: str) -> str:
    """The tool a counted route belongs to; ``/users`` reads are Teams' message authors."""
    path = route.partition(" ")[2]
    if path.startswith("/jira/"):
        return "jira"
    if path.startswith("/dataverse/"):
        return "project"
    if path.startswith("/graph/v1.0/$batch"):
        return "graph $batch"
    if path.startswith("/graph/v1.0/") and "/planner" in path:
        return "planner"
    if path.startswith(("/graph/v1.0/teams", "/graph/v1.0/users", "/graph/v1.0/chats")):
        return "teams"
    return "confluence" if path.startswith("/confluence/") else "other"


# ---------------------------------------------------------------- configuration


def benchmark_config(sandbox: SandboxServer, folder: Path) -> Path:
    """The starter configuration, plus a rule reading the Planner action plans if seeded.

    The action plans live in the Enterprise PMO's group, which the starter's engagement rule
    reads whole; with volume, that rule is narrowed to the service plans and a second rule
    reads the action plans' tasks as work items of the customer the plan is named after.
    """
    config = sandbox_config(sandbox, folder)
    plans = sandbox.state.organisation.planner.plans
    titles = {action_plan_title(entry) for entry in CUSTOMERS}
    actions = [str(p["id"]) for p in plans if p["title"] in titles]
    if not actions:
        return config
    path = folder / "mapping.yaml"
    mapping = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = mapping["rules"]
    engagements = next(rule for rule in rules if rule["name"] == "planner-engagements")
    engagements["select"]["plans"] = [str(p["id"]) for p in plans if p["title"] not in titles]
    group = sandbox.state.organisation.group_id
    rules.insert(
        rules.index(engagements) + 1,
        {
            "name": "planner-actions",
            "source": "planner:northwind",
            "select": {"groups": [group], "plans": actions},
            "produces": "work_item",
            "customer": {"field": "planName", "pattern": "^(?P<value>.+) actions$"},
            "done": {"field": "percentComplete", "value_map": {"100": "true"}},
            "attributes": {"due": {"field": "dueDateTime"}},
        },
    )
    path.write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    return config


# ---------------------------------------------------------------- memory over time


class _RssSampler(threading.Thread):
    """Samples the RSS of this process's descendants from ``/proc`` (Linux) until stopped."""

    def __init__(self, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.samples: list[tuple[float, float]] = []
        self._done = threading.Event()
        self._parent = os.getpid()

    def run(self) -> None:
        started = time.monotonic()
        while not self._done.wait(self.interval):
            rss = sum(_rss_kb(pid) for pid in _descendants(self._parent))
            if rss:
                self.samples.append((time.monotonic() - started, rss / 1024))

    def stop(self) -> list[tuple[float, float]]:
        self._done.set()
        self.join()
        return self.samples


def _descendants(parent: int) -> list[int]:
    """The processes below ``parent``: the harness's launcher and the command it runs."""
    parents = _parents()
    found, wanted = [], {parent}
    while wanted:
        below = [pid for pid, ppid in parents.items() if ppid in wanted]
        found += below
        wanted = set(below)
    return found


def _parents() -> dict[int, int]:
    """Every process's parent, from ``/proc``."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its ')'.
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 1:
            found[int(entry.name)] = int(fields[1])
    return found


def _rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1])


def _timeline(samples: list[tuple[float, float]], points: int = 12) -> list[list[float]]:
    """At most ``points`` ``[seconds, MB]`` samples, evenly spread, the last one kept."""
    if len(samples) <= points:
        chosen = samples
    else:
        step = (len(samples) - 1) / (points - 1)
        chosen = [samples[round(i * step)] for i in range(points)]
    return [[round(t, 1), round(mb, 1)] for t, mb in chosen]


# ---------------------------------------------------------------- one measured pull


def _by_tool(run: ChildRun, traffic: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    tools: dict[str, Counter[str]] = {}
    for route, count in run.requests.items():
        tally = tools.setdefault(tool_of(route), Counter())
        tally["pages"] += count
        tally["http"] += count - int(traffic["batch_steps"].get(route, 0))
    for route, size in traffic["bytes"].items():
        tools.setdefault(tool_of(route), Counter())["bytes"] += int(size)
    return {tool: dict(tally) for tool, tally in sorted(tools.items())}


def _phases(started: float, run: ChildRun, traffic: Mapping[str, Any]) -> dict[str, float]:
    first, last = traffic.get("first"), traffic.get("last")
    if first is None or last is None:
        return {}
    return {
        "startup_s": round(first - started, 2),
        "reading_s": round(last - first, 2),
        "after_reading_s": round(started + run.wall_s - last, 2),
    }


def measure_pull(sandbox: SandboxServer, config: Path, *extra: str) -> dict[str, Any]:
    """One ``flywheel-sync pull`` in a child: the harness's figures plus tools, phases, RSS."""
    argv = [*FLYWHEEL, "-c", str(config), "pull", *extra]
    sampler = _RssSampler()
    sampler.start()
    started = time.monotonic()
    run = measure_child(argv, sandbox, cwd=config.parent)
    samples = sampler.stop()
    traffic = sandbox.state.stats.traffic()
    if run.exit_code != 0:
        raise RuntimeError(f"pull failed ({run.exit_code}):\n{run.stdout[-3000:]}{run.stderr}")
    return {
        **run.summary(),
        "http_requests": run.total_requests - sum(traffic["batch_steps"].values()),
        "bytes": sum(traffic["bytes"].values()),
        "by_tool": _by_tool(run, traffic),
        "requests_by_route": dict(run.requests),
        "phases": _phases(started, run, traffic),
        "mapped": next((x for x in run.stdout.splitlines() if x.startswith("Mapped")), ""),
        "rss_mb": _timeline(samples),
    }


def _against_floor(pull: Mapping[str, Any], floors: Mapping[str, SourceFloor]) -> dict[str, Any]:
    tools = pull["by_tool"]
    per_tool = {}
    for name, floor in floors.items():
        pages = tools.get(name, {}).get("pages", 0)
        per_tool[name] = {
            "pages": pages,
            "floor_pages": floor.pages,
            "ratio": round(pages / floor.pages, 3),
            "ratio_to_scoped": round(pages / floor.scoped_pages, 3),
        }
    pages = sum(tools.get(name, {}).get("pages", 0) for name in _TOOLS)
    floor_pages = sum(f.pages for f in floors.values())
    floor_http = sum(f.http for f in floors.values())
    return {
        "by_tool": per_tool,
        "pages_ratio": round(pages / floor_pages, 3),
        "pages_ratio_to_scoped": round(pages / sum(f.scoped_pages for f in floors.values()), 3),
        "http_ratio": round(pull["http_requests"] / floor_http, 3),
    }


# ---------------------------------------------------------------- 1% changed


def _sample(items: Sequence[Any], share: float, rng: random.Random) -> list[Any]:
    count = max(1, round(len(items) * share)) if share > 0 else 0
    return rng.sample(list(items), min(count, len(items)))


def change_records(sandbox: SandboxServer, config: Path, share: float, seed: int) -> dict[str, int]:
    """Change ``share`` of each tool's pulled records (module docstring: how); counts per tool."""
    rng = random.Random(seed)  # noqa: S311 - choosing records to edit, not cryptography
    faults = sandbox.state.faults
    before = faults.settings
    faults.update(FaultSettings(), _KNOBS)
    try:
        mapping = load_configuration(config).mapping
        return {
            "jira": _change_jira(sandbox, share, rng),
            "planner": _change_planner(sandbox, share, rng),
            "teams": _change_teams(sandbox, mapping, share, rng),
            "project": _change_project(sandbox, mapping, share, rng),
        }
    finally:
        faults.update(before, _KNOBS)


def _change_jira(sandbox: SandboxServer, share: float, rng: random.Random) -> int:
    issues = [issue.key for issue in sandbox.state.jira.issues]  # the starter reads them all
    credentials = sandbox.options.credentials
    with requests.Session() as session:
        session.auth = (credentials.atlassian_user, credentials.jira_token)
        chosen = _sample(issues, share, rng)
        for key in chosen:
            issue = sandbox.state.jira.issue(key)
            summary = str(issue.fields["summary"]) if issue else key
            answer = session.put(
                f"{sandbox.url}/jira/rest/api/3/issue/{key}",
                json={"fields": {"summary": f"{summary} (edited)"}},
                timeout=30,
            )
            answer.raise_for_status()
    return len(chosen)


def _change_planner(sandbox: SandboxServer, share: float, rng: random.Random) -> int:
    tasks = [str(t["id"]) for t in sandbox.state.organisation.planner.tasks]
    graph = f"{sandbox.url}/graph/v1.0"
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {sandbox.options.credentials.graph_token}"
        chosen = _sample(tasks, share, rng)
        for task_id in chosen:
            task = session.get(f"{graph}/planner/tasks/{task_id}", timeout=30)
            task.raise_for_status()
            body = task.json()
            answer = session.patch(
                f"{graph}/planner/tasks/{task_id}",
                json={"title": f"{body['title']} (edited)"},
                headers={"If-Match": body["@odata.etag"]},
                timeout=30,
            )
            answer.raise_for_status()
    return len(chosen)


def _change_teams(sandbox: SandboxServer, mapping: Any, share: float, rng: random.Random) -> int:
    store = sandbox.state.teams
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    changed = 0
    channels = {c.channel_id for r in mapping.rules if r.tool == "teams" for c in r.select.channels}
    with store._lock:
        for channel_id in channels:
            threads = store._threads[channel_id]
            chosen = {m["id"] for m in _sample(threads.roots, share, rng)}
            roots = tuple(
                {
                    **m,
                    "body": {**m["body"], "content": f"{m['body']['content']} (edited)"},
                    "lastModifiedDateTime": now,
                    "lastEditedDateTime": now,
                }
                if m["id"] in chosen
                else m
                for m in threads.roots
            )
            store._threads[channel_id] = replace(threads, roots=roots)
            changed += len(chosen)
    return changed


def _change_project(sandbox: SandboxServer, mapping: Any, share: float, rng: random.Random) -> int:
    names = {p for r in mapping.rules if r.tool == "project" for p in r.select.projects}
    rows = sandbox.state.organisation.project
    chosen_projects = {
        str(p["msdyn_projectid"]) for p in rows.projects if p.get("msdyn_subject") in names
    }
    tasks = [t for t in rows.tasks if t.get("_msdyn_project_value") in chosen_projects]
    chosen = _sample(tasks, share, rng)
    client = ODataClient(
        source="benchmark",
        environment_url=f"{sandbox.url}/dataverse",
        token=sandbox.options.credentials.dataverse_token,
    )
    writer = ScheduleWriter(client, source="benchmark", poll_interval=0.05)
    try:
        for project_id in chosen_projects:
            operations = [
                ScheduleOperation(
                    kind="update",
                    entity="msdyn_projecttask",
                    record_id=str(t["msdyn_projecttaskid"]),
                    key=f"bench-{t['msdyn_projecttaskid']}",
                    fields={"msdyn_description": "Edited by the benchmark."},
                )
                for t in chosen
                if t["_msdyn_project_value"] == project_id
            ]
            if operations:
                outcomes = writer.run(project_id, operations, description="benchmark edits")
                failed = [o for o in outcomes if o.status != "landed"]
                if failed:
                    raise RuntimeError(f"Project edits did not land: {failed[:3]}")
    finally:
        client.close()
    return len(chosen)


# ---------------------------------------------------------------- the scenarios


def run_case(
    sandbox: SandboxServer,
    floors: Mapping[str, SourceFloor],
    *,
    latency_ms: float,
    rate_limit: float | None,
    changed: float,
    seed: int,
) -> dict[str, Any]:
    """Full pull, incremental with nothing changed, then with ``changed`` of records changed.

    ``sandbox`` must be fresh: an earlier case's edits would be re-read by this case's
    incremental pulls (Jira reads from five minutes before its watermark), and a
    ``/_sandbox/reset`` does not make it fresh (see `measure_scale`).
    """
    sandbox.state.faults.update(FaultSettings(latency_ms=latency_ms, rate_limit=rate_limit), _KNOBS)
    with tempfile.TemporaryDirectory(prefix="bench-pull-") as folder:
        config = benchmark_config(sandbox, Path(folder))
        full = measure_pull(sandbox, config)
        full["against_floor"] = _against_floor(full, floors)
        unchanged = measure_pull(sandbox, config)
        edits = change_records(sandbox, config, changed, seed)
        after_edits = measure_pull(sandbox, config)
    return {
        "latency_ms": latency_ms,
        "rate_limit": rate_limit,
        "full": full,
        "incremental_unchanged": unchanged,
        "changed": {"share": changed, "records": edits},
        "incremental_changed": after_edits,
        "targets": _targets(full, unchanged, after_edits),
    }


def _targets(full: Mapping[str, Any], *incremental: Mapping[str, Any]) -> dict[str, bool]:
    """Issue 8's pull targets, as met or not by this case (RSS: judged at 100,000 issues)."""
    versus = full["against_floor"]
    return {
        "full_pull_pages_within_1.1x_floor": versus["pages_ratio"] <= MAX_FLOOR_RATIO,
        "full_pull_http_within_1.1x_floor": versus["http_ratio"] <= MAX_FLOOR_RATIO,
        "incremental_unchanged_under_2s": incremental[0]["wall_s"] < MAX_UNCHANGED_S,
        "peak_rss_under_300mb": all(
            pull["peak_rss_mb"] < MAX_RSS_MB for pull in (full, *incremental)
        ),
    }


def _organisation_counts(sandbox: SandboxServer) -> dict[str, int]:
    organisation = sandbox.state.organisation
    return {
        "jira_issues": organisation.jira_issue_count,
        "planner_tasks": len(organisation.planner.tasks),
        "teams_messages": organisation.teams_message_count,
        "project_tasks": organisation.project_task_count,
    }


def measure_scale(
    scale: float,
    *,
    latencies: Sequence[float],
    rate_limit: float | None,
    rate_limited_latency: float | None,
    changed: float,
    volume: DemoVolume,
    seed: int = 1,
) -> dict[str, Any]:
    """Every case at one scale, each on a sandbox of its own.

    Not one sandbox reset between cases: after ``/_sandbox/reset`` the Jira emulator's search
    still filters on the issues as they were before it (its cached orders are keyed by a
    revision that the reset sets back to 0), so one case's edits leaked into the next one's
    incremental reads.
    """
    wanted: list[tuple[float, float | None]] = [(latency, None) for latency in latencies]
    if rate_limit is not None:
        wanted.append((rate_limited_latency or 0.0, rate_limit))
    cases: list[dict[str, Any]] = []
    floors: dict[str, SourceFloor] | None = None
    counts: dict[str, int] = {}
    built_s = 0.0
    for latency, limit in wanted:
        build = time.perf_counter()
        with benchmark_sandbox(scale=scale, volume=volume) as sandbox:
            built_s = time.perf_counter() - build
            if floors is None:
                with tempfile.TemporaryDirectory(prefix="bench-floor-") as folder:
                    config = benchmark_config(sandbox, Path(folder))
                    mapping = load_configuration(config).mapping
                floors = request_floor(sandbox.state.organisation, mapping)
                counts = _organisation_counts(sandbox)
            cases.append(
                run_case(
                    sandbox,
                    floors,
                    latency_ms=latency,
                    rate_limit=limit,
                    changed=changed,
                    seed=seed,
                )
            )
    return {
        "scale": scale,
        "sandbox": {"start_s": round(built_s, 1), **counts},
        "floor": floor_summary(floors or {}),
        "cases": cases,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the scenarios and write ``<name>.json`` into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0])
    parser.add_argument(
        "--latency-ms",
        type=float,
        nargs="*",
        default=[0.0],
        help="Unthrottled cases (none: only --rate-limit).",
    )
    parser.add_argument(
        "--rate-limit", type=float, default=None, help="Also run once under this limit (req/s)."
    )
    parser.add_argument("--rate-limited-latency-ms", type=float, default=None)
    parser.add_argument("--changed", type=float, default=0.01, help="Share changed (0.01: 1%%).")
    parser.add_argument("--no-volume", action="store_true", help="The story's volume only.")
    parser.add_argument("--name", default="pull")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    volume = DemoVolume() if args.no_volume else DemoVolume.benchmark()
    load_before = os.getloadavg()
    runs = [
        measure_scale(
            scale,
            latencies=args.latency_ms,
            rate_limit=args.rate_limit,
            rate_limited_latency=args.rate_limited_latency_ms,
            changed=args.changed,
            volume=volume,
        )
        for scale in args.scales
    ]
    return write_result(
        args.name,
        {
            "load": {"before": load_before, "after": os.getloadavg()},
            "volume": repr(volume),
            "runs": runs,
        },
        args.out,
    )


if __name__ == "__main__":
    main()
