"""The planted symptoms: visible in the raw delivery data, only where the story puts them.

Metrics here are computed from the issue fields directly, independently of the demo's own
`measure_delivery`, and compared with the example mapping's thresholds.
"""

from __future__ import annotations

from collections import Counter

import pytest

from flywheel_sync.domain import SymptomKind
from flywheel_sync.sandbox.demo import THRESHOLDS, DemoOrganisation, JiraIssue
from tests.unit.sandbox_demo.builders import FLAGGED, SPRINT
from tests.unit.sandbox_demo.conftest import NOW, built

TODAY = NOW.date().isoformat()
DELIVERY = ("GRID", "DIGI", "FIN", "HRX", "REG", "CSV")


def is_open(issue: JiraIssue) -> bool:
    return bool(issue.fields["status"]["statusCategory"]["key"] != "done")


def overdue_ratio(issues: list[JiraIssue]) -> float:
    dated = [i for i in issues if i.fields["duedate"]]
    late = [
        i
        for i in dated
        if (i.fields["resolutiondate"] or "9999")[:10] > i.fields["duedate"]
        and (not is_open(i) or i.fields["duedate"] < TODAY)
    ]
    return len(late) / len(dated)


def priority_churn(issues: list[JiraIssue]) -> float:
    changes = sum(
        1 for i in issues for h in i.changelog for item in h["items"] if item["field"] == "priority"
    )
    return changes / len(issues)


def blocked_ratio(issues: list[JiraIssue]) -> float:
    open_issues = [i for i in issues if is_open(i)]
    blocked = [
        i for i in open_issues if i.fields["status"]["name"] == "Blocked" or i.fields[FLAGGED]
    ]
    return len(blocked) / len(open_issues)


def scope_churn_ratio(issues: list[JiraIssue]) -> float:
    now = NOW.strftime("%Y-%m-%dT%H:%M:%S")
    started = [
        (i.fields["created"][:19], i.fields[SPRINT][0]["startDate"][:19])
        for i in issues
        if i.fields[SPRINT] and i.fields[SPRINT][0]["startDate"][:19] < now
    ]
    return sum(1 for created, start in started if created > start) / len(started)


def max_open_per_assignee(issues: list[JiraIssue]) -> int:
    loads = Counter(
        i.fields["assignee"]["accountId"] for i in issues if is_open(i) and i.fields["assignee"]
    )
    return max(loads.values())


METRICS = {
    SymptomKind.MISSED_DEADLINES: ("REG", overdue_ratio),
    SymptomKind.UNCLEAR_PRIORITIES: ("CSV", priority_churn),
    SymptomKind.BLOCKED_WORK: ("DIGI", blocked_ratio),
    SymptomKind.SCOPE_CHURN: ("FIN", scope_churn_ratio),
    SymptomKind.RESOURCE_OVERLOAD: ("CSV", max_open_per_assignee),
}


def project_issues(org: DemoOrganisation, key: str) -> list[JiraIssue]:
    return list(org.jira.issues_in(key))


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("kind", list(METRICS))
def test_each_symptom_shows_in_its_project_only(seed: int, kind: SymptomKind) -> None:
    org = built(seed=seed)
    planted_in, metric = METRICS[kind]
    values = {key: metric(project_issues(org, key)) for key in DELIVERY}

    assert [key for key, value in values.items() if value > THRESHOLDS[kind]] == [planted_in]


@pytest.mark.parametrize(
    ("kind", "low", "high"),
    [
        (SymptomKind.MISSED_DEADLINES, 0.38, 0.46),
        (SymptomKind.UNCLEAR_PRIORITIES, 2.2, 2.8),
        (SymptomKind.BLOCKED_WORK, 0.28, 0.36),
        (SymptomKind.SCOPE_CHURN, 0.38, 0.46),
    ],
)
def test_the_truth_records_each_symptom_as_measured(
    org: DemoOrganisation, kind: SymptomKind, low: float, high: float
) -> None:
    planted = org.truth.symptom(kind)
    project, metric = METRICS[kind]

    assert planted.source == f"jira:{project}"
    assert planted.value == pytest.approx(metric(project_issues(org, project)))
    assert low < planted.value < high
    assert planted.threshold == THRESHOLDS[kind]


def test_three_customer_service_analysts_are_overloaded(org: DemoOrganisation) -> None:
    loads = Counter(
        i.fields["assignee"]["displayName"]
        for i in project_issues(org, "CSV")
        if is_open(i) and i.fields["assignee"]
    )
    overloaded = {name: count for name, count in loads.items() if count > 8}

    assert overloaded == {"Priya Shah": 17, "Marco Bianchi": 14, "Hannah Schmidt": 12}
    assert [
        p.display_name
        for p in org.people
        if p.account_id in org.truth.symptom(SymptomKind.RESOURCE_OVERLOAD).record_refs
    ] == ["Priya Shah", "Marco Bianchi", "Hannah Schmidt"]


def test_overloaded_analysts_are_working_on_everything_at_once(org: DemoOrganisation) -> None:
    statuses = Counter(
        i.fields["status"]["statusCategory"]["key"]
        for i in project_issues(org, "CSV")
        if i.fields["assignee"]
        and i.fields["assignee"]["displayName"] == "Priya Shah"
        and is_open(i)
    )
    assert statuses == Counter({"indeterminate": 17})


def test_digi_blocks_show_as_status_and_as_flags(org: DemoOrganisation) -> None:
    blocked = [i for i in project_issues(org, "DIGI") if is_open(i)]
    by_status = sum(1 for i in blocked if i.fields["status"]["name"] == "Blocked")
    by_flag = sum(
        1 for i in blocked if i.fields[FLAGGED] == [{"value": "Impediment", "id": "10019"}]
    )

    assert by_status > 10
    assert by_flag > 10


def test_digi_done_work_carries_its_blocked_time_in_the_changelog(org: DemoOrganisation) -> None:
    done = [i for i in project_issues(org, "DIGI") if not is_open(i)]
    were_blocked = [
        i
        for i in done
        if any(item["toString"] == "Blocked" for h in i.changelog for item in h["items"])
    ]
    assert 0.25 < len(were_blocked) / len(done) < 0.45


def test_regulatory_late_work_carries_missed_deadline_comments(org: DemoOrganisation) -> None:
    commented = [i.key for i in project_issues(org, "REG") if i.comments]

    assert len(commented) > 5
    assert set(commented) <= set(org.truth.symptom(SymptomKind.MISSED_DEADLINES).record_refs)


@pytest.mark.parametrize(
    ("kind", "customer_id"),
    [
        (SymptomKind.MISSED_DEADLINES, "regulatory-affairs"),
        (SymptomKind.UNCLEAR_PRIORITIES, "customer-service"),
        (SymptomKind.RESOURCE_OVERLOAD, "customer-service"),
        (SymptomKind.BLOCKED_WORK, "digital-channels"),
        (SymptomKind.SCOPE_CHURN, "finance"),
    ],
)
def test_customers_describe_each_symptom_in_the_requests_channel(
    org: DemoOrganisation, kind: SymptomKind, customer_id: str
) -> None:
    said = [m for m in org.truth.messages if m.symptom is kind]
    requests = next(c["id"] for c in org.teams.channels if c["displayName"] == "PMO Requests")
    posted = {m["id"]: m for m in org.teams.messages[requests]}

    assert {m.customer_id for m in said} == {customer_id}
    assert all(posted[m.message_id]["body"]["content"] == m.text for m in said)
    assert org.truth.symptom(kind).customer_id == customer_id
