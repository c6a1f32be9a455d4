"""Directory and Teams exchanges against the Graph v1.0 subset.

One row per emulated operation and outcome: the success, and the 400/401/404 a caller meets.
Ids only the running sandbox knows (the team, a channel, a message with replies, page tokens)
come from the row's ``given``. Add an operation by adding a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.contract.calls import WRONG_BEARER, Call, ContractClient, Setup, cases

GRAPH = "/graph/v1.0"
TEAM = f"{GRAPH}/teams/{{team}}"
CHANNEL = f"{TEAM}/channels/{{channel}}"
MESSAGE = f"{CHANNEL}/messages/{{message}}"
DELTA = f"{CHANNEL}/messages/delta()"
USER_PRINCIPAL = "amara.okafor@northwind.example"
UNKNOWN_GUID = "00000000-0000-0000-0000-000000000000"
UNKNOWN_CHANNEL = "19:00000000000000000000000000000000@thread.tacv2"
_CARD_BODY = {"body": {"contentType": "html", "content": "Sync finished"}}


def the_team(setup: Setup) -> Mapping[str, str]:
    """``{team}``: the PMO team's id (its group's id)."""
    groups = setup.call("GET", f"{GRAPH}/groups")
    return {"team": str(groups["value"][0]["id"])}


def requests_channel(setup: Setup) -> Mapping[str, str]:
    """``{team}`` and ``{channel}``: the "PMO Requests" channel, which has replies."""
    given = the_team(setup)
    channels = setup.call("GET", f"{GRAPH}/teams/{given['team']}/channels")
    found = next(c for c in channels["value"] if c["displayName"] == "PMO Requests")
    return {**given, "channel": str(found["id"])}


def _query(link: str, name: str) -> str:
    return parse_qs(urlsplit(link).query)[name][0]


def _get(setup: Setup, path: str, query: Mapping[str, str]) -> Any:
    """``GET path?query`` over the unrecorded session (OData option names start with ``$``)."""
    response = setup.session.get(setup.base_url + path, params=query, timeout=30)
    response.raise_for_status()
    return response.json()


def message_with_replies(setup: Setup) -> Mapping[str, str]:
    """``{message}``: a root post of ``{channel}`` with replies; ``{reply}`` one of them."""
    given = requests_channel(setup)
    path = f"{GRAPH}/teams/{given['team']}/channels/{given['channel']}/messages"
    params = {"$top": "50", "$expand": "replies"}
    while True:
        page = _get(setup, path, params)
        root = next((m for m in page["value"] if m["replies"]), None)
        if root is not None:
            return {**given, "message": str(root["id"]), "reply": str(root["replies"][0]["id"])}
        params = {"$skiptoken": _query(page["@odata.nextLink"], "$skiptoken")}


def second_messages_page(setup: Setup) -> Mapping[str, str]:
    """``{skiptoken}``: the token of the messages list's second page of five."""
    given = requests_channel(setup)
    path = f"{GRAPH}/teams/{given['team']}/channels/{given['channel']}/messages"
    page = _get(setup, path, {"$top": "5"})
    return {**given, "skiptoken": _query(page["@odata.nextLink"], "$skiptoken")}


def second_delta_page(setup: Setup) -> Mapping[str, str]:
    """``{skiptoken}``: the token of a delta round's second page of five."""
    given = requests_channel(setup)
    path = f"{GRAPH}/teams/{given['team']}/channels/{given['channel']}/messages/delta()"
    page = _get(setup, path, {"$top": "5"})
    return {**given, "skiptoken": _query(page["@odata.nextLink"], "$skiptoken")}


def finished_delta_round(setup: Setup) -> Mapping[str, str]:
    """``{deltatoken}``: the token of the deltaLink that ends a full delta round."""
    given = requests_channel(setup)
    path = f"{GRAPH}/teams/{given['team']}/channels/{given['channel']}/messages/delta()"
    page = _get(setup, path, {"$top": "50"})
    while "@odata.nextLink" in page:
        page = _get(setup, path, {"$skiptoken": _query(page["@odata.nextLink"], "$skiptoken")})
    return {**given, "deltatoken": _query(page["@odata.deltaLink"], "$deltatoken")}


