"""openapi-core's validation errors flattened into comparable, printable `Violation`s.

openapi-core reports one exception per failed step (path lookup, security, a parameter, the
body) and hides the individual JSON-schema failures in the exception's cause. A contract test
needs each failure on its own, with where it happened, so that a documented deviation can
excuse exactly the failures it describes and nothing else.

Kinds:
    ``unknown-operation``  the spec has no such path, method or server;
    ``undeclared-status``  the operation declares no response for the status;
    ``undescribed-body``   the response declares ``content: {}`` yet a body came back;
    ``media-type``         the body's media type is not one the response declares;
    ``missing-body``       the response declares a body and none came back;
    ``schema``             a JSON-schema keyword failed (``keyword``, ``where``);
    ``parameter``          a parameter is missing or malformed (``where`` = location, name);
    ``security``           no declared security scheme is satisfied;
    ``header``             a declared response header is missing or malformed;
    anything else is named after openapi-core's exception class.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.validation.request.exceptions import (
    ParameterValidationError,
    SecurityValidationError,
)
from openapi_core.validation.response.exceptions import HeaderValidationError, MissingData
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue

__all__ = ["AMBIGUOUS_ONE_OF", "Phase", "Violation", "violations_of"]

Phase = Literal["request", "response"]
AMBIGUOUS_ONE_OF = "valid under more than one oneOf alternative"
_MESSAGE_LIMIT = 160


@runtime_checkable
class _SchemaFailure(Protocol):
    """What the harness reads of a ``jsonschema.ValidationError`` (jsonschema ships no types)."""

    validator: object
    absolute_path: Sequence[object]
    message: str
    context: list[object] | None


@dataclass(frozen=True, kw_only=True)
class Violation:
    """One way an exchange departs from its spec."""

    phase: Phase
    kind: str
    where: str = ""
    """Slash-joined JSON path into the body (``issues/0/fields/created``), or
    ``location/name`` for a parameter; empty for the body root or when nothing narrower."""
    keyword: str = ""
    """The JSON-schema keyword that failed (``required``, ``type``, ``format``, ``oneOf``)."""
    message: str = ""


def violations_of(phase: Phase, error: Exception) -> Iterator[Violation]:
    """The violations one openapi-core error stands for (several for a schema failure)."""
    cause = error.__cause__
    prefix = _parameter_where(error)
    if isinstance(cause, InvalidSchemaValue):
        for failure in cause.schema_errors:
            yield _schema_violation(phase, failure, prefix)
        return
    yield Violation(phase=phase, kind=_kind(error), where=prefix, message=_short(str(error)))


def _schema_violation(phase: Phase, failure: Exception, prefix: str) -> Violation:
    if not isinstance(failure, _SchemaFailure):
        return Violation(phase=phase, kind="schema", where=prefix, message=_short(str(failure)))
    path = "/".join(str(step) for step in failure.absolute_path)
    message = failure.message
    if failure.validator == "oneOf" and not failure.context:
        # jsonschema keeps the alternatives' failures only when none matched; its message
        # repeats the whole instance, so name the case instead.
        message = AMBIGUOUS_ONE_OF
    return Violation(
        phase=phase,
        kind="schema",
        where="/".join(part for part in (prefix, path) if part),
        keyword=str(failure.validator),
        message=_short(message),
    )


def _parameter_where(error: Exception) -> str:
    if isinstance(error, ParameterValidationError):
        return f"{error.location}/{error.name}"
    return ""


def _kind(error: Exception) -> str:
    cause = error.__cause__
    kinds: list[tuple[bool, str]] = [
        (isinstance(error, PathError), "unknown-operation"),
        (isinstance(error, ResponseNotFound), "undeclared-status"),
        (
            isinstance(cause, MediaTypeNotFound) and not cause.availableMimetypes,
            "undescribed-body",
        ),
        (isinstance(cause, MediaTypeNotFound), "media-type"),
        (isinstance(error, MissingData), "missing-body"),
        (isinstance(error, ParameterValidationError), "parameter"),
        (isinstance(error, SecurityValidationError), "security"),
        (isinstance(error, HeaderValidationError), "header"),
    ]
    return next((kind for matched, kind in kinds if matched), type(error).__name__)


def _short(text: str) -> str:
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"
