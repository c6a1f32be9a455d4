"""OData query text for the Dataverse Web API: literals, ``or`` chains and the query string.

Dataverse reads the query string as OData 4.0 (query/overview.md): string literals are quoted
with single quotes (a quote inside is doubled), GUIDs and ``DateTimeOffset`` values are bare
(``_msdyn_project_value eq 1f0c...``, ``modifiedon ge 2026-11-23T08:00:00Z``). The query string
is built here rather than by httpx so that spaces travel as ``%20`` and the characters OData
gives meaning to (``$ , ( ) ' = :``) travel as themselves, the way Dataverse's own
``@odata.nextLink`` values spell them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import TypeVar
from urllib.parse import quote

__all__ = ["any_equal", "batched", "query_string", "text_literal", "time_literal"]

_SAFE = "$,()'=:@/"
T = TypeVar("T")


def text_literal(value: str) -> str:
    """``value`` as an OData string literal: ``'O''Brien'``."""
    escaped = value.replace("'", "''")
    return f"'{escaped}'"


def time_literal(moment: datetime) -> str:
    """An aware ``moment`` as a bare ``DateTimeOffset`` literal in UTC, whole seconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def any_equal(column: str, literals: Iterable[str]) -> str:
    """``(c eq a or c eq b ...)``: the membership test the sandbox and Dataverse both read.

    Dataverse also has ``Microsoft.Dynamics.CRM.In``, but a plain ``or`` chain is portable
    OData; callers keep chains short (see ``DataverseSource.id_batch``) to bound URL length.
    """
    terms = [f"{column} eq {literal}" for literal in literals]
    if not terms:
        raise ValueError(f"no values to compare {column} with")
    return "(" + " or ".join(terms) + ")"


def query_string(options: Sequence[tuple[str, str]]) -> str:
    """``$select=a,b&$filter=...`` with OData's characters left readable."""
    return "&".join(
        f"{quote(name, safe=_SAFE)}={quote(value, safe=_SAFE)}" for name, value in options
    )


def batched(items: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    """``items`` in tuples of ``size`` (the last may be shorter); Python 3.12's ``batched``."""
    if size < 1:
        raise ValueError("size must be at least 1")
    iterator = iter(items)
    while batch := tuple(islice(iterator, size)):
        yield batch
