"""Flywheel and customer-experience stages: parsing tool spellings, order, next()."""

import operator
from collections.abc import Callable

import pytest
from pydantic import BaseModel, ValidationError

from flywheel_sync.domain import CustomerExperienceStage, FlywheelStage, StageParseError

F = FlywheelStage
C = CustomerExperienceStage

FLYWHEEL = [
    (1, F.AWARENESS_BUILDING, "Awareness Building"),
    (2, F.NEEDS_ASSESSMENT, "Needs Assessment"),
    (3, F.VALUE_PROPOSITION, "Value Proposition"),
    (4, F.SERVICE_DEVELOPMENT, "Service Development"),
    (5, F.SERVICE_ONBOARDING, "Service Onboarding"),
    (6, F.SERVICE_OPERATION, "Service Operation"),
    (7, F.SERVICE_MONITORING, "Service Monitoring"),
    (8, F.SERVICE_IMPROVEMENT, "Service Improvement"),
    (9, F.VALUE_DELIVERY, "Value Delivery"),
    (10, F.VALUE_RECOGNITION, "Value Recognition"),
]
EXPERIENCE = [
    (1, C.EXPLORATION, "Exploration"),
    (2, C.DESIGN, "Design"),
    (3, C.DEPLOYMENT, "Deployment"),
    (4, C.ENHANCEMENT, "Enhancement"),
    (5, C.REALIZATION, "Realization"),
]
ALL_STAGES = FLYWHEEL + EXPERIENCE
EXPECTED_FLYWHEEL = "Expected a stage name (e.g. 'Service Onboarding') or its number 1-10."
EXPECTED_EXPERIENCE = "Expected a stage name (e.g. 'Deployment') or its number 1-5."


def test_flywheel_has_the_ten_framework_stages_in_order() -> None:
    assert [(s.number, s, s.label) for s in F] == FLYWHEEL


def test_experience_cycle_has_the_five_framework_stages_in_order() -> None:
    assert [(s.number, s, s.label) for s in C] == EXPERIENCE


@pytest.mark.parametrize(("number", "stage", "label"), ALL_STAGES)
def test_parse_reads_every_spelling_of_every_stage(
    number: int, stage: FlywheelStage | CustomerExperienceStage, label: str
) -> None:
    spellings: list[str | int] = [
        stage.value,
        stage.name,
        label,
        label.upper(),
        label.lower(),
        label.replace(" ", "-"),
        f"  {label.replace(' ', '   ')}  ",
        label.replace(" ", ""),
        number,
        str(number),
        f"0{number}",
        f"{number} - {label}",
        f"{number}. {label.lower()}",
    ]
    assert {type(stage).parse(spelling) for spelling in spellings} == {stage}


@pytest.mark.parametrize(
    "spelling",
    [
        "Service Onboarding",
        "service onboarding",
        "Service-Onboarding",
        "SERVICE_ONBOARDING",
        "  Service  Onboarding ",
        "service/onboarding!",
        "5",
        "05",
        5,
        "5 - Service Onboarding",
        "(5) Service: Onboarding",
    ],
)
def test_parse_reads_tool_spellings_of_service_onboarding(spelling: str | int) -> None:
    assert F.parse(spelling) is F.SERVICE_ONBOARDING


@pytest.mark.parametrize("spelling", ["service onboarding", "5", 5, F.SERVICE_ONBOARDING])
def test_calling_the_enum_goes_through_parse(spelling: str | int) -> None:
    assert F(spelling) is F.SERVICE_ONBOARDING


