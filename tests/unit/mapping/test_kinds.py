"""Each kind of rule, end to end through `map_records`: what entity a record becomes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flywheel_sync.store.rows import StoredRecord
from tests.unit.mapping.microsoft_records import (
    PLANNER_CONTEXT,
    directory_user,
    planner_task,
    teams_message,
)
from tests.unit.mapping.records import (
    CREATED,
    ENGAGEMENTS,
    EXPERIENCE_STAGE,
    JIRA_FIELDS,
    PLANNER,
    PMO_CUSTOMER,
    PMO_SERVICE,
    TEAMS,
    change,
    entity,
    epic,
    jira_issue,
    option,
    rule,
    run,
    status,
)

FEB = datetime(2025, 2, 1, tzinfo=UTC)
JIRA_REF = {"tool": "jira", "ref": "PMO-2", "url": None}

CUSTOMERS = rule(
    "customers",
    "customer",
    select={"jql": "issuetype = Customer"},
    customer={"field": "PMO Customer"},
    experience_stage={"field": "Customer Experience Stage"},
)


def customer_issue(name: str = "Grid Operations", stage: str = "Enhancement") -> StoredRecord:
    return jira_issue(
        "PMO-2",
        issue_type="Customer",
        fields={PMO_CUSTOMER: option(name), EXPERIENCE_STAGE: option(stage)},
        changelog=[change("h1", FEB, "Design", stage, field="Customer Experience Stage")],
    )


def test_customer_takes_its_experience_stage_and_history_from_the_issue() -> None:
    outcome = run([CUSTOMERS], customer_issue(), *JIRA_FIELDS)
    grid = entity(outcome, "customer", "grid-ops")

    assert (grid.name, grid.experience_stage) == ("Grid Operations", "enhancement")
    assert grid.payload["external_refs"] == [JIRA_REF]
    assert grid.payload["records"] == ["jira:pmo issue PMO-2"]
    assert grid.payload["experience_history"] == [
        {"stage": "design", "entered_at": CREATED.isoformat(), "source_ref": None},
        {"stage": "enhancement", "entered_at": FEB.isoformat(), "source_ref": "h1"},
    ]


def test_every_catalogue_customer_is_an_entity_with_its_configured_stage() -> None:
    outcome = run([])

    assert entity(outcome, "customer", "grid-ops").experience_stage == "realization"
    assert entity(outcome, "customer", "finance").experience_stage is None
    assert "aliases" not in entity(outcome, "customer", "finance").payload


def test_an_unreadable_experience_stage_keeps_the_configured_one() -> None:
    outcome = run([CUSTOMERS], customer_issue(stage="Later"), *JIRA_FIELDS)

    assert entity(outcome, "customer", "grid-ops").experience_stage == "realization"
    (match,) = next(iter(outcome.traces.values())).matches
    assert match.problems == (
        "experience_stage: 'Later' is not a customer experience stage. Expected a stage name "
        "(e.g. 'Deployment') or its number 1-5. (map it with 'value_map')",
    )


def test_service_records_add_their_refs_to_the_catalogue_entry() -> None:
    services = rule(
        "services", "service", select={"jql": "issuetype = Service"}, service={"field": "summary"}
    )
    issue = jira_issue("PMO-2", issue_type="Service", summary="Project Health Checks")

    outcome = run([services], issue)

    checks = entity(outcome, "service", "health-checks")
    assert checks.name == "Project Health Checks"
    assert checks.payload["external_refs"] == [JIRA_REF]
    assert entity(outcome, "service", "portfolio-governance").payload["external_refs"] == []


def test_need_names_its_customer_prescribed_service_and_whether_it_is_done() -> None:
    needs = rule(
        "needs",
        "need",
        select={"jql": "issuetype = Need"},
        customer={"field": "PMO Customer"},
        service={"field": "PMO Service"},
        done={"field": "statusCategory"},
    )
    issue = jira_issue(
        "PMO-30",
        issue_type="Need",
        summary="Portfolio priorities are unclear",
        fields={
            PMO_CUSTOMER: option("FIN"),
            PMO_SERVICE: option("Portfolio Governance"),
            "status": status("Closed", "Done"),
        },
    )

    need = entity(run([needs], issue, *JIRA_FIELDS), "need", "PMO-30").payload

    assert need["customer_id"] == "finance"
    assert need["statement"] == "Portfolio priorities are unclear"
    assert need["prescribed_service_ids"] == ["portfolio-governance"]
    assert need["source_refs"] == ["PMO-30"]
    assert need["done"] is True


SYMPTOMS = rule(
    "requests",
    "symptom",
    source=TEAMS,
    customer={"field": "from.department"},
    attributes={"text": {"field": "body"}, "author": {"field": "from"}},
)


@pytest.mark.parametrize(
    ("department", "customer"), [("Grid Operations", "grid-ops"), (None, None)]
)
def test_symptom_customer_is_optional(department: str | None, customer: str | None) -> None:
    message = teams_message("m-1", html="<p>Deadlines slip</p>", author_id="u-1")
    authors = [directory_user("u-1", department=department)] if department else []

    outcome = run([SYMPTOMS], message, *authors)

    symptom = entity(outcome, "symptom", "m-1").payload
    assert symptom["customer_id"] == customer
    assert symptom["attributes"] == {"text": "Deadlines slip", "author": "Grace Hopper"}
    assert symptom["external_refs"] == [{"tool": "teams", "ref": "m-1", "url": None}]
    assert outcome.rejections == []


def test_value_proposition_has_its_customer_and_service() -> None:
    offers = rule(
        "offers",
        "value_proposition",
        select={"jql": "issuetype = Offer"},
        customer={"field": "PMO Customer"},
        service={"field": "PMO Service"},
    )
    issue = jira_issue(
        "PMO-40",
        issue_type="Offer",
        fields={PMO_CUSTOMER: option("GRID"), PMO_SERVICE: option("health-checks")},
    )

    offer = entity(run([offers], issue, *JIRA_FIELDS), "value_proposition", "PMO-40").payload

    assert (offer["customer_id"], offer["service_ids"]) == ("grid-ops", ["health-checks"])


def test_engagement_from_a_jira_epic() -> None:
    outcome = run([ENGAGEMENTS], epic("PMO-10"), *JIRA_FIELDS)
    found = entity(outcome, "engagement", "PMO-10")

    assert (found.name, found.flywheel_stage) == ("Epic PMO-10", "service_onboarding")
    assert {key: found.payload[key] for key in ("customer_id", "service_id", "join_key")} == {
        "customer_id": "grid-ops",
        "service_id": "portfolio-governance",
        "join_key": "PMO-10",
    }
    assert found.payload["external_refs"] == [{"tool": "jira", "ref": "PMO-10", "url": None}]
    assert found.payload["etags"] == {}
    assert outcome.rejections == []


def test_engagement_from_a_planner_task_keeps_its_etag() -> None:
    planner = rule(
        "planner-engagements",
        "engagement",
        source=PLANNER,
        customer={"constant": "GRID"},
        service={"field": "planName"},
        flywheel_stage={"bucket": True},
    )
    task = planner_task("task-1", title="Onboarding", bucket_id="bucket-operation")

    found = entity(run([planner], task, *PLANNER_CONTEXT), "engagement", "task-1")

    assert found.flywheel_stage == "service_operation"
    assert found.payload["etags"] == {"task-1": 'W/"etag-1"'}


def test_work_item_carries_attributes_done_and_customer() -> None:
    delivery = rule(
        "delivery-work",
        "work_item",
        select={"projects": ["GRID"]},
        customer={"field": "project"},
        done={"field": "statusCategory"},
        attributes={
            "due": {"field": "duedate"},
            "assignee": {"field": "assignee"},
            "status": {"field": "status"},
            "missing": {"field": "priority"},
        },
    )
    issue = jira_issue(
        "GRID-7",
        issue_type="Story",
        summary="Replace feeder",
        fields={
            "duedate": "2025-03-31",
            "assignee": {"displayName": "Ada Lovelace", "accountId": "a-1"},
            "status": status("In Review", "In Progress"),
        },
    )

    work = entity(run([delivery], issue), "work_item", "GRID-7").payload

    assert work["attributes"] == {
        "due": "2025-03-31",
        "assignee": "Ada Lovelace",
        "status": "In Review",
        "missing": None,
    }
    assert (work["customer_id"], work["done"], work["title"]) == (
        "grid-ops",
        False,
        "Replace feeder",
    )
    assert work["created"] == CREATED.isoformat()
    assert work["engagement_id"] is None


def test_the_id_source_names_the_entity_and_the_title_source_its_name() -> None:
    offers = rule(
        "offers",
        "value_proposition",
        customer={"constant": "GRID"},
        service={"constant": "health-checks"},
        id={"field": "summary", "pattern": r"^(?P<value>VP-\d+)"},
        title={"field": "summary", "pattern": r": (?P<value>.+)$"},
    )
    issue = jira_issue("PMO-40", issue_type="Offer", summary="VP-7: Health checks for Grid")

    offer = entity(run([offers], issue), "value_proposition", "VP-7")

    assert (offer.name, offer.payload["external_refs"]) == (
        "Health checks for Grid",
        [{"tool": "jira", "ref": "PMO-40", "url": None}],
    )
