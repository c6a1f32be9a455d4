"""Tools of the fault and crash campaign: killed runs, and state read back for comparison.

- `CliProcess`: ``flywheel-sync ARGS`` in a child process that ``kill -9`` can stop. Children
  fork from a multiprocessing *forkserver* that imported the CLI's modules once (about 2 s,
  once per test process), so a run starts in milliseconds instead of the 1-1.5 s a fresh
  interpreter spends importing: that is what makes tens of kills fit the test budget. Each
  child is still a separate process that opens the store and the connections itself.
- `KillSwitch`: sends SIGKILL to a child a random few milliseconds after the sandbox counted
  the k-th request of its run (optionally only requests of some routes).
- `tool_state` and `store_state`: what the tools and the store hold, as plain data two runs
  can be compared with. Only what legitimately differs between two runs is taken out: the
  moments of the run itself (timestamps later than the run's start), row versions and ETags
  (counters over every write, including the order they came in), the sandbox's address, and
  the ids the tools give new objects in the order they are created (a sub-task's key, a
  page's id), which are replaced with names made of what the object is.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import re
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pytest
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from typing_extensions import override

import connectors.retry
from flywheel_sync.cli.main import run
from flywheel_sync.push.changes import content_hash
from flywheel_sync.sandbox.dataverse.tables import OPERATION_SET, TABLES
from flywheel_sync.sandbox.demo import DemoOrganisation, build_demo_organisation
from flywheel_sync.sandbox.demo.jira_model import JiraIssue
from flywheel_sync.sandbox.graph.planner.kinds import PlannerKind
from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer, build_app
from flywheel_sync.serving import BackgroundServer
from flywheel_sync.store import Store
from flywheel_sync.store.schema import OwnedValueModel, SourceRecordModel
from tests.integration.jira_clients import jira_client
from tests.integration.push_helpers import store_of

__all__ = [
    "ONBOARDING",
    "SLOW_SEEDS",
    "CliProcess",
    "KillSwitch",
    "LossySandbox",
    "Normaliser",
    "cards_short_of",
    "killed",
    "move_into_onboarding",
    "quick_backoff",
    "slow_seeds",
    "store_state",
    "stored_rows",
    "tool_state",
    "versions_not_behind",
]

SLOW_SEEDS = int(os.environ.get("FLYWHEEL_SLOW_SEEDS", "3"))
"""Seeds each ``slow`` variant runs: 3 keeps `make slow` within its CI budget (about 3 min
on two cores); ``FLYWHEEL_SLOW_SEEDS=10 make slow`` is the long campaign."""


def slow_seeds(first: int) -> tuple[int, ...]:
    """``SLOW_SEEDS`` consecutive seeds from ``first``."""
    return tuple(range(first, first + max(1, SLOW_SEEDS)))


ONBOARDING = ("PMO-41", "PMO-42", "PMO-43", "PMO-48", "PMO-49")
"""Engagements without a checklist, moved into Service Onboarding by people before a sync.

Their onboarding gives the sync sub-tasks, Planner checklist items and (for the ones Project
hosts) checklist rows to create, on top of the stage fields, labels, pages and cards.
"""
STAGE_FIELD = "customfield_10010"


def move_into_onboarding(sandbox: SandboxServer) -> None:
    """People move the `ONBOARDING` engagements into Service Onboarding in Jira."""
    jira = jira_client(sandbox)
    for key in ONBOARDING:
        jira.issue(key).update(fields={STAGE_FIELD: {"value": "Service Onboarding"}})


# ------------------------------------------------------------------ runs that can be killed

_PRELOADED = (
    "flywheel_sync.cli.pull_cmd",
    "flywheel_sync.cli.push_cmd",
    "flywheel_sync.cli.secrets",
    "flywheel_sync.pipelines",
    "flywheel_sync.pull.sources",
    "flywheel_sync.push.connections",
    "flywheel_sync.push.pipeline",
    "flywheel_sync.store.migrate",
    "flywheel_sync.scheduler",
    "connectors.graph",
    "connectors.jira",
    "connectors.confluence",
    "connectors.project",
    "connectors.teams",
    "atlassian",
    "jira",
    "sqlalchemy.dialects.sqlite",
    "alembic.runtime.migration",
    "alembic.ddl.sqlite",
    "httpcore",
    "h2.connection",
    "anyio._backends._asyncio",
    __name__,
)
"""What the CLI imports lazily: preloaded by the forkserver, so children start warm.

