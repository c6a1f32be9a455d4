"""Drive ``flywheel-sync`` commands against a sandbox and read the tools back with real clients.

The reads go through the same client libraries a user's tools would see: the jira library,
msgraph-sdk's request adapter (`GraphSession`), atlassian-python-api (`ConfluenceSite`), and
the sandbox's Workflows inbox for cards (a webhook cannot be read back).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from connectors.confluence import ConfluenceSite
from connectors.graph import GraphSession
from connectors.graph.planner_writer import PlannerPatch, PlannerWriter
from connectors.jira import BasicAuth
from connectors.retry import RetryPolicy
from flywheel_sync.cli.main import run
from flywheel_sync.sandbox.server import SandboxServer
from flywheel_sync.sandbox.services import SandboxCredentials
from flywheel_sync.store import Store, open_store
from tests.integration.pull_helpers import store_url

__all__ = [
    "CliRun",
    "cli",
    "confluence_site",
    "inbox",
    "lean_mapping",
    "move_task",
    "planner_writer",
    "store_of",
]

CREDENTIALS = SandboxCredentials()
NO_WAIT = RetryPolicy(max_attempts=3, sleep=lambda _: None)


@dataclass(frozen=True, kw_only=True)
class CliRun:
    """How one command ended and what it printed."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """The JSON the command printed on stdout."""
        return json.loads(self.stdout)


_DELIVERY_RULES = frozenset({"delivery-work"})


def lean_mapping(config: Path) -> None:
    """Drop the delivery-work rule from the starter mapping: push tests need the engagements.

    Its 3,300 delivery issues feed KPIs and symptoms, which these tests do not look at;
    without them a pull reads about 300 records instead of 3,600.
    """
    path = config.parent / "mapping.yaml"
    mapping = yaml.safe_load(path.read_text())
    mapping["rules"] = [r for r in mapping["rules"] if r["name"] not in _DELIVERY_RULES]
    mapping["kpis"] = [
        k
        for k in mapping["kpis"]
        if not set((k.get("custom") or {}).get("rules", ())) & _DELIVERY_RULES
    ]
    path.write_text(yaml.safe_dump(mapping, sort_keys=False))


def cli(config: Path, *args: str) -> CliRun:
    """Run ``flywheel-sync -c config ARGS`` in this process, capturing its output."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            run(["-c", str(config), *args])
        except SystemExit as ended:
            code = int(ended.code or 0)
        else:  # pragma: no cover - run() always ends with SystemExit
            raise AssertionError("flywheel-sync returned without an exit code")
    return CliRun(exit_code=code, stdout=out.getvalue(), stderr=err.getvalue())


@contextmanager
def store_of(config: Path) -> Iterator[Store]:
    """The store ``config`` names (the starter's SQLite file, or `use_store`'s database)."""
    with open_store(store_url(config)) as store:
        yield store


@contextmanager
def planner_writer(sandbox: SandboxServer) -> Iterator[PlannerWriter]:
    """Planner through msgraph-sdk's request adapter, as the connectors use it."""
    with GraphSession(
        base_url=f"{sandbox.url}/graph/v1.0", token=CREDENTIALS.graph_token
    ) as session:
        yield PlannerWriter(session=session, source="planner:northwind", policy=NO_WAIT)


def move_task(sandbox: SandboxServer, task_id: str, bucket_name: str) -> None:
    """A person moves a Planner task into the bucket of that name (in its own plan)."""
    with planner_writer(sandbox) as writer:
        task = writer.task(task_id)
        buckets = writer.session.get_json(
            f"/planner/plans/{task['planId']}/buckets", source="test"
        )["value"]
        bucket = next(b for b in buckets if b["name"] == bucket_name)
        [outcome] = writer.patch(
            [
                PlannerPatch(
                    target="task",
                    item_id=task_id,
                    etag=str(task["@odata.etag"]),
                    body={"bucketId": bucket["id"]},
                )
            ]
        )
        assert outcome.status == "applied", outcome


def bucket_of(sandbox: SandboxServer, task_id: str) -> str:
    """The name of the bucket a Planner task is in."""
    with planner_writer(sandbox) as writer:
        task = writer.task(task_id)
        buckets = writer.session.get_json(
            f"/planner/plans/{task['planId']}/buckets", source="test"
        )["value"]
        return str(next(b["name"] for b in buckets if b["id"] == task["bucketId"]))


def confluence_site(sandbox: SandboxServer) -> ConfluenceSite:
    """Confluence Cloud through atlassian-python-api."""
    return ConfluenceSite(
        source="confluence:pmo",
        url=f"{sandbox.url}/confluence",
        auth=BasicAuth(user=CREDENTIALS.atlassian_user, token=CREDENTIALS.confluence_token),
        flavour="cloud",
        policy=NO_WAIT,
    )


def inbox(sandbox: SandboxServer) -> list[dict[str, Any]]:
    """The cards the sandbox's Workflows webhooks accepted, oldest first."""
    answer: dict[str, Any] = httpx.get(f"{sandbox.url}/_sandbox/inbox", timeout=30).json()
    return list(answer["cards"])
