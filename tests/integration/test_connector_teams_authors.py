"""TeamsSource's author records against the sandbox, through msgraph-sdk's real adapter.

The mapping tells which customer wrote a "PMO Requests" message by the author's Entra
``department``, so a read must bring every author's directory record, selected with
``department`` (which Graph, and the sandbox, return only when selected), at the cost of one
``$batch`` per page with new authors and no request at all when nothing changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from connectors.graph import DIRECTORY_USER, ChannelRef, GraphSession, TeamsSource
from connectors.graph.teams_authors import USER_PROPERTIES
from connectors.records import RecordPage, SourceRecord
from connectors.retry import RetryPolicy
from flywheel_sync.sandbox.graph.app import GRAPH_ROOT
from flywheel_sync.sandbox.server import SandboxServer
from tests.integration.graph_clients import GRAPH_TOKEN

FAST = RetryPolicy(sleep=lambda seconds: None, max_attempts=8)
CHANNEL_ROUTE = f"GET {GRAPH_ROOT}/teams/{{team_id}}/channels/{{channel_id}}/messages"
DELTA_ROUTE = f"{CHANNEL_ROUTE}/delta"
BATCH_ROUTE = f"POST {GRAPH_ROOT}/$batch"
USER_ROUTE = f"GET {GRAPH_ROOT}/users/{{user_id}}"
"""What the sandbox counts for each ``$batch`` step (steps are served as requests)."""


def requests_channel(sandbox: SandboxServer) -> dict[str, Any]:
    tenant = sandbox.state.organisation.teams
    return next(c for c in tenant.channels if c["displayName"] == "PMO Requests")


def pmo_requests(sandbox: SandboxServer) -> TeamsSource:
    """A source for the PMO Requests channel only: one run of the ``pull`` command."""
    tenant = sandbox.state.organisation.teams
    channel = ChannelRef(team_id=tenant.team["id"], channel_id=requests_channel(sandbox)["id"])
    session = GraphSession(base_url=sandbox.url + GRAPH_ROOT, token=GRAPH_TOKEN, timeout=10)
    return TeamsSource(name="teams:demo", session=session, channels=[channel], policy=FAST)


@dataclass
class Read:
    pages: list[RecordPage]
    watermark: str | None

    @property
    def records(self) -> list[SourceRecord]:
        return [record for page in self.pages for record in page.records]

    def authors(self) -> list[SourceRecord]:
        return [record for record in self.records if record.record_type == DIRECTORY_USER]


def read(source: TeamsSource, watermark: str | None = None) -> Read:
    (scope,) = source.scopes()
    pages = list(source.pages(scope, watermark))
    marks = [page.watermark for page in pages if page.watermark is not None]
    return Read(pages, marks[-1] if marks else watermark)


def requests_made(sandbox: SandboxServer, during: Callable[[], object]) -> dict[str, int]:
    """The sandbox's request counts per route while ``during()`` ran."""
    before = httpx.get(f"{sandbox.url}/_sandbox/stats").json()["requests"]
    during()
    after = httpx.get(f"{sandbox.url}/_sandbox/stats").json()["requests"]
    counts = {route: n - before.get(route, 0) for route, n in after.items()}
    return {route: n for route, n in counts.items() if n}


def seeded_departments(sandbox: SandboxServer) -> dict[str, str]:
    """Each distinct author of the channel's messages and replies, and their department."""
    organisation = sandbox.state.organisation
    roots = organisation.teams.messages[requests_channel(sandbox)["id"]]
    replies = [r for root in roots for r in organisation.teams.replies.get(root["id"], [])]
    departments = {person.aad_id: person.department for person in organisation.people}
    return {
        user["id"]: departments[user["id"]]
        for message in [*roots, *replies]
        if (user := message["from"]["user"]) is not None
    }


def post_reply(sandbox: SandboxServer, *, author_id: str, name: str) -> str:
    """``name`` replies in the channel's first thread (the app cannot post through Graph).

    Returns:
        The reply's id.
    """
    organisation = sandbox.state.organisation
    tenant = organisation.teams
    root = tenant.messages[requests_channel(sandbox)["id"]][0]
    thread = tenant.replies.get(root["id"], [])
    now = datetime.now(UTC)
    reply_id = str(int(now.timestamp() * 1000))
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    author = {**root["from"]["user"], "id": author_id, "displayName": name}
    reply = {
        **root,
        "id": reply_id,
        "etag": reply_id,
        "replyToId": root["id"],
        "createdDateTime": stamp,
        "lastModifiedDateTime": stamp,
        "from": {**root["from"], "user": author},
    }
    replies = {**tenant.replies, root["id"]: [*thread, reply]}
    sandbox.state.teams.load(replace(organisation, teams=replace(tenant, replies=replies)))
    return reply_id


@pytest.fixture
def first_read(sandbox: SandboxServer) -> Iterator[tuple[TeamsSource, Read]]:
    """A source that has read the channel in full once, still open for its next read."""
    with pmo_requests(sandbox) as source:
        yield source, read(source)


def test_a_full_read_yields_every_distinct_author_with_their_department(
    first_read: tuple[TeamsSource, Read], sandbox: SandboxServer
) -> None:
    _, full = first_read

    departments = {r.external_id: r.payload["department"] for r in full.authors()}
    assert departments == seeded_departments(sandbox)
    assert len(full.authors()) == len(departments)


def test_an_author_record_holds_the_selected_properties_only(
    first_read: tuple[TeamsSource, Read],
) -> None:
    _, full = first_read

    assert {tuple(record.payload) for record in full.authors()} == {USER_PROPERTIES}


def test_the_authors_cost_one_batch_counted_in_the_pages_requests(
    sandbox: SandboxServer,
) -> None:
    found: list[Read] = []
    with pmo_requests(sandbox) as source:
        made = requests_made(sandbox, lambda: found.append(read(source)))

    authors = len(seeded_departments(sandbox))
    assert made[BATCH_ROUTE] == -(-authors // 20)
    assert made[USER_ROUTE] == authors
    assert sum(page.requests for page in found[0].pages) == sum(
        n for route, n in made.items() if route != USER_ROUTE
    )


def test_the_next_run_with_nothing_changed_costs_one_delta_request(
    first_read: tuple[TeamsSource, Read], sandbox: SandboxServer
) -> None:
    _, full = first_read
    later: list[Read] = []
    with pmo_requests(sandbox) as next_run:
        made = requests_made(sandbox, lambda: later.append(read(next_run, full.watermark)))

    assert later[0].records == []
    assert made == {DELTA_ROUTE: 1}


def test_a_reply_by_someone_new_to_the_channel_yields_their_record(
    first_read: tuple[TeamsSource, Read], sandbox: SandboxServer
) -> None:
    source, full = first_read
    posted = set(seeded_departments(sandbox))
    newcomer = next(p for p in sandbox.state.organisation.people if p.aad_id not in posted)
    post_reply(sandbox, author_id=newcomer.aad_id, name=newcomer.display_name)

    second = read(source, full.watermark)

    assert [(r.external_id, r.payload["department"]) for r in second.authors()] == [
        (newcomer.aad_id, newcomer.department)
    ]


def test_a_reply_by_a_deleted_account_yields_the_thread_without_an_author(
    first_read: tuple[TeamsSource, Read], sandbox: SandboxServer
) -> None:
    source, full = first_read
    reply_id = post_reply(sandbox, author_id=str(uuid.uuid4()), name="Former Employee")

    second = read(source, full.watermark)

    assert reply_id in {r.external_id.rsplit("/", 1)[1] for r in second.records}
    assert second.authors() == []
