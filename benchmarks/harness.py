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
import signal
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
    cpu_s: float = 0.0
    """User + system seconds of the command (steadier than wall time on a shared machine)."""
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
            "cpu_s": round(self.cpu_s, 3),
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


_LAUNCHER: Final = """
import os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
with open(report, "w") as out:
    out.write(f"{usage.ru_maxrss} {wall} {usage.ru_utime + usage.ru_stime}")
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""
"""Runs the measured command and reports its own peak RSS, wall and CPU seconds.

Linux carries a process's peak RSS *before* ``exec`` into its ``ru_maxrss``, and a child
forked from the benchmark starts as big as the benchmark (which holds the sandbox's whole
organisation): measured directly, even ``python -c pass`` peaked at the parent's size. The
launcher is a bare ``python -S`` of about 10 MB, and forks the command from there.
"""


def measure_child(
    argv: Sequence[str],
    sandbox: SandboxServer | None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout_s: float = 3600,
) -> ChildRun:
    """Run ``argv`` to its end; its wall time, CPU time, peak RSS and the requests it made.

    The command runs under `_LAUNCHER`, which measures it with ``wait4``: its peak RSS is
    its own, not the benchmark's, and its wall time leaves out the launcher's start.
    """
    if sandbox is not None:
        sandbox.state.stats.reset()
    child_env = {**os.environ, **(env or {})}
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.TemporaryDirectory(prefix="measure-") as folder,
    ):
        report = Path(folder) / "report"
        started = time.perf_counter()
        child = subprocess.Popen(  # noqa: S603 - our own argv
            [sys.executable, "-S", "-c", _LAUNCHER, str(report), *argv],
            stdout=out,
            stderr=err,
            env=child_env,
            cwd=cwd,
            text=True,
            start_new_session=True,  # a timeout kills the command with its launcher
        )
        exit_code = _wait(child, timeout_s)
        wall = time.perf_counter() - started
        rss_kb, wall, cpu = _reported(report, wall)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    snapshot: dict[str, Any] = sandbox.state.stats.snapshot() if sandbox is not None else {}
    return ChildRun(
        argv=tuple(argv),
        exit_code=exit_code,
        wall_s=wall,
        cpu_s=cpu,
        peak_rss_mb=rss_kb / 1024,
        requests=snapshot.get("requests", {}),
        throttled=snapshot.get("throttled", 0),
        faults=snapshot.get("faults", 0),
        stdout=stdout,
        stderr=stderr,
    )


def _reported(report: Path, wall: float) -> tuple[float, float, float]:
    """The launcher's ``(peak RSS KiB, wall s, CPU s)``; zeros and ``wall`` if it wrote none."""
    try:
        rss, measured, cpu = report.read_text(encoding="utf-8").split()
    except (OSError, ValueError):
        return 0.0, wall, 0.0
    return float(rss), float(measured), float(cpu)


def _wait(child: subprocess.Popen[str], timeout_s: float) -> int:
    """The launcher's exit code (the command's); past ``timeout_s`` both are killed."""
    try:
        return child.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        raise TimeoutError(f"{child.args!r} ran over {timeout_s:g} s") from None


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