@pytest.mark.parametrize(
    ("cls", "value", "message"),
    [
        (
            F,
            "Onbording",
            "'Onbording' is not a flywheel stage; did you mean 'Service Onboarding'? "
            + EXPECTED_FLYWHEEL,
        ),
        (
            F,
            "value recogniton",
            "'value recogniton' is not a flywheel stage; did you mean 'Value Recognition'? "
            + EXPECTED_FLYWHEEL,
        ),
        (
            F,
            "4 - Service Onboarding",
            "'4 - Service Onboarding' is not a flywheel stage; did you mean "
            "'Service Onboarding'? " + EXPECTED_FLYWHEEL,
        ),
        (F, "Done", "'Done' is not a flywheel stage. " + EXPECTED_FLYWHEEL),
        (F, "", "'' is not a flywheel stage. " + EXPECTED_FLYWHEEL),
        (F, "11", "'11' is not a flywheel stage. " + EXPECTED_FLYWHEEL),
        (F, 0, "'0' is not a flywheel stage. " + EXPECTED_FLYWHEEL),
        (F, -1, "'-1' is not a flywheel stage. " + EXPECTED_FLYWHEEL),
        (
            C,
            "Realisation",
            "'Realisation' is not a customer experience stage; did you mean 'Realization'? "
            + EXPECTED_EXPERIENCE,
        ),
        (C, "6", "'6' is not a customer experience stage. " + EXPECTED_EXPERIENCE),
    ],
)
def test_parse_rejects_unknown_values_with_a_suggestion_when_one_is_close(
    cls: type[FlywheelStage] | type[CustomerExperienceStage], value: str | int, message: str
) -> None:
    with pytest.raises(StageParseError) as raised:
        cls.parse(value)
    assert str(raised.value) == message


def test_parse_error_carries_the_value_and_suggestion() -> None:
    with pytest.raises(StageParseError) as raised:
        F.parse("Onbording")
    assert (raised.value.value, raised.value.suggestion) == ("Onbording", "Service Onboarding")


def test_parse_error_is_a_value_error_raised_by_the_enum_call() -> None:
    with pytest.raises(ValueError, match=r"^'Onbording' is not a flywheel stage; did you mean"):
        F("Onbording")


@pytest.mark.parametrize(("value", "shown"), [(True, "True"), (5.0, "5.0"), (None, "None")])
def test_parse_rejects_values_that_are_neither_text_nor_int(value: object, shown: str) -> None:
    with pytest.raises(StageParseError, match=rf"^'{shown}' is not a flywheel stage\. Expected"):
        F.parse(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("stage", list(F) + list(C))
def test_parse_returns_a_member_as_is(stage: FlywheelStage | CustomerExperienceStage) -> None:
    assert type(stage).parse(stage) is stage  # type: ignore[arg-type]


class _StageHolder(BaseModel):
    stage: FlywheelStage
    experience: CustomerExperienceStage | None = None


@pytest.mark.parametrize(
    ("payload", "stage"),
    [
        ('{"stage": "Service-Onboarding"}', F.SERVICE_ONBOARDING),
        ('{"stage": "value_delivery"}', F.VALUE_DELIVERY),
        ('{"stage": 10}', F.VALUE_RECOGNITION),
        ('{"stage": " 1 "}', F.AWARENESS_BUILDING),
    ],
)
def test_pydantic_validation_reads_tool_spellings(payload: str, stage: FlywheelStage) -> None:
    assert _StageHolder.model_validate_json(payload).stage is stage


def test_pydantic_validation_error_carries_the_parse_message() -> None:
    with pytest.raises(ValidationError) as raised:
        _StageHolder.model_validate({"stage": "x", "experience": "Realisation"})
    assert [(e["loc"], e["msg"]) for e in raised.value.errors()] == [
        (("stage",), "Value error, 'x' is not a flywheel stage. " + EXPECTED_FLYWHEEL),
        (
            ("experience",),
            "Value error, 'Realisation' is not a customer experience stage; "
            "did you mean 'Realization'? " + EXPECTED_EXPERIENCE,
        ),
    ]


@pytest.mark.parametrize("value", [None, 5.0, True, ["service_onboarding"]])
def test_pydantic_validation_rejects_non_text_values(value: object) -> None:
    with pytest.raises(ValidationError, match="Input should be 'awareness_building'"):
        _StageHolder.model_validate({"stage": value})


def test_stages_serialise_as_their_snake_case_value() -> None:
    holder = _StageHolder(stage=F.SERVICE_ONBOARDING, experience=C.DESIGN)
    assert holder.model_dump(mode="json") == {
        "stage": "service_onboarding",
        "experience": "design",
    }


def test_json_schema_lists_the_values() -> None:
    schema = _StageHolder.model_json_schema()["$defs"]["CustomerExperienceStage"]
    assert schema["enum"] == ["exploration", "design", "deployment", "enhancement", "realization"]


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (F.AWARENESS_BUILDING, F.NEEDS_ASSESSMENT, (True, True, False, False)),
        (F.SERVICE_ONBOARDING, F.SERVICE_ONBOARDING, (False, True, False, True)),
        (F.VALUE_RECOGNITION, F.VALUE_DELIVERY, (False, False, True, True)),
        (C.EXPLORATION, C.REALIZATION, (True, True, False, False)),
    ],
)
def test_stages_are_ordered_by_number(
    left: FlywheelStage | CustomerExperienceStage,
    right: FlywheelStage | CustomerExperienceStage,
    expected: tuple[bool, bool, bool, bool],
) -> None:
    assert (left < right, left <= right, left > right, left >= right) == expected


