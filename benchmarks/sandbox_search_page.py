"""How long the Jira emulator takes to serve a page of search results, by scale.

The sandbox must not slow down per request as the seeded organisation grows: a page of 100
issues at scale 30 (~100,000 issues) should cost about what it costs at scale 1. Measured over
real HTTP with a keep-alive session, as a connector sees it:

- ``cold_first_page_ms``: the very first search with this ORDER BY, which sorts every issue
  once (the order is then cached until the next write);
- ``first_page_ms``: the first page of a search (median; walks the cached order, filtering
  only until the page is full);
- ``next_page_ms``: a following page (a slice of the cached result);
- ``get_issue_ms``: one GET /issue (a dictionary lookup).

Usage::

    .venv/bin/python -m benchmarks.sandbox_search_page --scales 1 30 --out benchmarks/results
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer

AUTH = ("pmo-bot@northwind.example", "sandbox-jira-token")
JQL = "project in (GRID, DIGI, FIN, HRX, REG, CSV) ORDER BY updated DESC"
FIELDS = "summary,status,priority,assignee,duedate,updated"


def _timed(
    session: requests.Session, url: str, params: dict[str, Any]
) -> tuple[float, requests.Response]:
    started = time.perf_counter()
    response = session.get(url, params=params, timeout=60)
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000, response


def measure(scale: float, *, repeats: int, pages: int) -> dict[str, Any]:
    """Median timings at one scale."""
    build_started = time.perf_counter()
    with SandboxServer(SandboxOptions(scale=scale)) as sandbox:
        build_seconds = time.perf_counter() - build_started
        session = requests.Session()
        session.auth = AUTH
        url = f"{sandbox.url}/jira/rest/api/3/search/jql"
        first, following, single = [], [], []
        for _ in range(repeats):
            params: dict[str, Any] = {"jql": JQL, "fields": FIELDS, "maxResults": 100}
            elapsed, response = _timed(session, url, params)
            first.append(elapsed)
            token = response.json().get("nextPageToken")
            for _ in range(pages):
                if token is None:
                    break
                elapsed, response = _timed(session, url, {**params, "nextPageToken": token})
                following.append(elapsed)
                token = response.json().get("nextPageToken")
            key = response.json()["issues"][0]["key"]
            elapsed, _ = _timed(session, f"{sandbox.url}/jira/rest/api/3/issue/{key}", {})
            single.append(elapsed)
        issues = sandbox.state.organisation.jira_issue_count
    return {
        "scale": scale,
        "jira_issues": issues,
        "sandbox_start_s": round(build_seconds, 2),
        "cold_first_page_ms": round(first[0], 2),
        "first_page_ms": round(statistics.median(first), 2),
        "next_page_ms": round(statistics.median(following), 2),
        "get_issue_ms": round(statistics.median(single), 2),
        "samples": {"first": len(first), "next": len(following), "get": len(single)},
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark and write ``sandbox_search_page.json`` into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 30])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    results = {
        "benchmark": "sandbox_search_page",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": _cpus()},
        "runs": [measure(s, repeats=args.repeats, pages=args.pages) for s in args.scales],
    }
    text = json.dumps(results, indent=2)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "sandbox_search_page.json").write_text(text + "\n", encoding="utf-8")
    print(text)
    return results


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    main()
