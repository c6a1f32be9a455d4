"""OData on Planner reads: ``$select``, ``$expand``, server-sized pages and ``@odata.context``.

- ``$select`` keeps ``@odata.etag`` and ``id`` with the named properties; a name the type does
  not have is a 400 (``BadRequest``, "Could not find a property named …"), as Graph answers.
- ``$expand`` follows the navigation properties the emulator keeps (plan → details, buckets,
  tasks; bucket → tasks; task → details, bucketTaskBoardFormat); nested options
  (``details($select=…)``) are refused with a 400 naming the limitation.
- Lists ignore ``$filter``, ``$orderby``, ``$top`` and ``$skip`` and answer every item in pages
  of the server's size, oldest first, with an absolute ``@odata.nextLink`` carrying a
  ``$skiptoken`` (graph-wire.md §1 "Query options & paging"). The token remembers the last item
  answered, not a position, so items created or deleted meanwhile never make a follower see an
  item twice or skip one that still exists.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from starlette.requests import Request

from flywheel_sync.sandbox.graph.planner.kinds import KIND_FACTS, PlannerKind
from flywheel_sync.sandbox.graph.planner.store import JsonObject, PlannerObject, PlannerStore
from flywheel_sync.sandbox.graph.wire import GraphError, next_link

__all__ = ["ReadOptions", "context_url", "page_of", "read_options", "render"]

Expansion = Callable[[PlannerStore, PlannerObject], Any]
_SKIPTOKEN_PREFIX = "planner-after:"


def _companion(kind: PlannerKind) -> Expansion:
    def expand(store: PlannerStore, found: PlannerObject) -> Any:
        companion = store.get(kind, found.id)
        return None if companion is None else companion.wire()

    return expand


def _members(kind: PlannerKind, field: str) -> Expansion:
    def expand(store: PlannerStore, found: PlannerObject) -> Any:
        return [member.wire() for member in store.children(kind, field, found.id)]

    return expand


_EXPANSIONS: Mapping[PlannerKind, Mapping[str, Expansion]] = MappingProxyType(
    {
        PlannerKind.PLAN: {
            "details": _companion(PlannerKind.PLAN_DETAILS),
            "buckets": _members(PlannerKind.BUCKET, "planId"),
            "tasks": _members(PlannerKind.TASK, "planId"),
        },
        PlannerKind.BUCKET: {"tasks": _members(PlannerKind.TASK, "bucketId")},
        PlannerKind.TASK: {
            "details": _companion(PlannerKind.TASK_DETAILS),
            "bucketTaskBoardFormat": _companion(PlannerKind.BOARD_FORMAT),
        },
    }
)


@dataclass(frozen=True, kw_only=True)
class ReadOptions:
    """The ``$select`` (None: every property) and ``$expand`` of one read."""

    select: tuple[str, ...] | None = None
    expand: tuple[str, ...] = ()


def _names(request: Request, option: str) -> list[str]:
    text = request.query_params.get(option)
    return [] if text is None else [name.strip() for name in text.split(",") if name.strip()]


def _unknown(name: str, kind: PlannerKind) -> GraphError:
    type_name = KIND_FACTS[kind].type_name
    return GraphError(
        400, "BadRequest", f"Could not find a property named '{name}' on type '{type_name}'."
    )


def read_options(request: Request, kind: PlannerKind) -> ReadOptions:
    """The request's ``$select`` and ``$expand`` for objects of ``kind``.

    Raises:
        GraphError: 400 for a property or navigation the type does not have (or the sandbox
            cannot expand).
    """
    facts = KIND_FACTS[kind]
    known = {name.casefold(): name for name in facts.properties | facts.navigations}
    select: list[str] = []
    for name in _names(request, "$select"):
        if name.casefold() not in known:
            raise _unknown(name, kind)
        if known[name.casefold()] in facts.properties:
            select.append(known[name.casefold()])
    expandable = {name.casefold(): name for name in _EXPANSIONS.get(kind, {})}
    expand: list[str] = []
    for name in _names(request, "$expand"):
        if "(" in name:
            raise GraphError(
                400, "BadRequest", "The sandbox does not support options inside $expand."
            )
        if name.casefold() not in expandable:
            raise _unknown(name, kind)
        expand.append(expandable[name.casefold()])
    has_select = request.query_params.get("$select") is not None
    return ReadOptions(select=tuple(select) if has_select else None, expand=tuple(expand))


def render(store: PlannerStore, found: PlannerObject, options: ReadOptions) -> JsonObject:
    """One object as Graph answers it under ``options`` (the caller holds the lock)."""
    body = found.wire()
    if options.select is not None:
        body = {
            "@odata.etag": body["@odata.etag"],
            "id": body["id"],
            **{name: body[name] for name in options.select if name in body},
        }
    for name in options.expand:
        body[name] = _EXPANSIONS[found.kind][name](store, found)
    return body


def context_url(request: Request, fragment: str, options: ReadOptions | None = None) -> str:
    """``@odata.context``: the service root's ``$metadata#`` and what the answer holds.

    ``fragment`` is the entity set or path (``planner/tasks``); a ``$select`` is named in
    parentheses after it, as Graph does (``planner/tasks(title,percentComplete)``).
    """
    root = str(request.base_url).rstrip("/") + request.scope.get("root_path", "")
    path, entity, suffix = fragment.partition("/$entity")
    if options is not None and options.select is not None:
        path += f"({','.join(options.select)})"
    return f"{root}/$metadata#{path}{entity}{suffix}"


def _token(sequence: int) -> str:
    return base64.urlsafe_b64encode(f"{_SKIPTOKEN_PREFIX}{sequence}".encode()).decode().rstrip("=")


def _after(token: str | None) -> int:
    if token is None:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        return (
            int(decoded.removeprefix(_SKIPTOKEN_PREFIX))
            if decoded.startswith(_SKIPTOKEN_PREFIX)
            else -1
        )
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return -1


def page_of(
    items: list[PlannerObject], request: Request, page_size: int
) -> tuple[list[PlannerObject], str | None]:
    """One server-sized page of ``items`` (oldest first) and the next page's link, if any.

    Raises:
        GraphError: 400 when ``$skiptoken`` is not one this sandbox issued.
    """
    after = _after(request.query_params.get("$skiptoken"))
    if after < 0:
        raise GraphError(
            400, "BadRequest", "The $skiptoken is invalid: follow @odata.nextLink as it is."
        )
    remaining = sorted((item for item in items if item.sequence > after), key=lambda i: i.sequence)
    page = remaining[:page_size]
    if len(remaining) <= page_size:
        return page, None
    query = {name: value for name, value in request.query_params.items() if name != "$skiptoken"}
    query["$skiptoken"] = _token(page[-1].sequence)
    return page, next_link(request, query)
