"""What a create or update body may set on each kind of Planner object, and how it is checked.

Each kind is a `WritableFields` table: the plain properties a client may write with their
checks, the open types (assignments, checklist, ...) merged by `open_types`, and the properties
fixed at creation (``planId``, ``container``); the type's other properties (`kinds`) are the
service's. Planner refuses a body that sets a service-owned property (``createdBy`` on create
gave "The request is invalid", msgraph-sdk-php#1274) or names one its type does not have, so
the emulator answers 400 for both instead of silently dropping them. ``@odata.*`` annotations
are accepted and ignored; ``id`` is accepted on an update when it is the object's own id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from flywheel_sync.sandbox.graph.planner.errors import invalid_request
from flywheel_sync.sandbox.graph.planner.kinds import KIND_FACTS, PlannerKind
from flywheel_sync.sandbox.graph.planner.order_hints import validate_client_hint

__all__ = ["PREVIEW_TYPES", "WRITABLE", "Check", "WritableFields", "parse_date_time"]

JsonObject = dict[str, Any]
Check = Callable[[str, Any], Any]
"""Checks one property's value (name, value) and returns what to store; raises a 400."""
PREVIEW_TYPES = frozenset({"automatic", "noPreview", "checklist", "description", "reference"})


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid_request(f"The property '{name}' must be a non-empty string.")
    return value


def _optional_text(name: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise invalid_request(f"The property '{name}' must be a string or null.")
    return value


def _whole_number(low: int, high: int) -> Check:
    def check(name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise invalid_request(f"The property '{name}' must be a whole number {low}-{high}.")
        return value

    return check


def parse_date_time(name: str, value: str) -> datetime:
    """A DateTimeOffset value (ISO 8601 with an offset or ``Z``) as an aware datetime.

    Raises:
        GraphError: 400 when it is not one.
    """
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise invalid_request(
            f"The property '{name}' must be an ISO 8601 date and time with an offset, "
            "e.g. 2026-03-02T09:30:00Z."
        )
    return moment


def _date_time(name: str, value: Any) -> str | None:
    """Graph stores DateTimeOffsets in UTC and answers them with ``Z``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_request(f"The property '{name}' must be a date and time string or null.")
    moment = parse_date_time(name, value).astimezone(UTC)
    spelled = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        spelled += f".{moment.microsecond:06d}".rstrip("0")
    return spelled + "Z"


def _preview_type(name: str, value: Any) -> str:
    if value not in PREVIEW_TYPES:
        raise invalid_request(f"The property '{name}' must be one of {sorted(PREVIEW_TYPES)}.")
    return str(value)


def _order_hint(name: str, value: Any) -> str:
    return validate_client_hint(name, value)


@dataclass(frozen=True, kw_only=True)
class WritableFields:
    """The properties of one kind a client may write, and how each is checked."""

    kind: PlannerKind
    scalars: Mapping[str, Check]
    open_types: frozenset[str] = frozenset()
    fixed: Mapping[str, Check] = field(default_factory=dict)
    """Set on create, never changed after (an update may repeat the current value)."""

    def accept(
        self, body: JsonObject, *, current: JsonObject | None
    ) -> tuple[JsonObject, JsonObject]:
        """The checked plain values and the raw open-type patches of a write.

        ``current`` is the object an update applies to; None for a create.

        Raises:
            GraphError: 400 for a property the client may not set, or an invalid value.
        """
        values: JsonObject = {}
        patches: JsonObject = {}
        for name, value in body.items():
            if "@odata." in name or self._repeats(name, value, current):
                continue
            if name in self.open_types:
                patches[name] = value
            elif name in self.scalars:
                values[name] = self.scalars[name](name, value)
            elif name in self.fixed and current is None:
                values[name] = self.fixed[name](name, value)
            else:
                raise self._refusal(name)
        return values, patches

    def _repeats(self, name: str, value: Any, current: JsonObject | None) -> bool:
        """An update may repeat the object's id and fixed properties as they are."""
        fixed = name == "id" or name in self.fixed
        return current is not None and fixed and current.get(name) == value

    def _refusal(self, name: str) -> Exception:
        facts = KIND_FACTS[self.kind]
        if name in facts.properties or name in facts.navigations:
            return invalid_request(
                f"The property '{name}' cannot be set by the client in this request."
            )
        return invalid_request(
            f"The property '{name}' does not exist on type '{facts.type_name}'. Make sure to "
            "only use property names that are defined by the type."
        )


WRITABLE: Mapping[PlannerKind, WritableFields] = MappingProxyType(
    {
        PlannerKind.PLAN: WritableFields(
            kind=PlannerKind.PLAN,
            scalars={"title": _text},
            fixed={"container": lambda name, value: value, "owner": _optional_text},
        ),
        PlannerKind.PLAN_DETAILS: WritableFields(
            kind=PlannerKind.PLAN_DETAILS,
            scalars={},
            open_types=frozenset({"categoryDescriptions", "sharedWith"}),
        ),
        PlannerKind.BUCKET: WritableFields(
            kind=PlannerKind.BUCKET,
            scalars={"name": _text, "orderHint": _order_hint},
            fixed={"planId": _text},
        ),
        PlannerKind.TASK: WritableFields(
            kind=PlannerKind.TASK,
            scalars={
                "title": _text,
                "bucketId": _optional_text,
                "orderHint": _order_hint,
                "assigneePriority": _order_hint,
                "percentComplete": _whole_number(0, 100),
                "priority": _whole_number(0, 10),
                "startDateTime": _date_time,
                "dueDateTime": _date_time,
                "conversationThreadId": _optional_text,
                "previewType": _preview_type,
            },
            open_types=frozenset({"assignments", "appliedCategories"}),
            fixed={"planId": _text},
        ),
        PlannerKind.TASK_DETAILS: WritableFields(
            kind=PlannerKind.TASK_DETAILS,
            scalars={"description": _optional_text, "previewType": _preview_type},
            open_types=frozenset({"checklist", "references"}),
        ),
        PlannerKind.BOARD_FORMAT: WritableFields(
            kind=PlannerKind.BOARD_FORMAT, scalars={"orderHint": _order_hint}
        ),
    }
)
