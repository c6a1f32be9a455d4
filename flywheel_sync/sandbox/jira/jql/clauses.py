"""Compiling the WHERE part of a query into a predicate factory, validating as Jira does.

Semantics (Jira's, as the emulator applies them):

- A missing field, None, ``""``, ``[]`` and ``{}`` are EMPTY.
- ``f = x`` / ``f IN (x, y)`` match when the value (or, for lists, any element) is named by
  an operand. ``EMPTY`` among the operands also matches an empty value.
- ``f != x`` / ``f NOT IN (...)`` / ``f !~ x`` never match an EMPTY value; for a list, no
  element may be named. ``f != EMPTY`` is ``f IS NOT EMPTY``.
- ``NOT condition`` is the plain complement: ``NOT assignee = bob`` also matches unassigned
  issues, unlike ``assignee != bob``.
- ``<``, ``<=``, ``>``, ``>=`` never match EMPTY.
- Named values (options, statuses, projects, types, priorities, users, labels, parents)
  compare case-insensitively with any of the object's value, name, key, id, accountId,
  displayName; ``statusCategory`` compares with the status's category key or name.
- ``~`` is case-insensitive containment of the term (``*``/``?`` wildcards), not Jira's
  stemmed word search.
- ``currentUser()`` names the caller's accountId; with no caller it names nobody.

Each clause compiles to a `Binding`: given a `SearchContext` (the request's clock and caller)
it returns the per-issue predicate, so operands such as ``-1d`` are resolved once per search
and the per-issue work is one field read plus a set lookup or comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flywheel_sync.sandbox.jira.jql import errors
from flywheel_sync.sandbox.jira.jql.dates import DATE_FUNCTIONS, date_function
from flywheel_sync.sandbox.jira.jql.domains import COMPARISONS, Resolver, SearchContext
from flywheel_sync.sandbox.jira.jql.fields import (
    Domain,
    FieldCatalog,
    SearchField,
    resolve_field,
)
from flywheel_sync.sandbox.jira.jql.references import ValueReference
from flywheel_sync.sandbox.jira.jql.syntax import (
    AllOf,
    Clause,
    Condition,
    EmptyOperand,
    FunctionCall,
    Literal,
    Not,
    Operator,
)

__all__ = ["Binding", "Compilation", "Predicate", "compile_condition"]

Predicate = Callable[[Mapping[str, Any]], bool]
Binding = Callable[[SearchContext], Predicate]

_RANGES = frozenset(
    {Operator.LESS, Operator.LESS_OR_EQUAL, Operator.GREATER, Operator.GREATER_OR_EQUAL}
)
_POSITIVE = frozenset({Operator.EQUALS, Operator.IN, Operator.CONTAINS})
_NEGATIVE = frozenset({Operator.NOT_EQUALS, Operator.NOT_IN, Operator.NOT_CONTAINS})
_REFERENCED = frozenset({Domain.NAMED, Domain.KEY})


@dataclass(kw_only=True)
class Compilation:
    """What compiling one query gathers besides its bindings."""

    catalog: FieldCatalog
    problems: list[str] = field(default_factory=list)
    references: list[ValueReference] = field(default_factory=list)


def compile_condition(condition: Condition, compilation: Compilation) -> Binding | None:
    """The binding for ``condition``; None (with problems recorded) when it is invalid.

    Validation continues past the first problem so that every message reaches the caller.
    """
    if isinstance(condition, Clause):
        return _compile_clause(condition, compilation)
    if isinstance(condition, Not):
        inner = compile_condition(condition.part, compilation)
        return None if inner is None else _negated(inner)
    parts = [compile_condition(part, compilation) for part in condition.parts]
    bound = [part for part in parts if part is not None]
    if len(bound) < len(parts):
        return None
    return _every(bound) if isinstance(condition, AllOf) else _some(bound)


def _negated(inner: Binding) -> Binding:
    def bind(context: SearchContext) -> Predicate:
        test = inner(context)
        return lambda issue: not test(issue)

    return bind


def _every(parts: list[Binding]) -> Binding:
    def bind(context: SearchContext) -> Predicate:
        tests = tuple(part(context) for part in parts)

        def every(issue: Mapping[str, Any]) -> bool:
            # A loop, not all(...): no generator per issue, 2-3 times faster on 100,000.
            for test in tests:  # noqa: SIM110
                if not test(issue):
                    return False
            return True

        return every

    return bind


def _some(parts: list[Binding]) -> Binding:
    def bind(context: SearchContext) -> Predicate:
        tests = tuple(part(context) for part in parts)

        def some(issue: Mapping[str, Any]) -> bool:
            for test in tests:  # noqa: SIM110 - as in `every`
                if test(issue):
                    return True
            return False

        return some

    return bind


def _compile_clause(clause: Clause, compilation: Compilation) -> Binding | None:
    problems = compilation.problems
    name = clause.field.text
    field = resolve_field(name, compilation.catalog)
    if field is None:
        problems.append(errors.unknown_field(name))
        return None
    operator = clause.operator
    if operator not in field.operators:
        problems.append(errors.unsupported_operator(operator.value, name))
        return None
    found = len(problems)
    resolvers: list[Resolver] = []
    wants_empty = False
    for operand in clause.operands:
        if isinstance(operand, EmptyOperand):
            wants_empty = True
            if not field.supports_empty:
                problems.append(errors.empty_not_supported(name))
            elif operator in _RANGES:
                problems.append(errors.empty_not_ordered(operator.value))
            continue
        resolved = (
            _function_operand(operand, field, name)
            if isinstance(operand, FunctionCall)
            else COMPARISONS[field.domain].operand(operand.text, field, name)
        )
        if isinstance(resolved, str):
            problems.append(resolved)
            continue
        resolvers.append(resolved)
        if isinstance(operand, Literal) and field.domain in _REFERENCED:
            compilation.references.append(
                ValueReference(field=field.ref, written_as=name, value=operand.text)
            )
    if len(problems) > found:
        return None
    return _binding(field, operator, tuple(resolvers), wants_empty=wants_empty)


def _function_operand(call: FunctionCall, field: SearchField, name: str) -> Resolver | str:
    function = call.name.casefold()
    if function == "currentuser":
        if not field.holds_users:
            return errors.function_not_for_field(call.name, name)
        if call.arguments:
            return errors.wrong_argument_count(call.name, 0, len(call.arguments))
        return lambda context: context.current_user and context.current_user.casefold()
    if function not in DATE_FUNCTIONS:
        return errors.unknown_function(call.name)
    if field.domain is not Domain.DATE:
        return errors.function_not_for_field(call.name, name)
    resolve = date_function(function, call.arguments)
    if isinstance(resolve, str):
        return resolve
    return lambda context: resolve(context.now)


def _binding(
    field: SearchField,
    operator: Operator,
    resolvers: tuple[Resolver, ...],
    *,
    wants_empty: bool,
) -> Binding:
    comparison = COMPARISONS[field.domain]
    read, normalize = field.read, comparison.normalize

    def bind(context: SearchContext) -> Predicate:
        needles = [value for value in (r(context) for r in resolvers) if value is not None]
        if operator is Operator.IS or (operator in _POSITIVE and wants_empty and not needles):
            return lambda issue: normalize(read(issue)) is None
        if operator is Operator.IS_NOT or (operator in _NEGATIVE and not needles):
            return lambda issue: normalize(read(issue)) is not None
        if operator in _NEGATIVE:
            return _negative(read, normalize, comparison.matcher(field, needles))
        if operator in _RANGES:
            # A range always has its one operand: EMPTY there is refused when compiling.
            test = comparison.ordered(operator, needles[0])
        else:
            test = comparison.matcher(field, needles)
        return _positive(read, normalize, test, wants_empty=wants_empty)

    return bind


def _positive(
    read: Callable[[Any], Any],
    normalize: Callable[[Any], Any],
    test: Callable[[Any], bool],
    *,
    wants_empty: bool,
) -> Predicate:
    def positive(issue: Mapping[str, Any]) -> bool:
        value = normalize(read(issue))
        if value is None:
            return wants_empty
        return test(value)

    return positive


def _negative(
    read: Callable[[Any], Any], normalize: Callable[[Any], Any], test: Callable[[Any], bool]
) -> Predicate:
    def negative(issue: Mapping[str, Any]) -> bool:
        value = normalize(read(issue))
        return value is not None and not test(value)

    return negative
