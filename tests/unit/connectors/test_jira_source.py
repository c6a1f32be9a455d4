"""JiraSource against a fake site: what it asks Jira for, and the records it yields."""

from __future__ import annotations

import base64
from collections import deque
from datetime import timedelta
from typing import Any

import pytest
import responses

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    RetryableError,
)
from connectors.jira import FULL_CHANGELOG_KEY, BasicAuth, BearerAuth, JiraFlavour, JiraSource
from connectors.records import RecordPage
from connectors.retry import RetryPolicy
from tests.unit.connectors.test_jira_fake_site import (
    FIELDS,
    T0,
    TOKEN,
    USER,
    FakeIssue,
    FakeJira,
    answer,
    issues,
    mocked,
    refusal,
    source,
)

__all__ = ["mocked"]  # the fixture, re-exported for pytest

FLAVOURS = [JiraFlavour.CLOUD, JiraFlavour.DATACENTER]


def read(jira: JiraSource, watermark: str | None = None, **options: Any) -> list[RecordPage]:
    return list(jira.pages("pmo", watermark, **options))


def keys(pages: list[RecordPage]) -> list[str]:
    return [record.external_id for page in pages for record in page.records]


def searched(fake: FakeJira, name: str) -> list[str]:
    return [value for search in fake.searches for value in search.get(name, [])]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_full_read_yields_every_issue_once_oldest_change_first(
    flavour: JiraFlavour, mocked: responses.RequestsMock
) -> None:
    fake = FakeJira(flavour=flavour, issues=issues(250)[::-1])

    pages = read(source(fake, mocked))

    assert keys(pages) == [f"PMO-{n}" for n in range(1, 251)]
    assert (
        pages[-1].watermark
        == "2026-11-20T13:10:00.000+00:00;seen=10245,10246,10247,10248,10249,10250"
    )
    updated = [str(r.updated_at) for page in pages for r in page.records]
    assert updated == sorted(updated)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_record_is_the_issue_json_keyed_by_issue_key(
    flavour: JiraFlavour, mocked: responses.RequestsMock
) -> None:
    fake = FakeJira(flavour=flavour, issues=issues(1))

    record = read(source(fake, mocked, fields=["Flywheel Stage"]))[0].records[0]

    assert (record.record_type, record.external_id, record.updated_at) == (
        "issue",
        "PMO-1",
        T0 + timedelta(minutes=1),
    )
    assert record.payload["id"] == "10001"
    assert record.payload["fields"] == {
        "updated": "2026-11-20T09:01:00.000+0000",
        "customfield_10010": {"value": "Onboarding", "id": "10100"},
    }


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_the_fields_scope_yields_every_field_definition_and_is_looked_up_once(
    flavour: JiraFlavour, mocked: responses.RequestsMock
) -> None:
    fake = FakeJira(flavour=flavour, issues=issues(3))
    jira = source(fake, mocked, fields=["Flywheel Stage"])

    (page,) = jira.pages("fields", None)
    read(jira)

    assert {record.record_type for record in page.records} == {"jira_field"}
    assert {record.external_id for record in page.records} == {f["id"] for f in FIELDS}
    assert page.watermark is None
    assert sum(request.endswith("/field") for request in fake.requests) == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_fields_are_asked_for_by_id_after_one_field_lookup(
    flavour: JiraFlavour, mocked: responses.RequestsMock
) -> None:
    fake = FakeJira(flavour=flavour, issues=issues(150))

    read(source(fake, mocked, fields=["Flywheel Stage", "Summary"]))

    assert set(searched(fake, "fields")) == {"customfield_10010", "summary", "updated"}
    assert sum(request.endswith("/field") for request in fake.requests) == 1


