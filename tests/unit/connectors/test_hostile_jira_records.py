"""Hostile issues and field definitions: quarantined with their reasons, the page goes on.

The fake site answers one search page with the hostile issues (and, for field definitions,
``GET /field`` with hostile ones) through the jira library, as a real site would.
"""

from __future__ import annotations

import json
import re
from collections import deque
from datetime import timedelta
from typing import Any

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.errors import ConnectorError, RetryableError
from connectors.jira import FULL_CHANGELOG_KEY, JiraFlavour
from connectors.jira.watermark import Watermark
from connectors.records import RecordPage
from tests.unit.connectors.hostile_records import (
    EVERY_RUN,
    THOROUGH,
    assert_storable,
    hostile_items,
)
from tests.unit.connectors.test_jira_fake_site import (
    FIELDS,
    T0,
    FakeIssue,
    FakeJira,
    history,
    issues,
    mocked,
    source,
)

__all__ = ["mocked"]  # the fixture, re-exported for pytest

CLOUD, DC = JiraFlavour.CLOUD, JiraFlavour.DATACENTER
_ALL_FIELDS = {"summary", "updated", "issuetype", "status", "customfield_10010"}


def _valid_issue(number: int) -> dict[str, Any]:
    issue = FakeIssue(number=number, updated=T0)
    issue.edit(T0 + timedelta(minutes=number))
    return issue.json(_ALL_FIELDS, changelog=True, cap=None)


VALID = _valid_issue(7)
"""What the hostile issues are made from."""
WITNESS = _valid_issue(8)
"""A valid issue read after the hostile ones: it must be stored whatever they were."""


def _search_answer(items: list[Any]) -> tuple[int, dict[str, str], str]:
    return 200, {}, json.dumps({"issues": items, "total": len(items)})


def read_page(flavour: JiraFlavour, items: list[Any]) -> list[RecordPage]:
    """One scope's read, the search answering ``items`` once, then nothing."""
    fake = FakeJira(flavour=flavour)
    route = "/search/jql" if flavour is CLOUD else "/search"
    fake.failures[route] = deque([_search_answer(items), _search_answer([])])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        jira = source(fake, mock, history_issue_types=None)
        return list(jira.pages("pmo", None))


def read_fields(definitions: Any) -> RecordPage:
    fake = FakeJira(flavour=CLOUD)
    fake.failures["/field"] = deque([(200, {}, json.dumps(definitions))])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        (page,) = source(fake, mock, fields=()).pages("fields", None)
        return page


def check_hostile_page(flavour: JiraFlavour, hostile: list[Any]) -> None:
    pages = read_page(flavour, [*hostile, WITNESS])

    assert_storable(pages)
    records = [record for page in pages for record in page.records]
    quarantined = [entry for page in pages for entry in page.quarantined]
    skipped = sum(page.details.get("skipped", 0) for page in pages)  # repeated ids
    assert len(records) + len(quarantined) + skipped == len(hostile) + 1
    assert WITNESS["key"] in {record.external_id for record in records}  # the page went on
    marks = [page.watermark for page in pages if page.watermark]
    for mark in marks:
        Watermark.parse(mark)  # the next read can start from it


@pytest.mark.parametrize("flavour", [CLOUD, DC])
@settings(EVERY_RUN)
@given(hostile=st.lists(hostile_items(VALID), min_size=1, max_size=4))
def test_every_hostile_issue_is_a_record_or_quarantined_and_the_page_goes_on(
    flavour: JiraFlavour, hostile: list[Any]
) -> None:
    check_hostile_page(flavour, hostile)


@pytest.mark.slow
@settings(THOROUGH)
@given(hostile=st.lists(hostile_items(VALID), min_size=1, max_size=6))
def test_every_hostile_issue_is_a_record_or_quarantined_thoroughly(hostile: list[Any]) -> None:
    check_hostile_page(CLOUD, hostile)


@settings(EVERY_RUN)
@given(hostile=st.lists(hostile_items(FIELDS[0]), min_size=1, max_size=4))
def test_every_hostile_field_definition_is_a_record_or_quarantined(hostile: list[Any]) -> None:
    page = read_fields([*FIELDS, *hostile])

    assert_storable([page])
    ids = {record.external_id for record in page.records}
    assert {field["id"] for field in FIELDS} <= ids
    assert len(ids) + len(page.quarantined) <= len(FIELDS) + len(hostile)


def _with_fields(**members: Any) -> dict[str, Any]:
    issue: dict[str, Any] = json.loads(json.dumps(VALID))
    issue["fields"] |= members
    return issue


def _without(name: str) -> dict[str, Any]:
    return {k: v for k, v in VALID.items() if k != name}


