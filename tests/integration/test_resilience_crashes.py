"""``kill -9`` at random points of ``pull`` and ``sync``: the next run loses and repeats nothing.

Every killed run is a child process (`CliProcess`) that `KillSwitch` sends SIGKILL a random
few milliseconds after the sandbox counted the k-th request of the run, k drawn by a seeded
random generator: kills land between pages of a scope, between a page and its watermark,
while records are mapped, between a write and its outbox entry, while the Schedule API
persists an operation set, and in the store's bookkeeping. Each seed starts from a fresh
store (and, for ``sync``, a fresh sandbox), so the kills of one seed pile up on one history.

**Pull.** One sandbox, never written to, is pulled cleanly into one store, and pulled with
kills into the store of each seed, then once more to the end. Each store must then hold the
clean pull's records, id for id and payload for payload, each once, and the same entities.

**Sync.** People move five engagements into Service Onboarding, so a sync has every kind of
write to make (`resilience_helpers.ONBOARDING`). Per seed, the syncs are killed at random
requests: the first kill counted on Project Schedule API requests only (every Project write
is still to make then), so that it lands among the operation sets, the later ones on any
request; then one more ``sync`` must exit 0, and then:

- every onboarding sub-task, Planner checklist item, summary page, Project checklist row,
  Project label link and stage comment exists exactly once, and none is missing;
- the store and the tools hold what one uninterrupted sync leaves (`test_resilience_faults`
  explains what is taken out of the comparison), cards aside: a webhook cannot be read
  back, so a kill right after Teams accepted a card and before the outbox recorded it
  repeats that card. Every card is posted at least once, no other write more than once;
- ``plan --pull`` finds nothing to write.

The default run kills 10 pulls (two seeds, five kills piled on each store) and 6 syncs (two
seeds, three each); the ``slow`` variants kill 50 pulls and 60 syncs over ten seeds each,
and a few more with the store on PostgreSQL.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from flywheel_sync.push.targets.summaries import PAGE_MARKER
from flywheel_sync.report.jira_comment import comment_has_marker
from flywheel_sync.sandbox.dataverse.tables import PROJECT_CHECKLIST, PROJECT_TASK_LABEL
from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.graph.planner.kinds import PlannerKind
from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer
from flywheel_sync.store import StoredRecord
from tests.integration.pull_helpers import RecordKey, configure, stored_records, use_store
from tests.integration.push_helpers import cli, lean_mapping, store_of
from tests.integration.resilience_helpers import (
    CliProcess,
    KillSwitch,
    Normaliser,
    cards_short_of,
    killed,
    move_into_onboarding,
    slow_seeds,
    store_state,
    stored_rows,
    tool_state,
)

TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
SANDBOX = SandboxOptions(now=TODAY, project_persist_seconds=0.2)
"""Operation sets persist a moment after Execute answered, as Project's do: kills land there."""


def _is_schedule_api(route: str) -> bool:
    """A Project Schedule API request: an action (open, stage, execute) or a set's poll."""
    return route.startswith("POST /dataverse/") or "/msdyn_operationsets(" in route


@dataclass
class Campaign:
    """What the kills of one seed did: how many, and after which requests they landed."""

    seed: int
    kills: int = 0
    attempts: int = 0
    landed_after: list[str] = field(default_factory=list)
    unkilled: list[str] = field(default_factory=list)
    """Runs that ended before their kill point: exit code and the end of their output."""


KillPoint = tuple[Callable[[str], bool], int]
"""Which requests count, and after how many of them the child is killed."""


