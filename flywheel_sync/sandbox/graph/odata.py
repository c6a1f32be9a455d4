"""The OData query options the directory and Teams endpoints share, as Graph parses them.

Each Graph workload honours a different subset of ``$filter``, ``$select`` and ``$top``, and
refuses the rest in its own words; the endpoints declare their subset as data
(`FilterPolicy`, allowed option names) and this module applies it:

- an option an endpoint does not allow answers 400 with the OData message Graph relays
  ("Query option 'Top' is not allowed. ...");
- ``$filter`` clauses are ``prop eq 'v'``, ``startswith(prop,'v')`` and
  ``coll/any(x:x eq 'v')``, joined by ``and`` (what callers of the groups and channels lists
  use; graph-wire.md §3);
- ``$select`` names properties of the resource type; an unknown name is a 400.

``@odata.context`` URLs are built on the sandbox's own service root, so they point back here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.requests import Request

from flywheel_sync.sandbox.graph.wire import GraphError

__all__ = [
    "Clause",
    "FilterPolicy",
    "context_url",
    "matches",
    "parse_filter",
    "project",
    "quoted_key",
    "refuse_unsupported_options",
    "selected",
]

JsonObject = dict[str, Any]

# The names OData's validation settings use for each system query option.
_OPTION_NAMES = {
    "$filter": "Filter",
    "$select": "Select",
    "$expand": "Expand",
    "$orderby": "OrderBy",
    "$top": "Top",
    "$skip": "Skip",
    "$count": "Count",
    "$search": "Search",
    "$format": "Format",
    "$skiptoken": "SkipToken",
    "$deltatoken": "DeltaToken",
}
_LITERAL = r"'(?:[^']|'')*'|true|false|null"
_EQ = re.compile(rf"^(?P<prop>\w+)\s+eq\s+(?P<value>{_LITERAL})$", re.IGNORECASE)
_STARTSWITH = re.compile(
    r"^startswith\(\s*(?P<prop>\w+)\s*,\s*(?P<value>'(?:[^']|'')*')\s*\)$", re.IGNORECASE
)
_ANY = re.compile(
    r"^(?P<prop>\w+)/any\(\s*(?P<var>\w+)\s*:\s*(?P=var)\s+eq\s+(?P<value>'(?:[^']|'')*')\s*\)$",
    re.IGNORECASE,
)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def refuse_unsupported_options(request: Request, allowed: Iterable[str]) -> None:
    """Refuse any system query option (``$...``) the endpoint does not support.

    Raises:
        GraphError: 400 ``BadRequest`` naming the first refused option, as OData words it.
    """
    permitted = {name.lower() for name in allowed}
    for name in request.query_params:
        if name.startswith("$") and name.lower() not in permitted:
            option = _OPTION_NAMES.get(name.lower(), name.lstrip("$"))
            raise GraphError(
                400,
                "BadRequest",
                "The query specified in the URI is not valid. "
                f"Query option '{option}' is not allowed. To allow it, set the "
                "'AllowedQueryOptions' property on EnableQueryAttribute or "
                "QueryValidationSettings.",
            )


@dataclass(frozen=True, kw_only=True)
class Clause:
    """One ``$filter`` condition: ``operator`` is ``eq``, ``startswith`` or ``any``."""

    operator: str
    prop: str
    value: str | bool | None


@dataclass(frozen=True, kw_only=True)
class FilterPolicy:
    """Which properties an endpoint filters on with which operator, and how it refuses others.

    Attributes:
        resource: The type name Graph puts in its refusal (``Group``, ``channel``).
        operators: Operator → the properties it may be applied to.
        code: The error code of a refused clause (the directory says
            ``Request_UnsupportedQuery``, Teams ``BadRequest``).
    """

    resource: str
    operators: Mapping[str, frozenset[str]]
    code: str


def _literal(text: str) -> str | bool | None:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    return text[1:-1].replace("''", "'")


def _clause(text: str) -> Clause:
    for operator, pattern in (("eq", _EQ), ("startswith", _STARTSWITH), ("any", _ANY)):
        found = pattern.match(text.strip())
        if found:
            return Clause(operator=operator, prop=found["prop"], value=_literal(found["value"]))
    raise GraphError(400, "BadRequest", f"Invalid filter clause: '{text.strip()}'.")


def _split_on_and(expression: str) -> list[str]:
    """The ``and``-joined parts of ``expression``, never splitting inside a quoted literal."""
    parts, start, quoted = [], 0, False
    for index, char in enumerate(expression):
        if char == "'":
            quoted = not quoted
        elif not quoted:
            found = _AND.match(expression, index)
            if found and index >= start:
                parts.append(expression[start:index])
                start = found.end()
    parts.append(expression[start:])
    return parts


def parse_filter(expression: str, policy: FilterPolicy) -> list[Clause]:
    """The clauses of ``expression``, each checked against ``policy``.

    Raises:
        GraphError: 400 ``BadRequest`` for a clause that does not parse; 400 with the
            policy's code for a property the operator may not be applied to.
    """
    if not expression.strip():
        raise GraphError(400, "BadRequest", "Invalid filter clause: the $filter is empty.")
    clauses = [_clause(part) for part in _split_on_and(expression)]
    for clause in clauses:
        allowed = {name.lower() for name in policy.operators.get(clause.operator, frozenset())}
        if clause.prop.lower() not in allowed:
            raise GraphError(
                400,
                policy.code,
                "Unsupported or invalid query filter clause specified for property "
                f"'{clause.prop}' of resource '{policy.resource}'.",
            )
    return clauses


def _value(resource: Mapping[str, Any], prop: str) -> Any:
    for key, value in resource.items():
        if key.lower() == prop.lower():
            return value
    return None


def _equal(left: Any, right: str | bool | None) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    return bool(left == right)


def matches(resource: Mapping[str, Any], clauses: Iterable[Clause]) -> bool:
    """Whether ``resource`` meets every clause (string comparisons ignore case, as Entra does)."""
    for clause in clauses:
        value = _value(resource, clause.prop)
        if clause.operator == "eq":
            found = _equal(value, clause.value)
        elif clause.operator == "startswith":
            found = isinstance(value, str) and value.casefold().startswith(
                str(clause.value).casefold()
            )
        else:
            found = isinstance(value, list) and any(_equal(item, clause.value) for item in value)
        if not found:
            return False
    return True


def selected(request: Request, known: Iterable[str], type_name: str, code: str) -> list[str]:
    """The properties ``$select`` names, in the case the type spells them; [] without it.

    Raises:
        GraphError: 400 with ``code`` for a name the type does not have.
    """
    raw = request.query_params.get("$select")
    if raw is None:
        return []
    spelled = {name.lower(): name for name in known}
    names = []
    for part in raw.split(","):
        name = part.strip()
        if not name:
            continue
        if name.lower() not in spelled:
            raise GraphError(
                400, code, f"Could not find a property named '{name}' on type '{type_name}'."
            )
        names.append(spelled[name.lower()])
    return names


def project(resource: Mapping[str, Any], names: list[str]) -> JsonObject:
    """``resource`` cut down to ``names`` (known names it lacks come back null), or whole."""
    if not names:
        return dict(resource)
    return {name: resource.get(name) for name in names}


def quoted_key(key: str) -> str:
    """A key as ``@odata.context`` quotes it (``19:a@thread.tacv2`` → ``19%3Aa%40thread.tacv2``)."""
    return quote(key, safe="")


def context_url(request: Request, fragment: str, names: list[str] | None = None) -> str:
    """``<service root>/$metadata#<fragment>``; a ``$select`` goes after the entity set.

    Example: ``users/$entity`` with ``["department"]`` → ``...#users(department)/$entity``.
    """
    root = f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}"
    if names:
        head, slash, tail = fragment.partition("/$entity")
        fragment = f"{head}({','.join(names)}){slash}{tail}"
    return f"{root}/$metadata#{fragment}"
