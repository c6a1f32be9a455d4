"""The measured side of `benchmarks.compute`: mapping and engine over a pulled store, timed.

Run as a child process (``python -m benchmarks.compute_child -c flywheel.toml``) so its memory
is its own. It does what ``pull`` does after reading (map the stored records and save the
entities: `refresh_entities`) and what ``kpis`` does before printing (read the entities back
as a portfolio and run the engine: `compute`), timing each phase, and prints one JSON object:
seconds and peak RSS so far after each phase, and how many records and entities there were.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["main"]

T = TypeVar("T")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _timed(phases: dict[str, Any], name: str, work: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = work()
    phases[name] = {
        "seconds": round(time.perf_counter() - started, 3),
        "peak_rss_mb": round(_peak_mb(), 1),
        "rss_mb": round(_rss_mb(), 1),
    }
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Map the store's records, then run the engine; print and return the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-c", "--config", type=Path, required=True)
    args = parser.parse_args(argv)
    phases: dict[str, Any] = {}
    started = time.perf_counter()

    def setup() -> Any:
        from flywheel_sync.engine import Portfolio, compute
        from flywheel_sync.mapping import refresh_entities
        from flywheel_sync.settings import load_configuration
        from flywheel_sync.store import open_configured_store

        configuration = load_configuration(args.config)
        return configuration, open_configured_store, refresh_entities, Portfolio, compute

    configuration, open_store, refresh, portfolio_of, compute = _timed(phases, "imports", setup)
    now = datetime.now(UTC)
    with open_store(configuration.settings.store, base_dir=configuration.base_dir) as store:
        outcome = _timed(phases, "mapping", lambda: refresh(configuration.mapping, store, now=now))
        portfolio = _timed(
            phases, "portfolio", lambda: portfolio_of.from_entities(store.entities.iter_entities())
        )
        result = _timed(
            phases, "engine", lambda: compute(portfolio, configuration.mapping, now=now)
        )
    counts = outcome.counts()
    figures = {
        "records": counts.get("records", 0),
        "entities": {k.removeprefix("entities."): v for k, v in counts.items() if "." in k},
        "kpi_readings": len(result.kpis),
        "symptoms": len(result.symptoms),
        "phases": phases,
        "total_s": round(time.perf_counter() - started, 3),
    }
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