def _kill_repeatedly(
    sandbox: SandboxServer,
    config: Path,
    command: str,
    campaign: Campaign,
    *,
    kills: int,
    kill_point: Callable[[random.Random, int], KillPoint],
    until_finished: bool,
) -> None:
    """Run ``command`` in children until ``kills`` of them were killed.

    ``kill_point(rng, attempt)`` draws where attempt number ``attempt`` is killed. A run
    that ends before its kill point stops the campaign when ``until_finished`` (nothing is
    left to interrupt); otherwise the next attempt draws again.
    """
    rng = random.Random(campaign.seed)  # noqa: S311 - when to kill, not a secret
    switch = KillSwitch(sandbox, rng)
    try:
        for attempt in range(3 * kills):
            if campaign.kills == kills:
                return
            switch.counts, after = kill_point(rng, attempt)
            child = CliProcess(config, command)
            switch.arm(child, after=after)
            code = child.wait()
            campaign.attempts += 1
            if killed(code):
                campaign.kills += 1
                campaign.landed_after.append(switch.landed_after or "?")
                continue
            assert code in (0, 1), f"{command} ended with {code}: see {config.parent}/runs.log"
            log = (config.parent / "runs.log").read_text(encoding="utf-8", errors="replace")
            campaign.unkilled.append(f"attempt {attempt} ended {code}: …{log[-600:]}")
            if until_finished:
                return
    finally:
        switch.disarm()


def _any_request(route: str) -> bool:
    return True


def _halved(rng: random.Random, requests: int, attempt: int) -> int:
    """A kill point among ``requests``, the range halved per attempt.

    Runs resumed after a kill make fewer requests, and a kill point past a run's end would
    not fire.
    """
    return rng.randint(1, max(1, requests >> attempt))


# ------------------------------------------------------------------ pull

PULL_SEEDS = (11, 12)
SLOW_PULL_SEEDS = slow_seeds(100)
KILLS_PER_PULL_SEED = 5
"""Five kills pile up on each store before the pull that runs to the end."""
PULL_KILLS = len(PULL_SEEDS) * KILLS_PER_PULL_SEED


@dataclass(frozen=True, kw_only=True)
class CleanPull:
    sandbox: SandboxServer
    records: dict[RecordKey, StoredRecord]
    entities: list[Any]
    requests: int
    """Requests one full pull makes: the range kills are drawn from."""


def _entities(config: Path) -> list[Any]:
    with store_of(config) as store:
        return sorted(
            (e.kind, e.entity_id, e.name, e.flywheel_stage, e.experience_stage, e.payload)
            for e in store.entities.iter_entities()
        )


@pytest.fixture(scope="module")
def clean_pull(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CleanPull]:
    """A sandbox nobody writes to, pulled once to the end (the lean mapping: 640 records)."""
    with SandboxServer(SandboxOptions(now=TODAY)) as sandbox:
        config = configure(tmp_path_factory.mktemp("clean-pull"), sandbox)
        lean_mapping(config)
        before = sandbox.state.stats.snapshot()["total"]
        assert cli(config, "pull").exit_code == 0
        yield CleanPull(
            sandbox=sandbox,
            records=stored_records(config),
            entities=_entities(config),
            requests=sandbox.state.stats.snapshot()["total"] - before,
        )


@dataclass(frozen=True, kw_only=True)
class KilledPulls:
    campaign: Campaign
    final_exit_code: int
    records: dict[RecordKey, StoredRecord]
    rows: int
    entities: list[Any]


def _killed_pulls(
    folder: Path, clean: CleanPull, seed: int, store: str | None = None
) -> KilledPulls:
    config = configure(folder, clean.sandbox)
    lean_mapping(config)
    use_store(config, store)
    campaign = Campaign(seed=seed)
    _kill_repeatedly(
        clean.sandbox,
        config,
        "pull",
        campaign,
        kills=KILLS_PER_PULL_SEED,
        kill_point=lambda rng, attempt: (_any_request, _halved(rng, clean.requests, attempt)),
        until_finished=False,
    )
    final = cli(config, "pull")
    return KilledPulls(
        campaign=campaign,
        final_exit_code=final.exit_code,
        records=stored_records(config),
        rows=stored_rows(config),
        entities=_entities(config),
    )


@pytest.fixture(scope="module")
def killed_pulls(
    clean_pull: CleanPull, tmp_path_factory: pytest.TempPathFactory
) -> dict[int, KilledPulls]:
    return {
        seed: _killed_pulls(tmp_path_factory.mktemp(f"pull-{seed}"), clean_pull, seed)
        for seed in PULL_SEEDS
    }


def _content(records: dict[RecordKey, StoredRecord]) -> dict[RecordKey, str]:
    return {key: record.content_hash for key, record in records.items()}


