"""A fake Jira site on `responses` for the connector's unit tests, and how it pages.

The integration tests check that its answers have the sandbox's shapes, so the unit tests
cannot drift from the wire.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests
import responses
from requests.models import PreparedRequest

from connectors.jira import BasicAuth, BearerAuth, JiraFlavour, JiraSource
from connectors.retry import RetryPolicy

BASE = "https://jira.example.test"
USER, TOKEN = "bot@example.test", "secret-token-123"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
EMBEDDED_LIMIT = 20
FIELDS: list[dict[str, Any]] = [
    {"id": "summary", "name": "Summary", "custom": False, "clauseNames": ["summary"]},
    {"id": "updated", "name": "Updated", "custom": False, "clauseNames": ["updated"]},
    {"id": "issuetype", "name": "Issue Type", "custom": False, "clauseNames": ["issuetype"]},
    {"id": "status", "name": "Status", "custom": False, "clauseNames": ["status"]},
    {
        "id": "customfield_10010",
        "name": "Flywheel Stage",
        "custom": True,
        "clauseNames": ["cf[10010]", "Flywheel Stage"],
    },
    {"id": "customfield_10012", "name": "Customer", "custom": True, "clauseNames": ["cf[10012]"]},
    {"id": "customfield_10013", "name": "Customer", "custom": True, "clauseNames": ["cf[10013]"]},
]


def jira_time(moment: datetime) -> str:
    """Jira's own date-time spelling: ``2026-11-20T09:00:00.000+0000``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def history(number: int, created: datetime) -> dict[str, Any]:
    """One changelog history that changed the stage."""
    return {
        "id": str(20000 + number),
        "author": {"displayName": "Mia"},
        "created": jira_time(created),
        "items": [{"field": "Flywheel Stage", "fieldId": "customfield_10010", "toString": "x"}],
    }


@dataclass
class FakeIssue:
    """One issue of the fake site; ``updated`` follows its newest history."""

    number: int
    updated: datetime
    issuetype: str = "Epic"
    histories: list[dict[str, Any]] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    broken: bool = False
    """Answer without ``updated``, as no healthy Jira would."""

    @property
    def id(self) -> str:
        return str(10000 + self.number)

    @property
    def key(self) -> str:
        return f"PMO-{self.number}"

    def json(self, wanted: set[str], *, changelog: bool, cap: int | None) -> dict[str, Any]:
        every = {
            "summary": f"Issue {self.number}",
            "updated": jira_time(self.updated),
            "issuetype": {"id": "1" if self.issuetype == "Epic" else "2", "name": self.issuetype},
            "status": {"name": "Open"},
            "customfield_10010": {"value": "Onboarding", "id": "10100"},
        }
        body: dict[str, Any] = {"id": self.id, "key": self.key, "self": f"{BASE}/issue/{self.id}"}
        body["fields"] = {k: v for k, v in every.items() if k in wanted}
        if self.broken:
            body["fields"].pop("updated", None)
        if changelog:
            newest_first = self.histories[::-1][:cap] if cap else self.histories[::-1]
            body["changelog"] = {
                "startAt": 0,
                "maxResults": len(newest_first),
                "total": len(self.histories),
                "histories": newest_first,
            }
        return body

    def edit(self, at: datetime) -> None:
        self.histories.append(history(len(self.histories) + 100 * self.number, at))
        self.updated = at


def issues(
    count: int, *, first: int = 1, start: datetime = T0, step: timedelta = timedelta(minutes=1)
) -> list[FakeIssue]:
    """``count`` issues numbered from ``first``, one updated every ``step`` after ``start``."""
    numbers = range(first, first + count)
    return [FakeIssue(number=n, updated=start + (n - first + 1) * step) for n in numbers]


Answer = tuple[int, dict[str, str], str]


