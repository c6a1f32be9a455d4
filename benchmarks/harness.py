"""What every benchmark shares: a sandbox to measure against, a measured child, a result file.

The thing measured always runs in a child process (``flywheel-sync`` itself, or a peer's
script), so its wall time and peak RSS are its own: the sandbox, which holds the whole seeded
organisation in memory, stays in the benchmark's process. Requests are counted by the sandbox
(``/_sandbox/stats``), never by the client, so ours and a peer's are counted the same way.

Usage from a scenario::

    with benchmark_sandbox(scale=1, latency_ms=30) as sandbox:
        config = sandbox_config(sandbox, folder)
        run = measure_child([*FLYWHEEL, "pull", "--config", str(config)], sandbox)
    write_result("pull", {...}, out)
"""

from __future__ import annotations

import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.faults import FaultSettings
from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer

__all__ = [
    "FLYWHEEL",
    "ChildRun",
    "benchmark_sandbox",
    "machine",
    "measure_child",
    "requests_by_source",
    "sandbox_config",
    "write_result",
]

FLYWHEEL: Final = (sys.executable, "-m", "flywheel_sync.cli.main")
"""The CLI as a child process, from this interpreter's environment."""

_SOURCES: Final = (
    ("/jira/", "jira"),
    ("/confluence/", "confluence"),
    ("/graph/v1.0/planner", "planner"),
    ("/graph/v1.0/$batch", "graph batch"),
    ("/graph/v1.0/teams", "teams"),
    ("/graph/v1.0/chats", "teams"),
    ("/graph/v1.0/", "graph"),
    ("/dataverse/", "project"),
    ("/workflows/", "teams workflows"),
)


@dataclass(frozen=True, kw_only=True)
class ChildRun:
    """One measured child: how long it took, its peak memory, and what the sandbox served."""

    argv: tuple[str, ...]
    exit_code: int
    wall_s: float
    peak_rss_mb: float
    requests: Mapping[str, int]
    """Requests by route (``METHOD /prefix/route/{template}``), as the sandbox counted them."""
    throttled: int = 0
    faults: int = 0
    stdout: str = field(default="", repr=False)
    stderr: str = field(default="", repr=False)

    @property
    def total_requests(self) -> int:
        """Every request the sandbox served this child, throttled ones included."""
        return sum(self.requests.values())

    def summary(self) -> dict[str, Any]:
        """The JSON-ready figures (no output text)."""
        return {
            "command": shlex.join(self.argv),
            "exit_code": self.exit_code,
            "wall_s": round(self.wall_s, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "requests": self.total_requests,
            "requests_by_source": requests_by_source(self.requests),
            "throttled": self.throttled,
            "faults": self.faults,
        }


def requests_by_source(requests: Mapping[str, int]) -> dict[str, int]:
    """Route counts folded into tools (``jira``, ``planner``, ``teams``, ``project`` ...)."""
    totals: Counter[str] = Counter()
    for route, count in requests.items():
        path = route.partition(" ")[2]
        source = next((name for prefix, name in _SOURCES if path.startswith(prefix)), "other")
        totals[source] += count
    return dict(sorted(totals.items()))


@contextmanager
def benchmark_sandbox(
    *,
    scale: float = 1.0,
    latency_ms: float = 0.0,
    rate_limit: float | None = None,
    seed: int = 1,
    **options: Any,
) -> Iterator[SandboxServer]:
    """A started sandbox seeded at ``scale``, answering after ``latency_ms``."""
    faults = FaultSettings(latency_ms=latency_ms, rate_limit=rate_limit)
    sandbox_options = SandboxOptions(seed=seed, scale=scale, faults=faults, **options)
    with SandboxServer(sandbox_options) as sandbox:
        yield sandbox


def sandbox_config(sandbox: SandboxServer, folder: Path) -> Path:
    """The starter ``flywheel.toml`` (+ mapping) pointed at ``sandbox``; returns its path."""
    write_sandbox_config(folder, sandbox.url, sandbox.options)
    return folder / "flywheel.toml"


def measure_child(
    argv: Sequence[str],
    sandbox: SandboxServer | None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout_s: float = 3600,
) -> ChildRun:
    """Run ``argv`` to its end; its wall time, peak RSS and the requests it made.

    Peak RSS comes from ``wait4`` on this very child (``ru_maxrss``), not from
    ``RUSAGE_CHILDREN``, which keeps the largest of every child so far.
    """
    if sandbox is not None:
        sandbox.state.stats.reset()
    child_env = {**os.environ, **(env or {})}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(  # noqa: S603 - our own argv
            list(argv), stdout=out, stderr=err, env=child_env, cwd=cwd, text=True
        )
        exit_code, rss_kb = _wait(child, timeout_s)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    snapshot: dict[str, Any] = sandbox.state.stats.snapshot() if sandbox is not None else {}
    return ChildRun(
        argv=tuple(argv),
        exit_code=exit_code,
        wall_s=wall,
        peak_rss_mb=rss_kb / 1024,
        requests=snapshot.get("requests", {}),
        throttled=snapshot.get("throttled", 0),
        faults=snapshot.get("faults", 0),
        stdout=stdout,
        stderr=stderr,
    )


def _wait(child: subprocess.Popen[str], timeout_s: float) -> tuple[int, float]:
    """Reap ``child`` with ``wait4``: its exit code and its own peak RSS in KiB (Linux)."""
    deadline = time.monotonic() + timeout_s
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid == child.pid:
            child.returncode = os.waitstatus_to_exitcode(status)
            return child.returncode, float(usage.ru_maxrss)
        if time.monotonic() > deadline:
            child.kill()
            child.wait()
            raise TimeoutError(f"{child.args!r} ran over {timeout_s:g} s")
        time.sleep(0.005)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "cpus": os.cpu_count() or 0,
    }


def write_result(name: str, results: Mapping[str, Any], out: Path | None) -> dict[str, Any]:
    """``results`` with the date, machine and command line; written to ``out/name.json``."""
    import json

    document = {
        "benchmark": name,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        **results,
    }
    text = json.dumps(document, indent=2)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    print(text)
    return document
