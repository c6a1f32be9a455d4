"""TeamsSource's author records: each new author of a page read once per run, in one $batch."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest

from connectors.graph import DIRECTORY_USER
from connectors.graph.session import GraphSession
from connectors.graph.teams import CHANNEL_MESSAGE, CHANNEL_REPLY, ChannelRef, TeamsSource
from connectors.graph.teams_authors import USER_PROPERTIES, author_id
from connectors.records import RecordPage
from connectors.retry import RetryPolicy

BASE = "https://graph.test/v1.0"
TEAM = "team-1"
CHANNEL = "19:abc@thread.tacv2"
SCOPE = f"{TEAM}/{CHANNEL}"
PATH = f"/teams/{TEAM}/channels/{CHANNEL}/messages"
SOURCE = "teams:northwind"
PERMISSION_DENIED = {"code": "Authorization_RequestDenied", "message": "Insufficient privileges."}


def sent_by(user_id: str | None, kind: str | None = "aadUser") -> dict[str, Any]:
    """A ``from`` as Teams writes it: a user, or (``user_id`` None) an application."""
    if user_id is None:
        application = {"id": "app-1", "displayName": "Workflows"}
        return {"user": None, "application": application, "device": None}
    user: dict[str, Any] = {"id": user_id, "displayName": user_id.title()}
    if kind is not None:
        user["userIdentityType"] = kind
    return {"user": user, "application": None, "device": None}


def message(message_id: str, author: str | None, *replies: dict[str, Any]) -> dict[str, Any]:
    return {"id": message_id, "from": sent_by(author), "replies": list(replies)}


def directory_user(user_id: str) -> dict[str, Any]:
    """Everything Entra holds on a user; Graph answers only what ``$select`` names."""
    return {
        "id": user_id,
        "displayName": user_id.title(),
        "givenName": user_id.title(),
        "mail": f"{user_id}@northwind.example",
        "userPrincipalName": f"{user_id}@northwind.example",
        "department": "Customer Service",
        "jobTitle": "Customer Service Analyst",
        "companyName": "Northwind Utilities",
    }


@dataclass
class FakeTenant:
    """One channel whose list pages are given, and the directory ``$batch`` steps read."""

    pages: list[list[dict[str, Any]]]
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    users_status: int = 200
    """403 refuses every user (the application lacks User.Read.All)."""
    asked: list[str] = field(default_factory=list)
    batches: int = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1.0")
        if path == "/$batch":
            return self._batch(json.loads(request.content)["requests"])
        if path == f"{PATH}/delta":
            return httpx.Response(200, json={"value": [], "@odata.deltaLink": f"{BASE}/d?t=1"})
        number = int(request.url.params.get("$skiptoken", 0))
        body: dict[str, Any] = {"value": self.pages[number]}
        if number + 1 < len(self.pages):
            body["@odata.nextLink"] = f"{BASE}{PATH}?$skiptoken={number + 1}"
        return httpx.Response(200, json=body)

    def _batch(self, steps: list[dict[str, Any]]) -> httpx.Response:
        self.batches += 1
        return httpx.Response(200, json={"responses": [self._step(step) for step in steps]})

    def _step(self, step: dict[str, Any]) -> dict[str, Any]:
        url = urlsplit(step["url"])
        user_id = unquote(url.path.removeprefix("/users/"))
        self.asked.append(user_id)
        selected = parse_qs(url.query)["$select"][0].split(",")
        user = self.users.get(user_id)
        if self.users_status != 200:
            status, body = self.users_status, {"error": PERMISSION_DENIED}
        elif user is None:
            status, body = 404, {"error": {"code": "Request_ResourceNotFound", "message": "No."}}
        else:
            status = 200
            body = {"@odata.context": f"{BASE}/$metadata#users/$entity"} | {
                name: user[name] for name in selected
            }
        return {"id": step["id"], "status": status, "headers": {}, "body": body}


def open_source(tenant: FakeTenant) -> TeamsSource:
    session = GraphSession(base_url=BASE, token="t", transport=httpx.MockTransport(tenant))
    return TeamsSource(
        name=SOURCE,
        session=session,
        channels=[ChannelRef(team_id=TEAM, channel_id=CHANNEL)],
        policy=RetryPolicy(sleep=lambda seconds: None),
    )


@pytest.fixture
def tenant() -> FakeTenant:
    """Two list pages: Alice and Bob (who replies), then Alice again and Carol."""
    first = [message("1", "alice", message("11", "bob")), message("2", "alice")]
    second = [message("3", "alice"), message("4", "carol")]
    users = {name: directory_user(name) for name in ("alice", "bob", "carol")}
    return FakeTenant(pages=[first, second], users=users)


@pytest.fixture
def source(tenant: FakeTenant) -> Iterator[TeamsSource]:
    with open_source(tenant) as opened:
        yield opened


def list_pages(source: TeamsSource) -> list[RecordPage]:
    """The full read's list pages (the delta round that follows them holds no message)."""
    return list(source.pages(SCOPE, None, full=True))[:-1]


def authors(page: RecordPage) -> list[str]:
    return [r.external_id for r in page.records if r.record_type == DIRECTORY_USER]


