r"""Compute: mapping and engine over the pulled store, time and memory by size (issue 8, no. 3).

For each scale the sandbox (with `DemoVolume.benchmark`) is pulled into a fresh store (not
measured), then two children run over that store:

- ``benchmarks.compute_child``: the mapping as ``pull`` runs it after reading
  (`refresh_entities`: map every stored record, save the entities), then the engine as
  ``kpis`` runs it (read the portfolio back, `compute`), each phase timed with its RSS;
- ``flywheel-sync kpis --json``: the engine as a user runs it, start-up included.

The result shows, per scale, seconds and peak RSS against the number of records, the cost per
record, and the growth exponent between the smallest and largest scale (``log(t2/t1) /
log(n2/n1)``: 1.0 is linear).

Usage::

    flock /tmp/bench.lock .venv/bin/python -m benchmarks.compute --scales 1 3 10 30 \\
        --out benchmarks/results
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks.harness import FLYWHEEL, benchmark_sandbox, measure_child, write_result
from benchmarks.pull import benchmark_config
from flywheel_sync.sandbox.demo import DemoVolume

__all__ = ["growth", "main", "measure_compute"]

CHILD = (sys.executable, "-m", "benchmarks.compute_child")


def measure_compute(scale: float, volume: DemoVolume) -> dict[str, Any]:
    """Pull the sandbox at ``scale`` into a new store, then time mapping and engine over it."""
    with (
        benchmark_sandbox(scale=scale, volume=volume) as sandbox,
        tempfile.TemporaryDirectory(prefix="bench-compute-") as folder,
    ):
        config = benchmark_config(sandbox, Path(folder))
        where = config.parent
        pulled = measure_child([*FLYWHEEL, "-c", str(config), "pull"], sandbox, cwd=where)
        if pulled.exit_code != 0:
            raise RuntimeError(f"the pull failed:\n{pulled.stdout[-2000:]}{pulled.stderr}")
        child = measure_child([*CHILD, "-c", str(config)], None, cwd=where)
        if child.exit_code != 0:
            raise RuntimeError(f"compute_child failed:\n{child.stderr}")
        kpis = measure_child([*FLYWHEEL, "-c", str(config), "kpis", "--json"], None, cwd=where)
        if kpis.exit_code != 0:
            raise RuntimeError(f"kpis failed:\n{kpis.stderr}")
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    phases = figures["phases"]
    records = int(figures["records"])
    compute_s = phases["mapping"]["seconds"] + phases["portfolio"]["seconds"]
    compute_s += phases["engine"]["seconds"]
    return {
        "scale": scale,
        "records": records,
        "entities": figures["entities"],
        "kpi_readings": figures["kpi_readings"],
        "mapping_s": phases["mapping"]["seconds"],
        "engine_s": round(phases["portfolio"]["seconds"] + phases["engine"]["seconds"], 3),
        "compute_s": round(compute_s, 3),
        "us_per_record": round(compute_s / records * 1e6, 1),
        "rss_after_mapping_mb": phases["mapping"]["rss_mb"],
        "peak_rss_mb": round(child.peak_rss_mb, 1),
        "phases": phases,
        "child_wall_s": round(child.wall_s, 2),
        "kpis_cli": {"wall_s": round(kpis.wall_s, 2), "peak_rss_mb": round(kpis.peak_rss_mb, 1)},
        "pull_wall_s": round(pulled.wall_s, 2),
    }


def growth(runs: Sequence[Mapping[str, Any]], key: str) -> float | None:
    """``log(y2/y1) / log(n2/n1)`` between the first and last run: 1.0 means linear in records."""
    if len(runs) < 2:
        return None
    first, last = runs[0], runs[-1]
    ratio = last["records"] / first["records"]
    if ratio <= 1 or first[key] <= 0:
        return None
    return round(math.log(last[key] / first[key]) / math.log(ratio), 2)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure every scale and write ``compute.json`` into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 3.0])
    parser.add_argument("--no-volume", action="store_true", help="The story's volume only.")
    parser.add_argument("--name", default="compute")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    volume = DemoVolume() if args.no_volume else DemoVolume.benchmark()
    load_before = os.getloadavg()
    runs = sorted((measure_compute(s, volume) for s in args.scales), key=lambda r: r["records"])
    exponents = {key: growth(runs, key) for key in ("mapping_s", "engine_s", "compute_s")}
    exponents["peak_rss_mb"] = growth(runs, "peak_rss_mb")
    return write_result(
        args.name,
        {
            "load": {"before": load_before, "after": os.getloadavg()},
            "volume": repr(volume),
            "runs": runs,
            "growth": exponents,
        },
        args.out,
    )


if __name__ == "__main__":
    main()
