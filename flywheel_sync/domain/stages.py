"""The two ordered stage cycles of the Value Ring, and how tool values are read as stages.

`FlywheelStage` (10 stages, repeating) is where an engagement stands; `CustomerExperienceStage`
(5 stages, ending at Realization) is where a customer's relationship with the PMO stands. Both
parse the spellings tools produce ("Service-Onboarding", "service onboarding", "5",
"5 - Service Onboarding"), and pydantic validation goes through the same parser, so a config
file or a Jira select value gets the same helpful error.

Errors::

    ValueError
    └── StageParseError    the text names no stage; the message suggests the closest one
"""

import difflib
import functools
import re
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, Self, TypeVar

from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema

__all__ = ["CustomerExperienceStage", "FlywheelStage", "StageParseError"]


class StageParseError(ValueError):
    """A value names no stage: fix the tool value or the mapping that produced it.

    Attributes:
        value: The value as received.
        suggestion: The label of the closest stage, or None when nothing is close.
    """

    def __init__(
        self, value: object, *, kind: str, suggestion: str | None, example: str, count: int
    ) -> None:
        self.value = value
        self.suggestion = suggestion
        hint = f"; did you mean '{suggestion}'?" if suggestion is not None else "."
        super().__init__(
            f"'{value}' is not a {kind}{hint} "
            f"Expected a stage name (e.g. '{example}') or its number 1-{count}."
        )


def _squash(text: str) -> str:
    """Reduce a spelling to lowercase letters and digits: case and punctuation never matter."""
    return "".join(re.findall(r"[0-9a-z]+", text.casefold()))


class _NumberedStage(Enum):
    """Shared behaviour of a numbered, ordered stage enum (has no members itself).

    Members are numbered 1..n in definition order; values are snake_case; labels are Title Case.
    """

    @classmethod
    def _kind(cls) -> str:
        """Name of the stage family, used in error messages."""
        raise NotImplementedError

    @classmethod
    def _example(cls) -> str:
        """The label shown as an example in error messages."""
        raise NotImplementedError

    @property
    def number(self) -> int:
        """Position in the cycle, starting at 1."""
        return _numbers(type(self))[self]

    @property
    def label(self) -> str:
        """Human name as the framework writes it, e.g. "Service Onboarding"."""
        return str(self.value).replace("_", " ").title()

    @classmethod
    def parse(cls, value: str | int | Self) -> Self:
        """Read a stage from a tool or config value.

        Accepted, in any case and with any punctuation or whitespace between words: the value
        ("service_onboarding"), the member name ("SERVICE_ONBOARDING"), the label ("Service
        Onboarding", "Service-Onboarding", "  service  onboarding "), the number as int or text
        (5, "5", leading zeros allowed: "05"), and a numbered label whose number and name agree
        ("5 - Service Onboarding", "05. Service Onboarding"). A member is returned as is.

        Raises:
            StageParseError: The value names no stage, or its number and name disagree.
        """
        if isinstance(value, cls):
            return value
        found = _lookup(cls, value)
        if found is None:
            raise StageParseError(
                value,
                kind=cls._kind(),
                suggestion=_closest_label(cls, value),
                example=cls._example(),
                count=len(cls),
            )
        return found

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        # Lets FlywheelStage("Service Onboarding") accept every spelling `parse` accepts.
        if isinstance(value, str | int) and not isinstance(value, bool):
            return cls.parse(value)
        return None

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source_type: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        # pydantic swallows errors raised by `_missing_`; parsing first keeps our message.
        return core_schema.no_info_before_validator_function(_parser_for(cls), handler(source_type))

    def _following(self) -> Self | None:
        """The next stage in definition order, or None after the last one."""
        members = tuple(type(self))
        number = self.number
        return members[number] if number < len(members) else None

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.number < other.number

    def __le__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.number <= other.number

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.number > other.number

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.number >= other.number


_Stage = TypeVar("_Stage", bound=_NumberedStage)


@functools.cache
def _numbers(cls: type[_NumberedStage]) -> Mapping[_NumberedStage, int]:
    return {member: number for number, member in enumerate(cls, start=1)}


@functools.cache
def _names(cls: type[_NumberedStage]) -> Mapping[str, _NumberedStage]:
    """Squashed value (= squashed name = squashed label) of each member."""
    return {_squash(member.value): member for member in cls}


