"""Start-up: how long ``flywheel-sync --help`` and ``flywheel-sync status`` take, and why.

Issue 8's target: ``--help`` under 300 ms. Each command runs as a child process, as a person
or a job runs it (the installed ``flywheel-sync`` script), several times; the median is the
figure. ``status`` reads a store that a ``pull`` of the sandbox (the starter configuration)
filled first. For context:

- ``python -c pass``: the interpreter alone, the floor no command can go under;
- ``--help`` with ``TYPER_USE_RICH=0``: Typer's plain help instead of its Rich panels, which
  import ``rich.markdown``, ``markdown_it``, ``pygments`` and ``rich.traceback``;
- where each command's imports go (``python -X importtime``): the own time of each
  top-level package (rows that add up), and the slowest modules of the first two levels of
  the import tree by cumulative time: what to make lazy when a command is slow.

Usage::

    .venv/bin/python -m benchmarks.startup --out benchmarks/results
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from benchmarks.harness import (
    FLYWHEEL,
    benchmark_sandbox,
    measure_child,
    sandbox_config,
    write_result,
)

__all__ = ["import_profile", "main", "timed"]

SCRIPT: Final = Path(sys.executable).with_name("flywheel-sync")
"""The installed console script, next to this interpreter."""
HELP_TARGET_MS: Final = 300.0


def timed(
    argv: Sequence[str], *, runs: int, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> dict[str, Any]:
    """Median, fastest and slowest wall time of ``runs`` runs of ``argv``, in ms.

    Raises:
        RuntimeError: A run exited with an error.
    """
    walls = []
    for _ in range(runs):
        run = measure_child(argv, None, env=env, cwd=cwd)
        if run.exit_code != 0:
            raise RuntimeError(f"{argv} exited {run.exit_code}: {run.stderr[-2000:]}")
        walls.append(run.wall_s * 1000)
    return {
        "median_ms": round(statistics.median(walls), 1),
        "min_ms": round(min(walls), 1),
        "max_ms": round(max(walls), 1),
        "runs": runs,
        "peak_rss_mb": round(run.peak_rss_mb, 1),
    }


def import_profile(
    argv: Sequence[str], *, top: int = 12, cwd: Path | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Where ``python -X importtime -m flywheel_sync.cli.main *argv`` spends its imports.

    Returns:
        ``packages``: each top-level package's own import time (its modules' self times
        added up, so the rows add up to the whole), slowest first; ``modules``: the first
        two levels of the import tree by cumulative time, slowest first.
    """
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-X", "importtime", "-m", "flywheel_sync.cli.main", *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )
    packages: Counter[str] = Counter()
    modules: list[dict[str, Any]] = []
    for line in completed.stderr.splitlines():
        own, _, rest = line.removeprefix("import time:").partition("|")
        cumulative, _, name = rest.partition("|")
        if not line.startswith("import time:") or not own.strip().isdigit():
            continue  # the header, or the command's own output
        module = name.strip()
        packages[module.split(".")[0]] += int(own)
        if (len(name) - len(name.lstrip(" "))) // 2 <= 1:
            modules.append(
                {
                    "module": module,
                    "cumulative_ms": round(int(cumulative) / 1000, 1),
                    "self_ms": round(int(own) / 1000, 1),
                }
            )
    modules.sort(key=lambda row: -row["cumulative_ms"])
    return {
        "packages": [
            {"package": package, "self_ms": round(us / 1000, 1)}
            for package, us in packages.most_common(top)
        ],
        "modules": modules[:top],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark and write ``startup.json`` into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0, help="of the store status reads")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    script = [str(SCRIPT)] if SCRIPT.exists() else list(FLYWHEEL)
    plain = {**os.environ, "TYPER_USE_RICH": "0"}
    results: dict[str, Any] = {
        "python_pass": timed([sys.executable, "-c", "pass"], runs=args.runs),
        "help": timed([*script, "--help"], runs=args.runs),
        "help_plain": timed([*script, "--help"], runs=args.runs, env=plain),
    }
    with (
        benchmark_sandbox(scale=args.scale) as sandbox,
        tempfile.TemporaryDirectory(prefix="startup-benchmark-") as temporary,
    ):
        folder = Path(temporary)
        config = sandbox_config(sandbox, folder)
        pulled = measure_child([*script, "-c", str(config), "pull"], sandbox)
        if pulled.exit_code != 0:
            raise RuntimeError(f"pull exited {pulled.exit_code}: {pulled.stderr[-2000:]}")
        status = [*script, "-c", str(config), "status"]
        results["status"] = {
            **timed(status, runs=args.runs, cwd=folder),
            "scale": args.scale,
            "requests": measure_child(status, sandbox, cwd=folder).total_requests,
        }
        results["imports"] = {
            "help": import_profile(["--help"]),
            "status": import_profile(["-c", str(config), "status"], cwd=folder),
        }
    results["help_target_ms"] = HELP_TARGET_MS
    results["help_target_met"] = results["help"]["median_ms"] < HELP_TARGET_MS
    results["load_average"] = [round(load, 2) for load in os.getloadavg()]
    return write_result("startup", results, args.out)


if __name__ == "__main__":
    main()