def test_sorting_follows_the_flywheel() -> None:
    assert sorted([F.VALUE_DELIVERY, F.AWARENESS_BUILDING, F.SERVICE_OPERATION]) == [
        F.AWARENESS_BUILDING,
        F.SERVICE_OPERATION,
        F.VALUE_DELIVERY,
    ]


@pytest.mark.parametrize("other", [C.DESIGN, 5, "service_onboarding"])
@pytest.mark.parametrize("compare", [operator.lt, operator.le, operator.gt, operator.ge])
def test_stages_do_not_compare_with_other_types(
    compare: Callable[[object, object], bool], other: object
) -> None:
    with pytest.raises(TypeError, match="not supported between instances of 'FlywheelStage'"):
        compare(F.SERVICE_ONBOARDING, other)


@pytest.mark.parametrize(
    ("stage", "following"),
    [(stage, FLYWHEEL[number % 10][1]) for number, stage, _ in FLYWHEEL],
)
def test_flywheel_next_is_the_following_stage_and_wraps(
    stage: FlywheelStage, following: FlywheelStage
) -> None:
    assert stage.next() is following


def test_value_recognition_wraps_to_awareness_building() -> None:
    assert F.VALUE_RECOGNITION.next() is F.AWARENESS_BUILDING


@pytest.mark.parametrize(
    ("stage", "following"),
    [
        (C.EXPLORATION, C.DESIGN),
        (C.DESIGN, C.DEPLOYMENT),
        (C.DEPLOYMENT, C.ENHANCEMENT),
        (C.ENHANCEMENT, C.REALIZATION),
        (C.REALIZATION, None),
    ],
)
def test_experience_next_stops_after_realization(
    stage: CustomerExperienceStage, following: CustomerExperienceStage | None
) -> None:
    assert stage.next() is following


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (F.VALUE_RECOGNITION, F.AWARENESS_BUILDING, True),
        (F.VALUE_DELIVERY, F.AWARENESS_BUILDING, False),
        (F.VALUE_RECOGNITION, F.NEEDS_ASSESSMENT, False),
        (F.AWARENESS_BUILDING, F.AWARENESS_BUILDING, False),
    ],
)
def test_only_value_recognition_to_awareness_building_starts_a_new_cycle(
    previous: FlywheelStage, current: FlywheelStage, expected: bool
) -> None:
    assert F.starts_new_cycle(previous, current) is expected


@pytest.mark.parametrize("digits", [10, 5000])
def test_parse_rejects_a_huge_number_as_an_unknown_stage(digits: int) -> None:
    # int() of more than 4,300 digits raises ValueError, not StageParseError.
    with pytest.raises(StageParseError, match=r"is not a flywheel stage"):
        F.parse("7" * digits + " Service Operation")