def _lookup(cls: type[_Stage], value: object) -> _Stage | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _by_number(cls, value)
    if not isinstance(value, str):
        return None
    squashed = _squash(value)
    # At most nine digits: a stage number is 1 to 10, and int() of a 5,000-digit string
    # (a hostile field value) raises instead of parsing.
    numbered = re.fullmatch(r"(\d{1,9})([a-z]*)", squashed)
    if numbered is None:
        return _by_name(cls, squashed)
    by_number = _by_number(cls, int(numbered.group(1)))
    name = numbered.group(2)
    if name and _by_name(cls, name) is not by_number:
        return None  # "4 - Service Onboarding": number and name disagree
    return by_number


def _by_number(cls: type[_Stage], number: int) -> _Stage | None:
    members = tuple(cls)
    return members[number - 1] if 1 <= number <= len(members) else None


def _by_name(cls: type[_Stage], squashed: str) -> _Stage | None:
    found = _names(cls).get(squashed)
    return found if isinstance(found, cls) else None


def _closest_label(cls: type[_NumberedStage], value: object) -> str | None:
    squashed = _squash(str(value))
    matches = difflib.get_close_matches(squashed, _names(cls), n=1, cutoff=0.6)
    return _names(cls)[matches[0]].label if matches else None


def _parser_for(cls: type[_NumberedStage]) -> Callable[[Any], Any]:
    def parse_tool_value(value: Any) -> Any:
        if isinstance(value, str | int) and not isinstance(value, (cls, bool)):
            return cls.parse(value)
        return value  # members pass through; other types get pydantic's enum error

    return parse_tool_value


class FlywheelStage(_NumberedStage):
    """Where an engagement stands in the 10-stage Value-Generating PMO Flywheel.

    Accepts the snake_case value, the label in any case or punctuation ("Service Onboarding",
    "service-onboarding") or the stage number 1-10. After Value Recognition a new cycle starts
    at Awareness Building.
    """

    AWARENESS_BUILDING = "awareness_building"
    NEEDS_ASSESSMENT = "needs_assessment"
    VALUE_PROPOSITION = "value_proposition"
    SERVICE_DEVELOPMENT = "service_development"
    SERVICE_ONBOARDING = "service_onboarding"
    SERVICE_OPERATION = "service_operation"
    SERVICE_MONITORING = "service_monitoring"
    SERVICE_IMPROVEMENT = "service_improvement"
    VALUE_DELIVERY = "value_delivery"
    VALUE_RECOGNITION = "value_recognition"

    @classmethod
    def _kind(cls) -> str:
        return "flywheel stage"

    @classmethod
    def _example(cls) -> str:
        return "Service Onboarding"

    def next(self) -> "FlywheelStage":
        """The following stage; after Value Recognition the flywheel wraps to Awareness Building."""
        following = self._following()
        return FlywheelStage.AWARENESS_BUILDING if following is None else following

    @staticmethod
    def starts_new_cycle(previous: "FlywheelStage", current: "FlywheelStage") -> bool:
        """Whether moving from ``previous`` to ``current`` completes a turn of the flywheel.

        Only Value Recognition → Awareness Building does; any other backward move is a
        regression within the same cycle.
        """
        return (
            previous is FlywheelStage.VALUE_RECOGNITION
            and current is FlywheelStage.AWARENESS_BUILDING
        )


class CustomerExperienceStage(_NumberedStage):
    """Where a customer's relationship with the PMO stands in the 5-stage Customer Experience Cycle.

    Accepts the snake_case value, the label in any case or punctuation ("Deployment",
    "DEPLOYMENT") or the stage number 1-5. Realization is the last stage: there is no wrap.
    """

    EXPLORATION = "exploration"
    DESIGN = "design"
    DEPLOYMENT = "deployment"
    ENHANCEMENT = "enhancement"
    REALIZATION = "realization"

    @classmethod
    def _kind(cls) -> str:
        return "customer experience stage"

    @classmethod
    def _example(cls) -> str:
        return "Deployment"

    def next(self) -> "CustomerExperienceStage | None":
        """The following stage, or None after Realization (the cycle does not repeat)."""
        return self._following()