def test_the_pulls_were_killed_as_planned(killed_pulls: dict[int, KilledPulls]) -> None:
    assert sum(pulls.campaign.kills for pulls in killed_pulls.values()) == PULL_KILLS


@pytest.mark.parametrize("seed", PULL_SEEDS)
def test_after_killed_pulls_the_next_pull_stores_every_record_once(
    killed_pulls: dict[int, KilledPulls], clean_pull: CleanPull, seed: int
) -> None:
    pulls = killed_pulls[seed]

    assert pulls.final_exit_code == 0
    assert _content(pulls.records) == _content(clean_pull.records)
    assert pulls.rows == len(clean_pull.records)


@pytest.mark.parametrize("seed", PULL_SEEDS)
def test_after_killed_pulls_the_entities_are_those_of_a_clean_pull(
    killed_pulls: dict[int, KilledPulls], clean_pull: CleanPull, seed: int
) -> None:
    assert killed_pulls[seed].entities == clean_pull.entities


def _loses_and_repeats_nothing(pulls: KilledPulls, clean: CleanPull) -> None:
    assert pulls.campaign.kills == KILLS_PER_PULL_SEED
    assert pulls.final_exit_code == 0
    assert _content(pulls.records) == _content(clean.records)
    assert pulls.rows == len(clean.records)
    assert pulls.entities == clean.entities


@pytest.mark.slow
@pytest.mark.parametrize("seed", SLOW_PULL_SEEDS)
def test_many_killed_pulls_lose_and_repeat_nothing(
    clean_pull: CleanPull, tmp_path: Path, seed: int
) -> None:
    _loses_and_repeats_nothing(_killed_pulls(tmp_path, clean_pull, seed), clean_pull)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SLOW_PULL_SEEDS[:3])
def test_killed_pulls_into_postgresql_lose_and_repeat_nothing(
    clean_pull: CleanPull, tmp_path: Path, postgres_url: str, seed: int
) -> None:
    pulls = _killed_pulls(tmp_path, clean_pull, seed, store=postgres_url)

    _loses_and_repeats_nothing(pulls, clean_pull)


# ------------------------------------------------------------------ sync

SYNC_SEEDS = (20261205, 20261206)
STORE_PARTS = ("entities", "owned", "owned versions")
TOOL_PARTS = ("jira", "planner", "confluence", "page versions", "project")
"""Compared for equality: a killed run never publishes a summary from a partial state."""
SLOW_SYNC_SEEDS = slow_seeds(300)
KILLS_PER_SYNC_SEED = 3
SLOW_KILLS_PER_SYNC_SEED = 6


@dataclass(frozen=True, kw_only=True)
class Synced:
    """What a sandbox and its store hold after the sync that ran to its end."""

    exit_code: int
    output: str
    left_to_write: list[dict[str, Any]]
    store: dict[str, Any]
    tools: dict[str, Any]
    created: dict[str, Counter[str]]
    requests: int
    schedule_requests: int


def created_objects(sandbox: SandboxServer) -> dict[str, Counter[str]]:
    """The objects a sync creates, each named by what it is, counted (2 would be a repeat)."""
    state = sandbox.state
    with state.jira.lock:
        sub_tasks = Counter(
            f"{issue.fields['parent']['key']}/{issue.fields['summary']}"
            for issue in state.jira.issues
            if issue.fields["issuetype"].get("subtask") and issue.fields.get("parent")
        )
        comments = Counter(
            f"{issue.key}/{json.dumps(comment['body'], sort_keys=True)}"
            for issue in state.jira.issues
            for comment in issue.comments
            if comment_has_marker(comment["body"], "flywheel-sync:")
        )
    with state.planner.lock:
        items = Counter(
            f"{details.id}/{item['title']}"
            for details in state.planner.objects(PlannerKind.TASK_DETAILS)
            for item in (details.body.get("checklist") or {}).values()
        )
    pages = Counter(
        page.title for page in state.confluence.pages.values() if PAGE_MARKER in page.properties
    )
    rows = Counter(
        f"{row['_msdyn_projecttaskid_value']}/{row['msdyn_name']}"
        for row in state.dataverse.rows(PROJECT_CHECKLIST)
    )
    links = Counter(
        f"{row['_msdyn_projecttaskid_value']}/{row['_msdyn_projectlabelid_value']}"
        for row in state.dataverse.rows(PROJECT_TASK_LABEL)
    )
    return {
        "onboarding sub-tasks": sub_tasks,
        "Planner checklist items": items,
        "summary pages": pages,
        "Project checklist rows": rows,
        "Project label links": links,
        "stage comments": comments,
    }