BROKEN: dict[str, tuple[Any, str | None, str]] = {
    "not an object": ([1, 2], None, "the search answered an issue that is not a JSON object"),
    "no key": (_without("key"), None, "the issue (id '10007') has no readable key (None)"),
    "a key with a NUL": (
        VALID | {"key": "PMO-\x007"},
        None,
        "the issue (id '10007') has no readable key ('PMO-\\x007')",
    ),
    "an id that is not a number": (
        VALID | {"id": "seven"},
        "PMO-7",
        "the issue has no numeric id ('seven')",
    ),
    "fields that are not an object": (
        VALID | {"fields": "none"},
        "PMO-7",
        "the issue's 'fields' is not an object ('none')",
    ),
    "no updated": (
        _with_fields(updated=None),
        "PMO-7",
        "the issue has no readable 'updated' (None)",
    ),
    "an updated without an offset": (
        _with_fields(updated="2026-11-20T09:00:00"),
        "PMO-7",
        "the issue has no readable 'updated' ('2026-11-20T09:00:00')",
    ),
    "an updated beyond year 9999 in UTC": (
        _with_fields(updated="9999-12-31T23:59:59.000-1400"),
        "PMO-7",
        "the issue has no readable 'updated' ('9999-12-31T23:59:59.000-1400')",
    ),
    "a changelog that is not an object": (
        VALID | {"changelog": []},
        "PMO-7",
        "the issue's changelog is not an object (list of 0)",
    ),
    "a changelog total that is not a number": (
        VALID | {"changelog": VALID["changelog"] | {"total": "many"}},
        "PMO-7",
        "the changelog's total is not a number ('many')",
    ),
    "a history without created": (
        VALID | {"changelog": VALID["changelog"] | {"histories": [{"id": "1"}]}},
        "PMO-7",
        "a changelog history has no readable created or id",
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_an_unreadable_issue_is_quarantined_with_its_reason(case: str) -> None:
    issue, external_id, reason = BROKEN[case]

    pages = read_page(CLOUD, [issue, WITNESS])

    (entry,) = [entry for page in pages for entry in page.quarantined]
    assert (entry.record_type, entry.external_id, entry.reason) == ("issue", external_id, reason)
    assert [r.external_id for page in pages for r in page.records] == [WITNESS["key"]]


def test_a_quarantined_issue_does_not_hold_the_watermark_back() -> None:
    later = _with_fields(updated="2026-11-20T09:05:00.000+0000")

    pages = read_page(
        CLOUD, [_with_fields(updated="soon") | {"key": "PMO-6", "id": "10006"}, later]
    )

    assert pages[-1].watermark == "2026-11-20T09:05:00.000+00:00;seen=10007"


def test_the_excerpt_of_a_quarantined_issue_is_bounded_and_masks_secrets() -> None:
    issue = _with_fields(updated=None, summary="x" * 1_000_000) | {"apiToken": "hunter2"}

    (entry,) = read_page(CLOUD, [issue])[0].quarantined

    assert len(entry.excerpt) <= 2_000
    assert '"apiToken":"***"' in entry.excerpt
    assert "hunter2" not in entry.excerpt
    assert "(1,000,000 characters)" in entry.excerpt


def test_a_history_that_stays_partial_is_quarantined_and_the_page_goes_on(
    mocked: responses.RequestsMock,
) -> None:
    busy = FakeIssue(number=1, updated=T0)
    for minute in range(30):
        busy.edit(T0 + timedelta(minutes=minute))
    calm = FakeIssue(number=2, updated=T0 + timedelta(hours=1))
    fake = FakeJira(
        flavour=DC, issues=[busy, calm], datacenter_changelog_cap=20, issue_changelog_cap=20
    )

    pages = list(source(fake, mocked).pages("pmo", None))

    (entry,) = [entry for page in pages for entry in page.quarantined]
    assert (entry.external_id, entry.reason) == (
        "PMO-1",
        "Jira returned only part of the issue's history",
    )
    assert [r.external_id for page in pages for r in page.records] == ["PMO-2"]
    assert sum(page.requests for page in pages) == len(
        [r for r in fake.requests if "/search" in r or "/issue/" in r]
    )


def test_a_valid_issue_keeps_its_whole_history(mocked: responses.RequestsMock) -> None:
    fake = FakeJira(flavour=CLOUD, issues=issues(1))
    fake.issues[0].histories.append(history(1, T0))

    pages = list(source(fake, mocked).pages("pmo", None))

    assert [len(r.payload[FULL_CHANGELOG_KEY]) for p in pages for r in p.records] == [1]
    assert all(not page.quarantined for page in pages)


@pytest.mark.parametrize("flavour", [CLOUD, DC])
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[1, 2]", "the search answered something that is not a JSON object"),
        ("null", "the search answered something that is not a JSON object"),
        ('{"issues": {"id": "1"}}', "the search answered 'issues' that is not a list"),
        ("<html>busy</html>", "Jira's answer was not valid JSON"),
    ],
)
def test_a_search_answer_that_cannot_be_read_at_all_fails_the_scope(
    flavour: JiraFlavour, body: str, message: str
) -> None:
    fake = FakeJira(flavour=flavour)
    route = "/search/jql" if flavour is CLOUD else "/search"
    fake.failures[route] = deque([(200, {}, body)] * 3)

    with (
        responses.RequestsMock(assert_all_requests_are_fired=False) as mock,
        pytest.raises(RetryableError, match=re.escape(message)),
    ):
        list(source(fake, mock).pages("pmo", None))


def test_field_definitions_that_are_not_a_list_fail_the_scope() -> None:
    with pytest.raises(ConnectorError, match="GET /field answered something that is not a list"):
        read_fields({"id": "summary"})
