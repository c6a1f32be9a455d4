"""Value-object behaviour shared by every model, and the invariants of the smaller models."""

import datetime as dt
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

import flywheel_sync.domain as domain
from flywheel_sync.domain import (
    CustomerExperienceStage,
    CustomerKind,
    DecisionBody,
    EntityId,
    Evidence,
    ExternalRef,
    FlywheelStage,
    KPIDefinition,
    Need,
    OrganizationalBaseline,
    OrganizationalStructure,
    OrgUnit,
    PMOCustomer,
    PMOGovernance,
    PMOMandate,
    PMOService,
    PMOStrategy,
    Recognition,
    StageTransition,
    Symptom,
    SymptomKind,
    Tool,
    ValueObject,
    ValueProposition,
    ValueRecord,
)

NOW = dt.datetime(2025, 3, 14, 12, 0, tzinfo=dt.UTC)
MODELS = sorted(
    (
        obj
        for obj in vars(domain).values()
        if isinstance(obj, type) and issubclass(obj, ValueObject) and obj is not ValueObject
    ),
    key=lambda model: model.__name__,
)


def test_every_public_name_is_exported() -> None:
    assert sorted(domain.__all__) == sorted(
        name for name in vars(domain) if not name.startswith("_") and name[0].isupper()
    )


def test_every_model_derives_from_value_object() -> None:
    models = {name for name in domain.__all__ if isinstance(getattr(domain, name), type)}
    models = {n for n in models if issubclass(getattr(domain, n), BaseModel)}
    assert models == {model.__name__ for model in MODELS} | {"ValueObject"}


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_model_is_frozen_strict_and_has_a_json_schema(model: type[ValueObject]) -> None:
    config = model.model_config
    schema = model.model_json_schema()
    assert (config["frozen"], config["extra"], schema["additionalProperties"]) == (
        True,
        "forbid",
        False,
    )


@pytest.mark.parametrize(
    ("model", "described"),
    [
        (OrganizationalBaseline, []),
        (PMOMandate, ["scope", "authority", "in_scope_criteria"]),
        (PMOGovernance, []),
        (PMOStrategy, []),
        (PMOCustomer, ["org_unit", "sponsor", "experience_stage", "external_refs"]),
        (
            PMOService,
            ["intended_outcomes", "kpi_ids", "onboarding_template", "owner"],
        ),
        (
            KPIDefinition,
            ["description", "unit", "target", "at_risk_bound", "strategic_objective_ids"],
        ),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_config_models_describe_the_fields_that_need_it(
    model: type[ValueObject], described: list[str]
) -> None:
    schema = model.model_json_schema()
    assert [name for name, field in schema["properties"].items() if "description" in field] == (
        described
    )


def customer(**overrides: Any) -> PMOCustomer:
    fields: dict[str, Any] = {"id": "cust-finance", "name": "Finance", "kind": "business_unit"}
    return PMOCustomer.model_validate(fields | overrides)


def test_assignment_raises() -> None:
    finance = customer()
    with pytest.raises(ValidationError, match="Instance is frozen"):
        finance.name = "Treasury"  # type: ignore[misc]


def test_positional_construction_raises_type_error() -> None:
    with pytest.raises(TypeError, match="positional argument"):
        ExternalRef(Tool.JIRA, "PMO-12")  # type: ignore[call-arg]


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="sponser\n  Extra inputs are not permitted"):
        customer(sponser="CFO")


def test_collections_are_tuples() -> None:
    finance = customer(external_refs=[{"tool": "teams", "ref": "19:finance@thread"}])
    assert finance.external_refs == (ExternalRef(tool=Tool.TEAMS, ref="19:finance@thread"),)


def test_customer_experience_stage_reads_tool_spellings() -> None:
    assert customer(experience_stage="3").experience_stage is CustomerExperienceStage.DEPLOYMENT


def test_customer_defaults() -> None:
    finance = customer()
    assert (finance.kind, finance.org_unit, finance.sponsor, finance.experience_stage) == (
        CustomerKind.BUSINESS_UNIT,
        None,
        None,
        None,
    )


ENTITY_ID: TypeAdapter[str] = TypeAdapter(EntityId)


@pytest.mark.parametrize("value", ["PMO-12", "a", "x" * 200, "two words"])
def test_entity_id_accepts_stable_ids(value: str) -> None:
    assert ENTITY_ID.validate_python(value) == value


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("x" * 201, "String should have at most 200 characters"),
        ("", "String should have at least 1 character"),
        (" PMO-12", "String should match pattern"),
        ("PMO-12\n", "String should match pattern"),
        ("PMO\n12", "String should match pattern"),
    ],
)
def test_entity_id_on_its_own_rejects_whitespace_around_or_line_breaks(
    value: str, reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        ENTITY_ID.validate_python(value)


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (StageTransition, {"stage": 1, "cycle": 1, "entered_at": dt.datetime(2025, 3, 1)}),  # noqa: DTZ001
        (
            Symptom,
            {
                "kind": "blocked_work",
                "summary": "Work sits blocked",
                "detected_at": dt.datetime(2025, 3, 1),  # noqa: DTZ001
                "evidence": [{"record_refs": ["FIN-1"], "metric": "m", "value": 1, "threshold": 0}],
            },
        ),
    ],
    ids=["StageTransition", "Symptom"],
)
def test_naive_datetimes_are_rejected(model: type[ValueObject], fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="Input should have timezone info"):
        model.model_validate(fields)


