"""Our side of the peers' per-issue updates: the same stage changes, as ``apply`` writes them.

Run as a measured child by `benchmarks.peers`. ``flywheel-sync apply`` writes Jira stage
fields through `JiraExecutor`, which reads the field's options once
(`JiraWriter.select_options`, one ``editmeta``), groups the issues moving to the same stage
and, on Cloud, sets each group with one asynchronous bulk edit per 1000 issues
(`JiraWriter.bulk_set_select`: submit, then poll once a second until done); a group smaller
than the executor's ``bulk_threshold`` is set issue by issue (`JiraWriter.set_fields`, one
``PUT`` each). This child makes exactly those calls, with the writer ``apply`` builds from
``flywheel.toml`` (`Connections`: same retry policy and CA bundle), for changes given as
issue key -> option value. The field id comes in as an argument, as ``apply`` reads it from
the store (no request).

The demo organisation cannot make ``apply`` itself plan thousands of stage changes: stages
belong to engagements (customer and service), a few dozen of them at any scale.

Usage::

    python -m benchmarks.peers_stage_push -c flywheel.toml --changes changes.json
        --field-id customfield_10010

(one command line, split here).
"""

from __future__ import annotations

import argparse
import json
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flywheel_sync.push.connections import Connections
from flywheel_sync.push.executors.jira import JiraExecutor
from flywheel_sync.settings.loading import load_configuration


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Stage changes as flywheel-sync apply writes them."
    )
    parser.add_argument("-c", "--config", type=Path, required=True, help="flywheel.toml")
    parser.add_argument("--source", default="jira:pmo", help="the Jira connection written")
    parser.add_argument(
        "--changes", type=Path, required=True, help="a JSON object: issue key -> option value"
    )
    parser.add_argument("--field-id", required=True, help="the select field, e.g. customfield_1")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Write the changes; print and return how many were made, and the write phase's time."""
    args = _arguments(argv)
    changes: dict[str, str] = json.loads(args.changes.read_text(encoding="utf-8"))
    configuration = load_configuration(args.config)
    started = time.perf_counter()
    with ExitStack() as stack:
        connections = Connections(configuration, stack)
        writer = connections.jira(args.source)
        executor = JiraExecutor(
            writer_for=connections.jira, clock=lambda: datetime.now(UTC), run_id="benchmark"
        )
        by_option: dict[str, list[str]] = {}
        for key, value in changes.items():
            options = writer.select_options(key, args.field_id)
            by_option.setdefault(options[value], []).append(key)
        edited = failed = bulk_groups = 0
        for option_id, keys in by_option.items():
            if len(keys) < executor.bulk_threshold:
                for key in keys:
                    writer.set_fields(key, {args.field_id: {"id": option_id}})
                edited += len(keys)
                continue
            outcome = writer.bulk_set_select(keys, field_id=args.field_id, option_id=option_id)
            edited += len(outcome.edited)
            failed += len(outcome.failed)
            bulk_groups += 1
    result = {
        "updated": edited,
        "failed": failed,
        "stage_groups": len(by_option),
        "bulk_edits": bulk_groups,
        "update_s": round(time.perf_counter() - started, 3),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