DIRECTORY_CALLS = [
    Call(name="groups-list", method="GET", path=f"{GRAPH}/groups"),
    Call(
        name="groups-list-filtered-and-selected",
        method="GET",
        path=f"{GRAPH}/groups",
        params={
            "$filter": "displayName eq 'Northwind Enterprise PMO'",
            "$select": "id,displayName,resourceProvisioningOptions",
        },
    ),
    Call(
        name="groups-list-teams-filter",
        method="GET",
        path=f"{GRAPH}/groups",
        params={"$filter": "resourceProvisioningOptions/Any(x:x eq 'Team')"},
    ),
    Call(
        name="groups-list-unsupported-filter",
        method="GET",
        path=f"{GRAPH}/groups",
        params={"$filter": "theme eq 'Blue'"},
        status=400,
    ),
    Call(
        name="groups-list-wrong-token",
        method="GET",
        path=f"{GRAPH}/groups",
        auth=WRONG_BEARER,
        status=401,
    ),
    Call(name="group-get", method="GET", path=f"{GRAPH}/groups/{{team}}", given=the_team),
    Call(
        name="group-get-select",
        method="GET",
        path=f"{GRAPH}/groups/{{team}}",
        params={"$select": "displayName,mail"},
        given=the_team,
    ),
    Call(
        name="group-get-unknown-select",
        method="GET",
        path=f"{GRAPH}/groups/{{team}}",
        params={"$select": "colour"},
        given=the_team,
        status=400,
    ),
    Call(name="group-get-unknown", method="GET", path=f"{GRAPH}/groups/{UNKNOWN_GUID}", status=404),
    Call(name="group-team", method="GET", path=f"{GRAPH}/groups/{{team}}/team", given=the_team),
    Call(
        name="group-team-unknown",
        method="GET",
        path=f"{GRAPH}/groups/{UNKNOWN_GUID}/team",
        status=404,
    ),
    Call(name="team-get", method="GET", path=TEAM, given=the_team),
    Call(name="team-get-unknown", method="GET", path=f"{GRAPH}/teams/{UNKNOWN_GUID}", status=404),
    Call(name="user-by-principal-name", method="GET", path=f"{GRAPH}/users/{USER_PRINCIPAL}"),
    Call(
        name="user-select-department",
        method="GET",
        path=f"{GRAPH}/users/{USER_PRINCIPAL}",
        params={"$select": "id,displayName,department"},
    ),
    Call(name="user-unknown", method="GET", path=f"{GRAPH}/users/{UNKNOWN_GUID}", status=404),
    Call(name="me-app-only", method="GET", path=f"{GRAPH}/me", status=400),
    Call(name="me-joined-teams-app-only", method="GET", path=f"{GRAPH}/me/joinedTeams", status=400),
]