@pytest.mark.parametrize(
    ("flavour", "version"), [(JiraFlavour.CLOUD, "3"), (JiraFlavour.DATACENTER, "2")]
)
def test_the_flavour_comes_from_server_info_and_picks_the_rest_version(
    flavour: JiraFlavour, version: str, mocked: responses.RequestsMock
) -> None:
    fake = FakeJira(flavour=flavour, issues=issues(1))

    read(source(fake, mocked))

    assert fake.requests[0] == "GET /rest/api/2/serverInfo"
    assert all(f"/rest/api/{version}/" in request for request in fake.requests[1:])


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_configured_flavour_needs_no_server_info(
    flavour: JiraFlavour, mocked: responses.RequestsMock
) -> None:
    fake = FakeJira(flavour=flavour, issues=issues(1))

    read(source(fake, mocked, flavour=flavour))

    assert not any(request.endswith("/serverInfo") for request in fake.requests)


BASIC = "Basic " + base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()


@pytest.mark.parametrize(
    ("flavour", "header"), [(JiraFlavour.CLOUD, BASIC), (JiraFlavour.DATACENTER, f"Bearer {TOKEN}")]
)
def test_basic_auth_and_bearer_tokens_are_sent_as_configured(
    flavour: JiraFlavour, header: str, mocked: responses.RequestsMock
) -> None:
    fake = FakeJira(flavour=flavour, issues=issues(1))

    read(source(fake, mocked))

    assert set(fake.authorizations) == {header}


def test_a_token_provider_is_asked_once_and_tokens_stay_out_of_reprs(
    mocked: responses.RequestsMock,
) -> None:
    asked: list[str] = []

    def provider() -> str:
        asked.append(TOKEN)
        return TOKEN

    fake = FakeJira(flavour=JiraFlavour.DATACENTER, issues=issues(120))
    read(source(fake, mocked, auth=BearerAuth(token=provider)))

    assert (asked, set(fake.authorizations)) == ([TOKEN], {f"Bearer {TOKEN}"})
    assert TOKEN not in repr(BasicAuth(user=USER, token=TOKEN))
    assert TOKEN not in repr(BearerAuth(token=TOKEN))


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_nothing_changed_costs_one_search_and_yields_nothing(
    flavour: JiraFlavour, mocked: responses.RequestsMock
) -> None:
    fake = FakeJira(flavour=flavour, issues=issues(150))
    jira = source(fake, mocked)
    watermark = read(jira)[-1].watermark
    fake.searches.clear()

    again = read(jira, watermark)

    assert (keys(again), len(fake.searches), [p.requests for p in again]) == ([], 1, [1])
    assert again[-1].watermark == watermark


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_an_incremental_read_yields_exactly_the_changed_issues(
    flavour: JiraFlavour, mocked: responses.RequestsMock
) -> None:
    fake = FakeJira(flavour=flavour, issues=issues(150))
    jira = source(fake, mocked)
    watermark = read(jira)[-1].watermark
    for number in (3, 77, 150):
        fake.issues[number - 1].edit(T0 + timedelta(hours=5, minutes=number))

    assert keys(read(jira, watermark)) == ["PMO-3", "PMO-77", "PMO-150"]


@pytest.mark.parametrize(
    ("zone", "bound"),
    [
        ("UTC", "2026-11-20 11:25"),  # watermark 11:30 minus the 5-minute lookback
        ("Asia/Tokyo", "2026-11-20 20:25"),
        (None, "2026-11-19 21:25"),  # unknown zone: 14 hours earlier still
    ],
)
def test_an_incremental_search_starts_a_lookback_earlier_in_the_users_zone(
    zone: str | None, bound: str, mocked: responses.RequestsMock
) -> None:
    fake = FakeJira(flavour=JiraFlavour.CLOUD, issues=issues(2), time_zone=zone)

    read(source(fake, mocked), "2026-11-20T11:30:40.000+0000")

    assert searched(fake, "jql") == [
        f'(project = PMO) AND updated >= "{bound}" ORDER BY updated ASC, key ASC'
    ]


