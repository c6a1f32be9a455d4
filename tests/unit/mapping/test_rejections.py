"""Every reason a selected record cannot become an entity, as admins read it."""

from __future__ import annotations

from typing import Any

import pytest

from flywheel_sync.store.rows import StoredRecord
from tests.unit.mapping.records import (
    ENGAGEMENTS,
    JIRA_FIELDS,
    PMO_CUSTOMER,
    PMO_SERVICE,
    epic,
    jira_issue,
    option,
    reasons,
    rule,
    run,
)

CUSTOMERS = rule("customers", "customer", customer={"field": "PMO Customer"})
SERVICES = rule("services", "service", service={"field": "PMO Service"})
NEEDS = rule("needs", "need", customer={"field": "PMO Customer"})
OFFERS = rule("offers", "value_proposition", customer={"field": "PMO Customer"})
NO_STAGE = rule(
    "engagements",
    "engagement",
    customer={"field": "PMO Customer"},
    service={"field": "PMO Service"},
)
REFUSED_STAGE = (
    "flywheel_stage: 'Backlog' is not a flywheel stage. Expected a stage name "
    "(e.g. 'Service Onboarding') or its number 1-10. (map it with 'value_map')"
)


def issue(customer: str | None = None, service: str | None = None) -> StoredRecord:
    fields = {PMO_CUSTOMER: option(customer) if customer else None}
    if service:
        fields[PMO_SERVICE] = option(service)
    return jira_issue("PMO-10", issue_type="Task", fields=fields)


@pytest.mark.parametrize(
    ("rules", "record", "expected"),
    [
        (
            [CUSTOMERS],
            issue("Grid Operation"),
            (
                "customer: 'Grid Operation' is no customer of the catalogue (did you mean "
                "'grid-ops'?): add it to 'customers' in mapping.yaml or as an alias",
            ),
        ),
        ([CUSTOMERS], issue(), ("customer: no customer value",)),
        ([rule("customers", "customer")], issue(), ("no customer value",)),
        ([rule("services", "service")], issue(), ("no service value",)),
        (
            [SERVICES],
            issue(service="Catering"),
            (
                "service: 'Catering' is no service of the catalogue: add it to 'services' in "
                "mapping.yaml or as an alias",
            ),
        ),
        ([ENGAGEMENTS], epic("PMO-10", customer=None), ("customer: no customer value",)),
        ([ENGAGEMENTS], epic("PMO-10", service=None), ("service: no service value",)),
        ([ENGAGEMENTS], epic("PMO-10", stage=None), ("flywheel_stage: the record holds no value",)),
        ([ENGAGEMENTS], epic("PMO-10", stage="Backlog"), (REFUSED_STAGE,)),
        ([NO_STAGE], issue("GRID", "Portfolio Governance"), ("no stage could be read",)),
        (
            [ENGAGEMENTS],
            epic("PMO-10", customer=None, stage=None),
            ("customer: no customer value", "flywheel_stage: the record holds no value"),
        ),
        (
            [NEEDS],
            issue(),
            ("customer: no customer value",),
        ),
        ([OFFERS], issue("GRID"), ("a value proposition needs a service",)),
    ],
    ids=[
        "customer-unknown-did-you-mean",
        "customer-empty",
        "customer-rule-reads-no-customer",
        "service-rule-reads-no-service",
        "service-unknown",
        "engagement-customer-empty",
        "engagement-service-empty",
        "engagement-stage-empty",
        "engagement-stage-refused",
        "engagement-without-stage-rule",
        "engagement-every-problem",
        "need-without-customer",
        "value-proposition-without-service",
    ],
)
def test_rejection_reasons(
    rules: list[dict[str, Any]], record: StoredRecord, expected: tuple[str, ...]
) -> None:
    outcome = run(rules, record, *JIRA_FIELDS)

    assert reasons(outcome) == {"PMO-10": expected}


def test_rejection_names_the_record_and_rule() -> None:
    (rejected,) = run([ENGAGEMENTS], epic("PMO-10", stage=None), *JIRA_FIELDS).rejections

    assert str(rejected) == (
        "jira:pmo issue PMO-10 (rule 'engagements'): flywheel_stage: the record holds no value"
    )


def test_a_rejected_record_produces_nothing_and_its_trace_says_why() -> None:
    outcome = run([ENGAGEMENTS], epic("PMO-10", stage="Backlog"), *JIRA_FIELDS)

    (match,) = next(iter(outcome.traces.values())).matches
    assert outcome.entities_of(("engagement", "PMO-10")) is None
    assert match.entities == ()
    assert match.problems == (REFUSED_STAGE,)
