"""Push at scale: 5,000 stage changes, 500 onboarding checklists, 100 KPI summaries.

Issue 8 asks what such a push costs: requests (bulk and batch against one request per
change), wall time, and whether the plan made right after it (and a pull) writes nothing.

The demo organisation has 16 engagements at any scale, so the benchmark grows engagements out
of the delivery issues, which do scale. It prepares them through the tools' own APIs, at
latency 0 and before anything is counted:

- **Jira**: the chosen delivery issues get the labels ``pmo-engagement`` and
  ``pmo-service:<service>`` (Cloud bulk edit). The benchmark's rules
  (``benchmarks/push_mapping.yaml``, on the starter's organisation, catalogue and KPIs) read
  each as an engagement of its project's customer, its stage from its workflow status, as
  the Data Center example does. Their Flywheel Stage field is empty: one stage write each.
  Those In Progress are in Service Onboarding (their service's steps become sub-tasks);
  those In Review are in Value Recognition (a KPI comment each).
- **Planner** and **Project**: some engagements get a twin task ("[GRID-12] <Service> for
  <Customer>") in their service's plan ($batch) or in the PMO Engagements project (Schedule
  API), in the Awareness Building bucket: the push moves it (and, in Project, labels it and
  writes a KPI note), and fills its checklist when it is in Service Onboarding.
- **Summaries**: a Confluence page and a Teams card per service and per customer (14 each
  with the starter catalogue), plus the Jira comments and Project notes above.

Then, each a child process: ``plan --json --pull`` (what will be written), and the push in
``sync``'s order: ``apply`` of the stage and checklist writes, a ``pull``, ``apply`` of the
summaries (the mapping's summary targets are switched off for the first apply, so no pull
is counted as push). The latency and rate limit asked for apply from the first apply on. A
last ``plan --json --pull`` must find nothing to write and no conflict.

Usage::

    .venv/bin/python -m benchmarks.push --latency-ms 0 30 --out benchmarks/results
    .venv/bin/python -m benchmarks.push --latency-ms 30 --rate-limit 10 --name push-limited
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import requests
import yaml

from benchmarks.harness import (
    FLYWHEEL,
    ChildRun,
    benchmark_sandbox,
    measure_child,
    sandbox_config,
    write_result,
)
from connectors.project.odata import ODataClient
from connectors.project.schedule_operations import ScheduleOperation, record_id_for
from connectors.project.schedule_writer import ScheduleWriter
from flywheel_sync.domain import FlywheelStage
from flywheel_sync.sandbox.faults import FaultSettings
from flywheel_sync.sandbox.server import SandboxServer
from flywheel_sync.templates import starter_text

__all__ = ["GROUPS", "Scenario", "choose", "main", "measure"]

RULES: Final = Path(__file__).with_name("push_mapping.yaml")
DELIVERY: Final = ("GRID", "DIGI", "FIN", "HRX", "REG", "CSV")
ONBOARDING, RECOGNITION = "In Progress", "In Review"
"""The statuses the benchmark's rules read as Service Onboarding and Value Recognition."""
TWIN_BUCKET: Final = FlywheelStage.AWARENESS_BUILDING.label
"""Where twins start: a stage no status maps to, so every twin moves."""
_TIMEOUT: Final = 120


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """The writes asked for, and how they are spread over the tools.

    Stage changes: a Jira field per engagement, a bucket per Planner twin, a bucket and a
    label per Project twin. Checklists: one per engagement in Service Onboarding and tool.
    Summaries: a page and a card per subject, a comment per engagement in Value Recognition,
    a KPI note per Project twin.
    """

    stage_changes: int = 5000
    checklists: int = 500
    summaries: int = 100
    planner_twins: int = 500
    project_twins: int = 36
    scale: float = 3.0
    subjects: int = 14
    """Services and customers of the starter catalogue."""

    @property
    def engagements(self) -> int:
        """Engagements, each one Jira stage write."""
        return self.stage_changes - self.planner_twins - 2 * self.project_twins

    @property
    def planner_onboarding(self) -> int:
        """Planner twins in Service Onboarding."""
        return min(self.planner_twins, self.checklists * 3 // 20)

    @property
    def project_onboarding(self) -> int:
        """Project twins in Service Onboarding."""
        return min(self.project_twins // 2, self.checklists // 25)

    @property
    def onboarding(self) -> int:
        """Engagements in Service Onboarding (twins included): Jira sub-tasks each."""
        return self.checklists - self.planner_onboarding - self.project_onboarding

    @property
    def comments(self) -> int:
        """Engagements in Value Recognition."""
        return self.summaries - 2 * self.subjects - self.project_twins

    @property
    def _others(self) -> int:
        return self.engagements - self.onboarding - self.comments

    @property
    def _twins_elsewhere(self) -> int:
        """Twins not in Service Onboarding."""
        return (
            self.planner_twins
            - self.planner_onboarding
            + self.project_twins
            - self.project_onboarding
        )

    def check(self) -> None:
        """Refuse sizes that do not add up.

        Raises:
            ValueError: Which count cannot be met.
        """
        problems = (
            (self.comments < 0, f"summaries must be at least {2 * self.subjects} + twins"),
            (self.engagements < self.onboarding + self.comments, "too few stage changes"),
            (self._others < self._twins_elsewhere, "too many twins for the stage changes"),
        )
        for failed, message in problems:
            if failed:
                raise ValueError(f"{message}: {self}")


@dataclass(frozen=True, kw_only=True)
class Engagement:
    """A delivery issue made an engagement, and whether it has twins."""

    key: str
    service: str
    planner: bool = False
    project: bool = False


def _order(key: str) -> tuple[str, int]:
    project, _, number = key.partition("-")
    return project, int(number)


def _spread(keys: Sequence[str], count: int) -> list[str]:
    """``count`` keys taken evenly across ``keys`` (every project, old issues and new)."""
    return [keys[int(n * len(keys) / count)] for n in range(count)] if count > 0 else []


def choose(sandbox: SandboxServer, scenario: Scenario, services: Sequence[str]) -> list[Engagement]:
    """The delivery issues made engagements: the same for the same seed and scale.

    Raises:
        ValueError: The sandbox has too few issues in a status the scenario needs.
    """
    pools: dict[str, list[str]] = {ONBOARDING: [], RECOGNITION: [], "other": []}
    for issue in sandbox.state.organisation.jira.issues:
        fields = issue.fields
        if fields["project"]["key"] in DELIVERY and not fields["issuetype"]["subtask"]:
            status = fields["status"]["name"]
            pools[status if status in pools else "other"].append(issue.key)
    wanted = {
        ONBOARDING: scenario.onboarding,
        RECOGNITION: scenario.comments,
        "other": scenario.engagements - scenario.onboarding - scenario.comments,
    }
    picked: dict[str, list[str]] = {}
    for pool, count in wanted.items():
        if len(pools[pool]) < count:
            raise ValueError(
                f"scale {scenario.scale:g} has {len(pools[pool])} {pool} delivery issues, "
                f"{count} needed: raise --scale"
            )
        picked[pool] = _spread(sorted(pools[pool], key=_order), count)
    onboarding, other = picked[ONBOARDING], picked["other"]
    split = scenario.planner_onboarding + scenario.project_onboarding
    planner = (
        onboarding[: scenario.planner_onboarding]
        + other[: scenario.planner_twins - scenario.planner_onboarding]
    )
    rest = other[scenario.planner_twins - scenario.planner_onboarding :]
    project = (
        onboarding[scenario.planner_onboarding : split]
        + rest[: scenario.project_twins - scenario.project_onboarding]
    )
    chosen = sorted([key for keys in picked.values() for key in keys], key=_order)
    in_planner, in_project = set(planner), set(project)
    return [
        Engagement(
            key=key,
            service=services[number % len(services)],
            planner=key in in_planner,
            project=key in in_project,
        )
        for number, key in enumerate(chosen)
    ]


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Preparation:
    """What the benchmark makes through the sandbox's APIs before measuring."""

    def __init__(self, sandbox: SandboxServer, mapping: Mapping[str, Any]) -> None:
        self.url = sandbox.url
        credentials = sandbox.options.credentials
        self.session = requests.Session()
        self.jira_auth = (credentials.atlassian_user, credentials.jira_token)
        self.graph_token = credentials.graph_token
        self.dataverse_token = credentials.dataverse_token
        self.group_id = str(sandbox.state.organisation.group_id)
        self.services = {str(s["id"]): str(s["name"]) for s in mapping["services"]}
        self.customers = {
            str(a): str(c["name"]) for c in mapping["customers"] for a in c["aliases"]
        }

    def _send(self, method: str, url: str, body: Any = None, **options: Any) -> Any:
        answer = self.session.request(method, url, json=body, timeout=_TIMEOUT, **options)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def _jira(self, method: str, path: str, body: Any = None) -> Any:
        url = f"{self.url}/jira/rest/api/3/{path}"
        return self._send(method, url, body, auth=self.jira_auth)

    def _graph(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.graph_token}"}
        return self._send(method, f"{self.url}/graph/v1.0/{path}", body, headers=headers)

    def _title(self, engagement: Engagement) -> str:
        project = engagement.key.partition("-")[0]
        service, customer = self.services[engagement.service], self.customers[project]
        return f"[{engagement.key}] {service} for {customer}"

    def label(self, engagements: Sequence[Engagement]) -> int:
        """Label the issues (bulk edit, 1,000 a request, one service at a time): requests."""
        by_service: dict[str, list[str]] = {}
        for engagement in engagements:
            by_service.setdefault(engagement.service, []).append(engagement.key)
        sent = 0
        for service, keys in by_service.items():
            labels = [{"name": "pmo-engagement"}, {"name": f"pmo-service:{service}"}]
            edit = {"fieldId": "labels", "bulkEditMultiSelectFieldOption": "ADD", "labels": labels}
            for chunk in _chunks(keys, 1000):
                body = {
                    "selectedIssueIdsOrKeys": chunk,
                    "selectedActions": ["labels"],
                    "editedFieldsInput": {"labelsFields": [edit]},
                    "sendBulkNotification": False,
                }
                task = str(self._jira("POST", "bulk/issues/fields", body)["taskId"])
                while (progress := self._jira("GET", f"bulk/queue/{task}"))["status"] in (
                    "ENQUEUED",
                    "RUNNING",
                ):
                    time.sleep(0.05)
                if len(progress.get("processedAccessibleIssues") or []) != len(chunk):
                    raise RuntimeError(f"labelling bulk edit {task} ended: {progress}")
                sent += 1
        return sent

    def planner_twins(self, engagements: Sequence[Engagement]) -> int:
        """A task per twin in its service's plan, 20 a ``$batch``: requests."""
        plans = self._graph("GET", f"groups/{self.group_id}/planner/plans")["value"]
        places = {}
        for plan in plans:
            buckets = self._graph("GET", f"planner/plans/{plan['id']}/buckets")["value"]
            bucket = next(b["id"] for b in buckets if b["name"] == TWIN_BUCKET)
            places[str(plan["title"])] = {"planId": plan["id"], "bucketId": bucket}
        steps = [
            {
                "id": str(number),
                "method": "POST",
                "url": "/planner/tasks",
                "headers": {"Content-Type": "application/json"},
                "body": {**places[self.services[e.service]], "title": self._title(e)},
            }
            for number, e in enumerate(engagements)
        ]
        for chunk in _chunks(steps, 20):
            answers = self._graph("POST", "$batch", {"requests": list(chunk)})["responses"]
            if refused := [a for a in answers if a["status"] != 201]:
                raise RuntimeError(f"Planner refused a twin task: {refused[0]}")
        return (len(steps) + 19) // 20

    def project_twins(self, engagements: Sequence[Engagement]) -> int:
        """A task per twin in PMO Engagements, without a label: tasks made."""
        if not engagements:
            return 0
        client = ODataClient(
            source="project:benchmark",
            environment_url=f"{self.url}/dataverse",
            token=self.dataverse_token,
        )
        try:
            (project,) = _rows(client, "msdyn_projects", "msdyn_subject eq 'PMO Engagements'")
            project_id = str(project["msdyn_projectid"])
            buckets = _rows(client, "msdyn_projectbuckets", f"_msdyn_project_value eq {project_id}")
            bucket = next(b for b in buckets if b["msdyn_name"] == TWIN_BUCKET)
            binds = {
                "msdyn_project@odata.bind": f"/msdyn_projects({project_id})",
                "msdyn_projectbucket@odata.bind": (
                    f"/msdyn_projectbuckets({bucket['msdyn_projectbucketid']})"
                ),
            }
            operations = [
                ScheduleOperation(
                    kind="create",
                    entity="msdyn_projecttask",
                    record_id=record_id_for(f"benchmark/{e.key}"),
                    key=e.key,
                    fields={"msdyn_subject": self._title(e), **binds},
                )
                for e in engagements
            ]
            writer = ScheduleWriter(client, source="project:benchmark", poll_interval=0.05)
            outcomes = writer.run(project_id, operations, description="push benchmark twins")
        finally:
            client.close()
        if refused := [o for o in outcomes if o.status != "landed"]:
            raise RuntimeError(f"Project refused a twin task: {refused[0]}")
        return len(outcomes)


def _rows(client: ODataClient, entity_set: str, where: str) -> list[Mapping[str, Any]]:
    return [row for page in client.pages(entity_set, [("$filter", where)]) for row in page.rows]


GROUPS: Final = (
    (
        "jira stage field",
        ("flywheel_stage.jira",),
        r"^\w+ /jira/.*(/bulk/|/editmeta$)|^PUT /jira/.*/issue/\{issue\}$",
    ),
    ("jira sub-tasks", ("onboarding_checklists.jira",), r"^\w+ /jira/.*/issue/(bulk|bulkfetch)$"),
    ("jira comments", ("kpi_summaries.jira_comment",), r"^\w+ /jira/.*/comment$"),
    (
        "planner buckets and checklists",
        ("flywheel_stage.planner", "onboarding_checklists.planner"),
        r"^POST /graph/v1\.0/\$batch$",
    ),
    (
        "project buckets, labels, checklists, notes",
        ("flywheel_stage.project", "onboarding_checklists.project", "kpi_summaries.project"),
        r"^\w+ /dataverse/",
    ),
    ("confluence pages", ("kpi_summaries.confluence",), r"^\w+ /confluence/"),
    ("teams cards", ("kpi_summaries.teams",), r"^\w+ /workflows/"),
)
"""Push targets grouped as their writes share requests, and the routes those requests take.

A Jira stage field goes one issue at a time (``PUT /issue``) when fewer than the executor's
``bulk_threshold`` issues move to that stage. Requests in no group are counted as ``other``.
"""


@dataclass(frozen=True, kw_only=True)
class Step:
    """One measured child, its requests by route without the steps of ``$batch`` requests."""

    run: ChildRun
    http: Mapping[str, int]

    @property
    def http_requests(self) -> int:
        """HTTP requests made (a ``$batch`` is one, whatever it carries)."""
        return sum(self.http.values())

    def figures(self) -> dict[str, Any]:
        """The JSON-ready figures."""
        return {**self.run.summary(), "http_requests": self.http_requests, "routes": self.http}


def _child(sandbox: SandboxServer, config: Path, *command: str) -> Step:
    run = measure_child([*FLYWHEEL, "-c", str(config), *command], sandbox)
    steps: Mapping[str, int] = sandbox.state.stats.traffic()["batch_steps"]
    if run.exit_code != 0:
        raise RuntimeError(f"{' '.join(command)} exited {run.exit_code}:\n{run.stderr[-3000:]}")
    http = {route: n - steps.get(route, 0) for route, n in run.requests.items()}
    return Step(run=run, http={route: n for route, n in http.items() if n})


def _mappings() -> tuple[str, str]:
    """The starter mapping with the benchmark's rules and push targets, twice.

    First with the summary targets off (the first apply: stage and checklist writes), then
    as written.
    """
    mapping = yaml.safe_load(starter_text("mapping.yaml"))
    ours = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    mapping["rules"], mapping["push"] = ours["rules"], ours["push"]
    full = yaml.safe_dump(mapping, sort_keys=False)
    for target in mapping["push"]["kpi_summaries"].values():
        target["enabled"] = False
    return yaml.safe_dump(mapping, sort_keys=False), full


def _writes(plan: Mapping[str, Any]) -> dict[str, Any]:
    changes = plan["changes"]
    return {
        "total": len(changes),
        "stage_changes": sum(c["target"].startswith("flywheel_stage.") for c in changes),
        "checklists": len({(c["target"], c["ref"]) for c in changes if "checklist" in c["target"]}),
        "checklist_steps": sum(c["target"].startswith("onboarding_") for c in changes),
        "summaries": sum(c["target"].startswith("kpi_summaries.") for c in changes),
        "by_target": plan["summary"]["by_target"],
    }


def _targets(by_target: Mapping[str, int], *steps: Step) -> list[dict[str, Any]]:
    """Writes and requests per group of targets (`GROUPS`), and what fell in none."""
    requests_by_group: Counter[str] = Counter()
    for step in steps:
        for route, count in step.http.items():
            name = next((n for n, _, pattern in GROUPS if re.search(pattern, route)), "other")
            requests_by_group[name] += count
    rows = []
    for name, targets, _ in (*GROUPS, ("other", (), "")):
        writes = sum(by_target.get(target, 0) for target in targets)
        count = requests_by_group[name]
        if writes or count:
            rows.append({"targets": name, "writes": writes, "requests": count})
    return rows


def measure(
    scenario: Scenario, *, latency_ms: float, rate_limit: float | None = None
) -> dict[str, Any]:
    """Prepare a sandbox, plan, push (as ``sync`` does), pull and plan again."""
    scenario.check()
    tools_first, full = _mappings()
    load_before = os.getloadavg()
    with (
        benchmark_sandbox(scale=scenario.scale) as sandbox,
        tempfile.TemporaryDirectory(prefix="push-benchmark-") as folder,
    ):
        config = sandbox_config(sandbox, Path(folder))
        mapping = Path(folder) / "mapping.yaml"
        mapping.write_text(full, encoding="utf-8")
        catalogue = yaml.safe_load(full)
        engagements = choose(sandbox, scenario, [str(s["id"]) for s in catalogue["services"]])
        tools = Preparation(sandbox, catalogue)
        prepared = {
            "engagements": len(engagements),
            "jira_bulk_edits": tools.label(engagements),
            "planner_batches": tools.planner_twins([e for e in engagements if e.planner]),
            "project_tasks": tools.project_twins([e for e in engagements if e.project]),
        }
        plan = json.loads(_child(sandbox, config, "plan", "--json", "--pull").run.stdout)
        sandbox.state.faults.update(
            FaultSettings(latency_ms=latency_ms, rate_limit=rate_limit),
            {"latency_ms", "rate_limit"},
        )
        mapping.write_text(tools_first, encoding="utf-8")
        tool_writes = _child(sandbox, config, "apply", "--yes")
        mapping.write_text(full, encoding="utf-8")
        reread = _child(sandbox, config, "pull")
        summaries = _child(sandbox, config, "apply", "--yes")
        replan = json.loads(_child(sandbox, config, "plan", "--json", "--pull").run.stdout)
    writes = _writes(plan)
    pushed = (tool_writes, summaries)
    requests_made = sum(step.http_requests for step in pushed)
    return {
        "latency_ms": latency_ms,
        "rate_limit": rate_limit,
        "scale": scenario.scale,
        "load_average": {
            "before": [round(n, 2) for n in load_before],
            "after": [round(n, 2) for n in os.getloadavg()],
        },
        "prepared": prepared,
        "writes": writes,
        "push": {
            "wall_s": round(sum(step.run.wall_s for step in pushed), 3),
            "http_requests": requests_made,
            "throttled": sum(step.run.throttled for step in pushed),
            "peak_rss_mb": round(max(step.run.peak_rss_mb for step in pushed), 1),
        },
        "one_request_per_change": writes["total"],
        "fewer_than_one_by_one": round(writes["total"] / max(requests_made, 1), 1),
        "targets": _targets(writes["by_target"], *pushed),
        "replan": {
            "writes": len(replan["changes"]),
            "conflicts": len(replan["conflicts"]),
            "first": (replan["changes"] + replan["conflicts"])[:5],
        },
        "steps": {
            "apply_stages_and_checklists": tool_writes.figures(),
            "pull_between": reread.figures(),
            "apply_summaries": summaries.figures(),
        },
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark and write ``<name>.json`` into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    defaults = Scenario()
    parser.add_argument("--stage-changes", type=int, default=defaults.stage_changes)
    parser.add_argument("--checklists", type=int, default=defaults.checklists)
    parser.add_argument("--summaries", type=int, default=defaults.summaries)
    parser.add_argument("--planner-twins", type=int, default=defaults.planner_twins)
    parser.add_argument("--project-twins", type=int, default=defaults.project_twins)
    parser.add_argument("--scale", type=float, default=defaults.scale)
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0])
    parser.add_argument("--rate-limit", type=float, default=None, help="requests/s per service")
    parser.add_argument("--name", default="push")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    scenario = Scenario(
        stage_changes=args.stage_changes,
        checklists=args.checklists,
        summaries=args.summaries,
        planner_twins=args.planner_twins,
        project_twins=args.project_twins,
        scale=args.scale,
    )
    runs = [measure(scenario, latency_ms=ms, rate_limit=args.rate_limit) for ms in args.latency_ms]
    return write_result(args.name, {"runs": runs}, args.out)


if __name__ == "__main__":
    main()