Only speed depends on this list; a module missing from it is imported by the child itself.
"""
_FORKS = multiprocessing.get_context("forkserver")


def _run_cli(argv: list[str], log: str) -> None:
    """The child's body: the CLI, with its output appended to ``log``; exits with its code."""
    output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(output, 1)
    os.dup2(output, 2)
    run(argv)


class CliProcess:
    """``flywheel-sync -c CONFIG ARGS`` running in a child process, as a job would run it.

    Its output is appended to ``runs.log`` next to the configuration (read it when a test
    fails). ``poll``, ``wait`` and ``kill`` read as `subprocess.Popen`'s.
    """

    def __init__(self, config: Path, *args: str) -> None:
        _FORKS.set_forkserver_preload(list(_PRELOADED))  # no effect once the server runs
        log = str(config.parent / "runs.log")
        self._process = _FORKS.Process(target=_run_cli, args=(["-c", str(config), *args], log))
        self._process.start()

    @property
    def pid(self) -> int:
        """The child's process id."""
        pid = self._process.pid
        assert pid is not None, "started in __init__"
        return pid

    def poll(self) -> int | None:
        """The exit code (negative: the signal that ended it), or None while it runs."""
        return self._process.exitcode

    def wait(self, timeout: float = 120) -> int:
        """Wait for the child to end; its exit code.

        Raises:
            TimeoutError: It still runs after ``timeout`` seconds (it is killed first).
        """
        self._process.join(timeout)
        if self._process.exitcode is None:
            self.kill()
            self._process.join()
            raise TimeoutError(f"flywheel-sync did not end within {timeout:g} s")
        return self._process.exitcode

    def kill(self) -> None:
        """SIGKILL: the child ends at once, no clean-up of any kind runs."""
        self._process.kill()


class Killable(Protocol):
    """A child process: `CliProcess`, or `subprocess.Popen`."""

    def poll(self) -> int | None:
        """The exit code, or None while it runs."""
        ...

    def kill(self) -> None:
        """Send SIGKILL."""
        ...


class KillSwitch:
    """Kills a child a random few milliseconds after the sandbox counts a chosen request.

    Every request the sandbox counts (served, throttled or faulted) moves the switch on;
    with ``counts``, only those whose route it accepts (e.g. the Project Schedule API's).
    `landed_after` names the request the last kill followed, so a campaign can show where
    its kills landed.
    """

    def __init__(
        self,
        sandbox: SandboxServer,
        rng: random.Random,
        *,
        counts: Callable[[str], bool] = lambda route: True,
        longest_delay: float = 0.05,
    ) -> None:
        self.rng = rng
        self.counts = counts
        self.longest_delay = longest_delay
        self.lock = threading.Lock()
        self.child: Killable | None = None
        self.remaining = 0
        self.fired = threading.Event()
        self.landed_after: str | None = None
        stats = sandbox.state.stats
        original: Callable[..., None] = stats.count

        def count(route: str, **how: Any) -> None:
            original(route, **how)
            self._request_seen(route)

        stats.count = count  # type: ignore[method-assign]

    def arm(self, child: Killable, after: int | None = None) -> None:
        """Kill ``child`` after the ``after``-th counted request (default: 1 to 12 at random)."""
        with self.lock:
            self.child = child
            self.remaining = after if after is not None else self.rng.randint(1, 12)
            self.landed_after = None
            self.fired.clear()

    def disarm(self) -> None:
        """Kill nothing more."""
        with self.lock:
            self.child = None

    def _request_seen(self, route: str) -> None:
        with self.lock:
            if self.child is None or not self.counts(route):
                return
            self.remaining -= 1
            if self.remaining > 0:
                return
            child, self.child = self.child, None
            self.landed_after = route
        delay = self.rng.uniform(0, self.longest_delay)
        threading.Timer(delay, self._kill, args=(child,)).start()

    def _kill(self, child: Killable) -> None:
        if child.poll() is None:
            child.kill()
            self.fired.set()


class _ScaledJitter(random.Random):
    """Draws as `random` does, times ``factor``."""

    def __init__(self, factor: float) -> None:
        super().__init__()
        self.factor = factor

    @override
    def uniform(self, a: float, b: float) -> float:
        return super().uniform(a, b) * self.factor


