"""The PMO story: customers, services, engagements and their histories, as the truth says."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from flywheel_sync.domain import CustomerExperienceStage, FlywheelStage
from flywheel_sync.sandbox.demo import DemoOrganisation, EngagementTruth
from flywheel_sync.settings import MappingFile, load_configuration
from tests.conftest import CONFIG_DIR
from tests.unit.sandbox_demo.builders import (
    EXPERIENCE_STAGE,
    FLYWHEEL_STAGE,
    PMO_CUSTOMER,
    field_changes,
    jira_datetime,
)
from tests.unit.sandbox_demo.conftest import NOW

F = FlywheelStage


def example_mapping() -> MappingFile:
    return load_configuration(CONFIG_DIR / "flywheel.example.toml").mapping


def test_customers_match_the_example_mapping(org: DemoOrganisation) -> None:
    expected = [(c.id, c.name, c.experience_stage) for c in example_mapping().customers]

    assert [(c.id, c.name, c.experience_stage) for c in org.truth.customers] == expected


def test_services_and_onboarding_templates_match_the_example_mapping(
    org: DemoOrganisation,
) -> None:
    services = {s.id: s for s in example_mapping().services}
    for engagement in org.truth.engagements:
        template = [
            (step.key, step.title) for step in services[engagement.service_id].onboarding_template
        ]
        if engagement.checklist:
            assert [(c.key, c.title) for c in engagement.checklist] == template
    assert [f.options for f in org.jira.fields if f.name == "PMO Service"] == [
        tuple(s.name for s in services.values())
    ]


def test_engagements_cover_all_ten_flywheel_stages(org: DemoOrganisation) -> None:
    assert {e.stage for e in org.truth.engagements} == set(FlywheelStage)


def test_customers_cover_all_five_experience_stages(org: DemoOrganisation) -> None:
    assert {c.experience_stage for c in org.truth.customers} == set(CustomerExperienceStage)


def test_sixteen_engagements_of_distinct_customer_service_pairs(org: DemoOrganisation) -> None:
    pairs = [(e.customer_id, e.service_id) for e in org.truth.engagements]

    assert (len(pairs), len(set(pairs))) == (16, 16)


@pytest.mark.parametrize(
    ("customer_id", "service_id", "stage", "cycle"),
    [
        ("grid-ops", "health-checks", F.SERVICE_OPERATION, 2),
        ("grid-ops", "benefits-tracking", F.AWARENESS_BUILDING, 2),
        ("regulatory-affairs", "health-checks", F.AWARENESS_BUILDING, 1),
        ("customer-service", "capacity-planning", F.SERVICE_ONBOARDING, 1),
    ],
)
def test_story_engagements_stand_where_the_story_says(
    org: DemoOrganisation, customer_id: str, service_id: str, stage: FlywheelStage, cycle: int
) -> None:
    [found] = [
        e
        for e in org.truth.engagements
        if (e.customer_id, e.service_id) == (customer_id, service_id)
    ]
    assert (found.stage, found.cycle) == (stage, cycle)


def test_regressions_and_skips_are_planted(org: DemoOrganisation) -> None:
    moves = {
        (e.customer_id, e.service_id): (e.regressions, e.skipped)
        for e in org.truth.engagements
        if e.regressions or e.skipped
    }
    assert moves == {
        ("customer-service", "portfolio-governance"): (
            ((F.SERVICE_ONBOARDING, F.VALUE_PROPOSITION),),
            (),
        ),
        ("digital-channels", "methodology"): (((F.SERVICE_OPERATION, F.SERVICE_DEVELOPMENT),), ()),
        ("finance", "executive-reporting"): ((), (F.VALUE_PROPOSITION,)),
    }


def test_histories_span_six_to_eighteen_months_and_end_before_now(org: DemoOrganisation) -> None:
    firsts = [e.history[0].entered_at for e in org.truth.engagements]
    lasts = [e.entered_stage_at for e in org.truth.engagements]

    assert NOW - dt.timedelta(days=548) <= min(firsts)
    assert max(firsts) <= NOW - dt.timedelta(days=182)
    assert max(lasts) < NOW


def test_every_history_is_time_ordered_and_converts_to_a_domain_engagement(
    org: DemoOrganisation,
) -> None:
    for truth in org.truth.engagements:
        times = [entry.entered_at for entry in truth.history]
        assert times == sorted(times), truth.id
        engagement = truth.to_engagement()
        assert (engagement.current_stage, engagement.cycle) == (truth.stage, truth.cycle)


STALL_DAYS = {F.SERVICE_ONBOARDING: 30, F.NEEDS_ASSESSMENT: 21}


def test_exactly_two_engagements_stall_past_the_example_limits(org: DemoOrganisation) -> None:
    stalled = [
        (e.customer_id, e.service_id, e.stage)
        for e in org.truth.engagements
        if NOW - e.entered_stage_at > dt.timedelta(days=STALL_DAYS.get(e.stage, 45))
    ]
    assert stalled == [
        ("hr-transformation", "pm-coaching", F.SERVICE_DEVELOPMENT),
        ("regulatory-affairs", "health-checks", F.AWARENESS_BUILDING),
    ]


def epic_history(
    org: DemoOrganisation, truth: EngagementTruth
) -> list[tuple[FlywheelStage, str | None]]:
    epic = org.issue(truth.id)
    assert epic is not None
    created = epic.fields["created"]
    changes = field_changes(epic, FLYWHEEL_STAGE)
    entries = [
        (F.parse(changes[0][1] if changes else epic.fields[FLYWHEEL_STAGE]["value"]), created)
    ]
    return entries + [(F.parse(to), at) for at, _, to in changes]


def test_epic_fields_and_changelogs_agree_with_the_truth(org: DemoOrganisation) -> None:
    for truth in org.truth.engagements:
        epic = org.issue(truth.id)
        assert epic is not None
        assert epic.fields[FLYWHEEL_STAGE]["value"] == truth.stage.label
        assert epic_history(org, truth) == [
            (entry.stage, entry.entered_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"))
            for entry in truth.history
        ]


def test_changelog_ids_in_the_truth_point_at_the_stage_changes(org: DemoOrganisation) -> None:
    for truth in org.truth.engagements:
        epic = org.issue(truth.id)
        assert epic is not None
        by_id = {history["id"]: history for history in epic.changelog}
        for entry in truth.history[1:]:
            assert entry.changelog_id is not None
            items = by_id[entry.changelog_id]["items"]
            assert [i["toString"] for i in items if i["fieldId"] == FLYWHEEL_STAGE] == [
                entry.stage.label
            ]
        assert truth.history[0].changelog_id is None


def test_new_cycles_start_only_after_value_recognition(org: DemoOrganisation) -> None:
    for truth in org.truth.engagements:
        for before, after in itertools.pairwise(truth.history):
            wrapped = (before.stage, after.stage) == (F.VALUE_RECOGNITION, F.AWARENESS_BUILDING)
            assert after.cycle == before.cycle + (1 if wrapped else 0)


def test_customer_issues_carry_the_experience_stage_and_its_history(
    org: DemoOrganisation,
) -> None:
    for truth in org.truth.customers:
        issue = org.issue(truth.jira_key)
        assert issue is not None
        assert (issue.fields["issuetype"]["name"], issue.fields[PMO_CUSTOMER]["value"]) == (
            "Customer",
            truth.name,
        )
        assert issue.fields[EXPERIENCE_STAGE]["value"] == truth.experience_stage.label
        changes = field_changes(issue, EXPERIENCE_STAGE)
        assert [to for _, _, to in changes] == [h.stage.label for h in truth.history[1:]]
        assert jira_datetime(issue.fields["created"]) == truth.history[0].entered_at


def test_needs_come_from_customers_except_regulatory_affairs(org: DemoOrganisation) -> None:
    counts = {c.id: len(c.need_keys) for c in org.truth.customers}

    assert counts == {
        "grid-ops": 6,
        "digital-channels": 4,
        "finance": 3,
        "hr-transformation": 3,
        "regulatory-affairs": 0,
        "customer-service": 2,
    }
    for key in (k for c in org.truth.customers for k in c.need_keys):
        need = org.issue(key)
        assert need is not None
        assert need.fields["issuetype"]["name"] == "Need"
        assert need.fields["reporter"]["emailAddress"].endswith("@northwind.example")


@pytest.mark.parametrize(
    ("lookup", "key"),
    [("engagement", "PMO-9999"), ("customer", "nobody"), ("symptom", "missed_deadlines")],
)
def test_truth_lookups_refuse_unknown_keys(org: DemoOrganisation, lookup: str, key: str) -> None:
    with pytest.raises(KeyError):
        getattr(org.truth, lookup)(key)


def test_graph_users_carry_the_department_that_names_the_customer(org: DemoOrganisation) -> None:
    users = {user["displayName"]: user for user in org.graph_users()}

    assert users["Fiona Walsh"]["department"] == "Regulatory Affairs"
    assert users["Amara Okafor"]["department"] == "Enterprise PMO"
    assert len(users) == len(org.people)
