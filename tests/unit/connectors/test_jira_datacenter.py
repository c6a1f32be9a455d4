"""What reading a Data Center site adds: positional paging that can shift, per-issue reads."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

import pytest
import responses

from connectors.errors import RetryableError
from connectors.jira import FULL_CHANGELOG_KEY, JiraFlavour
from tests.unit.connectors.test_jira_fake_site import (
    T0,
    Answer,
    FakeIssue,
    FakeJira,
    answer,
    issues,
    mocked,
    source,
)
from tests.unit.connectors.test_jira_source import keys, read, searched

__all__ = ["mocked"]  # the fixture, re-exported for pytest

DC = JiraFlavour.DATACENTER


def test_each_page_rereads_the_last_issue_to_check_nothing_shifted(
    mocked: responses.RequestsMock,
) -> None:
    fake = FakeJira(flavour=DC, issues=issues(250))

    pages = read(source(fake, mocked))

    assert searched(fake, "startAt") == ["0", "99", "198"]
    assert len(keys(pages)) == 250


def test_an_edit_during_the_read_restarts_the_search_and_loses_no_issue(
    mocked: responses.RequestsMock,
) -> None:
    fake = FakeJira(flavour=DC, issues=issues(250))
    edited = fake.issues[9]  # PMO-10 jumps to the end: every later issue moves up one

    def edit_once() -> None:
        if len(fake.searches) == 1:
            edited.edit(T0 + timedelta(days=2))

    fake.before_search.append(edit_once)

    pages = read(source(fake, mocked))

    read_keys = keys(pages)
    assert sorted(set(read_keys)) == sorted(f"PMO-{n}" for n in range(1, 251))
    assert read_keys.count("PMO-10") == 2  # before and after the edit: both are changes
    assert [p.requests for p in pages if p.records == ()] == [1]  # the restart notice
    assert searched(fake, "jql")[2] == (
        '(project = PMO) AND updated >= "2026-11-20 10:40" ORDER BY updated ASC, key ASC'
    )


def test_results_that_never_stop_shifting_end_the_read(mocked: responses.RequestsMock) -> None:
    a, b, c, d = (FakeIssue(number=n, updated=T0 + timedelta(minutes=n)) for n in range(1, 5))

    def page(*shown: FakeIssue) -> Answer:
        found = [issue.json({"updated"}, changelog=False, cap=None) for issue in shown]
        return answer(200, {"startAt": 0, "maxResults": 2, "total": 10, "issues": found})

    # Every second page starts with an issue it should not: the restart finds the same again.
    shifting = deque([page(a, b), page(c, d)] * 4)
    fake = FakeJira(flavour=DC, failures={"/search": shifting})

    with pytest.raises(RetryableError, match="scope 'pmo': the search results kept shifting"):
        read(source(fake, mocked, page_size=2))


def test_properties_are_read_per_yielded_issue(mocked: responses.RequestsMock) -> None:
    marked = FakeIssue(number=1, updated=T0, properties={"flywheel.marker": {"rev": 7}})
    fake = FakeJira(flavour=DC, issues=[marked, *issues(2, first=2, start=T0 + timedelta(hours=1))])

    page = read(source(fake, mocked, property_keys=["flywheel.marker"]))[0]

    assert searched(fake, "properties") == []  # Data Center's search would ignore them
    assert [r.payload["properties"] for r in page.records] == [
        {"flywheel.marker": {"rev": 7}},
        {},
        {},
    ]
    assert page.requests == 1 + 3
    assert fake.requests[-1] == "GET /rest/api/2/issue/PMO-3"


def test_whole_histories_come_embedded_without_extra_requests(
    mocked: responses.RequestsMock,
) -> None:
    busy = FakeIssue(number=1, updated=T0)
    for minute in range(150):
        busy.edit(T0 + timedelta(minutes=minute))
    fake = FakeJira(flavour=DC, issues=[busy])

    page = read(source(fake, mocked))[0]

    assert len(page.records[0].payload[FULL_CHANGELOG_KEY]) == 150
    assert page.requests == 1
    assert not any("/changelog" in request for request in fake.requests)


def test_a_partial_embedded_history_is_read_again_with_the_issue(
    mocked: responses.RequestsMock,
) -> None:
    busy = FakeIssue(number=1, updated=T0)
    for minute in range(30):
        busy.edit(T0 + timedelta(minutes=minute))
    fake = FakeJira(flavour=DC, issues=[busy], datacenter_changelog_cap=20)

    page = read(source(fake, mocked))[0]

    assert [h["id"] for h in page.records[0].payload[FULL_CHANGELOG_KEY]] == [
        h["id"] for h in busy.histories
    ]
    assert (page.requests, fake.requests[-1]) == (2, "GET /rest/api/2/issue/PMO-1")