def test_a_page_yields_its_new_authors_after_its_messages(source: TeamsSource) -> None:
    first = list_pages(source)[0]

    kinds = [record.record_type for record in first.records]
    assert kinds == [CHANNEL_MESSAGE, CHANNEL_REPLY, CHANNEL_MESSAGE] + [DIRECTORY_USER] * 2
    assert authors(first) == ["alice", "bob"]
    assert first.details == {"messages": 2, "replies": 1, "authors": 2}


def test_an_author_record_is_the_selected_user_without_its_context(source: TeamsSource) -> None:
    alice = next(r for r in list_pages(source)[0].records if r.record_type == DIRECTORY_USER)

    expected = {name: directory_user("alice")[name] for name in USER_PROPERTIES}
    assert alice.payload == expected
    assert alice.payload["department"] == "Customer Service"
    assert alice.updated_at is None


def test_each_page_asks_only_for_authors_not_asked_for_before(
    source: TeamsSource, tenant: FakeTenant
) -> None:
    first, second = list_pages(source)

    assert tenant.asked == ["alice", "bob", "carol"]
    assert [authors(first), authors(second)] == [["alice", "bob"], ["carol"]]
    assert tenant.batches == 2


def test_the_lookup_is_counted_in_the_pages_requests(source: TeamsSource) -> None:
    first, _ = list_pages(source)

    assert first.requests == 2  # the list page and its $batch


def test_a_page_without_new_authors_sends_no_batch(tenant: FakeTenant) -> None:
    tenant.pages[1] = [message("3", "alice", message("31", "bob"))]
    with open_source(tenant) as source:
        _, second = list_pages(source)

    assert authors(second) == []
    assert second.requests == 1
    assert tenant.batches == 1


def test_a_second_read_by_the_same_source_asks_for_nobody(
    source: TeamsSource, tenant: FakeTenant
) -> None:
    list_pages(source)
    tenant.asked.clear()

    again = list_pages(source)

    assert [authors(page) for page in again] == [[], []]
    assert tenant.asked == []


def test_a_new_source_reads_its_authors_again(source: TeamsSource, tenant: FakeTenant) -> None:
    list_pages(source)
    with open_source(tenant) as next_run:
        list_pages(next_run)

    assert tenant.asked == ["alice", "bob", "carol"] * 2


def test_more_than_twenty_new_authors_take_one_batch_request_per_twenty(
    tenant: FakeTenant,
) -> None:
    names = [f"user{n:02d}" for n in range(25)]
    tenant.pages = [[message(str(n), name) for n, name in enumerate(names)]]
    tenant.users = {name: directory_user(name) for name in names}
    with open_source(tenant) as source:
        (page,) = list_pages(source)

    assert authors(page) == names
    assert page.requests == 3  # the list page and two $batch requests


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        pytest.param(sent_by("alice"), "alice", id="directory user"),
        pytest.param(sent_by("alice", kind=None), "alice", id="identity type absent"),
        pytest.param(sent_by("alice", "onPremiseAadUser"), "alice", id="synchronised user"),
        pytest.param(sent_by(None), None, id="application or bot"),
        pytest.param(None, None, id="system event"),
        pytest.param(sent_by("guest-7", "anonymousGuest"), None, id="anonymous guest"),
        pytest.param(sent_by("ext-1", "federatedUser"), None, id="other tenant"),
        pytest.param({"user": {"displayName": "No id"}}, None, id="user without id"),
    ],
)
def test_author_id_names_only_users_of_the_tenants_directory(
    sender: dict[str, Any] | None, expected: str | None
) -> None:
    assert author_id({"id": "1", "from": sender}) == expected


def test_messages_from_applications_have_no_author_record(tenant: FakeTenant) -> None:
    tenant.pages = [[message("1", None), message("2", "alice")]]
    with open_source(tenant) as source:
        (page,) = list_pages(source)

    assert authors(page) == ["alice"]
    assert tenant.asked == ["alice"]


def test_a_deleted_account_yields_no_record_and_is_not_asked_for_again(
    tenant: FakeTenant,
) -> None:
    del tenant.users["bob"]
    tenant.pages[1].append(message("5", "bob"))
    with open_source(tenant) as source:
        first, second = list_pages(source)

    assert authors(first) == ["alice"]
    assert [m.external_id for m in first.records[:3]] == [
        f"{CHANNEL}/{n}" for n in ("1", "11", "2")
    ]
    assert authors(second) == ["carol"]
    assert tenant.asked.count("bob") == 1


def test_a_refused_lookup_leaves_the_pages_without_authors(tenant: FakeTenant) -> None:
    tenant.users_status = 403
    with open_source(tenant) as source:
        first, second = list_pages(source)

    assert [len(first.records), len(second.records)] == [3, 2]
    assert authors(first) == authors(second) == []


def test_a_refused_lookup_warns_once_and_stops_asking(
    tenant: FakeTenant, caplog: pytest.LogCaptureFixture
) -> None:
    tenant.users_status = 403
    caplog.set_level(logging.WARNING, logger="connectors.graph.teams_authors")
    with open_source(tenant) as source:
        list_pages(source)
        list_pages(source)

    assert tenant.batches == 1
    assert len(caplog.records) == 1
    warning = caplog.records[0]
    assert warning.levelno == logging.WARNING
    assert warning.name == "connectors.graph.teams_authors"
    assert SOURCE in warning.getMessage()
    assert "User.Read.All" in warning.getMessage()
    assert "403" in warning.getMessage()
