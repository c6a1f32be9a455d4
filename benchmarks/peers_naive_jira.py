"""The peer a PMO would write first: the ``jira`` library, one search, then one update per issue.

Run as a measured child by `benchmarks.peers`, so its wall time and peak RSS are its own. It
does what a typical script does, and nothing cleverer:

- ``JIRA(server, basic_auth=...)`` (one ``serverInfo`` request, which tells it this is Cloud);
- ``search_issues(jql, maxResults=False)``: every matching issue, every field (the library's
  default ``*all``), 100 a page, all held in memory as ``Issue`` objects;
- with ``--changes``, ``issue.update(fields={...})`` for each issue named there: a ``PUT``,
  which the library follows with a ``GET`` of the issue to reload it.

It prints one JSON object: the issues found, the changes made, and how long each phase took
(the search and the updates), so the parent can tell the two phases apart.

Usage::

    python -m benchmarks.peers_naive_jira --server https://127.0.0.1:PORT/jira
        --user USER --token TOKEN --ca-bundle ca.pem --jql "project in (GRID, DIGI)"
        [--changes changes.json --field "Flywheel Stage"]

(one command line, split here).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from jira import JIRA


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The jira library, used as a typical script.")
    parser.add_argument("--server", required=True, help="the Jira base URL")
    parser.add_argument("--user", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--ca-bundle", type=Path, help="trust this authority (HTTPS sandbox)")
    parser.add_argument("--jql", required=True)
    parser.add_argument(
        "--changes", type=Path, help="a JSON object: issue key -> the option value to set"
    )
    parser.add_argument("--field", default="Flywheel Stage", help="the select field to set")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Search, then update; print and return what was done and how long each phase took."""
    args = _arguments(argv)
    started = time.perf_counter()
    options: dict[str, Any] = {"verify": str(args.ca_bundle)} if args.ca_bundle else {}
    jira = JIRA(server=args.server, basic_auth=(args.user, args.token), options=options)
    issues = jira.search_issues(args.jql, maxResults=False)
    searched = time.perf_counter()
    updated = 0
    if args.changes is not None:
        changes: dict[str, str] = json.loads(args.changes.read_text(encoding="utf-8"))
        field_id = next(f["id"] for f in jira.fields() if f["name"] == args.field)
        for issue in issues:
            value = changes.get(issue.key)
            if value is not None:
                issue.update(fields={field_id: {"value": value}})
                updated += 1
    finished = time.perf_counter()
    result = {
        "issues": len(issues),
        "updated": updated,
        "search_s": round(searched - started, 3),
        "update_s": round(finished - searched, 3),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