def test_aware_datetimes_keep_their_offset() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    moved = StageTransition(
        stage=FlywheelStage.SERVICE_ONBOARDING,
        entered_at=dt.datetime(2025, 3, 1, 9, tzinfo=paris),
        cycle=1,
    )
    assert moved.entered_at.utcoffset() == dt.timedelta(hours=1)


def structure(*units: dict[str, Any]) -> OrganizationalStructure:
    return OrganizationalStructure.model_validate({"kind": "matrix", "units": units})


def test_structure_accepts_a_forest_of_units() -> None:
    units = structure(
        {"id": "corp", "name": "Corporate"},
        {"id": "fin", "name": "Finance", "parent": "corp"},
        {"id": "it", "name": "IT"},
    ).units
    assert units[1] == OrgUnit(id="fin", name="Finance", parent="corp")


@pytest.mark.parametrize(
    ("units", "reason"),
    [
        (
            ({"id": "fin", "name": "Finance"}, {"id": "fin", "name": "Finance 2"}),
            "org unit ids must be unique; repeated: ['fin']",
        ),
        (
            ({"id": "fin", "name": "Finance", "parent": "corp"},),
            "org unit parents must be listed units; unknown: ['fin -> corp']",
        ),
        (
            ({"id": "fin", "name": "Finance", "parent": "fin"},),
            "org unit parents form a cycle: fin -> fin",
        ),
        (
            (
                {"id": "a", "name": "A", "parent": "b"},
                {"id": "b", "name": "B", "parent": "a"},
            ),
            "org unit parents form a cycle: a -> b -> a",
        ),
    ],
)
def test_structure_rejects_broken_trees(units: tuple[dict[str, Any], ...], reason: str) -> None:
    with pytest.raises(ValidationError) as raised:
        structure(*units)
    assert reason in str(raised.value)


BASELINE: dict[str, Any] = {
    "strategy": {"objectives": [{"id": "obj-ttm", "title": "Faster time to market"}]},
    "culture_and_maturity": {"maturity_level": 3},
    "structure": {"kind": "functional"},
    "industry_profile": {"industry": "Banking", "regulated": True, "constraints": ["SOX"]},
}


def test_baseline_holds_the_four_elements() -> None:
    baseline = OrganizationalBaseline.model_validate(BASELINE)
    assert (
        baseline.strategy.objectives[0].horizon,
        baseline.culture_and_maturity.maturity_level,
        baseline.structure.units,
        baseline.industry_profile.constraints,
    ) == (None, 3, (), ("SOX",))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"culture_and_maturity": {"maturity_level": 0}}, "greater than or equal to 1"),
        ({"culture_and_maturity": {"maturity_level": 6}}, "less than or equal to 5"),
        (
            {"strategy": {"objectives": [{"id": "o", "title": "A"}, {"id": "o", "title": "B"}]}},
            "strategic objective ids must be unique; repeated: ['o']",
        ),
        ({"industry_profile": {"industry": " "}}, "String should have at least 1 character"),
    ],
)
def test_baseline_invariants_are_enforced(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError) as raised:
        OrganizationalBaseline.model_validate(BASELINE | change)
    assert reason in str(raised.value)


def test_governance_rejects_repeated_decision_bodies() -> None:
    board = DecisionBody(name="Portfolio board", cadence="monthly")
    with pytest.raises(ValidationError, match="decision body names must be unique"):
        PMOGovernance(decision_bodies=(board, board))


def test_governance_lists_its_decision_bodies() -> None:
    governance = PMOGovernance.model_validate(
        {"decision_bodies": [{"name": "Steering committee", "cadence": "monthly"}]}
    )
    assert governance.decision_bodies == (
        DecisionBody(name="Steering committee", cadence="monthly"),
    )


def test_strategy_roadmap_milestones_take_dates() -> None:
    strategy = PMOStrategy.model_validate(
        {"vision": "Trusted partner", "roadmap": [{"title": "Launch", "due": "2025-06-30"}]}
    )
    assert strategy.roadmap[0].due == dt.date(2025, 6, 30)