@contextmanager
def quick_backoff(factor: float = 0.01) -> Iterator[None]:
    """Shrink the retry policy's backoff (full jitter over 1, 2, 4 ... s) by ``factor``.

    For tests about where runs end under faults, not how long they wait between retries:
    only the jitter drawn by runs in this process is scaled. ``Retry-After`` waits (429s)
    are honoured in full.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connectors.retry, "random", _ScaledJitter(factor))
        yield


# ------------------------------------------------------------------ answers lost after the write


class LostAnswers:
    """ASGI middleware: a share of the writes are made, then their answer is lost.

    The tool makes the write; then the connection breaks before the answer arrives. The
    sandbox's own dropped connections break off before the emulator sees the request, the
    harmless case. Here the client cannot know whether the write was made: it must find
    out by reading the tool, as after a ``kill -9``.

    Args:
        app: The sandbox's application.
        rate: The share of the chosen writes whose answer is lost (0 until a test is set).
        seed: Seeds the choice.
        chooses: Which writes may lose their answer, by ``"METHOD /path"``: every request
            but a GET (a Graph ``$batch`` of reads is a POST too) by default.
        limit: Lose no more answers than this.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        rate: float = 0.0,
        seed: int = 0,
        chooses: Callable[[str], bool] = lambda request: not request.startswith("GET "),
        limit: int | None = None,
    ) -> None:
        self.app = app
        self.rate = rate
        self.chooses = chooses
        self.limit = limit
        self.random = random.Random(seed)  # noqa: S311 - fault injection, not a secret
        self.lost: Counter[str] = Counter()

    def _loses(self, scope: Scope) -> bool:
        request = f"{scope['method']} {scope['path']}"
        if scope["type"] != "http" or scope["path"].startswith("/_sandbox"):
            return False
        if not self.chooses(request) or self.random.random() >= self.rate:
            return False
        return self.limit is None or self.lost.total() < self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request; for a lost write, serve it to nobody and break the connection."""
        if not self._loses(scope):
            await self.app(scope, receive, send)
            return

        async def nowhere(message: Message) -> None:
            return None

        await self.app(scope, receive, nowhere)
        self.lost[f"{scope['method']} {scope['path']}"] += 1
        headers = [(b"content-type", b"application/json"), (b"content-length", b"1024")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"partial": tr'})


class LossySandbox(SandboxServer):
    """The sandbox behind `LostAnswers` (``lossy.answers``): set its ``rate`` to start."""

    def __init__(self, options: SandboxOptions, **answers: Any) -> None:
        super().__init__(options)
        app, self.state = build_app(self.options)
        self.answers = LostAnswers(app, **answers)
        self._server = BackgroundServer(self.answers, self._socket, name="lossy sandbox")


# ------------------------------------------------------------------ state, comparable

_MOMENT = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
_ETAG = r'W/\\"[^"\\]*\\"'
"""An ETag (``W/"..."``) as it reads inside JSON text."""
_NOT_A_BARE_NUMBER = r"(?<![\w\-:,\[])"
"""Before an id: in compact JSON a bare number follows ``:``, ``,`` or ``[``; ids are text."""
DURING_THE_RUN = "<during the run>"


class Normaliser:
    """Turns one run's state into data another run's state can equal.

    The state goes through JSON text once: the sandbox's address, timestamps later than
    ``since``, ETags and the ids of created objects are replaced in one regular-expression
    pass (a walk over the hundred thousand strings of a Jira site takes seconds).

    Args:
        sandbox: The sandbox the run wrote to: its URL and the objects created since seeding.
        since: When the run started: later timestamps are its own moments.
    """

    def __init__(self, sandbox: SandboxServer, since: datetime) -> None:
        self.since = since
        self.url = sandbox.url
        options = sandbox.options
        # Built again rather than read from the sandbox, whose seeded objects writes change.
        self.seeded = build_demo_organisation(
            seed=options.seed, scale=options.scale, now=options.now
        )
        self.names = _created_names(sandbox, self.seeded)
        self._escaped = {key: json.dumps(name)[1:-1] for key, name in self.names.items()}
        ids = "|".join(map(re.escape, sorted(self.names, key=len, reverse=True))) or "(?!)"
        self._pattern = re.compile(
            f"(?P<moment>{_MOMENT})|(?P<etag>{_ETAG})|{_NOT_A_BARE_NUMBER}(?P<id>{ids})(?![\\w-])"
        )

    def __call__(self, value: Any) -> Any:
        """``value`` with the run's own moments, versions, address and new ids taken out."""
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
        text = text.replace(self.url, "<sandbox>")
        return json.loads(self._pattern.sub(self._replace, text))

    def _replace(self, found: re.Match[str]) -> str:
        token = found.group(0)
        if found.lastgroup == "etag":
            return "<etag>"
        if found.lastgroup == "id":
            return self._escaped[token]
        try:
            moment = datetime.fromisoformat(token.replace("Z", "+00:00"))
        except ValueError:
            return token
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return DURING_THE_RUN if moment >= self.since else token


def _created_names(sandbox: SandboxServer, seeded: DemoOrganisation) -> dict[str, str]:
    """Names, made of what they are, for the ids tools gave objects created since seeding.

    Also names the hashes of posted cards, which flywheel-sync keeps as what it owns.
    """
    state = sandbox.state
    names: dict[str, str] = {}
    seeded_issues = {issue.id for issue in seeded.jira.issues}
    seeded_comments = {
        str(comment["id"]) for issue in seeded.jira.issues for comment in issue.comments
    }
    with state.jira.lock:
        for issue in state.jira.issues:
            if issue.id not in seeded_issues:
                name = f"<issue {_parent_key(issue)}/{issue.fields.get('summary')}>"
                names[issue.id] = names[issue.key] = name
            for comment in issue.comments:
                if str(comment["id"]) not in seeded_comments:
                    digest = hashlib.sha256(str(comment["body"]).encode()).hexdigest()[:12]
                    names[str(comment["id"])] = f"<comment {issue.key}/{digest}>"
    for card in state.inbox.snapshot()["cards"]:
        # flywheel-sync owns a card as the hash of what it posted, which holds the sandbox's
        # address (links to pages): named by the card as any sandbox would show it.
        anywhere = json.loads(json.dumps(card["payload"]).replace(sandbox.url, "<sandbox>"))
        names[content_hash([card["payload"]])] = f"<hash of card {content_hash(anywhere)}>"
    seeded_pages = {str(page["id"]) for page in seeded.confluence.pages}
    for page in list(state.confluence.pages.values()):
        if page.id not in seeded_pages:
            names[page.id] = f"<page {page.title}>"
            for entry in page.properties.values():
                names[entry.id] = f"<property {page.title}/{entry.key}>"
    return names


def _parent_key(issue: JiraIssue) -> str:
    parent = issue.fields.get("parent")
    return str(parent.get("key")) if isinstance(parent, Mapping) else "-"


def tool_state(sandbox: SandboxServer, normalise: Normaliser) -> dict[str, Any]:
    """What every tool of the sandbox shows now, one entry per tool.

    - ``jira``: every issue changed or created since seeding (the created ones named by
      parent and summary) with its fields, entity properties, comments and the field
      changes of its changelog, and how many issues are as seeded;
    - ``planner``: every plan, bucket, task and their details (checklists included);
    - ``confluence``: every page by title: body, labels, parent and properties (the page
      version a marker records left out);
    - ``page versions``: every page's version and the versions its markers record, apart:
      a summary a sync published while some of its writes failed is published again, one
      version up, once they land;
    - ``project``: every row of the Project tables (operation sets left out: they are how
      writes travelled, not what they left);
    - ``cards``: each card the Workflows webhooks accepted, with how often.
    """
    state = sandbox.state
    as_seeded = {issue.id: issue for issue in normalise.seeded.jira.issues}
    with state.jira.lock:
        # Issues as they were seeded are equal in any two sandboxes of one seed and day:
        # counted, not compared field by field (3,000 delivery issues nobody writes to).
        touched = [issue for issue in state.jira.issues if as_seeded.get(issue.id) != issue]
        jira: dict[str, Any] = {
            issue.key: {
                "fields": issue.fields,
                "properties": issue.properties,
                "comments": [comment["body"] for comment in issue.comments],
                "changes": [
                    [(item.get("field"), item.get("toString")) for item in history["items"]]
                    for history in issue.changelog
                ],
            }
            for issue in touched
        }
        jira["(untouched since seeding)"] = len(state.jira.issues) - len(touched)
    with state.planner.lock:
        planner = {
            kind.value: {found.id: found.body for found in state.planner.objects(kind)}
            for kind in PlannerKind
        }
    pages = list(state.confluence.pages.values())
    titles = {page.id: page.title for page in pages}
    confluence = {
        page.title: {
            "body": page.body,
            "labels": sorted(page.labels),
            "parent": titles.get(page.parent_id or "", page.parent_id),
            "properties": {
                key: _without_version(entry.value) for key, entry in page.properties.items()
            },
        }
        for page in pages
    }
    page_versions = {
        page.title: [page.version, *(_version(entry.value) for entry in page.properties.values())]
        for page in pages
    }
    project = {
        name: {str(row[table.primary_key]): row for row in state.dataverse.rows(table)}
        for name, table in TABLES.items()
        if table is not OPERATION_SET
    }
    cards = Counter(
        json.dumps(normalise(card["payload"]), sort_keys=True)
        for card in state.inbox.snapshot()["cards"]
    )
    return {
        "jira": normalise(jira),
        "planner": normalise(planner),
        "confluence": normalise(confluence),
        "page versions": normalise(page_versions),
        "project": normalise(project),
        "cards": dict(cards),
    }


def _without_version(value: Any) -> Any:
    """A page marker without the page version it records (kept in ``page versions``)."""
    return {k: v for k, v in value.items() if k != "version"} if isinstance(value, dict) else value


def _version(value: Any) -> Any:
    return value.get("version") if isinstance(value, dict) else None


def store_state(config: Path, normalise: Normaliser) -> dict[str, Any]:
    """What the store holds after a run: entities and owned values.

    - ``entities``: every entity by kind and id, with its name, stages and payload;
    - ``owned``: what flywheel-sync owns per (target, item, field): the value written, the
      value wanted and the object it names. When and by which run it was written differs
      between runs and is left out;
    - ``owned versions``: the version of the tool's object after our last write, apart (a
      page's version number; ETags are taken out).
    """
    with store_of(config) as store:
        entities = {
            f"{entity.kind}/{entity.entity_id}": {
                "name": entity.name,
                "flywheel_stage": entity.flywheel_stage,
                "experience_stage": entity.experience_stage,
                "payload": entity.payload,
            }
            for entity in store.entities.iter_entities()
        }
        owned_values = [
            value
            for target in _owning_targets(store)
            for value in store.owned.for_target(target).values()
        ]
    owned = {
        f"{value.target} {value.ref} {value.field}": {
            "value": value.value,
            "desired": value.desired,
            "external_id": value.external_id,
        }
        for value in owned_values
    }
    versions = {
        f"{value.target} {value.ref} {value.field}": value.version for value in owned_values
    }
    return {
        "entities": normalise(entities),
        "owned": normalise(owned),
        "owned versions": normalise(versions),
    }


def _owning_targets(store: Store) -> list[str]:
    """Every connection something is owned in (the repository lists values per target)."""
    with store.engine.connect() as connection:
        return list(connection.scalars(select(OwnedValueModel.target).distinct()))


def stored_rows(config: Path) -> int:
    """How many rows the store's record table holds (a duplicate would be one too many)."""
    with store_of(config) as store, store.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(SourceRecordModel)) or 0)


