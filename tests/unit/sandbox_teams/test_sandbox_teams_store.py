"""The Teams store: copies of the organisation's conversation, looked up by team and channel."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flywheel_sync.sandbox.demo import DemoOrganisation, build_demo_organisation
from flywheel_sync.sandbox.graph.teams.store import TeamsStore

NOW = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def organisation() -> DemoOrganisation:
    return build_demo_organisation(seed=1, scale=0.1, now=NOW)


def requests_channel(organisation: DemoOrganisation) -> str:
    return next(
        str(c["id"]) for c in organisation.teams.channels if c["displayName"] == "PMO Requests"
    )


def test_threads_hold_the_channels_roots_and_replies(organisation: DemoOrganisation) -> None:
    channel = requests_channel(organisation)

    threads = TeamsStore(organisation).threads(organisation.group_id, channel)

    assert threads is not None
    assert [m["id"] for m in threads.roots] == [
        m["id"] for m in organisation.teams.messages[channel]
    ]
    assert sum(len(threads.replies_to(str(m["id"]))) for m in threads.roots) == sum(
        len(found) for found in organisation.teams.replies.values()
    )


def test_messages_gain_the_properties_graph_always_sends(organisation: DemoOrganisation) -> None:
    threads = TeamsStore(organisation).threads(
        organisation.group_id, requests_channel(organisation)
    )

    assert threads is not None
    assert {"policyViolation": None, "eventDetail": None}.items() <= threads.roots[0].items()


def test_the_store_never_shares_objects_with_the_organisation(
    organisation: DemoOrganisation,
) -> None:
    channel = requests_channel(organisation)
    threads = TeamsStore(organisation).threads(organisation.group_id, channel)
    assert threads is not None

    threads.roots[0]["body"]["content"] = "changed"

    assert organisation.teams.messages[channel][0]["body"]["content"] != "changed"


@pytest.mark.parametrize(
    ("team", "channel"),
    [("00000000-0000-0000-0000-000000000000", None), (None, "19:unknown@thread.tacv2")],
    ids=["unknown-team", "unknown-channel"],
)
def test_unknown_team_or_channel_has_no_threads(
    organisation: DemoOrganisation, team: str | None, channel: str | None
) -> None:
    store = TeamsStore(organisation)

    assert (
        store.threads(team or organisation.group_id, channel or requests_channel(organisation))
        is None
    )


def test_team_ids_compare_without_case(organisation: DemoOrganisation) -> None:
    assert TeamsStore(organisation).is_team(organisation.group_id.upper())


def test_load_replaces_the_conversation(organisation: DemoOrganisation) -> None:
    store = TeamsStore(organisation)
    later = build_demo_organisation(seed=2, scale=0.1, now=datetime(2026, 4, 1, tzinfo=UTC))

    store.load(later)

    assert store.now == later.now
    threads = store.threads(later.group_id, requests_channel(later))
    assert threads is not None
    assert [m["id"] for m in threads.roots] == [
        m["id"] for m in later.teams.messages[requests_channel(later)]
    ]


def test_channels_are_listed_general_first(organisation: DemoOrganisation) -> None:
    names = [c["displayName"] for c in TeamsStore(organisation).channels()]

    assert names == ["General", "PMO Requests", "PMO Announcements"]