def evidence(**overrides: Any) -> Evidence:
    fields: dict[str, Any] = {
        "record_refs": ("FIN-1", "FIN-7"),
        "metric": "overdue_ratio",
        "value": 0.4,
        "threshold": 0.2,
    }
    return Evidence.model_validate(fields | overrides)


def symptom(customer_id: str | None = "cust-finance", **overrides: Any) -> Symptom:
    fields: dict[str, Any] = {
        "kind": SymptomKind.MISSED_DEADLINES,
        "customer_id": customer_id,
        "detected_at": NOW,
        "summary": "40% of issues are overdue",
        "evidence": (evidence(),),
    }
    return Symptom.model_validate(fields | overrides)


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (lambda: evidence(record_refs=()), "record_refs\n  Tuple should have at least 1 item"),
        (lambda: symptom(evidence=()), "evidence\n  Tuple should have at least 1 item"),
        (lambda: symptom(kind="bad_vibes"), "Input should be 'missed_deadlines'"),
    ],
    ids=["evidence-without-records", "symptom-without-evidence", "unknown-kind"],
)
def test_symptoms_need_evidence(build: Any, reason: str) -> None:
    with pytest.raises(ValidationError) as raised:
        build()
    assert reason in str(raised.value)


def test_need_accepts_its_customers_and_unattributed_symptoms() -> None:
    need = Need(
        id="need-1",
        customer_id="cust-finance",
        statement="Predictable delivery dates",
        symptoms=(symptom(), symptom(None)),
    )
    assert (need.diagnosis, len(need.symptoms)) == (None, 2)


def test_need_rejects_another_customers_symptoms() -> None:
    with pytest.raises(ValidationError) as raised:
        Need(
            id="need-1",
            customer_id="cust-finance",
            statement="Predictable delivery dates",
            symptoms=(symptom(), symptom("cust-hr")),
        )
    assert "but has symptoms of other customers: ['cust-hr']" in str(raised.value)


def proposition(**overrides: Any) -> ValueProposition:
    fields: dict[str, Any] = {
        "id": "vp-1",
        "customer_id": "cust-finance",
        "service_ids": ("svc-raid",),
        "success_measures": ({"kpi_id": "on-time", "target": 90},),
    }
    return ValueProposition.model_validate(fields | overrides)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"service_ids": ()}, "service_ids\n  Tuple should have at least 1 item"),
        (
            {"service_ids": ("svc-raid", "svc-raid")},
            "value proposition service ids must be unique; repeated: ['svc-raid']",
        ),
        (
            {"success_measures": ({"kpi_id": "k", "target": 1}, {"kpi_id": "k", "target": 2})},
            "success measures must name each KPI once; repeated: ['k']",
        ),
    ],
)
def test_value_proposition_invariants(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError) as raised:
        proposition(**overrides)
    assert reason in str(raised.value)


def test_value_proposition_success_measures_are_kpi_targets() -> None:
    assert proposition().success_measures[0].target == 90.0


def value_record(**overrides: Any) -> ValueRecord:
    fields: dict[str, Any] = {
        "id": "val-1",
        "customer_id": "cust-finance",
        "kpi_id": "lead-time",
        "baseline": 21.0,
        "achieved": 12.5,
        "period": {"start": NOW - dt.timedelta(days=90), "end": NOW},
    }
    return ValueRecord.model_validate(fields | overrides)


def test_value_record_change_is_achieved_minus_baseline() -> None:
    assert value_record().change == -8.5


def test_value_record_period_must_not_be_empty() -> None:
    with pytest.raises(ValidationError, match="period start 2025-03-14T12:00:00"):
        value_record(period={"start": NOW, "end": NOW})


RECOGNITION: dict[str, Any] = {
    "id": "rec-1",
    "value_record_ids": ("val-1",),
    "channel": "confluence",
    "location": "https://wiki.example/pages/123",
    "published_at": NOW,
}


def test_recognition_says_where_and_when() -> None:
    published = Recognition.model_validate(RECOGNITION)
    assert (published.channel, published.published_at, published.audience) == (
        Tool.CONFLUENCE,
        NOW,
        None,
    )


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"value_record_ids": ()}, "Tuple should have at least 1 item"),
        ({"value_record_ids": ("v", "v")}, "value record ids must be unique; repeated: ['v']"),
        ({"channel": "slack"}, "Input should be 'jira', 'confluence', 'planner', 'teams'"),
    ],
)
def test_recognition_invariants(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Recognition.model_validate(RECOGNITION | overrides)
    assert reason in str(raised.value)