def killed(code: int | None) -> bool:
    """Whether a child's exit code says SIGKILL ended it."""
    return code == -signal.SIGKILL


def versions_not_behind(ours: Mapping[str, Any], reference: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``ours`` that are not ``reference``'s version or later: ``{}`` is good.

    Versions are numbers (page versions, as text in owned values) or lists of them; any
    other value must be equal.
    """
    behind: dict[str, Any] = {}
    for key in reference.keys() | ours.keys():
        mine, theirs = ours.get(key), reference.get(key)
        if not _at_least(mine, theirs):
            behind[key] = {"ours": mine, "reference": theirs}
    return behind


def _at_least(mine: Any, theirs: Any) -> bool:
    if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
        return all(_at_least(a, b) for a, b in zip(mine, theirs, strict=True))
    if isinstance(mine, str) and isinstance(theirs, str) and mine.isdigit() and theirs.isdigit():
        return int(mine) >= int(theirs)
    if isinstance(mine, int) and isinstance(theirs, int):
        return mine >= theirs
    return bool(mine == theirs)


def cards_short_of(posted: Mapping[str, int], reference: Mapping[str, int]) -> dict[str, int]:
    """The reference's cards posted fewer times than there: ``{}`` means at least once each."""
    return {card: n for card, n in reference.items() if posted.get(card, 0) < n}
