"""Evaluation: which of the builder's four issues each query selects (NOW is fixed)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import MappingProxyType

import pytest

from flywheel_sync.sandbox.jira.jql import compile_jql
from tests.unit.sandbox_jql.builders import ISSUES, NOW, Catalog, issue

ALICE = "5b10-alice"


def selected(jql: str, *, now: datetime = NOW, current_user: str | None = ALICE) -> list[str]:
    query = compile_jql(jql, fields=Catalog())
    return [found["key"] for found in query.search(ISSUES, now=now, current_user=current_user)]


@pytest.mark.parametrize(
    ("jql", "keys"),
    [
        # project: key, name or id, any case
        ("project = PMO", ["PMO-1", "PMO-2", "PMO-3"]),
        ("project = pmo", ["PMO-1", "PMO-2", "PMO-3"]),
        ('project = "OPS Board"', ["OPS-7"]),
        ("project = 10001", ["OPS-7"]),
        ("project in (OPS, nosuch)", ["OPS-7"]),
        ("project != PMO", ["OPS-7"]),
        # issuetype / type
        ("issuetype = epic", ["PMO-1"]),
        ("issuetype = 10002", ["PMO-2"]),
        ("type in (Story, Bug)", ["PMO-2", "OPS-7"]),
        ("issuetype not in (Task)", ["PMO-1", "PMO-2", "OPS-7"]),
        # status: name or id; statusCategory: key or name
        ('status = "in progress"', ["PMO-2", "OPS-7"]),
        ("status = 10001", ["PMO-1"]),
        ("status != Done", ["PMO-2", "PMO-3", "OPS-7"]),
        ("statusCategory = Done", ["PMO-1"]),
        ("statusCategory != done", ["PMO-2", "PMO-3", "OPS-7"]),
        ('statusCategory in ("To Do", indeterminate)', ["PMO-2", "PMO-3", "OPS-7"]),
        # priority, resolution
        ("priority in (High, Highest)", ["PMO-1", "OPS-7"]),
        ("priority = 4", ["PMO-2"]),
        ("resolution = Done", ["PMO-1"]),
        ("resolution is EMPTY", ["PMO-2", "PMO-3", "OPS-7"]),
        ("resolution = EMPTY", ["PMO-2", "PMO-3", "OPS-7"]),
        ("resolution != EMPTY", ["PMO-1"]),
        # users: accountId, displayName, currentUser(), EMPTY
        ("assignee = 5b10-bob", ["PMO-2"]),
        ('assignee = "alice adams"', ["PMO-1", "OPS-7"]),
        ("assignee = currentUser()", ["PMO-1", "OPS-7"]),
        ("assignee in (currentUser(), EMPTY)", ["PMO-1", "PMO-3", "OPS-7"]),
        ("assignee is EMPTY", ["PMO-3"]),
        ("assignee is not empty", ["PMO-1", "PMO-2", "OPS-7"]),
        ('assignee != "Bob Brown"', ["PMO-1", "OPS-7"]),
        ('NOT assignee = "Bob Brown"', ["PMO-1", "PMO-3", "OPS-7"]),
        ("reporter = 5b10-bob", ["PMO-1", "PMO-2", "PMO-3", "OPS-7"]),
        ('Sponsor = "Bob Brown"', ["PMO-1"]),
        # labels: any element; != and NOT IN skip issues without labels
        ("labels = VIP", ["PMO-1", "PMO-3"]),
        ("labels in (onboarding, nosuch)", ["PMO-1"]),
        ("labels != onboarding", ["PMO-3"]),
        ("labels not in (onboarding)", ["PMO-3"]),
        ("labels is empty", ["PMO-2", "OPS-7"]),
        ("labels in (onboarding, EMPTY)", ["PMO-1", "PMO-2", "OPS-7"]),
        ("labels not in (onboarding, EMPTY)", ["PMO-3"]),
        # custom options: by value or id, by name, cf[...] or field id; multi-select
        ('"Flywheel Stage" = "Service Onboarding"', ["PMO-1", "OPS-7"]),
        ('"flywheel stage" = "service onboarding"', ["PMO-1", "OPS-7"]),
        ("cf[10010] = 10106", ["PMO-2"]),
        ("customfield_10010 != 10106", ["PMO-1", "OPS-7"]),
        ('"Flywheel Stage" is EMPTY', ["PMO-3"]),
        ("Services = audits", ["PMO-1"]),
        ('Services in ("Health Checks")', ["PMO-1"]),
        # custom statuses; fields of other schema types compare by text
        ('"Review Status" = approved', ["PMO-1"]),
        ('"Review Status" != approved', []),
        ("Tier = 1", ["PMO-1"]),
        ("Tier in (2)", ["PMO-2"]),
        ("Tier is empty", ["PMO-3", "OPS-7"]),
        # numbers, dates of custom fields, text custom fields
        ('"Story Points" > 3', ["PMO-1"]),
        ('"Story Points" >= 3', ["PMO-1", "PMO-2"]),
        ('"Story Points" in (3, 5)', ["PMO-2"]),
        ('"Story Points" != 8', ["PMO-2"]),
        ('"Story Points" is empty', ["PMO-3", "OPS-7"]),
        ('"Go-live" >= 2026-06-01', ["PMO-1"]),
        ('"Customer Notes" ~ weekly', ["PMO-3"]),
        ('"Customer Notes" is not empty', ["PMO-3"]),
        # key / issuekey / id; parent
        ("key = pmo-2", ["PMO-2"]),
        ("issuekey in (PMO-1, OPS-7, PMO-99)", ["PMO-1", "OPS-7"]),
        ("id = 10003", ["PMO-3"]),
        ("key != PMO-1", ["PMO-2", "PMO-3", "OPS-7"]),
        ("key > PMO-1", ["PMO-2", "PMO-3"]),
        ("key <= PMO-2", ["PMO-1", "PMO-2"]),
        ("id >= 10003", ["PMO-3", "OPS-7"]),
        ("parent = PMO-1", ["PMO-2"]),
        ("parent in (10001)", ["PMO-2"]),
        ("parent != PMO-1", []),
        # text searches: case-insensitive containment, wildcards, phrases
        ("summary ~ REVIEW", ["PMO-3"]),
        ('summary ~ "\\"the kpi\\""', ["PMO-2"]),
        ("summary ~ 'sched*'", ["PMO-3"]),
        ("summary ~ 'f?x'", ["OPS-7"]),
        ("summary !~ the", ["PMO-1"]),
        ("description ~ kick-off", ["PMO-1"]),
        ("description is empty", ["PMO-2", "PMO-3", "OPS-7"]),
        ("text ~ kick", ["PMO-1"]),
        ("text ~ weekly", ["PMO-3"]),
        ("text ~ export", ["OPS-7"]),
        # booleans
        ("project = PMO AND status != Done", ["PMO-2", "PMO-3"]),
        ("project = OPS OR labels = vip", ["PMO-1", "PMO-3", "OPS-7"]),
        ("project = PMO AND (status = Done OR assignee is empty)", ["PMO-1", "PMO-3"]),
        ("NOT (project = PMO OR priority = Highest)", []),
        ("NOT project = PMO", ["OPS-7"]),
        ("project = PMO && labels = vip || key = OPS-7", ["PMO-1", "PMO-3", "OPS-7"]),
        ("! status = Done and ! status = 'To Do'", ["PMO-2", "OPS-7"]),
    ],
)
def test_the_query_selects_exactly_these_issues(jql: str, keys: list[str]) -> None:
    assert selected(jql) == keys


@pytest.mark.parametrize(
    ("jql", "keys"),
    [
        ("updated >= -4h", ["PMO-2", "PMO-3"]),
        ("updated > -4h", ["PMO-3"]),
        ("updated >= -1d", ["PMO-2", "PMO-3"]),
        ("updated >= -2d", ["PMO-1", "PMO-2", "PMO-3"]),
        ("created >= -30m", ["PMO-3"]),
        ("created > -30m", []),
        ("created >= -2w", ["PMO-2", "PMO-3"]),
        ("created < -9w", []),
        ("created < -8w", ["OPS-7"]),
        ("duedate <= 1d", ["PMO-1"]),
        ("due <= 2d", ["PMO-1", "OPS-7"]),
        ("duedate < now()", ["PMO-1"]),
        ("duedate is not empty", ["PMO-1", "OPS-7"]),
        ("created >= startOfDay()", ["PMO-3"]),
        ("updated >= startOfDay(-1)", ["PMO-1", "PMO-2", "PMO-3"]),
        ("updated <= endOfDay(-1)", ["PMO-1", "OPS-7"]),
        ("created >= startOfMonth()", ["PMO-2", "PMO-3"]),
        ("created < startOfMonth(-1)", ["OPS-7"]),
        ("created >= startOfYear()", ["PMO-1", "PMO-2", "PMO-3", "OPS-7"]),
        ("created >= startOfWeek()", ["PMO-3"]),
        ("created = 2026-05-01", []),
        ('created = "2026-05-01 10:00"', ["PMO-2"]),
        ('created >= "2026/05/01"', ["PMO-2", "PMO-3"]),
        ("created in (2026-03-15, -1d)", ["OPS-7"]),
        ("created != 2026-03-15", ["PMO-1", "PMO-2", "PMO-3"]),
        ("resolved is not empty", []),
        ("updated >= '-1d 2h'", ["PMO-1", "PMO-2", "PMO-3"]),
        ("updated >= '-1d, 1h'", ["PMO-2", "PMO-3"]),
    ],
)
def test_dates_compare_as_instants_relative_to_now(jql: str, keys: list[str]) -> None:
    assert selected(jql) == keys


def test_relative_dates_follow_the_clock_of_each_search() -> None:
    query = compile_jql("updated >= -1d", fields=Catalog())
    test_now = query.predicate(now=NOW)
    test_later = query.predicate(now=NOW + timedelta(days=1))

    assert [test_now(found) for found in ISSUES] == [False, True, True, False]
    assert [test_later(found) for found in ISSUES] == [False, False, False, False]


def test_now_in_another_zone_is_the_same_instant() -> None:
    eastern = NOW.astimezone(timezone(timedelta(hours=-4)))

    assert selected("updated >= -4h", now=eastern) == ["PMO-2", "PMO-3"]


def test_day_boundaries_are_utc_whatever_the_zone_of_now() -> None:
    late_evening_in_new_york = datetime(2026, 5, 9, 22, 0, tzinfo=timezone(timedelta(hours=-4)))

    assert selected("created >= startOfDay()", now=late_evening_in_new_york) == ["PMO-3"]


@pytest.mark.parametrize(("current_user", "keys"), [(None, []), ("5b10-bob", ["PMO-2"])])
def test_current_user_names_the_caller_or_nobody(current_user: str | None, keys: list[str]) -> None:
    assert selected("assignee = currentUser()", current_user=current_user) == keys


def test_current_user_in_a_negation_excludes_only_the_caller() -> None:
    assert selected("assignee != currentUser()", current_user=None) == ["PMO-1", "PMO-2", "OPS-7"]


def test_matches_answers_for_one_issue() -> None:
    query = compile_jql("project = PMO AND labels = vip", fields=Catalog())

    assert [query.matches(found, now=NOW) for found in ISSUES] == [True, False, True, False]


def test_an_unbounded_query_matches_every_issue() -> None:
    query = compile_jql("order by key", fields=Catalog())

    assert all(query.matches(found, now=NOW) for found in ISSUES)


def test_a_naive_now_is_refused() -> None:
    query = compile_jql("project = PMO", fields=Catalog())

    with pytest.raises(ValueError, match="now must be timezone-aware"):
        query.predicate(now=datetime(2026, 5, 10, 12, 0))  # noqa: DTZ001 - the point of the test


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"summary": None, "labels": None, "status": None, "created": None},
        {"created": "not a date", "customfield_10012": "eight", "labels": ""},
    ],
)
def test_missing_null_and_malformed_values_are_empty(fields: dict[str, object]) -> None:
    bare = {"id": "1", "key": "X-1", "fields": fields}
    query = compile_jql(
        'labels is empty AND created is empty AND "Story Points" is empty AND summary is empty',
        fields=Catalog(),
    )
    unmatched = compile_jql(
        "labels != a OR created < now() OR statusCategory != done", fields=Catalog()
    )

    assert query.matches(bare, now=NOW) is True
    assert unmatched.matches(bare, now=NOW) is False


def test_an_issue_without_fields_is_all_empty() -> None:
    query = compile_jql("assignee is empty and text ~ x", fields=Catalog())

    assert query.matches({"id": "1", "key": "X-1"}, now=NOW) is False
    assert compile_jql("assignee is empty", fields=Catalog()).matches({"id": "1"}, now=NOW)


def test_plain_string_descriptions_and_comment_pages_are_searched() -> None:
    found = issue("PMO-9", 10009, description="Plain v2 text")
    found["fields"]["comment"] = {"comments": [{"body": "Customer escalated"}], "total": 1}
    query = compile_jql("description ~ plain and comment ~ escalated", fields=Catalog())

    assert query.matches(found, now=NOW) is True


def test_timestamps_with_other_offsets_compare_as_instants() -> None:
    found = issue("PMO-9", 10009, created="2026-05-10T13:30:00.000+0200")  # 11:30 UTC

    assert compile_jql("created >= -30m", fields=Catalog()).matches(found, now=NOW) is True
    assert compile_jql("created > -30m", fields=Catalog()).matches(found, now=NOW) is False


def test_read_only_mappings_are_read_like_dicts() -> None:
    found = issue("PMO-9", 10009, status="Done")
    found["fields"]["status"] = MappingProxyType(found["fields"]["status"])

    assert compile_jql("status = done", fields=Catalog()).matches(found, now=NOW) is True