TEAMS_CALLS = [
    Call(name="channels-list", method="GET", path=f"{TEAM}/channels", given=the_team),
    Call(
        name="channels-list-filtered",
        method="GET",
        path=f"{TEAM}/channels",
        params={"$filter": "membershipType eq 'standard'", "$select": "id,displayName"},
        given=the_team,
    ),
    Call(
        name="channels-list-top-not-allowed",
        method="GET",
        path=f"{TEAM}/channels",
        params={"$top": "1"},
        given=the_team,
        status=400,
    ),
    Call(
        name="channels-list-unknown-team",
        method="GET",
        path=f"{GRAPH}/teams/{UNKNOWN_GUID}/channels",
        status=404,
    ),
    Call(name="channel-get", method="GET", path=CHANNEL, given=requests_channel),
    Call(
        name="channel-get-unknown",
        method="GET",
        path=f"{TEAM}/channels/{UNKNOWN_CHANNEL}",
        given=the_team,
        status=404,
    ),
    Call(name="messages-list", method="GET", path=f"{CHANNEL}/messages", given=requests_channel),
    Call(
        name="messages-list-expand-replies",
        method="GET",
        path=f"{CHANNEL}/messages",
        params={"$top": "50", "$expand": "replies"},
        given=requests_channel,
    ),
    Call(
        name="messages-list-next-page",
        method="GET",
        path=f"{CHANNEL}/messages",
        params={"$skiptoken": "{skiptoken}"},
        given=second_messages_page,
    ),
    Call(
        name="messages-list-top-above-50",
        method="GET",
        path=f"{CHANNEL}/messages",
        params={"$top": "51"},
        given=requests_channel,
        status=400,
    ),
    Call(
        name="messages-list-bad-skiptoken",
        method="GET",
        path=f"{CHANNEL}/messages",
        params={"$skiptoken": "not-a-token"},
        given=requests_channel,
        status=400,
    ),
    Call(
        name="messages-list-unknown-channel",
        method="GET",
        path=f"{TEAM}/channels/{UNKNOWN_CHANNEL}/messages",
        given=the_team,
        status=404,
    ),
    Call(
        name="message-post-app-only",
        method="POST",
        path=f"{CHANNEL}/messages",
        json=_CARD_BODY,
        given=requests_channel,
        status=401,
    ),
    Call(name="message-get", method="GET", path=MESSAGE, given=message_with_replies),
    Call(
        name="message-get-unknown",
        method="GET",
        path=f"{CHANNEL}/messages/1",
        given=requests_channel,
        status=404,
    ),
    Call(name="replies-list", method="GET", path=f"{MESSAGE}/replies", given=message_with_replies),
    Call(
        name="replies-list-top-above-50",
        method="GET",
        path=f"{MESSAGE}/replies",
        params={"$top": "51"},
        given=message_with_replies,
        status=400,
    ),
    Call(
        name="replies-list-unknown-message",
        method="GET",
        path=f"{CHANNEL}/messages/1/replies",
        given=requests_channel,
        status=404,
    ),
    Call(
        name="reply-post-app-only",
        method="POST",
        path=f"{MESSAGE}/replies",
        json=_CARD_BODY,
        given=message_with_replies,
        status=401,
    ),
    Call(
        name="reply-get",
        method="GET",
        path=f"{MESSAGE}/replies/{{reply}}",
        given=message_with_replies,
    ),
    Call(
        name="reply-get-unknown",
        method="GET",
        path=f"{MESSAGE}/replies/1",
        given=message_with_replies,
        status=404,
    ),
    Call(
        name="delta-first-page",
        method="GET",
        path=DELTA,
        params={"$top": "5", "$expand": "replies"},
        given=requests_channel,
    ),
    Call(
        name="delta-filtered",
        method="GET",
        path=DELTA,
        params={"$filter": "lastModifiedDateTime gt 2026-01-01T00:00:00.000Z"},
        given=requests_channel,
    ),
    Call(
        name="delta-next-page",
        method="GET",
        path=DELTA,
        params={"$skiptoken": "{skiptoken}"},
        given=second_delta_page,
    ),
    Call(
        name="delta-after-delta-link",
        method="GET",
        path=DELTA,
        params={"$deltatoken": "{deltatoken}"},
        given=finished_delta_round,
    ),
    Call(
        name="delta-filter-other-than-gt",
        method="GET",
        path=DELTA,
        params={"$filter": "lastModifiedDateTime lt 2026-01-01T00:00:00Z"},
        given=requests_channel,
        status=400,
    ),
    Call(
        name="delta-unknown-channel",
        method="GET",
        path=f"{TEAM}/channels/{UNKNOWN_CHANNEL}/messages/delta()",
        given=the_team,
        status=404,
    ),
]


@pytest.mark.parametrize("call", cases(DIRECTORY_CALLS))
def test_directory_exchange_conforms_to_graph(call: Call, graph: ContractClient) -> None:
    verdict = graph.perform(call)

    assert (verdict.status, verdict.violations, verdict.excused) == (
        call.status,
        (),
        call.deviations,
    )


@pytest.mark.parametrize("call", cases(TEAMS_CALLS))
def test_teams_exchange_conforms_to_graph(call: Call, graph: ContractClient) -> None:
    verdict = graph.perform(call)

    assert (verdict.status, verdict.violations, verdict.excused) == (
        call.status,
        (),
        call.deviations,
    )