@dataclass
class FakeJira:
    """A Jira site answering over `responses`: Cloud (v3, tokens) or Data Center (v2)."""

    flavour: JiraFlavour
    issues: list[FakeIssue] = field(default_factory=list)
    time_zone: str | None = "UTC"
    page_limit: int = 100
    datacenter_changelog_cap: int | None = None
    """Data Center embeds whole histories; set a cap to play a misbehaving server."""
    issue_changelog_cap: int | None = None
    """A cap on ``GET /issue?expand=changelog`` too (Data Center: none)."""
    failures: dict[str, deque[Answer]] = field(default_factory=dict)
    """Answers given to the next requests of a route (``/search/jql``) before real ones."""
    searches: list[dict[str, list[str]]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    """``METHOD /rest/api/N/route`` of every request, in order."""
    authorizations: list[str] = field(default_factory=list)
    before_search: list[Any] = field(default_factory=list)
    """Callables run before each search answer (e.g. an edit while the read runs)."""

    @property
    def cloud(self) -> bool:
        return self.flavour is JiraFlavour.CLOUD

    def install(self, mock: responses.RequestsMock) -> None:
        pattern = re.compile(rf"{re.escape(BASE)}/rest/api/[23]/.*")
        for method in ("GET", "POST"):
            mock.add_callback(method, pattern, callback=self._answer)

    def _answer(self, request: PreparedRequest) -> Answer:
        url = urlsplit(request.url or "")
        path = re.sub(r"^/rest/api/[23]", "", url.path)
        self.requests.append(f"{request.method} {url.path}")
        self.authorizations.append(str(request.headers.get("Authorization")))
        queued = self.failures.get(path)
        if queued:
            return queued.popleft()
        query = parse_qs(url.query)
        if path == "/serverInfo":
            kind = "Cloud" if self.cloud else "Server"
            return _ok({"deploymentType": kind, "versionNumbers": [1001, 0, 0]})
        if path == "/field":
            return _ok(FIELDS)
        if path == "/myself":
            return _ok({"timeZone": self.time_zone} if self.time_zone else {})
        if path in ("/search/jql", "/search"):
            for action in self.before_search:
                action()
            self.searches.append(query)
            return self._search(path, query)
        found = re.fullmatch(r"/issue/([A-Z]+-\d+)(/changelog)?", path)
        if found:
            return self._issue(found.group(1), changelog=bool(found.group(2)), query=query)
        return 404, {}, json.dumps({"errorMessages": ["no such route"], "errors": {}})

    def _ordered(self) -> list[FakeIssue]:
        return sorted(self.issues, key=lambda issue: (issue.updated, issue.number))

    def _render(
        self, issue: FakeIssue, query: dict[str, list[str]], *, cap: int | None = None
    ) -> dict[str, Any]:
        wanted = {f for value in query.get("fields", []) for f in value.split(",")}
        changelog = "changelog" in ",".join(query.get("expand", []))
        body = issue.json(wanted, changelog=changelog, cap=cap)
        keys = [k for value in query.get("properties", []) for k in value.split(",")]
        if keys:
            body["properties"] = {k: issue.properties[k] for k in keys if k in issue.properties}
        return body

    def _matching(self, jql: str) -> list[FakeIssue]:
        """Issues in the search's order; the only clause obeyed is ``updated >= "date"``."""
        bound = re.search(r'updated >= "(\d{4}-\d{2}-\d{2} \d{2}:\d{2})"', jql)
        if bound is None:
            return self._ordered()
        zone = ZoneInfo(self.time_zone) if self.time_zone else UTC
        since = datetime.strptime(bound.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=zone)
        return [issue for issue in self._ordered() if issue.updated >= since]

    def _search(self, path: str, query: dict[str, list[str]]) -> Answer:
        ordered = self._matching(query.get("jql", [""])[0])
        size = min(int(query.get("maxResults", ["50"])[0]), self.page_limit)
        if path == "/search/jql":
            if not self.cloud:
                return 404, {}, json.dumps({"errorMessages": ["null for uri"], "errors": {}})
            start = int(query.get("nextPageToken", ["0"])[0])
            chosen = ordered[start : start + size]
            rendered = [self._render(i, query, cap=EMBEDDED_LIMIT) for i in chosen]
            body: dict[str, Any] = {"issues": rendered}
            if start + size < len(ordered):
                body["nextPageToken"] = str(start + size)
            body["isLast"] = "nextPageToken" not in body
            return _ok(body)
        if self.cloud:
            return 410, {}, json.dumps({"errorMessages": ["The requested API has been removed."]})
        start = int(query.get("startAt", ["0"])[0])
        chosen = ordered[start : start + size]
        # Data Center's search ignores ``properties`` (JRASERVER-62898).
        unpropertied = {k: v for k, v in query.items() if k != "properties"}
        cap = self.datacenter_changelog_cap
        issues_json = [self._render(i, unpropertied, cap=cap) for i in chosen]
        return _ok(
            {"startAt": start, "maxResults": size, "total": len(ordered), "issues": issues_json}
        )

    def _issue(self, key: str, *, changelog: bool, query: dict[str, list[str]]) -> Answer:
        issue = next((i for i in self.issues if i.key == key), None)
        if issue is None:
            message = "Issue does not exist or you do not have permission to see it."
            return 404, {}, json.dumps({"errorMessages": [message], "errors": {}})
        if changelog:
            if not self.cloud:
                return 404, {}, json.dumps({"message": "null for uri", "status-code": 404})
            start = int(query.get("startAt", ["0"])[0])
            size = min(int(query.get("maxResults", ["100"])[0]), 100)
            values = issue.histories[start : start + size]
            total = len(issue.histories)
            return _ok(
                {
                    "startAt": start,
                    "maxResults": size,
                    "total": total,
                    "isLast": start + len(values) >= total,
                    "values": values,
                }
            )
        return _ok(self._render(issue, query, cap=self.issue_changelog_cap))


def _ok(body: Any) -> Answer:
    return 200, {"Content-Type": "application/json"}, json.dumps(body)


def answer(status: int, body: Any = "", **headers: str) -> Answer:
    """A canned answer for `FakeJira.failures`: JSON unless ``body`` is text already."""
    text = body if isinstance(body, str) else json.dumps(body)
    return status, {key.replace("_", "-"): value for key, value in headers.items()}, text


def refusal(status: int, *messages: str) -> Answer:
    """Jira's error answer: ``{"errorMessages": [...], "errors": {}}``."""
    return answer(status, {"errorMessages": list(messages), "errors": {}})


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def source(fake: FakeJira, mock: responses.RequestsMock, **options: Any) -> JiraSource:
    """A connector on the fake site: basic auth on Cloud, a PAT on Data Center."""
    fake.install(mock)
    settings: dict[str, Any] = {
        "name": "jira:pmo",
        "url": BASE,
        "auth": BasicAuth(user=USER, token=TOKEN) if fake.cloud else BearerAuth(token=TOKEN),
        "scopes": {"pmo": "project = PMO"},
        "policy": RetryPolicy(sleep=lambda seconds: None, max_attempts=3),
        "clock": lambda: T0 + timedelta(days=30),
    }
    return JiraSource(**(settings | options))


# ---------------------------------------------------------------- the fake pages like Jira
# (tests/integration/test_connector_jira.py checks its shapes against the sandbox's)


def fake_page(fake: FakeJira, **params: str | int) -> dict[str, Any]:
    """One search page of ``fake``, fetched as the library would."""
    version, path = ("3", "search/jql") if fake.cloud else ("2", "search")
    query = {"jql": "x", "fields": "updated", "expand": "changelog"} | params
    answer = requests.get(f"{BASE}/rest/api/{version}/{path}", params=query, timeout=10)
    return dict(answer.json())


def test_the_fakes_cloud_search_has_no_total_and_no_token_on_its_last_page(
    mocked: responses.RequestsMock,
) -> None:
    fake = FakeJira(flavour=JiraFlavour.CLOUD, issues=issues(3))
    fake.install(mocked)

    first = fake_page(fake, maxResults=2)
    last = fake_page(fake, maxResults=2, nextPageToken=first["nextPageToken"])

    assert "total" not in first
    assert [len(first["issues"]), len(last["issues"])] == [2, 1]
    assert (last["isLast"], "nextPageToken" in last) == (True, False)


def test_the_fakes_data_center_search_counts_and_embeds_whole_histories(
    mocked: responses.RequestsMock,
) -> None:
    busy = FakeIssue(number=1, updated=T0)
    for minute in range(25):
        busy.edit(T0 + timedelta(minutes=minute))
    fake = FakeJira(flavour=JiraFlavour.DATACENTER, issues=[busy])
    fake.install(mocked)

    page = fake_page(fake, maxResults=10)

    assert page["total"] == 1
    assert len(page["issues"][0]["changelog"]["histories"]) == 25
