"""Teams and the directory over HTTP.

msgraph-sdk makes the calls a connector makes; raw requests check the wire details the SDK
hides (ordering, links, error bodies).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import requests
from msgraph.generated.models.chat_message import ChatMessage
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.graph_service_client import GraphServiceClient

from flywheel_sync.sandbox.graph.teams.routes import APP_ONLY_POST
from flywheel_sync.sandbox.server import SandboxServer
from tests.integration.graph_clients import GRAPH_TOKEN, graph_client

AUTH = {"Authorization": f"Bearer {GRAPH_TOKEN}"}
TIMEOUT = 10


def run(sandbox: SandboxServer, work: Callable[[GraphServiceClient], Awaitable[Any]]) -> Any:
    """``work(client)`` in a fresh event loop, with a client made (and closed) inside it."""

    async def main() -> Any:
        async with graph_client(sandbox.url) as client:
            return await work(client)

    return asyncio.run(main())


def get(sandbox: SandboxServer, path: str, **query: str) -> requests.Response:
    return requests.get(
        f"{sandbox.url}/graph/v1.0{path}", params=query, headers=AUTH, timeout=TIMEOUT
    )


def follow(link: str) -> dict[str, Any]:
    response = requests.get(link, headers=AUTH, timeout=TIMEOUT)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def team_id(sandbox: SandboxServer) -> str:
    return sandbox.state.organisation.group_id


def requests_channel(sandbox: SandboxServer) -> str:
    return next(
        str(c["id"])
        for c in sandbox.state.organisation.teams.channels
        if c["displayName"] == "PMO Requests"
    )


def messages_path(sandbox: SandboxServer) -> str:
    return f"/teams/{team_id(sandbox)}/channels/{requests_channel(sandbox)}/messages"


def seeded_roots(sandbox: SandboxServer) -> list[str]:
    return [
        str(m["id"]) for m in sandbox.state.organisation.teams.messages[requests_channel(sandbox)]
    ]


def test_sdk_finds_the_team_and_its_channels_through_the_group(cloud: SandboxServer) -> None:
    async def work(client: GraphServiceClient) -> list[str]:
        groups = await client.groups.get()
        assert groups is not None
        assert groups.value
        group_id = groups.value[0].id
        assert group_id is not None
        channels = await client.teams.by_team_id(group_id).channels.get()
        assert channels is not None
        assert channels.value is not None
        return [str(c.display_name) for c in channels.value]

    assert run(cloud, work) == ["General", "PMO Requests", "PMO Announcements"]


def test_sdk_pages_through_every_root_message(cloud: SandboxServer) -> None:
    async def work(client: GraphServiceClient) -> list[str]:
        messages = (
            client.teams.by_team_id(team_id(cloud))
            .channels.by_channel_id(requests_channel(cloud))
            .messages
        )
        page = await messages.get()
        seen: list[str] = []
        while page is not None:
            seen += [str(m.id) for m in page.value or []]
            page = (
                await messages.with_url(page.odata_next_link).get()
                if page.odata_next_link
                else None
            )
        return seen

    assert run(cloud, work) == sorted(seeded_roots(cloud), key=int, reverse=True)


def test_sdk_delta_round_then_no_changes(cloud: SandboxServer) -> None:
    async def work(client: GraphServiceClient) -> tuple[int, int]:
        delta = (
            client.teams.by_team_id(team_id(cloud))
            .channels.by_channel_id(requests_channel(cloud))
            .messages.delta
        )
        page = await delta.get()
        returned = 0
        while page is not None and page.odata_next_link:
            returned += len(page.value or [])
            page = await delta.with_url(page.odata_next_link).get()
        assert page is not None
        assert page.odata_delta_link
        returned += len(page.value or [])
        later = await delta.with_url(page.odata_delta_link).get()
        assert later is not None
        assert later.odata_delta_link
        return returned, len(later.value or [])

    assert run(cloud, work) == (len(seeded_roots(cloud)), 0)


def test_sdk_reads_a_users_department_only_when_selected(cloud: SandboxServer) -> None:
    async def work(client: GraphServiceClient) -> tuple[Any, Any]:
        user = client.users.by_user_id("amara.okafor@northwind.example")
        plain = await user.get()
        selected = await user.with_url(
            f"{cloud.url}/graph/v1.0/users/amara.okafor@northwind.example?$select=department"
        ).get()
        assert plain is not None
        assert selected is not None
        return plain.department, selected.department

    assert run(cloud, work) == (None, "Enterprise PMO")


def test_sdk_post_with_the_app_only_token_is_a_401(cloud: SandboxServer) -> None:
    async def work(client: GraphServiceClient) -> ODataError:
        messages = (
            client.teams.by_team_id(team_id(cloud))
            .channels.by_channel_id(requests_channel(cloud))
            .messages
        )
        with pytest.raises(ODataError) as refused:
            await messages.post(ChatMessage(body=ItemBody(content="Sync finished")))
        return refused.value

    error = run(cloud, work)

    assert (error.response_status_code, error.error.code, error.error.message) == (
        401,
        "Unauthorized",
        APP_ONLY_POST,
    )


@pytest.mark.parametrize("path", ["/me", "/me/joinedTeams"])
def test_me_needs_a_delegated_token(cloud: SandboxServer, path: str) -> None:
    response = get(cloud, path)

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "/me request is only valid with delegated authentication flow."
    )


def test_expanded_replies_come_inline_newest_first(cloud: SandboxServer) -> None:
    replies = cloud.state.organisation.teams.replies
    root_id = next(iter(replies))

    found = get(cloud, f"{messages_path(cloud)}/{root_id}", **{"$expand": "replies"}).json()

    assert found["replies@odata.count"] == len(replies[root_id])
    assert [r["id"] for r in found["replies"]] == [r["id"] for r in reversed(replies[root_id])]


def test_next_link_is_absolute_and_carries_the_page_size(cloud: SandboxServer) -> None:
    first = get(cloud, messages_path(cloud), **{"$top": "7"}).json()

    second = follow(first["@odata.nextLink"])

    assert first["@odata.nextLink"].startswith(f"{cloud.url}/graph/v1.0/teams/")
    assert len(second["value"]) == 7
    assert int(second["value"][0]["id"]) < int(first["value"][-1]["id"])


def test_top_zero_is_an_empty_page_without_a_next_link(cloud: SandboxServer) -> None:
    body = get(cloud, messages_path(cloud), **{"$top": "0"}).json()

    assert (body["value"], "@odata.nextLink" in body) == ([], False)


@pytest.mark.parametrize("option", ["$filter", "$select", "$orderby", "$skip"])
def test_message_list_refuses_other_query_options(cloud: SandboxServer, option: str) -> None:
    response = get(cloud, messages_path(cloud), **{option: "id"})

    assert response.status_code == 400
    assert "is not allowed" in response.json()["error"]["message"]


def test_a_messages_token_is_refused_on_the_replies_list(cloud: SandboxServer) -> None:
    first = get(cloud, messages_path(cloud), **{"$top": "1"}).json()
    token = first["@odata.nextLink"].split("skiptoken=")[1]
    root_id = next(iter(cloud.state.organisation.teams.replies))

    response = get(cloud, f"{messages_path(cloud)}/{root_id}/replies", **{"$skiptoken": token})

    assert response.status_code == 400


def test_delta_is_served_with_and_without_parentheses(cloud: SandboxServer) -> None:
    with_parens = get(cloud, f"{messages_path(cloud)}/delta()", **{"$top": "50"}).json()
    without = get(cloud, f"{messages_path(cloud)}/delta", **{"$top": "50"}).json()

    assert [m["id"] for m in with_parens["value"]] == [m["id"] for m in without["value"]]
    assert with_parens["value"][0]["@odata.type"] == "#microsoft.graph.chatMessage"


def test_delta_filter_returns_only_later_changes(cloud: SandboxServer) -> None:
    roots = cloud.state.organisation.teams.messages[requests_channel(cloud)]
    since = roots[-3]["lastModifiedDateTime"]

    body = get(
        cloud, f"{messages_path(cloud)}/delta()", **{"$filter": f"lastModifiedDateTime gt {since}"}
    ).json()

    assert [m["id"] for m in body["value"]] == [m["id"] for m in roots[-2:]]


def test_channel_filter_and_select(cloud: SandboxServer) -> None:
    body = get(
        cloud,
        f"/teams/{team_id(cloud)}/channels",
        **{"$filter": "displayName eq 'PMO Requests'", "$select": "id,displayName"},
    ).json()

    assert body["value"] == [{"id": requests_channel(cloud), "displayName": "PMO Requests"}]


def test_group_is_found_by_display_name(cloud: SandboxServer) -> None:
    name = cloud.state.organisation.teams.team["displayName"]

    body = get(cloud, "/groups", **{"$filter": f"displayName eq '{name}'", "$select": "id"}).json()

    assert body["value"] == [{"id": team_id(cloud)}]
    assert body["@odata.context"] == f"{cloud.url}/graph/v1.0/$metadata#groups(id)"


def test_unknown_channel_is_a_graph_404(cloud: SandboxServer) -> None:
    response = get(cloud, f"/teams/{team_id(cloud)}/channels/19:nope@thread.tacv2/messages")

    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message", "innerError"}


@pytest.mark.parametrize(
    ("query", "code", "message_text"),
    [
        (
            {"$top": "1000"},
            "Request_BadRequest",
            "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.",
        ),
        (
            {"$count": "true"},
            "Request_UnsupportedQuery",
            "The sandbox does not emulate $count on /graph/v1.0/groups.",
        ),
    ],
    ids=["top-above-999", "count-not-emulated"],
)
def test_group_list_refusals(
    cloud: SandboxServer, query: dict[str, str], code: str, message_text: str
) -> None:
    response = get(cloud, "/groups", **query)

    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["message"]) == (
        code,
        message_text,
    )


def test_user_is_found_by_id_with_the_default_properties(cloud: SandboxServer) -> None:
    person = cloud.state.organisation.people[0]

    body = get(cloud, f"/users/{person.aad_id}").json()

    assert body["userPrincipalName"] == person.email
    assert "department" not in body


def test_a_reset_brings_back_the_seeded_conversation(cloud: SandboxServer) -> None:
    before = get(cloud, messages_path(cloud), **{"$top": "3"}).json()["value"]

    cloud.state.reset()

    assert get(cloud, messages_path(cloud), **{"$top": "3"}).json()["value"] == before