def _sync_to_the_end(
    sandbox: SandboxServer,
    config: Path,
    since: datetime,
    before: dict[str, Any],
    *,
    then_plan: bool = True,
) -> Synced:
    final = cli(config, "sync")
    after = sandbox.state.stats.snapshot()
    left_to_write: list[dict[str, Any]] = []
    if then_plan:
        planned = cli(config, "plan", "--pull", "--json")
        assert planned.exit_code == 0, planned.stdout + planned.stderr
        left_to_write = planned.json()["changes"]
    normalise = Normaliser(sandbox, since)
    requests = {
        route: n - before["requests"].get(route, 0) for route, n in after["requests"].items()
    }
    return Synced(
        exit_code=final.exit_code,
        output=final.stdout + final.stderr,
        left_to_write=left_to_write,
        store=store_state(config, normalise),
        tools=tool_state(sandbox, normalise),
        created=created_objects(sandbox),
        requests=after["total"] - before["total"],
        schedule_requests=sum(n for route, n in requests.items() if _is_schedule_api(route)),
    )


def _prepared(folder: Path, sandbox: SandboxServer, store: str | None = None) -> Path:
    write_sandbox_config(folder, sandbox.url, sandbox.options)
    config = folder / "flywheel.toml"
    lean_mapping(config)
    use_store(config, store)
    move_into_onboarding(sandbox)
    return config


@pytest.fixture(scope="module")
def calm_sync(tmp_path_factory: pytest.TempPathFactory) -> Synced:
    """One uninterrupted sync of a fresh sandbox: what every killed campaign must end in."""
    with SandboxServer(SANDBOX) as sandbox:
        since = datetime.now(UTC)
        config = _prepared(tmp_path_factory.mktemp("calm-sync"), sandbox)
        before = sandbox.state.stats.snapshot()
        synced = _sync_to_the_end(sandbox, config, since, before, then_plan=False)
    assert synced.exit_code == 0, synced.output
    return synced


@dataclass(frozen=True, kw_only=True)
class KilledSyncs:
    campaign: Campaign
    synced: Synced


def _killed_syncs(
    folder: Path, calm: Synced, seed: int, kills: int, store: str | None = None
) -> KilledSyncs:
    def kill_point(rng: random.Random, attempt: int) -> KillPoint:
        if attempt == 0:  # every Project write is still to make: land among them
            return _is_schedule_api, rng.randint(1, calm.schedule_requests)
        # A resumed sync makes far fewer requests than a whole one (its writes are half made):
        # from a quarter of them, the kill point stays within it.
        return _any_request, _halved(rng, calm.requests, attempt + 1)

    with SandboxServer(SANDBOX) as sandbox:
        since = datetime.now(UTC)
        config = _prepared(folder, sandbox, store)
        campaign = Campaign(seed=seed)
        _kill_repeatedly(
            sandbox,
            config,
            "sync",
            campaign,
            kills=kills,
            kill_point=kill_point,
            until_finished=True,
        )
        synced = _sync_to_the_end(sandbox, config, since, sandbox.state.stats.snapshot())
    return KilledSyncs(campaign=campaign, synced=synced)


@pytest.fixture(scope="module")
def killed_syncs(
    calm_sync: Synced, tmp_path_factory: pytest.TempPathFactory
) -> dict[int, KilledSyncs]:
    return {
        seed: _killed_syncs(
            tmp_path_factory.mktemp(f"sync-{seed}"), calm_sync, seed, KILLS_PER_SYNC_SEED
        )
        for seed in SYNC_SEEDS
    }