def test_a_full_read_ignores_the_watermark_and_asks_no_time_zone(
    mocked: responses.RequestsMock,
) -> None:
    fake = FakeJira(flavour=JiraFlavour.CLOUD, issues=issues(3))

    pages = read(source(fake, mocked), "2026-11-20T11:30:40.000+0000", full=True)

    assert len(keys(pages)) == 3
    assert searched(fake, "jql") == ["(project = PMO) ORDER BY updated ASC, key ASC"]
    assert not any(request.endswith("/myself") for request in fake.requests)


@pytest.mark.parametrize(
    ("flavour", "route"), [(JiraFlavour.CLOUD, "/search/jql"), (JiraFlavour.DATACENTER, "/search")]
)
def test_a_query_jira_refuses_is_a_configuration_error_naming_the_scope(
    flavour: JiraFlavour, route: str, mocked: responses.RequestsMock
) -> None:
    message = "The value 'PMO' does not exist for the field 'project'."
    fake = FakeJira(flavour=flavour, failures={route: deque([refusal(400, message)])})

    with pytest.raises(ConnectorConfigError, match=rf"scope 'pmo'.*HTTP 400.*{message}"):
        read(source(fake, mocked))


def test_refused_credentials_are_an_authentication_error(mocked: responses.RequestsMock) -> None:
    denial = refusal(401, "Unauthorized")
    fake = FakeJira(flavour=JiraFlavour.CLOUD, failures={"/field": deque([denial])})

    with pytest.raises(AuthenticationError, match="HTTP 401"):
        read(source(fake, mocked))


def test_throttled_and_failed_requests_are_retried_honouring_retry_after(
    mocked: responses.RequestsMock,
) -> None:
    throttled = answer(429, {"errorMessages": ["Rate limit"]}, Retry_After="3")
    failed = answer(503)
    fake = FakeJira(
        flavour=JiraFlavour.CLOUD,
        issues=issues(2),
        failures={"/search/jql": deque([throttled, failed]), "/field": deque([throttled])},
    )
    waits: list[float] = []
    policy = RetryPolicy(sleep=waits.append, jitter=lambda cap: cap, max_attempts=4)

    pages = read(source(fake, mocked, policy=policy))

    assert keys(pages) == ["PMO-1", "PMO-2"]
    assert waits == [3.0, 3.0, 2.0]  # Retry-After twice, then backoff for the 503


def test_retries_give_up_with_a_retryable_error(mocked: responses.RequestsMock) -> None:
    failed = answer(503, Retry_After="1")
    fake = FakeJira(flavour=JiraFlavour.CLOUD, failures={"/search/jql": deque([failed] * 5)})

    with pytest.raises(RetryableError, match="scope 'pmo': Jira answered HTTP 503"):
        read(source(fake, mocked))


def test_a_long_history_is_read_in_full_oldest_first(mocked: responses.RequestsMock) -> None:
    busy = FakeIssue(number=1, updated=T0)
    for minute in range(150):
        busy.edit(T0 + timedelta(minutes=minute))
    fake = FakeJira(
        flavour=JiraFlavour.CLOUD, issues=[busy, *issues(3, first=2, start=T0 + timedelta(days=1))]
    )

    page = read(source(fake, mocked))[0]

    histories = page.records[0].payload[FULL_CHANGELOG_KEY]
    assert [h["id"] for h in histories] == [h["id"] for h in busy.histories]
    assert len(page.records[0].payload["changelog"]["histories"]) == 20  # as embedded
    assert page.requests == 1 + 2  # the search, and two changelog pages of 100
    assert page.records[1].payload[FULL_CHANGELOG_KEY] == []


def test_only_the_stage_bearing_issue_types_get_their_full_history(
    mocked: responses.RequestsMock,
) -> None:
    epic, task = FakeIssue(number=1, updated=T0), FakeIssue(number=2, updated=T0, issuetype="Task")
    for minute in range(25):
        epic.edit(T0 + timedelta(minutes=minute))
        task.edit(T0 + timedelta(minutes=minute))
    fake = FakeJira(flavour=JiraFlavour.CLOUD, issues=[epic, task])

    page = read(source(fake, mocked, history_issue_types={"epic"}))[0]

    assert [FULL_CHANGELOG_KEY in r.payload for r in page.records] == [True, False]
    assert "issuetype" in searched(fake, "fields")
    assert page.requests == 2


def test_no_history_types_means_no_changelog_at_all(mocked: responses.RequestsMock) -> None:
    fake = FakeJira(flavour=JiraFlavour.CLOUD, issues=issues(2))

    page = read(source(fake, mocked, history_issue_types=()))[0]

    assert searched(fake, "expand") == []
    assert all("changelog" not in r.payload for r in page.records)


def test_cloud_properties_come_with_the_search(mocked: responses.RequestsMock) -> None:
    marked = FakeIssue(number=1, updated=T0, properties={"flywheel.marker": {"rev": 7}})
    fake = FakeJira(
        flavour=JiraFlavour.CLOUD,
        issues=[marked, *issues(1, first=2, start=T0 + timedelta(hours=1))],
    )

    page = read(source(fake, mocked, property_keys=["flywheel.marker"]))[0]

    assert searched(fake, "properties") == ["flywheel.marker"]
    assert [r.payload["properties"] for r in page.records] == [{"flywheel.marker": {"rev": 7}}, {}]
    assert page.requests == 1


def test_a_repeated_page_token_ends_the_read(mocked: responses.RequestsMock) -> None:
    looping = [
        answer(
            200,
            {"issues": [issue.json({"updated"}, changelog=False, cap=None)], "nextPageToken": "A"},
        )
        for issue in issues(2)
    ]
    fake = FakeJira(flavour=JiraFlavour.CLOUD, failures={"/search/jql": deque(looping)})

    with pytest.raises(RetryableError, match="page token twice"):
        read(source(fake, mocked))


@pytest.mark.parametrize(
    ("options", "scope", "message"),
    [
        ({"fields": ["Flywheel Stag"]}, "pmo", "did you mean 'Flywheel Stage'"),
        ({"fields": ["Customer"]}, "pmo", "ambiguous"),
        ({}, "grid", "unknown scope 'grid'"),
    ],
)
def test_an_unknown_scope_or_field_is_a_configuration_error(
    options: dict[str, Any], scope: str, message: str, mocked: responses.RequestsMock
) -> None:
    jira = source(FakeJira(flavour=JiraFlavour.CLOUD, issues=issues(1)), mocked, **options)

    with pytest.raises(ConnectorConfigError, match=message):
        list(jira.pages(scope, None))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"property_keys": [f"k{n}" for n in range(6)]}, "at most 5 property keys"),
        ({"scopes": ["project = PMO ORDER BY key"]}, "must not have an ORDER BY"),
    ],
)
def test_a_configuration_jira_cannot_serve_is_refused_at_construction(
    options: dict[str, Any], message: str, mocked: responses.RequestsMock
) -> None:
    with pytest.raises(ConnectorConfigError, match=message):
        source(FakeJira(flavour=JiraFlavour.CLOUD), mocked, **options)


def test_an_unreadable_watermark_is_a_configuration_error(mocked: responses.RequestsMock) -> None:
    jira = source(FakeJira(flavour=JiraFlavour.CLOUD, issues=issues(1)), mocked)

    with pytest.raises(ConnectorConfigError, match="unreadable watermark"):
        read(jira, "last tuesday")


def test_scopes_are_named_by_their_jql_when_given_as_a_list(
    mocked: responses.RequestsMock,
) -> None:
    fake = FakeJira(flavour=JiraFlavour.CLOUD, issues=issues(1))
    jira = source(fake, mocked, scopes=["project = PMO", "filter = 10001"])

    assert jira.scopes() == ["fields", "project = PMO", "filter = 10001"]
    assert [p.scope for p in jira.pages("filter = 10001", None)] == ["filter = 10001"]
    assert searched(fake, "jql") == ["(filter = 10001) ORDER BY updated ASC, key ASC"]