def test_each_seed_s_first_sync_was_killed_among_schedule_api_requests(
    killed_syncs: dict[int, KilledSyncs],
) -> None:
    first = {seed: syncs.campaign.landed_after[:1] for seed, syncs in killed_syncs.items()}
    unkilled = {seed: syncs.campaign.unkilled for seed, syncs in killed_syncs.items()}

    assert all(len(landed) == 1 and _is_schedule_api(landed[0]) for landed in first.values()), (
        unkilled
    )


def test_each_seed_s_syncs_were_killed_more_than_once(
    killed_syncs: dict[int, KilledSyncs],
) -> None:
    kills = {seed: syncs.campaign.kills for seed, syncs in killed_syncs.items()}
    unkilled = {seed: syncs.campaign.unkilled for seed, syncs in killed_syncs.items()}

    assert all(n >= 2 for n in kills.values()), (kills, unkilled)


def _ends_well(syncs: KilledSyncs, calm: Synced) -> None:
    """The promises of one seed's campaign (also the slow variant's)."""
    synced = syncs.synced
    assert synced.exit_code == 0, synced.output
    for kind, counted in synced.created.items():
        repeated = {name: n for name, n in counted.items() if n > 1}
        assert repeated == {}, f"{kind} repeated after the kills of seed {syncs.campaign.seed}"
        assert set(counted) == set(calm.created[kind]), kind
    assert synced.left_to_write == []


@pytest.mark.parametrize("seed", SYNC_SEEDS)
def test_after_killed_syncs_every_write_exists_exactly_once(
    killed_syncs: dict[int, KilledSyncs], calm_sync: Synced, seed: int
) -> None:
    _ends_well(killed_syncs[seed], calm_sync)


@pytest.mark.parametrize("seed", SYNC_SEEDS)
@pytest.mark.parametrize("part", STORE_PARTS)
def test_after_killed_syncs_the_store_is_that_of_one_sync(
    killed_syncs: dict[int, KilledSyncs], calm_sync: Synced, seed: int, part: str
) -> None:
    assert killed_syncs[seed].synced.store[part] == calm_sync.store[part]


@pytest.mark.parametrize("seed", SYNC_SEEDS)
@pytest.mark.parametrize("tool", TOOL_PARTS)
def test_after_killed_syncs_the_tools_are_those_of_one_sync(
    killed_syncs: dict[int, KilledSyncs], calm_sync: Synced, seed: int, tool: str
) -> None:
    assert killed_syncs[seed].synced.tools[tool] == calm_sync.tools[tool]


@pytest.mark.parametrize("seed", SYNC_SEEDS)
def test_after_killed_syncs_every_card_was_posted_at_least_once(
    killed_syncs: dict[int, KilledSyncs], calm_sync: Synced, seed: int
) -> None:
    posted = killed_syncs[seed].synced.tools["cards"]

    assert set(posted) == set(calm_sync.tools["cards"])
    assert cards_short_of(posted, calm_sync.tools["cards"]) == {}


def _ends_as_one_sync(syncs: KilledSyncs, calm: Synced) -> None:
    _ends_well(syncs, calm)
    for part in STORE_PARTS:
        assert syncs.synced.store[part] == calm.store[part], part
    for tool in TOOL_PARTS:
        assert syncs.synced.tools[tool] == calm.tools[tool], tool
    assert set(syncs.synced.tools["cards"]) == set(calm.tools["cards"])
    assert cards_short_of(syncs.synced.tools["cards"], calm.tools["cards"]) == {}


@pytest.mark.slow
@pytest.mark.parametrize("seed", SLOW_SYNC_SEEDS)
def test_many_killed_syncs_end_as_one_sync(calm_sync: Synced, tmp_path: Path, seed: int) -> None:
    syncs = _killed_syncs(tmp_path, calm_sync, seed, SLOW_KILLS_PER_SYNC_SEED)

    _ends_as_one_sync(syncs, calm_sync)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SLOW_SYNC_SEEDS[:3])
def test_killed_syncs_with_a_postgresql_store_end_as_one_sync(
    calm_sync: Synced, tmp_path: Path, postgres_url: str, seed: int
) -> None:
    syncs = _killed_syncs(tmp_path, calm_sync, seed, SLOW_KILLS_PER_SYNC_SEED, store=postgres_url)

    _ends_as_one_sync(syncs, calm_sync)
